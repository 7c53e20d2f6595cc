/**
 * The OneRoster filter grammar: `field op 'value'` predicates joined by AND / OR, with AND
 * binding tighter (ClassLink splits expressions into AND-groups separated by OR; the spec's
 * one-operator form is a special case). Dotted sub-fields (`orgs.sourcedId`) are allowed.
 */
import type { RosterCollection } from '../domain/roster.ts';
import type { RangeOp } from './rows.ts';
import type { FieldValue } from './table.ts';
import { DATE_FIELDS, REF_FIELDS, SUB_FIELDS, WIRE_FIELDS } from './wire.ts';

/** Comparison operators. */
export type FilterOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~';

/** One predicate. */
export interface FilterClause {
  /** Field path, e.g. `dateLastModified` or `orgs.sourcedId`. */
  path: string;
  /** Operator. */
  op: FilterOp;
  /** The value between the quotes. */
  value: string;
}

/** A parsed filter: an OR of AND-groups. */
export type Filter = FilterClause[][];

/** A parse outcome: the value, or why the text was refused (and which codeMinor applies). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string; codeMinor: string };

const PREDICATE = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*(>=|<=|!=|=|>|<|~)\s*'/;
const JOINER = /^\s+(AND|OR)\s+/i;

/** Parses a filter and checks its fields against a collection. */
export function parseFilter(text: string, collection: RosterCollection): Parsed<Filter> {
  const groups: Filter = [[]];
  let rest = text;
  for (;;) {
    const m = PREDICATE.exec(rest);
    if (!m) return refused('invaliddata', `The filter "${text}" is not of the form field='value'.`);
    const path = m[1]!;
    if (!isKnownPath(collection, path)) {
      return refused('invalid_filter_field', `"${path}" is not a field of ${collection} that can be filtered on.`);
    }
    rest = rest.slice(m[0].length);
    const end = closingQuote(rest);
    if (end < 0) return refused('invaliddata', `The value after ${path}${m[2]} has no closing quote.`);
    groups.at(-1)!.push({ path, op: m[2] as FilterOp, value: rest.slice(0, end) });
    rest = rest.slice(end + 1);
    if (rest.trim() === '') return { ok: true, value: groups };
    const j = JOINER.exec(rest);
    if (!j) return refused('invaliddata', `Expected AND or OR in the filter after ${path}.`);
    if (j[1]!.toUpperCase() === 'OR') groups.push([]);
    rest = rest.slice(j[0].length);
  }
}

/**
 * The quote that ends a value: one followed by the end, or by whitespace and AND/OR. Quotes
 * inside values (O'Brien) are kept, since clients do not escape them.
 */
function closingQuote(s: string): number {
  for (let i = s.indexOf("'"); i >= 0; i = s.indexOf("'", i + 1)) {
    const after = s.slice(i + 1);
    if (after.trim() === '' || JOINER.test(after)) return i;
  }
  return -1;
}

function refused<T>(codeMinor: string, message: string): Parsed<T> {
  return { ok: false, codeMinor, message };
}

/** Whether a (possibly dotted) field path names a field of the collection. */
export function isKnownPath(collection: RosterCollection, path: string): boolean {
  const [head, sub, more] = path.split('.');
  if (more !== undefined || !head || !WIRE_FIELDS[collection].has(head)) return false;
  if (sub === undefined) return true;
  const kind = head === 'userIds' ? 'userIds' : REF_FIELDS.has(head) ? 'ref' : '';
  return kind !== '' && SUB_FIELDS[kind]!.has(sub);
}

/**
 * The sourcedIds of a filter that only lists records by id (`sourcedId='a' OR sourcedId='b' …`),
 * or null for any other filter. Such a filter is answered by lookups instead of a scan.
 */
export function sourcedIdList(filter: Filter): string[] | null {
  const ids: string[] = [];
  for (const group of filter) {
    const only = group.length === 1 ? group[0]! : undefined;
    if (only?.path !== 'sourcedId' || only.op !== '=') return null;
    ids.push(only.value);
  }
  return ids;
}

/**
 * The field and values of a filter that is nothing but `field='…'` clauses on one field that is
 * not a date, joined by OR (`user.sourcedId='a' OR user.sourcedId='b' …`), or null for any other
 * filter. Such a filter is answered from an index of the field's values instead of a scan: a
 * delta asks for the enrollments of a few dozen students at a time.
 */
