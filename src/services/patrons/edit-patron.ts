/**
 * A hand edit of one patron (SPEC §5): checked whole first (patron-edit.ts), then written with
 * who made it (on the patron and in the journal, SPEC §3.9); the pages and PATCH /api/v1/patrons/{id} both call it.
 */
import type { PatronDetail, StaffRole, Store } from '../../store/store.ts';
import { requirePatron } from './find-patron.ts';
import { checkPatronEdit } from './patron-edit.ts';

/** Who edits. */
export interface Editor {
  /** Their username (kept on the patron and in the journal). */
  username: string;
  /** Their staff account (journaled with each change, SPEC §3.9). */
  staffUserId?: number;
  /** Their role: only admins change a GUID. */
  role: StaffRole;
}

/**
 * Changes the given fields of one patron (keys as in GET; any subset). Checked first: a
 * PatronEditError lists every value that cannot be saved and nothing is written. With
 * `expectUpdatedAt` (the form's), a patron written since is refused (conflict). An edit that
 * changes nothing writes nothing. Bumps the library's patron revision (the store does).
 */
export async function editPatron(
  store: Pick<Store, 'patrons' | 'sites'>,
  libraryId: number,
  id: number,
  input: Readonly<Record<string, unknown>>,
  editor: Editor,
  expectUpdatedAt?: string,
): Promise<PatronDetail> {
  const current = await requirePatron(store, libraryId, id);
  const siteCodes = new Set((await store.sites.list(libraryId)).map((s) => s.code));
  const changes = checkPatronEdit(input, { current, siteCodes, mayChangeGuid: editor.role === 'admin' });
  if (Object.keys(changes).length === 0 && expectUpdatedAt === undefined) return current;
  return store.patrons.edit(libraryId, id, changes, {
    editedBy: editor.username,
    staffUserId: editor.staffUserId ?? null,
    ...(expectUpdatedAt === undefined ? {} : { expectUpdatedAt }),
  });
}
