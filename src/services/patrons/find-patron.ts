/** One patron of a library by its id, or not_found (the same for another library's patron). */
import { RollcallError } from '../../domain/errors.ts';
import type { PatronDetail, Store } from '../../store/store.ts';

/** One patron of the library; not_found (the same for another library's id) when there is none. */
export async function requirePatron(store: Pick<Store, 'patrons'>, libraryId: number, id: number): Promise<PatronDetail> {
  const patron = Number.isSafeInteger(id) && id > 0 ? await store.patrons.detail(libraryId, id) : undefined;
  if (!patron) throw new RollcallError('not_found', `There is no patron #${id} in this library.`);
  return patron;
}

/** How a command names one patron: by GUID or by Barcode (exactly one). */
export interface PatronKey {
  /** The GUID. */
  guid?: string | undefined;
  /** The Barcode. */
  barcode?: string | undefined;
}

/**
 * The one patron of the library with this GUID or Barcode: `usage` unless exactly one of the two
 * is given; not_found when none has it; conflict when several share the Barcode (Barcodes are
 * not unique; the GUID is).
 */
export async function patronByKey(store: Pick<Store, 'patrons'>, libraryId: number, key: PatronKey): Promise<PatronDetail> {
  const guid = key.guid?.trim() ?? '';
  const barcode = key.barcode?.trim() ?? '';
  if ((guid === '') === (barcode === ''))
    throw new RollcallError('usage', 'Name the patron with --guid G or --barcode B (one of the two).');
  if (guid !== '') {
    const p = await store.patrons.byGuid(libraryId, guid);
    if (!p) throw new RollcallError('not_found', `No patron of this library has the GUID "${guid}".`);
    return requirePatron(store, libraryId, p.id);
  }
  const found = await store.patrons.idsHolding(libraryId, 'barcode', barcode);
  if (found.length === 0) throw new RollcallError('not_found', `No patron of this library has the Barcode "${barcode}".`);
  if (found.length > 1)
    throw new RollcallError('conflict', `${found.length} patrons share the Barcode "${barcode}"; name the one you mean with --guid.`);
  return requirePatron(store, libraryId, found[0]!);
}
