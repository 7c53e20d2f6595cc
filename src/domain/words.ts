/**
 * Words for numbers and codes a librarian reads (pure): a count with its noun in the right
 * number ("1 patron", "1,234 patrons", never "patron(s)") and Status 1026 by name with the
 * number librarians know from import files ("Active (1)"; SPEC §1.2: "`active` → 1 Active").
 * Here, below every layer, so the log lines a sync or a service writes and the pages that
 * show them say the same.
 */
import { STATUS_ACTIVE, STATUS_TRANSFERRED } from './fields.ts';

/** Thousands grouped the way the pages show every count: 1,234. */
const NUMBER_FORMAT = new Intl.NumberFormat('en-US');

/** A whole number as the pages show it: `1,234`. */
export function numberText(n: number): string {
  return NUMBER_FORMAT.format(n);
}

/** A count and its noun: `1 patron`, `0 patrons`, `1,234 patrons`; `many` for irregular plurals. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${numberText(n)} ${n === 1 ? one : many}`;
}

/** The names of the Status codes a sync sets (SPEC §1.2); other codes are the library's own. */
const STATUS_NAMES = new Map<number, string>([
  [STATUS_ACTIVE, 'Active'],
  [STATUS_TRANSFERRED, 'Transferred'],
]);

/**
 * A Status 1026 value by name with its number: `Active (1)`, `Transferred (4)`. A code of the
 * library's own (SPEC §1.2: "other codes that librarians use are stored as they are") has no
 * name here and shows as it is stored, as does a blank or non-numeric value.
 */
export function statusName(status: number | string): string {
  const text = String(status).trim();
  const name = /^\d+$/.test(text) ? STATUS_NAMES.get(Number(text)) : undefined;
  return name === undefined ? text : `${name} (${Number(text)})`;
}

/**
 * A time inside a stored sentence (a log line, an operation's error): `2026-03-01 01:58 UTC`,
 * to the minute and saying its zone. The sentence is stored once and read in any zone, so it
 * names UTC rather than showing a raw ISO timestamp or a zone it does not say.
 */
export function loggedTime(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}
