import { describe, expect, it } from 'vitest';
import { COUNT_KEYS, pickCounts, zeroCounts } from './counts.ts';

describe('sync counts', () => {
  it('pickCounts keeps exactly the eight counts, in contract order (SPEC §8)', () => {
    const extra = { warnings: 8, created: 1, updated: 2, unchanged: 3, transferred: 4, reactivated: 5, skipped: 6, conflicts: 7, id: 99 };
    const picked = pickCounts(extra);
    expect(Object.keys(picked)).toEqual([
      'created',
      'updated',
      'unchanged',
      'transferred',
      'reactivated',
      'skipped',
      'conflicts',
      'warnings',
    ]);
    expect(Object.values(picked)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('zeroCounts has every count at 0', () => {
    expect(Object.keys(zeroCounts())).toEqual([...COUNT_KEYS]);
    expect(Object.values(zeroCounts()).every((v) => v === 0)).toBe(true);
  });
});
