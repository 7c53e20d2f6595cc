/**
 * A collection as the server sees it: immutable base rows (computed or given) in sourcedId
 * order, plus an overlay of mutations (replaced, added and removed records). Row references
 * are base indices (>= 0) or, for added records, -1 - their rank among the added ones.
 */
import { containsAscending, filterRows, KeyOrder, ListRows, mergeSorted, RangeRows, type RangeOp, type Rows } from './rows.ts';

/** A field's value for filtering and sorting (arrays for multi-valued and dotted paths). */
export type FieldValue = string | number | boolean | readonly string[] | undefined;

/** Reads one field of a record by its wire path (`role`, `orgs.sourcedId`, …). */
export type FieldReader<T> = (record: T, path: string) => FieldValue;

/** The immutable rows of a collection, in ascending sourcedId order. */
export interface BaseRows<T> {
  /** Number of rows. */
  readonly size: number;
  /** Builds (or returns) row i. */
  record(i: number): T;
  /** The sourcedId of row i, cheaply. */
  idOf(i: number): string;
  /** The row of a sourcedId, or -1. */
  indexOf(id: string): number;
  /** A getter that reads a field without building the record, when the source has one. */
  fastGetter?(path: string): ((i: number) => FieldValue) | undefined;
}

/** The base rows ordered by one field's keys (with those that have none), and how keys were read. */
interface KeyIndex {
  /** The key function the index was built with. */
  keyOf: (v: FieldValue) => number;
  /** Base rows by key. */
  order: KeyOrder;
}

/** A collection with its mutations. */
export class Table<T extends { sourcedId: string }> {
  private readonly replaced = new Map<number, T>();
  private readonly removed = new Set<number>();
  private readonly added = new Map<string, T>();
  private addedSorted: T[] | null = null;
  private addedRank = new Map<string, number>();
  private orderCache: Rows | null = null;
  private readonly keyIndexes = new Map<string, KeyIndex>();
  private readonly valueIndexes = new Map<string, Map<string, number[]>>();
  /** Bumped by every change, so cached query results can tell they are stale. */
  version = 0;

  constructor(
    readonly base: BaseRows<T>,
    private readonly readField: FieldReader<T>,
  ) {}

  /** Number of records now. */
  get size(): number {
    return this.base.size - this.removed.size + this.added.size;
  }

  /** Whether any mutation has been made. */
  get mutated(): boolean {
    return this.replaced.size + this.removed.size + this.added.size > 0;
  }

  /** The row reference of a sourcedId, or undefined when there is no such record. */
  find(id: string): number | undefined {
    const i = this.base.indexOf(id);
    if (i >= 0) return this.removed.has(i) ? undefined : i;
    if (!this.added.has(id)) return undefined;
    this.sortedAdded();
    return -1 - this.addedRank.get(id)!;
  }

  /** The record with this sourcedId, or undefined. */
  get(id: string): T | undefined {
    const ref = this.find(id);
    return ref === undefined ? undefined : this.record(ref);
  }

  /** The record of a row reference. */
  record(ref: number): T {
    if (ref >= 0) return this.replaced.get(ref) ?? this.base.record(ref);
    return this.sortedAdded()[-1 - ref]!;
  }

  /** The sourcedId of a row reference. */
  idOf(ref: number): string {
    return ref >= 0 ? this.base.idOf(ref) : this.sortedAdded()[-1 - ref]!.sourcedId;
  }

  /** Stores a record: replaces the one with its sourcedId, or adds it. */
  put(record: T): void {
    const i = this.base.indexOf(record.sourcedId);
    if (i >= 0) {
      this.removed.delete(i);
      this.replaced.set(i, record);
    } else {
      this.added.set(record.sourcedId, record);
      this.addedSorted = null;
    }
    this.changed();
  }

  /** Removes the record with this sourcedId; false when there was none. */
  remove(id: string): boolean {
    const i = this.base.indexOf(id);
    if (i >= 0) {
      if (this.removed.has(i)) return false;
      this.replaced.delete(i);
      this.removed.add(i);
    } else {
      if (!this.added.delete(id)) return false;
      this.addedSorted = null;
    }
    this.changed();
    return true;
  }

  /** Every row, in sourcedId order. */
  order(): Rows {
    if (!this.orderCache) {
      const all = new RangeRows(0, this.base.size);
      this.orderCache = this.removed.size === 0 && this.added.size === 0 ? all : this.refine(all, undefined, () => true);
    }
    return this.orderCache;
  }

  /** A reader of one field by row reference; uses the base's fast getter for untouched rows. */
  getter(path: string): (ref: number) => FieldValue {
    const slow = (ref: number): FieldValue => this.readField(this.record(ref), path);
    const fast = this.base.fastGetter?.(path);
    if (!fast) return slow;
    return (ref) => (ref < 0 || (this.replaced.size > 0 && this.replaced.has(ref)) ? slow(ref) : fast(ref));
  }

