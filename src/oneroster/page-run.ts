/**
 * Drives one paged read of a collection, whatever the transport: asks for the first page, then
 * — with a declared total — the remaining pages concurrently (bounded), handing pages on in
 * offset order; without one, page after page until the stop rule says so. Notes every reason the
 * read cannot be trusted as complete. Holds at most `concurrency` (+1) pages at a time.
 */
import { effectivePageSize, expectedCount, nextSequentialStep, remainderOf, SegmentQueue, type Segment } from './paging.ts';

/** One page as the transport read it: `P` is what the caller made of its records. */
export interface FetchedPage<P> {
  /** The page's records, as the caller reads them (parsed when they arrive). */
  page: P;
  /** How many records the page holds (at most the segment's limit: the fetch trims extras). */
  size: number;
  /** How many records the body held before trimming (what X-Count describes). */
  sent: number;
  /** X-Total-Count, or null. */
  total: number | null;
  /** X-Count (records in this page), or null. */
  count: number | null;
  /** Link header rels. */
  links: Map<string, string>;
}

/** Fetches one segment (retrying as it sees fit); rejects when the request finally fails. */
export type FetchPage<P> = (segment: Segment, signal: AbortSignal) => Promise<FetchedPage<P>>;

/** How a page run behaves. */
export interface PageRunOptions<P> {
  /** What the records are, for messages ("users"). */
  noun: string;
  /** Records asked for per page. */
  pageSize: number;
  /** Page requests in flight at once (with a declared total). */
  concurrency: number;
  /** Page requests allowed in all (retries not counted); past it the run stops, incomplete. */
  maxRequests: number;
  /** Cancels the run. */
  signal?: AbortSignal;
  /** Receives each page in offset order, with its size and the declared total. */
  onPage: (page: P | null, size: number, offset: number, total: number | null) => Promise<void>;
}

/** What a page run found. */
export interface PageRunResult {
  /** Records handed to onPage. */
  read: number;
  /** The X-Total-Count of the first page, or null. */
  declaredTotal: number | null;
  /** Why the read is incomplete, one line; '' when complete. */
  incompleteReason: string;
  /** Page requests made (retries not counted). */
  pageRequests: number;
  /** The page size used in the end (smaller than asked when the server clamps). */
  pageSize: number;
  /** Things worth a log line that do not make the read incomplete. */
  notes: string[];
}

/** Reasons shown at most: the first few say enough. */
const MAX_REASONS = 3;

type Settled<P> = { segment: Segment; page: FetchedPage<P> } | { segment: Segment; error: unknown };

/** A page waiting its turn: its records (null for a range the server left empty) and how far it moves the cursor. */
interface Ready<P> {
  page: P | null;
  size: number;
  advance: number;
}

/** Reads every page of a collection through `fetchPage`. */
export async function runPages<P>(fetchPage: FetchPage<P>, options: PageRunOptions<P>): Promise<PageRunResult> {
  return new PageRun(fetchPage, options).run();
}

class PageRun<P> {
  private read = 0;
  private pageRequests = 0;
  private readonly reasons: string[] = [];
  private readonly notes: string[] = [];
  private readonly controller = new AbortController();

  constructor(
    private readonly fetchPage: FetchPage<P>,
    private readonly o: PageRunOptions<P>,
  ) {}

