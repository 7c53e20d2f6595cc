/**
 * The checks every row reader shares: status by file mode, required cells, and the role
 * vocabularies (ONEROSTER.md §1.3). A failed check returns a one-line message (the row is then
 * reported as malformed and skipped); oddities that do not spoil a row are counted as notes.
 */
import type { RosterStatus } from '../domain/roster.ts';
import type { CsvFileMode } from './entities.ts';
import { rowsHave } from './notes.ts';
import type { FileNotes } from './notes.ts';
import { parseBoolean, parseStatus } from './cell-values.ts';

/** Why a row cannot be read, in a few words (`missing givenName`). */
export class RowError {
  constructor(readonly message: string) {}
}

/** User roles of 1.1 and 1.2, lower-cased (1.2's camelCase names compare without case). */
const USER_ROLES = new Set([
  'administrator',
  'aide',
  'guardian',
  'parent',
  'proctor',
  'relative',
  'student',
  'teacher',
  'counselor',
  'districtadministrator',
  'principal',
  'siteadministrator',
  'systemadministrator',
]);

/** Longest cell value quoted back in a message; longer ones are cut. */
const MAX_QUOTED_VALUE = 40;

/** A cell value quoted for a message, cut if long. Only for vocabulary cells (role, status), never names. */
export function quotedValue(value: string): string {
  return JSON.stringify(value.length > MAX_QUOTED_VALUE ? `${value.slice(0, MAX_QUOTED_VALUE)}…` : value);
}

/** A role cell, lower-cased: a known role or a 1.2 `ext:` role; anything else is an error. */
export function checkRole(cell: string): string | RowError {
  const role = cell.trim().toLowerCase();
  if (role === '') return new RowError('missing role');
  if (USER_ROLES.has(role) || role.startsWith('ext:')) return role;
  return new RowError(`unknown role ${quotedValue(cell.trim())}`);
}

/** The names of required cells that are blank, as one error, or undefined when all are filled. */
export function missing(pairs: readonly (readonly [name: string, value: string])[]): RowError | undefined {
  const blank = pairs.filter(([, value]) => value === '').map(([name]) => name);
  return blank.length === 0 ? undefined : new RowError(`missing ${blank.join(', ')}`);
}

/** Checks shared by the rows of one file. */
export class RowChecks {
  /**
   * @param mode how the file is supplied: in a bulk file a blank status means active.
   * @param notes where oddities are counted.
   */
  constructor(
    readonly mode: CsvFileMode,
    readonly notes: FileNotes,
  ) {}

  /** A row's status. Blank is active (in a delta file, with a note); an unknown word is an error. */
  status(cell: string, line: number): RosterStatus | RowError {
    const status = parseStatus(cell);
    if (status === undefined) return new RowError(`unknown status ${quotedValue(cell.trim())}`);
    if (status !== 'blank') return status;
    if (this.mode === 'delta') {
      this.notes.note('blank-status', line, (n) => `${rowsHave(n)} a blank status in a delta file; read as active`);
    }
    return 'active';
  }

  /** A boolean cell; blank gives `fallback`, and so does an unreadable word, with a note. */
  boolean(cell: string, column: string, fallback: boolean, line: number): boolean {
    const value = parseBoolean(cell);
    if (value !== undefined) return value;
    if (cell.trim() !== '') {
      this.notes.note(`boolean-${column}`, line, (n) => `${rowsHave(n)} ${column} neither true nor false; read as ${fallback}`);
    }
    return fallback;
  }
}
