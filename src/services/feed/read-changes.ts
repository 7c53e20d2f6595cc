/**
 * `GET /api/v1/changes?after=CURSOR&limit=N`: a page of the library's patron changes after a
 * cursor, in commit order (the journal's ids, store/journal.ts `following`).
 *
 * - No cursor: from the start of the journal.
 * - A malformed or foreign cursor: `invalid_input` (400), one line (change-cursor.ts).
 * - Another library's cursor: `not_found` (404), as any other library's object.
 * - A cursor below the journal's horizon (rows after it were pruned by retention): `gone`
 *   (410) naming the cursor to follow from once a full export has been read — the library's
 *   newest row now. Taken *before* the export, so the export holds everything up to it;
 *   replaying what follows onto it is harmless (each event sets values, it adds nothing).
 */
import { decodeChangeCursor, encodeChangeCursor } from '../../domain/change-cursor.ts';
import { RollcallError } from '../../domain/errors.ts';
import type { Store } from '../../store/store.ts';
import { changeEvents, type ChangeEvent } from './change-events.ts';

/** Rows read per page unless asked otherwise, and the most a page may read. */
export const DEFAULT_CHANGES_LIMIT = 100;
export const MAX_CHANGES_LIMIT = 1000;

/** A page of changes. */
export interface ChangesPage {
  /** The events, oldest first. */
  changes: ChangeEvent[];
  /** The cursor to ask from next (the last row read; the same cursor when nothing was new). */
  next: string;
  /** Whether more rows wait after `next` (ask again at once). */
  more: boolean;
}

/** The refusal of a cursor older than the journal's retention, with where to follow from. */
export class ChangesGone extends RollcallError {
  /** The cursor to follow from after reading a full export. */
  readonly cursor: string;

  constructor(cursor: string) {
    super(
      'gone',
      `Changes after this cursor are older than the journal keeps (ROLLCALL_JOURNAL_RETENTION_DAYS): read a full export, then follow from cursor ${cursor}.`,
    );
    this.cursor = cursor;
  }
}

/** A page of `libraryId`'s changes after `after` (undefined: the start). */
export async function readChanges(
  store: Pick<Store, 'journal'>,
  libraryId: number,
  ask: { after?: string | undefined; limit?: number | undefined },
): Promise<ChangesPage> {
  const cursor = ask.after === undefined || ask.after === '' ? { libraryId, journalId: 0 } : decodeChangeCursor(ask.after);
  if (cursor.libraryId !== libraryId) throw new RollcallError('not_found', 'This cursor belongs to another library.');
  const limit = limitOf(ask.limit);
  const rows = await store.journal.following(libraryId, cursor.journalId, limit);
  // The horizon is read after the rows: the reaper deletes and moves the horizon in one
  // transaction, so a prune that took rows before they were read shows here.
  const horizon = await store.journal.horizon(libraryId);
  if (cursor.journalId < horizon) throw new ChangesGone(await headCursor(store, libraryId));
  const last = rows.length === 0 ? cursor.journalId : rows[rows.length - 1]!.id;
  return { changes: changeEvents(libraryId, rows), next: encodeChangeCursor({ libraryId, journalId: last }), more: rows.length === limit };
}

/** The cursor of the library's newest change: where to follow from after a full export. */
export async function headCursor(store: Pick<Store, 'journal'>, libraryId: number): Promise<string> {
  // Every row pruned leaves no head but the horizon: the cursor is never below it.
  const [head, horizon] = [await store.journal.head(libraryId), await store.journal.horizon(libraryId)];
  return encodeChangeCursor({ libraryId, journalId: Math.max(head, horizon) });
}

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_CHANGES_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_CHANGES_LIMIT) {
    throw new RollcallError('invalid_input', `The limit must be a whole number from 1 to ${MAX_CHANGES_LIMIT}.`);
  }
  return limit;
}
