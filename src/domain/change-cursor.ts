/**
 * The change feed's cursor: where a consumer of a library's changes stands. It names the
 * library and the last journal row the consumer has seen; the journal's ids follow commit order
 * within a library (store/journal.ts), so "every change after this cursor" is "the library's
 * journal rows with a larger id". Opaque to consumers (base64url), so its shape can change
 * behind the version prefix without breaking a saved cursor's meaning.
 */
import { RollcallError } from './errors.ts';

/** Where a feed consumer stands. */
export interface ChangeCursor {
  /** The library whose changes it follows. */
  libraryId: number;
  /** The last journal row seen (0: the start, before any row). */
  journalId: number;
}

const VERSION = 'v1';

/** The opaque text of a cursor. */
export function encodeChangeCursor(cursor: ChangeCursor): string {
  return Buffer.from(`${VERSION}.${cursor.libraryId}.${cursor.journalId}`, 'utf8').toString('base64url');
}

/**
 * Reads a cursor's text; a malformed or foreign one is `invalid_input` with one sentence (the
 * API answers 400). Whether it is the caller's library is the caller's to check (404 otherwise).
 */
export function decodeChangeCursor(text: string): ChangeCursor {
  const invalid = () => new RollcallError('invalid_input', `"${text.slice(0, 60)}" is not a change cursor this server issued.`);
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) throw invalid();
  const parts = Buffer.from(text, 'base64url').toString('utf8').split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !/^[1-9]\d{0,9}$/.test(parts[1]!) || !/^(0|[1-9]\d{0,15})$/.test(parts[2]!)) {
    throw invalid();
  }
  const libraryId = Number(parts[1]);
  const journalId = Number(parts[2]);
  if (!Number.isSafeInteger(libraryId) || !Number.isSafeInteger(journalId)) throw invalid();
  return { libraryId, journalId };
}
