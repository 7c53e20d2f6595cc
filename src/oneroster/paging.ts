/**
 * Paging decisions for OneRoster limit/offset collections (ONEROSTER.md §1.7, CLASSLINK.md
 * §1.7), kept pure so each rule has a test: reading X-Total-Count / X-Count / Link, spotting a
 * silently clamped page size, re-asking for the rest of a short page, and when a pull without
 * a declared total may stop. A short page alone never ends a pull.
 */

/** A range of records to ask for. */
export interface Segment {
  /** The offset of the first record. */
  offset: number;
  /** How many records to ask for. */
  limit: number;
}

/** Reads a non-negative integer header (X-Total-Count, X-Count); null when absent or not a number. */
export function readCountHeader(value: string | undefined): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  return /^\d+$/.test(v) ? Number(v) : null;
}

/** Parses an RFC 8288 Link header into rel → URL (`<u>; rel="next", <v>; rel="last"`). */
export function parseLinkHeader(value: string | undefined): Map<string, string> {
  const links = new Map<string, string>();
  if (!value) return links;
  for (const m of value.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(m[2] ?? '')?.[1];
    if (!rel) continue;
    for (const r of rel.trim().toLowerCase().split(/\s+/)) if (!links.has(r)) links.set(r, m[1] ?? '');
  }
  return links;
}

/** The `offset` a paging URL asks for (0 when it has none); null when unreadable. */
export function offsetOfUrl(url: string): number | null {
  const q = url.indexOf('?');
  if (q < 0) return 0;
  const param = url
    .slice(q + 1)
    .split('&')
    .find((p) => p.split('=')[0] === 'offset');
  if (param === undefined) return 0;
  return readCountHeader(param.slice('offset='.length));
}

/**
 * The page size the server really uses, judged from a page: when it sent fewer than asked
 * while its declared total says more remain, it clamped the size (CLASSLINK.md §1.7).
 */
export function effectivePageSize(asked: number, received: number, offset: number, total: number | null): number {
  if (total === null || received <= 0 || received >= asked) return asked;
  return offset + received < total ? received : asked;
}

/** How many records a segment should bring, given the declared total. */
export function expectedCount(segment: Segment, total: number): number {
  return Math.max(0, Math.min(segment.limit, total - segment.offset));
}

/** The part of a segment still missing after a short, non-empty page; null when nothing is. */
export function remainderOf(segment: Segment, received: number, total: number): Segment | null {
  const expected = expectedCount(segment, total);
  if (received <= 0 || received >= expected) return null;
  return { offset: segment.offset + received, limit: expected - received };
}

/**
 * The segments still to fetch when the total is known: the rest of short pages first (lowest
 * offset first), then fresh pages of the effective size up to the total.
 */
export class SegmentQueue {
  private readonly gaps: Segment[] = [];
  private nextFresh: number;

  /** Starts after the first `start` records, in pages of `pageSize`, up to `total`. */
  constructor(
    private readonly total: number,
    private readonly pageSize: number,
    start: number,
  ) {
    this.nextFresh = start;
  }

  /** The next segment to fetch, without taking it; null when none is left. */
  peek(): Segment | null {
    if (this.gaps.length > 0) return this.gaps[0] ?? null;
    return this.nextFresh < this.total ? { offset: this.nextFresh, limit: this.pageSize } : null;
  }

  /** Takes the next segment to fetch; null when none is left. */
  take(): Segment | null {
    const gap = this.gaps.shift();
    if (gap) return gap;
    if (this.nextFresh >= this.total) return null;
    const segment = { offset: this.nextFresh, limit: this.pageSize };
    this.nextFresh += this.pageSize;
    return segment;
  }

  /** Queues the missing rest of a short page (fetched before any later fresh page). */
  requeue(segment: Segment): void {
    this.gaps.push(segment);
    this.gaps.sort((a, b) => a.offset - b.offset);
  }
}

/** What to do after a page of a pull that has no declared total. */
export type SequentialStep =
  | { kind: 'continue'; offset: number; pageSize: number }
  | { kind: 'stop'; complete: true }
  | { kind: 'stop'; complete: false; reason: string };

/**
 * The stop rule without a declared total (after the Swift client's, ONEROSTER.md §1.7): stop on
 * an empty page; stop when a Link header is sent without `next` (the last page); stop when
 * `next` repeats or goes back (complete only if the page was short); otherwise go on from the
 * records received — a short page may be a silent clamp, so it only shrinks the page size.
 */
export function nextSequentialStep(page: { offset: number; asked: number; received: number; links: Map<string, string> }): SequentialStep {
  if (page.received === 0) return { kind: 'stop', complete: true };
  const pageSize = Math.min(page.asked, page.received);
  const next = page.links.get('next');
  if (next !== undefined) {
    const nextOffset = offsetOfUrl(next);
    if (nextOffset !== null && nextOffset <= page.offset) {
      if (page.received < page.asked) return { kind: 'stop', complete: true };
      return { kind: 'stop', complete: false, reason: `the server's next-page link repeats the page at offset ${page.offset}` };
    }
  } else if (page.links.size > 0) {
    return { kind: 'stop', complete: true };
  }
  return { kind: 'continue', offset: page.offset + page.received, pageSize };
}
