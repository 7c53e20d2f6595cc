/**
 * The query parameters of OneRoster collection requests (limit, offset, sort, orderBy,
 * filter, fields), and selecting, ordering and paging rows by them.
 */
import type { RosterCollection } from '../domain/roster.ts';
import {
  compileFilter,
  equalityList,
  instantComparison,
  instantKey,
  isKnownPath,
  parseFilter,
  sortKey,
  sourcedIdList,
  type Filter,
  type Parsed,
} from './filter.ts';
import { filterRows, ListRows, reversed, type RangeOp, type Rows } from './rows.ts';
import type { FieldValue } from './table.ts';

/** Records per page when `limit` is not given (OneRoster's default). */
export const DEFAULT_LIMIT = 100;
/** The largest page ClassLink serves; larger limits are clamped to it. */
export const MAX_LIMIT = 10_000;

/** A parsed collection query. */
export interface CollectionQuery {
  /** Page size (already clamped to MAX_LIMIT). */
  limit: number;
  /** Index of the first record. */
  offset: number;
  /** The filter, if any, and its text (part of cache keys). */
  filter: { parsed: Filter; text: string } | null;
  /** Sort field (sourcedId when not given). */
  sort: string;
  /** Descending order. */
  desc: boolean;
  /** Fields to keep, or null for all. */
  fields: string[] | null;
}

/** Parses `fields` (comma-separated top-level fields). */
export function parseFields(params: URLSearchParams, collection: RosterCollection): Parsed<string[] | null> {
  const raw = params.get('fields');
  if (raw === null || raw.trim() === '') return { ok: true, value: null };
  const fields = raw
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const unknown = fields.find((f) => f.includes('.') || !isKnownPath(collection, f));
  if (unknown !== undefined) {
    return { ok: false, codeMinor: 'invalid_selection_field', message: `"${unknown}" is not a field of ${collection}.` };
  }
  return { ok: true, value: fields };
}

/** Parses every collection parameter. */
export function parseCollectionQuery(params: URLSearchParams, collection: RosterCollection): Parsed<CollectionQuery> {
  const limit = wholeNumber(params.get('limit'), DEFAULT_LIMIT, 1);
  if (limit === null) return invalid('limit must be a whole number of at least 1.');
  const offset = wholeNumber(params.get('offset'), 0, 0);
  if (offset === null) return invalid('offset must be a whole number of at least 0.');
  const sort = params.get('sort')?.trim() || 'sourcedId';
  if (!isKnownPath(collection, sort)) {
    return { ok: false, codeMinor: 'invalid_sort_field', message: `"${sort}" is not a field of ${collection} to sort by.` };
  }
  const orderBy = (params.get('orderBy') ?? 'asc').trim().toLowerCase();
  // The IMS 1.1 OpenAPI spells ascending "acs"; clients generated from it send that.
  if (!['asc', 'acs', 'desc'].includes(orderBy)) return invalid('orderBy must be asc or desc.');
  const fields = parseFields(params, collection);
  if (!fields.ok) return fields;
  const text = params.get('filter');
  let filter: CollectionQuery['filter'] = null;
  if (text !== null && text.trim() !== '') {
    const parsed = parseFilter(text, collection);
    if (!parsed.ok) return parsed;
    filter = { parsed: parsed.value, text };
  }
  return {
    ok: true,
    value: { limit: Math.min(limit, MAX_LIMIT), offset, filter, sort, desc: orderBy === 'desc', fields: fields.value },
  };
}

function invalid<T>(message: string): Parsed<T> {
  return { ok: false, codeMinor: 'invaliddata', message };
}

function wholeNumber(raw: string | null, fallback: number, min: number): number | null {
  if (raw === null || raw.trim() === '') return fallback;
  if (!/^\s*\d+\s*$/.test(raw)) return null;
  const n = Number(raw);
  return n >= min ? n : null;
}

/** Finds rows by sourcedId in a whole collection (no scope): the reference, or undefined. */
export interface IdIndex {
  /** The row reference of a sourcedId, or undefined when there is none. */
  find(id: string): number | undefined;
  /** The sourcedId of a row reference. */
  idOf(ref: number): string;
}

/** Finds rows of a whole collection by a field's keys (Table.rowsByKey). */
export interface KeyedIndex {
  /**
   * The rows, in sourcedId order, that `test` accepts, where `test` accepts a row whose value
   * has a key (`keyOf`, NaN for none) exactly when that key compares with `bound` by `op`.
   */
  rowsByKey(path: string, keyOf: (v: FieldValue) => number, op: RangeOp, bound: number, test: (ref: number) => boolean): Rows;
  /**
   * The rows, in sourcedId order, that `test` accepts, where `test` accepts a row exactly when one
   * of its values of field `path` (as text) is one of `values`.
   */
  rowsByValues?(path: string, values: readonly string[], test: (ref: number) => boolean): Rows;
}

/**
 * Filters and orders rows (which arrive in sourcedId order). With `index` (the rows are the
 * whole collection), a filter that only lists sourcedIds is answered by lookups: a delta sync
 * asks for a few thousand unchanged parents by id, and scanning every user per request of 40
 * ids made the emulator, not the client, the cost of a delta. Likewise a filter that is one
 * date comparison (the delta's `dateLastModified>'…'`) is answered from an index ordered by
 * instant when `index` has one: the same rows in the same order as the scan, without reading
 * every record's date per request. And a filter that lists values of one field
 * (`user.sourcedId='a' OR …`, a delta's enrollments of a few students) is answered from an index
 * of that field's values, as a real server's would be.
 */
export function selectRows(
  rows: Rows,
  query: CollectionQuery,
  getter: (path: string) => (ref: number) => FieldValue,
  index?: IdIndex & Partial<KeyedIndex>,
): Rows {
  let out = rows;
  const filter = query.filter?.parsed;
  const ids = filter && index ? sourcedIdList(filter) : null;
  const range = filter && index?.rowsByKey ? instantComparison(filter) : null;
  const equal = filter && !ids && index?.rowsByValues ? equalityList(filter) : null;
  if (ids && index) out = rowsOfIds(ids, index);
  else if (filter && equal && index?.rowsByValues) out = index.rowsByValues(equal.path, equal.values, compileFilter(filter, getter));
  else if (filter && range && index?.rowsByKey)
    out = index.rowsByKey(range.path, instantKey, range.op, range.instant, compileFilter(filter, getter));
  else if (filter) out = filterRows(out, compileFilter(filter, getter));
  if (query.sort !== 'sourcedId') out = sortRows(out, query.sort, getter(query.sort));
  return query.desc ? reversed(out) : out;
}

/** The rows of these sourcedIds, each once, in sourcedId order. */
function rowsOfIds(ids: readonly string[], index: IdIndex): Rows {
  const refs = new Set<number>();
  for (const id of ids) {
    const ref = index.find(id);
    if (ref !== undefined) refs.add(ref);
  }
  const sorted = [...refs].sort((a, b) => {
    const x = index.idOf(a);
    const y = index.idOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return new ListRows(Int32Array.from(sorted));
}

/** A stable sort by one field: ties keep sourcedId order. */
function sortRows(rows: Rows, path: string, read: (ref: number) => FieldValue): Rows {
  const n = rows.length;
  const keys: (string | number)[] = new Array(n);
  for (let k = 0; k < n; k++) keys[k] = sortKey(path, read(rows.at(k)));
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  order.sort((a, b) => {
    const x = keys[a]!;
    const y = keys[b]!;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[k] = rows.at(order[k]!);
  return new ListRows(out);
}
