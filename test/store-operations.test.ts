import { expect, it } from 'vitest';
import { isRollcallError } from '../src/domain/errors.ts';
import { zeroCounts, type LogLine } from '../src/store/store.ts';
import { openDatabase } from '../src/store/db.ts';
import { rejectedMigration } from '../src/store/migrations/0018-rejected.ts';
import { describeEachDatabase } from './support/db.ts';
import { caught } from './support/caught.ts';

const SYNC = { type: 'full_sync', source: 'classlink', requestedBy: 'cli' };

describeEachDatabase('store: operations', (db) => {
  it('runs the lifecycle queued → running → succeeded with progress, counts and summary', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const { operation, created } = await store.operations.create(lib.id, SYNC);
    expect(created).toBe(true);
    expect(operation).toMatchObject({
      libraryId: lib.id,
      type: 'full_sync',
      source: 'classlink',
      requestedBy: 'cli',
      state: 'queued',
      startedAt: null,
      finishedAt: null,
      progress: { done: 0, total: 0 },
      counts: zeroCounts(),
      complete: null,
      summary: '',
      error: '',
    });
    expect(await store.operations.start(lib.id, operation.id)).toBe(true);
    expect(await store.operations.start(lib.id, operation.id)).toBe(false);
    expect(await store.operations.progress(lib.id, operation.id, 40, 100)).toBe(true);
    expect(await store.operations.heartbeat(lib.id, operation.id)).toBe(true);
    const running = await store.operations.get(lib.id, operation.id);
    expect(running).toMatchObject({ state: 'running', progress: { done: 40, total: 100 } });
    expect(running!.startedAt).not.toBeNull();
    expect(running!.heartbeatAt).not.toBeNull();

    const counts = { created: 1, updated: 2, unchanged: 3, transferred: 4, reactivated: 5, skipped: 6, conflicts: 7, warnings: 8 };
    expect(
      await store.operations.finish(lib.id, operation.id, { state: 'succeeded_with_warnings', counts, complete: false, summary: 'done' }),
    ).toBe(true);
    const done = await store.operations.get(lib.id, operation.id);
    expect(done).toMatchObject({ state: 'succeeded_with_warnings', counts, complete: false, summary: 'done' });
    expect(done!.finishedAt).not.toBeNull();
    // An ended operation stays ended: a late worker cannot overwrite it.
    expect(await store.operations.finish(lib.id, operation.id, { state: 'failed', error: 'late' })).toBe(false);
    expect(await store.operations.heartbeat(lib.id, operation.id)).toBe(false);
  });

  it('moves plans rejected before "rejected" was a state into it, and nothing else', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const make = async (outcome: { state: 'failed' | 'succeeded'; error?: string }) => {
      const { operation } = await store.operations.create(lib.id, { type: 'classlink_full_sync', source: 'classlink', requestedBy: 't' });
      await store.operations.finish(lib.id, operation.id, outcome);
      return operation.id;
    };
    const old = await make({ state: 'failed', error: 'Rejected by jane; nothing was applied.' });
    const failure = await make({ state: 'failed', error: 'Rejected by the roster server: HTTP 401.' });
    const fine = await make({ state: 'succeeded' });
    const database = await openDatabase({ url: db.url(), migrate: false });
    try {
      await rejectedMigration().up(database.kysely);
    } finally {
      await database.kysely.destroy();
    }
    expect(await store.operations.get(lib.id, old)).toMatchObject({
      state: 'rejected',
      error: '',
      summary: 'Rejected by jane; nothing was applied.',
    });
    expect(await store.operations.get(lib.id, failure)).toMatchObject({
      state: 'failed',
      error: 'Rejected by the roster server: HTTP 401.',
    });
    expect(await store.operations.get(lib.id, fine)).toMatchObject({ state: 'succeeded' });
  });

  it('holds at most one queued or running operation per library and returns it instead', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const other = await db.newLibrary();
    const first = await store.operations.create(lib.id, SYNC);
    const second = await store.operations.create(lib.id, { ...SYNC, type: 'delta_sync' });
    expect(second).toEqual({ operation: first.operation, created: false });
    expect((await store.operations.create(other.id, SYNC)).created).toBe(true);

    await store.operations.start(lib.id, first.operation.id);
    expect((await store.operations.create(lib.id, SYNC)).operation.id).toBe(first.operation.id);

    // Held for review: no longer running, so a new one may queue — and approval then conflicts.
    await store.operations.finish(lib.id, first.operation.id, { state: 'needs_review' });
    const next = await store.operations.create(lib.id, SYNC);
    expect(next.created).toBe(true);
    const e = await caught(store.operations.transition(lib.id, first.operation.id, ['needs_review'], 'running'));
    expect(isRollcallError(e, 'conflict')).toBe(true);
    await store.operations.finish(lib.id, next.operation.id, { state: 'failed', error: 'x' });
    expect(await store.operations.transition(lib.id, first.operation.id, ['needs_review'], 'running')).toBe(true);
    expect(await store.operations.transition(lib.id, first.operation.id, ['needs_review'], 'failed')).toBe(false);
  });

  it('creates exactly one when many ask at once', async () => {
    const store = db.store();
    const second = await db.open();
    const lib = await db.newLibrary();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? store : second).operations.create(lib.id, SYNC)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.operation.id)).size).toBe(1);
  });

  it("lists newest first, filtered by state, and never another library's", async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const other = await db.newLibrary();
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { operation } = await store.operations.create(lib.id, SYNC);
      ids.push(operation.id);
      await store.operations.finish(lib.id, operation.id, { state: i === 1 ? 'failed' : 'succeeded' });
    }
    const { operation: foreign } = await store.operations.create(other.id, SYNC);
    expect((await store.operations.list(lib.id)).map((o) => o.id)).toEqual([...ids].reverse());
    expect((await store.operations.list(lib.id, { limit: 2 })).map((o) => o.id)).toEqual([ids[2], ids[1]]);
    expect((await store.operations.list(lib.id, { state: 'failed' })).map((o) => o.id)).toEqual([ids[1]]);
    expect(await store.operations.get(lib.id, foreign.id)).toBeUndefined();
    expect(await store.operations.start(lib.id, foreign.id)).toBe(false);
    expect(await store.operations.finish(lib.id, foreign.id, { state: 'failed' })).toBe(false);
    expect((await store.operations.get(other.id, foreign.id))!.state).toBe('queued');
  });

  it('finds running operations whose heartbeat stopped', async () => {
    let now = new Date('2026-09-01T02:00:00.000Z');
    const store = await db.open({ now: () => now });
    const lib = await db.newLibrary();
    const other = await db.newLibrary();
    const { operation: stale } = await store.operations.create(lib.id, SYNC);
    await store.operations.start(lib.id, stale.id);
    now = new Date('2026-09-01T02:10:00.000Z');
    const { operation: alive } = await store.operations.create(other.id, SYNC);
    await store.operations.start(other.id, alive.id);
    const found = await store.operations.findStale(new Date('2026-09-01T02:05:00.000Z'));
    const ours = found.filter((o) => o.id === stale.id || o.id === alive.id);
    expect(ours.map((o) => o.id)).toEqual([stale.id]);
    await store.operations.heartbeat(lib.id, stale.id);
    expect((await store.operations.findStale(new Date('2026-09-01T02:05:00.000Z'))).some((o) => o.id === stale.id)).toBe(false);
  });

  it('appends log lines in batches and reads them filtered and paged', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const { operation } = await store.operations.create(lib.id, SYNC);
    const lines: LogLine[] = Array.from({ length: 2500 }, (_, i) => ({
      level: i % 10 === 0 ? 'warning' : 'info',
      message: `line ${i}`,
      sourcedId: i % 500 === 0 ? `user-${i}` : '',
    }));
    await store.operations.appendLog(lib.id, operation.id, lines);
    await store.operations.appendLog(lib.id, operation.id, [{ level: 'error', message: 'Disk 100% FULL', at: '2026-09-01T00:00:00.000Z' }]);

    const all = await store.operations.log(lib.id, operation.id);
    expect(all.total).toBe(2501);
    expect(all.items.map((l) => l.message).slice(0, 3)).toEqual(['line 0', 'line 1', 'line 2']);
    expect(all.items.at(-1)).toMatchObject({ level: 'error', message: 'Disk 100% FULL', at: '2026-09-01T00:00:00.000Z', sourcedId: '' });

    const warnings = await store.operations.log(lib.id, operation.id, { level: 'warning', limit: 5, offset: 5 });
    expect(warnings.total).toBe(250);
    expect(warnings.items.map((l) => l.message)).toEqual(['line 50', 'line 60', 'line 70', 'line 80', 'line 90']);
    expect((await store.operations.log(lib.id, operation.id, { level: ['warning', 'error'] })).total).toBe(251);
    expect((await store.operations.log(lib.id, operation.id, { text: 'USER-1000' })).items.map((l) => l.message)).toEqual(['line 1000']);
    expect((await store.operations.log(lib.id, operation.id, { text: '100%' })).items.map((l) => l.level)).toEqual(['error']);
    expect((await store.operations.log(lib.id, operation.id, { offset: 2500 })).items).toHaveLength(1);
  });

  it('saves a plan in chunks and pages it back by kind; deletes it', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const { operation } = await store.operations.create(lib.id, SYNC);
    const kinds = ['create', 'update', 'transfer'];
    const changes = Array.from({ length: 2100 }, (_, i) => ({
      kind: kinds[i % 3]!,
      sourcedId: `u${i}`,
      patronId: i % 3 === 0 ? null : i,
      detail: { reason: `because ${i}`, fields: { firstName: ['Ana', 'Anna'] } },
    }));
    await store.operations.saveChanges(lib.id, operation.id, changes.slice(0, 1500));
    await store.operations.saveChanges(lib.id, operation.id, changes.slice(1500));
    const all = await store.operations.changes(lib.id, operation.id);
    expect(all.total).toBe(2100);
    expect(all.items.map((c) => c.seq)).toEqual(changes.map((_, i) => i));
    expect(all.items[4]).toEqual({ seq: 4, ...changes[4] });
    const transfers = await store.operations.changes(lib.id, operation.id, { kind: 'transfer', limit: 2, offset: 1 });
    expect(transfers.total).toBe(700);
    expect(transfers.items.map((c) => c.sourcedId)).toEqual(['u5', 'u8']);

    const other = await db.newLibrary();
    expect((await store.operations.changes(other.id, operation.id)).total).toBe(0);
    expect(await store.operations.deleteChanges(other.id, operation.id)).toBe(0);
    expect(await store.operations.deleteChanges(lib.id, operation.id)).toBe(2100);
    expect((await store.operations.changes(lib.id, operation.id)).total).toBe(0);
  });

  it('keeps logs and plans to their library', async () => {
    const store = db.store();
    const a = await db.newLibrary();
    const b = await db.newLibrary();
    const { operation } = await store.operations.create(a.id, SYNC);
    await store.operations.appendLog(a.id, operation.id, [{ level: 'info', message: 'mine' }]);
    const e1 = await caught(store.operations.appendLog(b.id, operation.id, [{ level: 'info', message: 'intruder' }]));
    expect(isRollcallError(e1, 'not_found')).toBe(true);
    const e2 = await caught(
      store.operations.saveChanges(b.id, operation.id, [{ kind: 'create', sourcedId: 'x', patronId: null, detail: {} }]),
    );
    expect(isRollcallError(e2, 'not_found')).toBe(true);
    expect((await store.operations.log(b.id, operation.id)).total).toBe(0);
    expect((await store.operations.log(a.id, operation.id)).items.map((l) => l.message)).toEqual(['mine']);
  });
});
