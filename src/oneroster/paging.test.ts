import { describe, expect, it } from 'vitest';
import {
  effectivePageSize,
  expectedCount,
  nextSequentialStep,
  offsetOfUrl,
  parseLinkHeader,
  readCountHeader,
  remainderOf,
  SegmentQueue,
} from './paging.ts';

describe('readCountHeader', () => {
  it('reads a non-negative integer', () => {
    expect(readCountHeader('10000')).toBe(10000);
    expect(readCountHeader(' 0 ')).toBe(0);
  });

  it('ignores an absent or unreadable value', () => {
    expect(readCountHeader(undefined)).toBeNull();
    expect(readCountHeader('')).toBeNull();
    expect(readCountHeader('-1')).toBeNull();
    expect(readCountHeader('12abc')).toBeNull();
  });
});

describe('parseLinkHeader', () => {
  it('reads next, last, first and prev', () => {
    const links = parseLinkHeader(
      '<https://h/u?limit=100&offset=101>; rel="next", <https://h/u?offset=0>; rel="first", <https://h/u?offset=8900>; rel=last',
    );
    expect(links.get('next')).toBe('https://h/u?limit=100&offset=101');
    expect(links.get('first')).toBe('https://h/u?offset=0');
    expect(links.get('last')).toBe('https://h/u?offset=8900');
    expect(links.has('prev')).toBe(false);
  });

  it('returns nothing for an absent or garbled header', () => {
    expect(parseLinkHeader(undefined).size).toBe(0);
    expect(parseLinkHeader('garbage').size).toBe(0);
  });
});

describe('offsetOfUrl', () => {
  it('reads the offset parameter, 0 when absent', () => {
    expect(offsetOfUrl('https://h/u?limit=10&offset=30')).toBe(30);
    expect(offsetOfUrl('https://h/u?limit=10')).toBe(0);
    expect(offsetOfUrl('https://h/u')).toBe(0);
    expect(offsetOfUrl('https://h/u?offset=x')).toBeNull();
  });
});

describe('effectivePageSize', () => {
  it('detects a clamp: fewer than asked while the total says more remain', () => {
    expect(effectivePageSize(10_000, 1000, 0, 25_000)).toBe(1000);
  });

  it('keeps the asked size for a last page that is short, or a full page', () => {
    expect(effectivePageSize(10_000, 1000, 0, 1000)).toBe(10_000);
    expect(effectivePageSize(100, 100, 0, 5000)).toBe(100);
  });

  it('keeps the asked size without a total or for an empty page', () => {
    expect(effectivePageSize(100, 10, 0, null)).toBe(100);
    expect(effectivePageSize(100, 0, 0, 5000)).toBe(100);
  });
});

describe('expectedCount and remainderOf', () => {
  it('expects a full page except at the end', () => {
    expect(expectedCount({ offset: 0, limit: 100 }, 250)).toBe(100);
    expect(expectedCount({ offset: 200, limit: 100 }, 250)).toBe(50);
    expect(expectedCount({ offset: 300, limit: 100 }, 250)).toBe(0);
  });

  it('asks for exactly the missing rest of a short page', () => {
    expect(remainderOf({ offset: 100, limit: 100 }, 30, 1000)).toEqual({ offset: 130, limit: 70 });
    expect(remainderOf({ offset: 200, limit: 100 }, 30, 250)).toEqual({ offset: 230, limit: 20 });
  });

  it('asks for nothing after a full page or an empty one', () => {
    expect(remainderOf({ offset: 100, limit: 100 }, 100, 1000)).toBeNull();
    expect(remainderOf({ offset: 100, limit: 100 }, 0, 1000)).toBeNull();
    expect(remainderOf({ offset: 200, limit: 100 }, 50, 250)).toBeNull();
  });
});

describe('SegmentQueue', () => {
  it('hands out pages of the effective size up to the total', () => {
    const q = new SegmentQueue(250, 100, 40);
    expect([q.take(), q.take(), q.take(), q.take()]).toEqual([
      { offset: 40, limit: 100 },
      { offset: 140, limit: 100 },
      { offset: 240, limit: 100 },
      null,
    ]);
  });

  it('hands out the rest of short pages first, lowest offset first', () => {
    const q = new SegmentQueue(1000, 100, 100);
    q.take();
    q.requeue({ offset: 550, limit: 50 });
    q.requeue({ offset: 130, limit: 70 });
    expect(q.peek()).toEqual({ offset: 130, limit: 70 });
    expect([q.take(), q.take(), q.take()]).toEqual([
      { offset: 130, limit: 70 },
      { offset: 550, limit: 50 },
      { offset: 200, limit: 100 },
    ]);
  });

  it('has nothing to hand out when the first page held everything', () => {
    expect(new SegmentQueue(5, 100, 5).peek()).toBeNull();
  });
});

describe('nextSequentialStep', () => {
  const none = new Map<string, string>();

  it('stops, complete, on an empty page', () => {
    expect(nextSequentialStep({ offset: 300, asked: 100, received: 0, links: none })).toEqual({ kind: 'stop', complete: true });
  });

  it('does not trust a short page alone: goes on with the smaller size', () => {
    expect(nextSequentialStep({ offset: 0, asked: 10_000, received: 1000, links: none })).toEqual({
      kind: 'continue',
      offset: 1000,
      pageSize: 1000,
    });
  });

  it('goes on after a full page', () => {
    expect(nextSequentialStep({ offset: 100, asked: 100, received: 100, links: none })).toEqual({
      kind: 'continue',
      offset: 200,
      pageSize: 100,
    });
  });

  it('stops when a Link header has no next (the last page)', () => {
    const links = new Map([['first', 'https://h/u?offset=0']]);
    expect(nextSequentialStep({ offset: 100, asked: 100, received: 100, links })).toEqual({ kind: 'stop', complete: true });
  });

  it('follows the records, not the link, when next points ahead', () => {
    const links = new Map([['next', 'https://h/u?offset=200']]);
    expect(nextSequentialStep({ offset: 100, asked: 100, received: 60, links })).toMatchObject({ kind: 'continue', offset: 160 });
  });

  it('stops on a next that repeats the page: complete after a short page, incomplete after a full one', () => {
    const links = new Map([['next', 'https://h/u?limit=100&offset=100']]);
    expect(nextSequentialStep({ offset: 100, asked: 100, received: 40, links })).toEqual({ kind: 'stop', complete: true });
    expect(nextSequentialStep({ offset: 100, asked: 100, received: 100, links })).toEqual({
      kind: 'stop',
      complete: false,
      reason: "the server's next-page link repeats the page at offset 100",
    });
  });
});