  async run(): Promise<PageRunResult> {
    const outer = this.o.signal;
    outer?.throwIfAborted();
    const onAbort = () => this.controller.abort(outer?.reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    try {
      const first = await this.fetch({ offset: 0, limit: this.o.pageSize });
      const pageSize = first.total === null ? await this.sequential(first) : await this.concurrent(first, first.total);
      if (first.total !== null && this.read !== first.total) {
        this.reason(`received ${this.read} of the ${first.total} ${this.o.noun} the server declared`);
      }
      return {
        read: this.read,
        declaredTotal: first.total,
        incompleteReason: this.reasons.slice(0, MAX_REASONS).join('; '),
        pageRequests: this.pageRequests,
        pageSize,
        notes: this.notes,
      };
    } finally {
      outer?.removeEventListener('abort', onAbort);
    }
  }

  private fetch(segment: Segment): Promise<FetchedPage<P>> {
    this.pageRequests++;
    return this.fetchPage(segment, this.controller.signal);
  }

  private reason(text: string): void {
    if (!this.reasons.includes(text)) this.reasons.push(text);
  }

  private async deliver(page: P | null, size: number, offset: number, total: number | null): Promise<void> {
    this.read += size;
    await this.o.onPage(page, size, offset, total);
  }

  private checkCount(page: FetchedPage<P>, offset: number): void {
    if (page.count !== null && page.count !== page.sent) {
      this.reason(`the page at offset ${offset} said it held ${page.count} ${this.o.noun} but held ${page.sent}`);
    }
  }

  /** No declared total: one page after another until the stop rule says so. */
  private async sequential(first: FetchedPage<P>): Promise<number> {
    let page = first;
    let offset = 0;
    let asked = this.o.pageSize;
    for (;;) {
      this.checkCount(page, offset);
      await this.deliver(page.page, page.size, offset, null);
      const step = nextSequentialStep({ offset, asked, received: page.size, links: page.links });
      if (step.kind === 'stop') {
        if (!step.complete) this.reason(step.reason);
        return asked;
      }
      if (this.pageRequests >= this.o.maxRequests) {
        this.reason(`stopped after ${this.pageRequests} page requests, the most one read may make`);
        return asked;
      }
      offset = step.offset;
      asked = step.pageSize;
      page = await this.fetch({ offset, limit: asked });
    }
  }

  /** A declared total: the other pages concurrently, handed on in offset order. */
  private async concurrent(first: FetchedPage<P>, total: number): Promise<number> {
    const asked = this.o.pageSize;
    this.checkCount(first, 0);
    const size = effectivePageSize(asked, first.size, 0, total);
    if (size < asked) {
      this.notes.push(`the server sent ${size} ${this.o.noun} per page though ${asked} were asked; continuing with pages of ${size}`);
    }
    await this.deliver(first.page, first.size, 0, total);
    if (first.size === 0 && total > 0) {
      this.reason(`the server declared ${total} ${this.o.noun} but sent none`);
      return size;
    }

    const queue = new SegmentQueue(total, size, first.size);
    const ready = new Map<number, Ready<P>>();
    const inflight = new Map<number, Promise<Settled<P>>>();
    let cursor = first.size;
    let failure: { error: unknown } | null = null;
    let capped = false;

    for (;;) {
      while (!failure && !capped) {
        const next = queue.peek();
        if (!next) break;
        // The page at the cursor is always let through, so a full window of later pages
        // waiting for it can never deadlock the run.
        if (inflight.size + ready.size >= this.o.concurrency && next.offset !== cursor) break;
        if (this.pageRequests >= this.o.maxRequests) {
          capped = true;
          this.reason(`stopped after ${this.pageRequests} page requests, the most one read may make`);
          break;
        }
        queue.take();
        inflight.set(
          next.offset,
          this.fetch(next).then(
            (page) => ({ segment: next, page }),
            (error: unknown) => ({ segment: next, error }),
          ),
        );
      }
      if (inflight.size === 0) break;
      const settled = await Promise.race(inflight.values());
      inflight.delete(settled.segment.offset);
      if (failure) continue;
      if ('error' in settled) {
        failure = { error: settled.error };
        this.controller.abort(settled.error);
        continue;
      }
      this.accept(settled.segment, settled.page, total, queue, ready);
      try {
        while (ready.has(cursor)) {
          const r = ready.get(cursor)!;
          ready.delete(cursor);
          await this.deliver(r.page, r.size, cursor, total);
          cursor += r.advance;
        }
      } catch (error) {
        failure = { error };
        this.controller.abort(error);
      }
    }
    if (failure) throw failure.error;
    // Only a request cap leaves pages behind a hole; hand them on anyway, in order.
    for (const offset of [...ready.keys()].sort((a, b) => a - b)) {
      const r = ready.get(offset)!;
      await this.deliver(r.page, r.size, offset, total);
    }
    return size;
  }

  private accept(segment: Segment, page: FetchedPage<P>, total: number, queue: SegmentQueue, ready: Map<number, Ready<P>>): void {
    if (page.total !== null && page.total !== total) {
      this.reason(`the number of ${this.o.noun} changed during the pull (${total}, then ${page.total})`);
    }
    this.checkCount(page, segment.offset);
    const expected = expectedCount(segment, total);
    if (page.size === 0) {
      // Nothing where records were declared: skip past the range so later pages still arrive.
      this.reason(`the server declared ${total} ${this.o.noun} but sent none from offset ${segment.offset}`);
      ready.set(segment.offset, { page: null, size: 0, advance: expected || segment.limit });
      return;
    }
    const rest = remainderOf(segment, page.size, total);
    if (rest) queue.requeue(rest);
    ready.set(segment.offset, { page: page.page, size: page.size, advance: page.size });
  }
}
