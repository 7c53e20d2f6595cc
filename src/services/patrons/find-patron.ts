/** One patron of a library by its id, or not_found (the same for another library's patron). */
import { RollcallError } from '../../domain/errors.ts';
import type { PatronDetail, Store } from '../../store/store.ts';

/** One patron of the library; not_found (the same for another library's id) when there is none. */
export async function requirePatron(store: Pick<Store, 'patrons'>, libraryId: number, id: number): Promise<PatronDetail> {
  const patron = Number.isSafeInteger(id) && id > 0 ? await store.patrons.detail(libraryId, id) : undefined;
  if (!patron) throw new RollcallError('not_found', `There is no patron #${id} in this library.`);
  return patron;
}
