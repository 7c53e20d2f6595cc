import { describe, expect, it } from 'vitest';
import { MAX_PER_PAGE, pageWindow, paged } from './operation-pages.ts';

describe('operation pages: paging', () => {
  it('pages from 1, with a bounded size', () => {
    expect(pageWindow({}, 25)).toEqual({ page: 1, perPage: 25, offset: 0 });
    expect(pageWindow({ page: 3, perPage: 10 }, 25)).toEqual({ page: 3, perPage: 10, offset: 20 });
    expect(pageWindow({ page: 0, perPage: -1 }, 25)).toEqual({ page: 1, perPage: 25, offset: 0 });
    expect(pageWindow({ perPage: 10_000 }, 25).perPage).toBe(MAX_PER_PAGE);
    expect(paged([], 0, { page: 1, perPage: 25 }).pages).toBe(1);
    expect(paged([1], 51, { page: 2, perPage: 25 })).toMatchObject({ total: 51, pages: 3, page: 2 });
  });
});
