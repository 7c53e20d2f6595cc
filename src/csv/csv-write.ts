/**
 * How Rollcall writes a CSV cell, in one place: every CSV the web admin and the CLI hand out
 * (the patron export, an operation's log, an archive of removed patrons) goes through here.
 *
 * - A UTF-8 byte-order mark opens the file, so a spreadsheet opens it as UTF-8 (without one,
 *   Excel reads "Adébáyọ̀" and "→" as Windows-1252 and garbles them). Every reader of ours
 *   strips it (csv-rows.ts: `bom: true`), and so does Koha's patron import.
 * - A cell a spreadsheet would run as a formula is written as text (OWASP "CSV Injection": a
 *   cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`).
 *   Roster data is typed by other people (a student named `=HYPERLINK(…)`), and a librarian
 *   opening the export must not run it.
 * - `patrons import` reads an export back to the same values (`fromFormulaSafe`): a removal
 *   archive is re-imported that way. So the prefix must be undone exactly: a value that already
 *   starts with quotes before such a character (`'=x`) gets one more quote, and reading takes
 *   one off. A value starting with a quote followed by anything else (`'Brien`) is left alone
 *   both ways.
 * - RFC 4180 quoting: a cell holding a comma, a quote, a line break or edge spaces is quoted.
 */

/** The UTF-8 byte-order mark every CSV download starts with. */
export const CSV_BOM = '\uFEFF';

/** A value a spreadsheet would take for a formula, after any quotes that already open it. */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/** A cell written by `formulaSafe`: one added quote, then quotes and a formula character. */
const PREFIXED = /^''*[=+\-@\t\r]/;

/** The value as a spreadsheet shows it as text: `'` before a formula-looking value (see the module comment). */
export function formulaSafe(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The value `formulaSafe` was given, back from the cell it wrote (the inverse: one quote off). */
export function fromFormulaSafe(cell: string): string {
  return PREFIXED.test(cell) ? cell.slice(1) : cell;
}

/** RFC 4180 quoting only: quoted when the cell holds a comma, a quote, a line break or edge spaces. */
export function csvQuoted(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A cell of a CSV a person may open in a spreadsheet: formula-safe, then quoted as needed. */
export function csvCell(value: string): string {
  return csvQuoted(formulaSafe(value));
}

/** One CSV line (no line end) of spreadsheet-safe cells. */
export function csvLine(values: readonly string[]): string {
  return values.map(csvCell).join(',');
}