export function equalityList(filter: Filter): { path: string; values: string[] } | null {
  const path = filter[0]?.[0]?.path;
  if (path === undefined || DATE_FIELDS.has(path.split('.')[0]!)) return null;
  const values: string[] = [];
  for (const group of filter) {
    const only = group.length === 1 ? group[0]! : undefined;
    if (only?.path !== path || only.op !== '=') return null;
    values.push(only.value);
  }
  return { path, values };
}

/** A filter that is one comparison of a date field with an instant (`dateLastModified>'…'`). */
export interface InstantComparison {
  /** The date field (top-level). */
  path: string;
  /** How the field's instant must compare with `instant`. */
  op: RangeOp;
  /** The instant of the filter's value, in epoch milliseconds. */
  instant: number;
}

/**
 * The comparison of a filter that is exactly one `<`, `<=`, `>` or `>=` on a date field with a
 * value that parses as an instant, or null for any other filter (including a value that does
 * not parse: that one compares as text). Such a filter is answered from an index ordered by
 * instants instead of a scan: a delta sync asks `dateLastModified>'…'` of every user.
 */
export function instantComparison(filter: Filter): InstantComparison | null {
  const only = filter.length === 1 && filter[0]!.length === 1 ? filter[0]![0]! : undefined;
  if (!only || !DATE_FIELDS.has(only.path) || !isRangeOp(only.op)) return null;
  const instant = Date.parse(only.value);
  return Number.isNaN(instant) ? null : { path: only.path, op: only.op, instant };
}

function isRangeOp(op: FilterOp): op is RangeOp {
  return op === '>' || op === '>=' || op === '<' || op === '<=';
}

/**
 * The instant (epoch ms) a date filter compares a field value as, or NaN when it compares the
 * value otherwise (as text, element by element, or not at all): an index keys rows by this and
 * leaves the NaN ones to the filter itself.
 */
export function instantKey(v: FieldValue): number {
  return v === undefined || Array.isArray(v) ? NaN : instantOf(v as string | number | boolean);
}

/** One value's instant as date comparisons read it (NaN: not an instant). */
function instantOf(v: string | number | boolean): number {
  return typeof v === 'number' ? v : Date.parse(String(v));
}

/** Compiles a filter into a row test, reading fields through `getter`. */
export function compileFilter(filter: Filter, getter: (path: string) => (ref: number) => FieldValue): (ref: number) => boolean {
  const groups = filter.map((group) =>
    group.map((clause) => {
      const read = getter(clause.path);
      const test = valueTest(clause);
      return (ref: number) => test(read(ref));
    }),
  );
  return (ref) => groups.some((group) => group.every((test) => test(ref)));
}

/** The test one clause applies to a field value. */
function valueTest(clause: FilterClause): (v: FieldValue) => boolean {
  const isDate = DATE_FIELDS.has(clause.path.split('.')[0]!);
  const wantedMs = isDate ? Date.parse(clause.value) : NaN;
  const wantedLower = clause.value.toLowerCase();
  const one = (v: string | number | boolean): boolean => {
    if (isDate && clause.op !== '~' && !Number.isNaN(wantedMs)) {
      const ms = instantOf(v);
      if (!Number.isNaN(ms)) return compare(clause.op, ms - wantedMs);
    }
    const s = typeof v === 'number' && isDate ? new Date(v).toISOString() : String(v);
    if (clause.op === '~') return s.toLowerCase().includes(wantedLower);
    return compare(clause.op, s < clause.value ? -1 : s > clause.value ? 1 : 0);
  };
  return (v) => {
    if (v === undefined) return clause.op === '!=';
    if (Array.isArray(v)) {
      if (clause.op === '!=') return v.every((x) => one(x));
      return (v as readonly string[]).some((x) => one(x));
    }
    return one(v as string | number | boolean);
  };
}

/** Whether a comparison result (negative, zero, positive) satisfies an operator. */
function compare(op: FilterOp, diff: number): boolean {
  switch (op) {
    case '=':
      return diff === 0;
    case '!=':
      return diff !== 0;
    case '>':
      return diff > 0;
    case '>=':
      return diff >= 0;
    case '<':
      return diff < 0;
    default:
      return diff <= 0;
  }
}

/** A sort key for a field value: instants for date fields, else the first value as a string. */
export function sortKey(path: string, v: FieldValue): string | number {
  const first = Array.isArray(v) ? (v as readonly string[])[0] : (v as string | number | boolean | undefined);
  if (first === undefined) return '';
  if (DATE_FIELDS.has(path)) {
    const ms = typeof first === 'number' ? first : Date.parse(String(first));
    return Number.isNaN(ms) ? -Infinity : ms;
  }
  return String(first);
}
