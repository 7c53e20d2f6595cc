import { describe, expect, it } from 'vitest';
import { runPages, type FetchedPage, type PageRunOptions } from './page-run.ts';
import type { Segment } from './paging.ts';

/** An in-memory collection served page by page, with switchable misbehaviour. */
interface FakeServer {
  records: number[];
  /** Silently serve at most this many per page. */
  clamp?: number;
  /** Whether to send X-Total-Count (default true). */
  sendTotal?: boolean;
  /** Change the declared total from the n-th request on. */
  totalFor?: (requestNo: number, real: number) => number;
  /** Send a Link header: 'proper' (next until the end) or 'repeat' (next = this page). */
  links?: 'proper' | 'repeat';
  /** Serve fewer records than the total declares (records past this are missing). */
  hideFrom?: number;
  /** Fail the request for this offset. */
  failAt?: number;
  /** Wait this long (ms) before answering the page at this offset. */
  delayAt?: { offset: number; ms: number };
}

function fake(server: FakeServer) {
  const asked: Segment[] = [];
  let inflight = 0;
  let maxInflight = 0;
  let askedWhenSlowDone = -1;
  const fetchPage = async (segment: Segment, signal: AbortSignal): Promise<FetchedPage<number[]>> => {
    asked.push(segment);
    const requestNo = asked.length;
    inflight++;
    maxInflight = Math.max(maxInflight, inflight);
    try {
      if (server.delayAt?.offset === segment.offset) {
        await new Promise((r) => setTimeout(r, server.delayAt!.ms));
        askedWhenSlowDone = asked.length;
      } else await new Promise((r) => setImmediate(r));
      signal.throwIfAborted();
      if (server.failAt === segment.offset) throw new Error(`failed at ${segment.offset}`);
      const visible = server.hideFrom === undefined ? server.records : server.records.slice(0, server.hideFrom);
      const size = Math.min(segment.limit, server.clamp ?? Infinity);
      const raws = visible.slice(segment.offset, segment.offset + size);
      const real = server.records.length;
      const total = server.sendTotal === false ? null : (server.totalFor?.(requestNo, real) ?? real);
      const links = new Map<string, string>();
      if (server.links === 'proper' && segment.offset + raws.length < visible.length) {
        links.set('next', `https://h/u?limit=${segment.limit}&offset=${segment.offset + raws.length}`);
      }
      if (server.links) links.set('first', 'https://h/u?offset=0');
      if (server.links === 'repeat') links.set('next', `https://h/u?limit=${segment.limit}&offset=${segment.offset}`);
      return { page: raws, size: raws.length, sent: raws.length, total, count: raws.length, links };
    } finally {
      inflight--;
    }
  };
  return { fetchPage, asked, maxInflight: () => maxInflight, askedWhenSlowDone: () => askedWhenSlowDone };
}

