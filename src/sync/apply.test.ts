import { describe, expect, it } from 'vitest';
import { emptyPatronValues } from '../domain/patron.ts';
import type { PatronRepository } from '../store/store.ts';
import { applyChanges } from './apply.ts';
import type { Change } from './core/types.ts';

function create(i: number): Change {
  return {
    kind: 'create',
    sourcedId: `stu-${i}`,
    reason: 'new',
    role: 'student',
    values: { ...emptyPatronValues(), guid: `stu-${i}` },
    guidSource: 'classlink',
    matchedBy: 'created',
  };
}

describe('applyChanges', () => {
  it('inserts a large plan in chunks, every row once, in plan order', async () => {
    const calls: string[][] = [];
    const repo = {
      insertMany: async (_lib: number, rows: readonly { guid: string }[]) => {
        calls.push(rows.map((r) => r.guid));
        return rows.map((_, k) => k);
      },
      updateMany: async () => 0,
    } as unknown as PatronRepository;
    const count = 25_000;
    const result = await applyChanges(
      repo,
      1,
      7,
      Array.from({ length: count }, (_, i) => create(i)),
      [],
      new Map(),
    );
    expect(result).toEqual({ created: count, written: 0 });
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.flat()).toEqual(Array.from({ length: count }, (_, i) => `stu-${i}`));
  });
});
