/**
 * The OneRoster filters a sync's fetch sends (`sourcedId='a' OR sourcedId='b'`,
 * `classType='homeroom'`, `dateLastModified>'…'`), evaluated on the records of a CSV package as
 * they stream past, so the CSV source answers a pull as a server would. Pure.
 *
 * Grammar: `field op 'value'` joined by AND / OR, AND binding tighter (as ClassLink reads it);
 * a quote inside a value is doubled (`'O''Brien'`), as fetch's idFilters writes it. Values
 * compare as text, which orders ISO 8601 times correctly.
 */

/** Comparison operators of the OneRoster filter grammar. */
type Op = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~';

interface Clause {
  field: string;
  op: Op;
  value: string;
}

/** A record as the filter sees it: its top-level fields. */
type AnyRecord = object;

/** A compiled filter: which records pass, and — when it only lists sourcedIds — those ids. */
export interface RecordFilter {
  /** Whether a record passes. */
  test(record: AnyRecord): boolean;
  /** The sourcedIds, when the filter is nothing but `sourcedId='…'` joined by OR; else undefined. */
  readonly ids: ReadonlySet<string> | undefined;
}

const PREDICATE = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(>=|<=|!=|=|>|<|~)\s*'/;
const JOINER = /^\s+(AND|OR)\s+/i;

/** Compiles a filter; throws an Error (a bug in the caller) on text that is not a filter. */
export function compileFilter(text: string): RecordFilter {
  const groups = parse(text);
  const onlyIds = groups.every((g) => g.length === 1 && g[0]!.field === 'sourcedId' && g[0]!.op === '=');
  const ids = onlyIds ? new Set(groups.map((g) => g[0]!.value)) : undefined;
  if (ids) return { ids, test: (r) => ids.has(fieldOf(r, 'sourcedId')) };
  return { ids, test: (r) => groups.some((g) => g.every((c) => holds(c, fieldOf(r, c.field)))) };
}

/** Parses `field op 'value'` predicates joined by AND / OR into OR-groups of AND-clauses. */
function parse(text: string): Clause[][] {
  const groups: Clause[][] = [[]];
  let rest = text;
  for (;;) {
    const m = PREDICATE.exec(rest);
    if (!m) throw new Error(`not a OneRoster filter: ${text}`);
    rest = rest.slice(m[0].length);
    let value = '';
    let i = 0;
    for (;;) {
      const q = rest.indexOf("'", i);
      if (q < 0) throw new Error(`unclosed quote in filter: ${text}`);
      value += rest.slice(i, q);
      if (rest[q + 1] === "'") {
        value += "'";
        i = q + 2;
        continue;
      }
      rest = rest.slice(q + 1);
      break;
    }
    groups.at(-1)!.push({ field: m[1]!, op: m[2] as Op, value });
    if (rest.trim() === '') return groups;
    const j = JOINER.exec(rest);
    if (!j) throw new Error(`expected AND or OR in filter: ${text}`);
    if (j[1]!.toUpperCase() === 'OR') groups.push([]);
    rest = rest.slice(j[0].length);
  }
}

function fieldOf(record: AnyRecord, field: string): string {
  const v = (record as Record<string, unknown>)[field];
  return typeof v === 'string' ? v : typeof v === 'boolean' || typeof v === 'number' ? String(v) : '';
}

function holds(c: Clause, actual: string): boolean {
  switch (c.op) {
    case '=':
      return actual === c.value;
    case '!=':
      return actual !== c.value;
    case '>':
      return actual > c.value;
    case '>=':
      return actual >= c.value;
    case '<':
      return actual < c.value;
    case '<=':
      return actual <= c.value;
    case '~':
      return actual.toLowerCase().includes(c.value.toLowerCase());
  }
}