  /**
   * The rows, in sourcedId order, that `test` accepts, found through the keys of field `path`:
   * `keyOf` gives a value's key (NaN for none), and `test` must accept a row with a key exactly
   * when its key compares with `bound` by `op`. Base rows with a key come from an index ordered
   * by key (KeyOrder), built as first needed and kept, since base rows never change; `test`
   * judges the rest on every call: base rows without a key, and every changed or added record,
   * so no mutation can make the index stale.
   */
  rowsByKey(path: string, keyOf: (v: FieldValue) => number, op: RangeOp, bound: number, test: (ref: number) => boolean): Rows {
    const index = this.keyIndex(path, keyOf);
    const inRange = index.order.range(op, bound);
    const untouched = (i: number) => !this.removed.has(i) && !this.replaced.has(i);
    const picked: number[] = [];
    const others = index.order.unkeyed;
    for (let k = 0; k < others.length; k++) {
      const i = others[k]!;
      if (untouched(i) && test(i)) picked.push(i);
    }
    for (const i of this.replaced.keys()) if (test(i)) picked.push(i);
    const base = this.removed.size + this.replaced.size === 0 ? inRange : inRange.filter(untouched);
    const kept = ascendingUnion(base, picked, this.base.size);
    const added: number[] = [];
    this.sortedAdded().forEach((_, k) => {
      if (test(-1 - k)) added.push(-1 - k);
    });
    return added.length === 0 ? kept : mergeSorted(kept, added, (ref) => this.idOf(ref));
  }

  /**
   * The rows, in sourcedId order, that `test` accepts, found through the values of field `path`:
   * `test` must accept a row exactly when one of its values (as text) is one of `values`. Base
   * rows come from an index of values built as first needed and kept (base rows never change);
   * `test` judges every changed or added record, so no mutation can make the index stale.
   */
  rowsByValues(path: string, values: readonly string[], test: (ref: number) => boolean): Rows {
    const index = this.valueIndex(path);
    const picked = new Set<number>();
    for (const v of new Set(values)) {
      for (const i of index.get(v) ?? []) if (!this.removed.has(i) && !this.replaced.has(i)) picked.add(i);
    }
    for (const i of this.replaced.keys()) if (test(i)) picked.add(i);
    const kept = new ListRows(Int32Array.from(picked).sort());
    const added: number[] = [];
    this.sortedAdded().forEach((_, k) => {
      if (test(-1 - k)) added.push(-1 - k);
    });
    return added.length === 0 ? kept : mergeSorted(kept, added, (ref) => this.idOf(ref));
  }

  private valueIndex(path: string): Map<string, number[]> {
    const cached = this.valueIndexes.get(path);
    if (cached) return cached;
    const read = this.base.fastGetter?.(path) ?? ((i: number) => this.readField(this.base.record(i), path));
    const index = new Map<string, number[]>();
    const put = (v: string | number | boolean, i: number) => {
      const key = String(v);
      const list = index.get(key);
      if (list) list.push(i);
      else index.set(key, [i]);
    };
    for (let i = 0; i < this.base.size; i++) {
      const v = read(i);
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v as readonly string[]) put(x, i);
      else put(v as string | number | boolean, i);
    }
    this.valueIndexes.set(path, index);
    return index;
  }

  private keyIndex(path: string, keyOf: (v: FieldValue) => number): KeyIndex {
    const cached = this.keyIndexes.get(path);
    if (cached?.keyOf === keyOf) return cached;
    const read = this.base.fastGetter?.(path) ?? ((i: number) => this.readField(this.base.record(i), path));
    const index: KeyIndex = { keyOf, order: new KeyOrder(this.base.size, (i) => keyOf(read(i))) };
    this.keyIndexes.set(path, index);
    return index;
  }

  /**
   * Applies the overlay to base candidates of a scope (base indices, ascending): drops removed
   * rows and changed rows that `keep` now refuses, and adds changed or added records that
   * `extra` accepts. Without an overlay the candidates come back as they are.
   */
  refine(candidates: Rows, keep?: (record: T) => boolean, extra?: (record: T) => boolean): Rows {
    const touchesKept = this.removed.size > 0 || (keep !== undefined && this.replaced.size > 0);
    const kept = touchesKept
      ? filterRows(candidates, (i) => {
          if (this.removed.has(i)) return false;
          const changed = keep ? this.replaced.get(i) : undefined;
          return changed === undefined || keep!(changed);
        })
      : candidates;
    if (!extra || (this.replaced.size === 0 && this.added.size === 0)) return kept;
    const extras: number[] = [];
    for (const [i, record] of this.replaced) {
      if (extra(record) && !containsAscending(candidates, i)) extras.push(i);
    }
    this.sortedAdded().forEach((record, k) => {
      if (extra(record)) extras.push(-1 - k);
    });
    if (extras.length === 0) return kept;
    extras.sort((a, b) => compareIds(this.idOf(a), this.idOf(b)));
    return mergeSorted(kept, extras, (ref) => this.idOf(ref));
  }

  private sortedAdded(): T[] {
    if (!this.addedSorted) {
      this.addedSorted = [...this.added.values()].sort((a, b) => compareIds(a.sourcedId, b.sourcedId));
      this.addedRank = new Map(this.addedSorted.map((r, k) => [r.sourcedId, k]));
    }
    return this.addedSorted;
  }

  private changed(): void {
    this.version++;
    this.orderCache = null;
  }
}

/**
 * Base references (each once) in ascending order, which is sourcedId order: `many` in any order
 * plus `few` more. A large set is marked and swept (linear); a small one sorted.
 */
function ascendingUnion(many: Int32Array, few: readonly number[], size: number): ListRows {
  const count = many.length + few.length;
  if (count * 16 < size) {
    const out = new Int32Array(count);
    out.set(many);
    out.set(few, many.length);
    return new ListRows(out.sort());
  }
  const marked = new Uint8Array(size);
  for (let k = 0; k < many.length; k++) marked[many[k]!] = 1;
  for (const i of few) marked[i] = 1;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < size; i++) if (marked[i]) out[k++] = i;
  return new ListRows(out);
}

/** sourcedId order: plain code-unit comparison, the same everywhere in the emulator. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
