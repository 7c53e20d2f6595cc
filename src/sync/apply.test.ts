import { describe, expect, it } from 'vitest';
import { emptyPatronValues } from '../domain/patron.ts';
import type { JournalKind, JournalRepository, JournalWrite, PatronRepository } from '../store/store.ts';
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
    let next = 100;
    const repo = {
      insertMany: async (_lib: number, rows: readonly { guid: string }[]) => {
        calls.push(rows.map((r) => r.guid));
        return rows.map(() => next++);
      },
      updateMany: async () => 0,
    } as unknown as PatronRepository;
    const journaled: JournalWrite[] = [];
    const created: { id: number; kind: JournalKind }[] = [];
    const journal = {
      append: async (_lib: number, by: { operationId?: number | null }, rows: readonly JournalWrite[]) => {
        expect(by.operationId).toBe(7);
        journaled.push(...rows);
      },
      appendCreated: async (_lib: number, by: { operationId?: number | null }, ids: readonly number[], kind: JournalKind) => {
        expect(by.operationId).toBe(7);
        created.push(...ids.map((id) => ({ id, kind })));
      },
    } as unknown as JournalRepository;
    const count = 25_000;
    const result = await applyChanges(
      { patrons: repo, journal },
      1,
      7,
      Array.from({ length: count }, (_, i) => create(i)),
      [],
      new Map(),
    );
    expect(result).toEqual({ created: count, written: 0 });
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.flat()).toEqual(Array.from({ length: count }, (_, i) => `stu-${i}`));
    // One journal row per created patron, by the id it was given, each chunk journaled right after
    // its insert (the store builds each row's values from the patron: test/store-journal.test.ts).
    expect(created).toEqual(Array.from({ length: count }, (_, i) => ({ id: 100 + i, kind: 'create' })));
    expect(journaled).toEqual([]);
  });
});
