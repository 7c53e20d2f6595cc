/**
 * The rules of `rollcall patrons import` for one file's header and one row (pure): which field
 * each column is, and a row's cells turned into a patron — or the one sentence saying why the
 * row is rejected. The rows are the library's own records from before the first sync: a GUID
 * given in the file belongs to no integration until a sync matches it (SPEC §3.2).
 */
import { fromFormulaSafe } from '../../csv/csv-write.ts';
import { RollcallError } from '../../domain/errors.ts';
import { fieldByHeader, STATUS_ACTIVE, type FieldDefinition } from '../../domain/fields.ts';
import { emptyPatronValues, type PatronValues } from '../../domain/patron.ts';
import type { PatronWrite } from '../../store/store.ts';
import { cleanText, isRealDate, looksLikeEmail } from '../../sync/core/patron-values.ts';
import { countOf } from '../../domain/words.ts';

/** What a row is checked against besides itself. */
export interface RowContext {
  /** The library's site codes. */
  siteCodes: ReadonlySet<string>;
  /** GUIDs already taken: the library's, and those of earlier rows of the file (added to as rows are accepted). */
  guids: Set<string>;
}

/** A row's outcome: the patron to insert, or why not. */
export type RowOutcome = { ok: true; patron: PatronWrite } | { ok: false; message: string };

const SEX_VALUES: ReadonlyMap<string, string> = new Map([
  ['male', 'Male'],
  ['female', 'Female'],
  ['other', 'Other'],
  ['unspecified', 'Unspecified'],
]);
/** Status codes are small whole numbers (1 Active, 4 Transferred, a library's own up to 4 digits). */
const STATUS_CODE = /^\d{1,4}$/;

/**
 * The field of each column of a header row (numbers like `1007` or names like `First Name`).
 * An unknown or repeated column rejects the whole file: guessing would put data in the wrong field.
 */
export function importColumns(header: readonly string[]): FieldDefinition[] {
  const columns: FieldDefinition[] = [];
  const unknown: string[] = [];
  const seen = new Map<string, string>();
  for (const raw of header) {
    const name = cleanText(raw);
    const field = fieldByHeader(name);
    if (!field) {
      unknown.push(`"${name}"`);
      continue;
    }
    const earlier = seen.get(field.key);
    if (earlier !== undefined) {
      throw new RollcallError(
        'invalid_input',
        `The header names ${field.label} (${field.number}) twice ("${earlier}" and "${name}"); keep one of them.`,
      );
    }
    seen.set(field.key, name);
    columns.push(field);
  }
  if (unknown.length > 0) {
    throw new RollcallError(
      'invalid_input',
      `The header has ${unknown.length === 1 ? 'a column that is not a patron field' : 'columns that are not patron fields'}: ${unknown.join(', ')}; use field numbers (1200, 1007, …) or names (GUID, First Name, …), or remove ${unknown.length === 1 ? 'it' : 'them'}.`,
    );
  }
  if (columns.length === 0) throw new RollcallError('invalid_input', 'The file has no header row of patron fields.');
  return columns;
}

/** A data row as a patron to insert, or the reason it is rejected (checks every cell). */
export function importRow(cells: readonly string[], columns: readonly FieldDefinition[], ctx: RowContext): RowOutcome {
  if (cells.length > columns.length) {
    return reject(`it has ${countOf(cells.length, 'value')} but the header has ${countOf(columns.length, 'column')}`);
  }
  const values: PatronValues = emptyPatronValues();
  for (let i = 0; i < columns.length; i++) {
    const field = columns[i]!;
    // An export's formula-safe cells read back to what was exported (src/csv/csv-write.ts).
    const value = cleanText(fromFormulaSafe(cells[i] ?? ''));
    // Status is judged as a number (its own message), every other field by its length.
    if (field.key !== 'status' && value.length > field.maxLength)
      return reject(`${field.label} is longer than ${field.maxLength} characters`);
    const problem = setValue(values, field, value, ctx);
    if (problem) return reject(problem);
  }
  if (values.guid !== '') {
    if (ctx.guids.has(values.guid)) return reject(`another patron already has the GUID "${values.guid}"`);
    ctx.guids.add(values.guid);
  }
  return { ok: true, patron: { ...values, guidSource: null, matchedBy: null } };
}

/** Sets one field from its cleaned text; a sentence when the value is not acceptable. */
function setValue(values: PatronValues, field: FieldDefinition, value: string, ctx: RowContext): string | undefined {
  switch (field.key) {
    case 'status':
      if (value === '') values.status = STATUS_ACTIVE;
      else if (STATUS_CODE.test(value)) values.status = Number(value);
      else return `Status must be a number (1 Active, 4 Transferred, …), not "${value}"`;
      return undefined;
    case 'birthdate':
      if (value !== '' && !isRealDate(value)) return `Birthdate must be a real date written YYYY-MM-DD, not "${value}"`;
      break;
    case 'sex': {
      if (value === '') break;
      const sex = SEX_VALUES.get(value.toLowerCase());
      if (!sex) return `Sex must be Male, Female, Other or Unspecified, not "${value}"`;
      values.sex = sex;
      return undefined;
    }
    case 'email':
      if (value !== '' && !looksLikeEmail(value)) return `Email "${value}" does not look like an email address`;
      break;
    case 'site':
      if (value !== '' && !ctx.siteCodes.has(value))
        return `there is no site with code "${value}"; add it with \`rollcall sites add\` first`;
      break;
  }
  (values as unknown as Record<string, string>)[field.key] = value;
  return undefined;
}

function reject(message: string): RowOutcome {
  return { ok: false, message };
}
