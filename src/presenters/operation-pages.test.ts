import { describe, expect, it } from 'vitest';
import { isRollcallError } from '../domain/errors.ts';
import { MAX_PER_PAGE, logLevelsOf, operationStateOf, pageNumberOf, pageWindow, paged, planKindOf } from './operation-pages.ts';

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isRollcallError(e) ? e.kind : 'other';
  }
  return 'none';
}

describe('operation pages: request values and paging', () => {
  it('pages from 1, with a bounded size', () => {
    expect(pageWindow({}, 25)).toEqual({ page: 1, perPage: 25, offset: 0 });
    expect(pageWindow({ page: 3, perPage: 10 }, 25)).toEqual({ page: 3, perPage: 10, offset: 20 });
    expect(pageWindow({ page: 0, perPage: -1 }, 25)).toEqual({ page: 1, perPage: 25, offset: 0 });
    expect(pageWindow({ perPage: 10_000 }, 25).perPage).toBe(MAX_PER_PAGE);
    expect(paged([], 0, { page: 1, perPage: 25 }).pages).toBe(1);
    expect(paged([1], 51, { page: 2, perPage: 25 })).toMatchObject({ total: 51, pages: 3, page: 2 });
    expect([pageNumberOf('4'), pageNumberOf('x'), pageNumberOf('-2'), pageNumberOf(undefined), pageNumberOf('1.5')]).toEqual([
      4, 1, 1, 1, 1,
    ]);
  });

  it('reads levels, states and kinds, and refuses unknown ones', () => {
    expect(logLevelsOf('')).toBeUndefined();
    expect(logLevelsOf('warning')).toEqual(['warning']);
    expect(logLevelsOf('warning, error')).toEqual(['warning', 'error']);
    expect(refusal(() => logLevelsOf('debug'))).toBe('invalid_input');
    expect(operationStateOf('')).toBeUndefined();
    expect(operationStateOf('needs_review')).toBe('needs_review');
    expect(refusal(() => operationStateOf('rejected'))).toBe('invalid_input');
    expect(planKindOf(undefined)).toBe('create');
    expect(planKindOf('conflict')).toBe('conflict');
    expect(refusal(() => planKindOf('meta'))).toBe('invalid_input');
  });
});