async function run(server: FakeServer, options: Partial<PageRunOptions<number[]>> = {}) {
  const f = fake(server);
  const delivered: number[] = [];
  const offsets: number[] = [];
  const result = await runPages(f.fetchPage, {
    noun: 'users',
    pageSize: 100,
    concurrency: 4,
    maxRequests: 10_000,
    onPage: async (page, _size, offset) => {
      offsets.push(offset);
      delivered.push(...(page ?? []));
    },
    ...options,
  });
  return { result, delivered, offsets, asked: f.asked, maxInflight: f.maxInflight(), askedWhenSlowDone: f.askedWhenSlowDone() };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('runPages with a declared total', () => {
  it('reads everything, in order, with pages fetched concurrently but no more than asked', async () => {
    const { result, delivered, maxInflight } = await run({ records: range(1050) }, { concurrency: 3 });
    expect(delivered).toEqual(range(1050));
    expect(result).toMatchObject({ read: 1050, declaredTotal: 1050, incompleteReason: '', pageRequests: 11 });
    expect(maxInflight).toBeGreaterThan(1);
    expect(maxInflight).toBeLessThanOrEqual(3);
  });

  it('hands pages on in offset order even when an early page is slow', async () => {
    const { delivered, offsets } = await run({ records: range(600), delayAt: { offset: 100, ms: 30 } });
    expect(delivered).toEqual(range(600));
    expect(offsets).toEqual([0, 100, 200, 300, 400, 500]);
  });

  it('keeps only a bounded number of pages waiting behind a slow one', async () => {
    const { delivered, askedWhenSlowDone } = await run({ records: range(2000), delayAt: { offset: 100, ms: 30 } }, { concurrency: 2 });
    expect(delivered).toEqual(range(2000));
    // While offset 100 is slow only one later page (200) may be fetched: the first page, 100 and 200.
    expect(askedWhenSlowDone).toBe(3);
  });

  it('reads a collection that fits in one page with one request', async () => {
    const { result } = await run({ records: range(42) });
    expect(result).toMatchObject({ read: 42, pageRequests: 1, incompleteReason: '' });
  });

  it('reads an empty collection as complete', async () => {
    const { result } = await run({ records: [] });
    expect(result).toMatchObject({ read: 0, declaredTotal: 0, incompleteReason: '' });
  });

  it('detects a silently clamped page size and continues with it', async () => {
    const { result, delivered, asked } = await run({ records: range(1000), clamp: 30 }, { pageSize: 100 });
    expect(delivered).toEqual(range(1000));
    expect(result.incompleteReason).toBe('');
    expect(result.pageSize).toBe(30);
    expect(result.notes[0]).toContain('sent 30 users per page though 100 were asked');
    expect(asked.slice(1).every((s) => s.limit === 30)).toBe(true);
  });

  it('fills the rest of a page that came back short in the middle', async () => {
    let n = 0;
    const server: FakeServer = { records: range(500) };
    const f = fake(server);
    const delivered: number[] = [];
    const result = await runPages(
      async (segment, signal) => {
        const page = await f.fetchPage(segment, signal);
        // The third request (offset 200) comes back with only 40 of its 100 records.
        if (++n === 3) return { ...page, page: page.page.slice(0, 40), size: 40, sent: 40, count: 40 };
        return page;
      },
      { noun: 'users', pageSize: 100, concurrency: 1, maxRequests: 100, onPage: async (r) => void delivered.push(...(r ?? [])) },
    );
    expect(delivered).toEqual(range(500));
    expect(result.incompleteReason).toBe('');
    expect(f.asked).toContainEqual({ offset: 240, limit: 60 });
  });

  it('is incomplete when the total changes during the pull', async () => {
    const { result } = await run({ records: range(500), totalFor: (no, real) => (no >= 3 ? real + 7 : real) });
    expect(result.incompleteReason).toContain('the number of users changed during the pull (500, then 507)');
  });

  it('is incomplete when the records do not add up to the total', async () => {
    const { result, delivered } = await run({ records: range(500), hideFrom: 420 });
    expect(delivered).toEqual(range(420));
    expect(result.incompleteReason).toContain('received 420 of the 500 users the server declared');
  });

  it('is incomplete when a page says it holds more than it does', async () => {
    const f = fake({ records: range(250) });
    const result = await runPages(async (s, sig) => ({ ...(await f.fetchPage(s, sig)), count: 100 }), {
      noun: 'users',
      pageSize: 100,
      concurrency: 2,
      maxRequests: 100,
      onPage: async () => {},
    });
    expect(result.incompleteReason).toContain('the page at offset 200 said it held 100 users but held 50');
  });

  it('is incomplete when the first page is empty though a total is declared', async () => {
    const { result } = await run({ records: range(50), hideFrom: 0 });
    expect(result.incompleteReason).toContain('the server declared 50 users but sent none');
  });

  it('stops at the request cap, incomplete, handing on what it has', async () => {
    const { result, delivered } = await run({ records: range(1000) }, { maxRequests: 4 });
    expect(result.pageRequests).toBe(4);
    expect(delivered).toEqual(range(400));
    expect(result.incompleteReason).toContain('stopped after 4 page requests');
  });

  it('rejects with the error of a request that finally fails, after delivering earlier pages', async () => {
    const delivered: number[] = [];
    const f = fake({ records: range(1000), failAt: 500 });
    await expect(
      runPages(f.fetchPage, {
        noun: 'users',
        pageSize: 100,
        concurrency: 2,
        maxRequests: 100,
        onPage: async (r) => void delivered.push(...(r ?? [])),
      }),
    ).rejects.toThrow('failed at 500');
    expect(delivered).toEqual(range(500));
  });

  it('rejects with the error onPage throws, and stops asking', async () => {
    const f = fake({ records: range(1000) });
    await expect(
      runPages(f.fetchPage, {
        noun: 'users',
        pageSize: 100,
        concurrency: 2,
        maxRequests: 100,
        onPage: async (_r, _size, offset) => {
          if (offset === 200) throw new Error('store is full');
        },
      }),
    ).rejects.toThrow('store is full');
    expect(f.asked.length).toBeLessThan(10);
  });

  it('rejects with the reason when cancelled', async () => {
    const controller = new AbortController();
    const f = fake({ records: range(1000) });
    await expect(
      runPages(f.fetchPage, {
        noun: 'users',
        pageSize: 100,
        concurrency: 2,
        maxRequests: 100,
        signal: controller.signal,
        onPage: async (_r, _size, offset) => {
          if (offset === 100) controller.abort(new Error('cancelled by the admin'));
        },
      }),
    ).rejects.toThrow('cancelled by the admin');
  });
});

describe('runPages without a declared total', () => {
  it('reads page after page until an empty page', async () => {
    const { result, delivered, asked } = await run({ records: range(250), sendTotal: false });
    expect(delivered).toEqual(range(250));
    expect(result).toMatchObject({ declaredTotal: null, incompleteReason: '' });
    expect(asked.map((s) => s.offset)).toEqual([0, 100, 200, 250]);
  });

  it('survives a silent clamp without trusting the short page', async () => {
    const { delivered, result } = await run({ records: range(95), sendTotal: false, clamp: 30 });
    expect(delivered).toEqual(range(95));
    expect(result.incompleteReason).toBe('');
  });

  it('stops at the page whose Link header has no next', async () => {
    const { asked, delivered } = await run({ records: range(300), sendTotal: false, links: 'proper' });
    expect(delivered).toEqual(range(300));
    expect(asked.map((s) => s.offset)).toEqual([0, 100, 200]);
  });

  it('stops on a next link that repeats the page, incomplete when the page was full', async () => {
    const { result, asked } = await run({ records: range(300), sendTotal: false, links: 'repeat' });
    expect(asked).toHaveLength(1);
    expect(result.incompleteReason).toContain('next-page link repeats the page at offset 0');
  });

  it('stops at the request cap, incomplete', async () => {
    const { result } = await run({ records: range(1000), sendTotal: false }, { maxRequests: 3 });
    expect(result.read).toBe(300);
    expect(result.incompleteReason).toContain('stopped after 3 page requests');
  });
});
