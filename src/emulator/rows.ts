/**
 * Ordered lists of row references without materialising records: a whole collection is a
 * range (no memory), a filtered or scoped one an Int32Array.
 */

/** An ordered list of row references. */
export interface Rows {
  /** Number of rows. */
  readonly length: number;
  /** The k-th row reference. */
  at(k: number): number;
}

/** Rows start … end-1. */
export class RangeRows implements Rows {
  readonly length: number;

  constructor(
    private readonly start: number,
    end: number,
  ) {
    this.length = Math.max(0, end - start);
  }

  at(k: number): number {
    return this.start + k;
  }
}

/** Rows held in an array. */
export class ListRows implements Rows {
  readonly length: number;

  constructor(readonly list: Int32Array) {
    this.length = list.length;
  }

  at(k: number): number {
    return this.list[k]!;
  }
}

/** Rows from a plain array of references. */
export function listRows(refs: readonly number[]): ListRows {
  return new ListRows(Int32Array.from(refs));
}

/** Rows in reverse order. */
export function reversed(rows: Rows): Rows {
  const n = rows.length;
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[k] = rows.at(n - 1 - k);
  return new ListRows(out);
}

/** The rows a predicate keeps, in order. */
export function filterRows(rows: Rows, keep: (ref: number) => boolean): ListRows {
  const n = rows.length;
  let out = new Int32Array(Math.min(n, 1024));
  let count = 0;
  for (let k = 0; k < n; k++) {
    const ref = rows.at(k);
    if (!keep(ref)) continue;
    if (count === out.length) {
      const bigger = new Int32Array(Math.min(n, out.length * 2));
      bigger.set(out);
      out = bigger;
    }
    out[count++] = ref;
  }
  return new ListRows(out.subarray(0, count));
}

/** Whether a row reference is in rows that ascend by reference (binary search). */
export function containsAscending(rows: Rows, ref: number): boolean {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = rows.at(mid);
    if (v === ref) return true;
    if (v < ref) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Merges two lists that are each sorted by a key into one sorted list. */
export function mergeSorted(a: Rows, b: readonly number[], keyOf: (ref: number) => string): ListRows {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a.at(i);
    const y = b[j]!;
    if (keyOf(x) <= keyOf(y)) {
      out[k++] = x;
      i++;
    } else {
      out[k++] = y;
      j++;
    }
  }
  while (i < a.length) out[k++] = a.at(i++);
  while (j < b.length) out[k++] = b[j++]!;
  return new ListRows(out);
}
