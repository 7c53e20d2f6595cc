/**
 * The job handlers and the worker through the store, on SQLite and PostgreSQL, against the
 * emulator (the in-process queue carries the jobs on both: the handlers do not know which
 * transport they run under; pg-boss has its own tests in jobs-pgboss and jobs-workers).
 *
 * Queuing a sync stores its operation first (listed at once; a second ask returns it); a job
 * delivered twice syncs once; the reaper fails a sync whose worker stopped ("worker stopped"),
 * retries it once and never a retry; a queued sync whose job was lost is queued again; a
 * stopping worker cuts a sync short before it writes and leaves its retry queued; an operation
 * ended while its sync ran applies nothing.
 */
import { afterEach, expect, it } from 'vitest';
import { testConfig } from '../src/config/load.ts';
import { isRollcallError } from '../src/domain/errors.ts';
import { loadClassLink, saveClassLink } from '../src/sources/classlink/state.ts';
import { enqueueSync, syncKey } from '../src/jobs/enqueue.ts';
import { jobHandlers, syncJob } from '../src/jobs/handlers.ts';
import type { JobDeps } from '../src/jobs/types.ts';
import { LocalQueue } from '../src/jobs/local-queue.ts';
import { reapStale } from '../src/jobs/reap-stale.ts';
import type { JobOutcome, JobRecord } from '../src/jobs/types.ts';
import { startWorker, type RunningWorker } from '../src/jobs/worker.ts';
import type { SyncDeps } from '../src/sync/ports.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, type SyncFixture } from './support/sync-fixture.ts';

/** The stale-after time of these tests; the fixture's clock is moved past it rather than waited for. */
const STALE_AFTER_MS = 60_000;
const FULL = { kind: 'full', dryRun: false, requestedBy: 'test' } as const;

/** Polls until `check` holds (a bounded wait for another async party, never a timing assertion). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeEachDatabase('jobs: handlers, reaper and worker', (db) => {
  const setUp = syncFixtures(db);
  const queues: LocalQueue[] = [];
  const workers: RunningWorker[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    for (const q of queues.splice(0)) await q.stop();
  });

  /** A fresh in-process queue that records outcomes, and the handlers' dependencies over it. */
  function jobsOf(
    f: SyncFixture,
    syncDeps: SyncDeps = f.deps,
  ): { queue: LocalQueue; deps: JobDeps; ran: { job: JobRecord; outcome: JobOutcome }[] } {
    const ran: { job: JobRecord; outcome: JobOutcome }[] = [];
    const queue = new LocalQueue({ onOutcome: (job, outcome) => ran.push({ job, outcome }) });
    queues.push(queue);
    return { queue, deps: { store: f.store, syncDeps, queue, staleAfterMs: STALE_AFTER_MS }, ran };
  }
  const ops = (f: SyncFixture) => f.store.operations.list(f.libraryId);

  it('the jobs that run every minute say when they found nothing to do (the worker then writes no line), and only then', async () => {
    const f = await setUp();
    const { deps } = jobsOf(f);
    const config = testConfig();
    const handlers = jobHandlers({
      ...deps,
      alerts: { settings: config.alerts, publicUrl: 'http://127.0.0.1' },
      publicUrl: 'http://127.0.0.1',
    });
    const everyMinute = ['reap-stale', 'daily-operations', 'webhooks', 'csv-watch', 'alerts'] as const;
    for (const name of everyMinute) {
      const outcome = await (handlers[name] as () => Promise<JobOutcome>)();
      expect({ name, outcome }).toMatchObject({ name, outcome: { ok: true, idle: true } });
    }
    // Something to do: a sync left running by a stopped worker is not idle for the reaper.
    const dead = (
      await f.store.operations.create(f.libraryId, { type: 'classlink_full_sync', source: 'classlink', requestedBy: 'schedule' })
    ).operation;
    await f.store.operations.start(f.libraryId, dead.id);
    f.advance(STALE_AFTER_MS + 1000);
    const reaped = await (handlers['reap-stale'] as () => Promise<JobOutcome>)();
    expect(reaped).toMatchObject({ ok: true });
    expect(reaped).not.toMatchObject({ idle: true });
  });

  it('queues the operation first; asking again returns it; a job delivered twice syncs once', async () => {
    const f = await setUp();
    const { queue, deps, ran } = jobsOf(f);

    const first = await enqueueSync(queue, f.store, f.libraryId, FULL);
    expect(first).toMatchObject({
      alreadyActive: false,
      operation: { state: 'queued', type: 'classlink_full_sync', requestedBy: 'test', retryOf: null },
    });
    const again = await enqueueSync(queue, f.store, f.libraryId, { ...FULL, requestedBy: 'someone else' });
    expect(again).toMatchObject({ alreadyActive: true, operation: { id: first.operation.id } });
    expect(await queue.waiting('sync', syncKey(f.libraryId))).toBe(true);
    // The same job once more, past the singleton (a queue that delivers twice).
    await queue.send('sync', { ...FULL, libraryId: f.libraryId, operationId: first.operation.id });

    await queue.work(jobHandlers(deps));
    await queue.whenIdle();
    expect(ran.map((r) => r.outcome)).toEqual([
      expect.objectContaining({ ok: true, operationId: first.operation.id }),
      { ok: true, detail: `operation ${first.operation.id} was already taken or ended`, operationId: first.operation.id },
    ]);
    const all = await ops(f);
    expect(all.map((o) => [o.id, o.state])).toEqual([[first.operation.id, 'succeeded']]);
    const patrons = await f.patrons();
    expect(patrons).toHaveLength(f.expectedInScope().length);
    expect(new Set(patrons.map((p) => p.guid)).size).toBe(patrons.length);
  });

  it('refuses to queue a sync of a library whose integration is off (a dry run may), before any operation exists', async () => {
    const f = await setUp();
    const { queue } = jobsOf(f);
    const state = await loadClassLink(f.store, f.libraryId);
    await saveClassLink(f.store, f.libraryId, { settings: state.settings, enabled: false });
    let caught: unknown;
    await enqueueSync(queue, f.store, f.libraryId, FULL).catch((e) => (caught = e));
    expect(isRollcallError(caught, 'not_configured')).toBe(true);
    expect(await ops(f)).toEqual([]);
    expect((await enqueueSync(queue, f.store, f.libraryId, { ...FULL, dryRun: true })).operation.type).toBe('dry_run');
  });

  it('fails a running sync whose worker stopped with "worker stopped", retries it once, and the retry succeeds', async () => {
    const f = await setUp();
    const { queue, deps } = jobsOf(f);
    // A worker took the sync and died: running, its last heartbeat now.
    const dead = (
      await f.store.operations.create(f.libraryId, { type: 'classlink_full_sync', source: 'classlink', requestedBy: 'schedule' })
    ).operation;
    await f.store.operations.start(f.libraryId, dead.id);

    // Not stale yet: nothing happens.
    expect(await reapStale(deps)).toEqual({ ok: true, detail: 'nothing stale', idle: true });
    expect((await f.operation(dead.id)).state).toBe('running');

    f.advance(STALE_AFTER_MS + 1000);
    const outcome = await reapStale(deps);
    expect(outcome.ok).toBe(true);
    const failed = await f.operation(dead.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/^worker stopped: no sign of life since .*; nothing was applied\.$/);
    const retry = (await ops(f)).find((o) => o.retryOf === dead.id)!;
    expect(retry).toMatchObject({ state: 'queued', type: 'classlink_full_sync', requestedBy: 'retry' });
    expect((await f.log(dead.id)).map((l) => l.message)).toContain(`Retried once, as operation ${retry.id}.`);
    // A second reaper (another worker) finds nothing more to do.
    expect(await reapStale(deps)).toEqual({ ok: true, detail: 'nothing stale', idle: true });

    await queue.work(jobHandlers(deps));
    await queue.whenIdle();
    expect((await f.operation(retry.id)).state).toBe('succeeded');
    expect(await f.patrons()).toHaveLength(f.expectedInScope().length);
    expect((await ops(f)).filter((o) => o.retryOf !== null)).toHaveLength(1);
  });

  it('never retries a retry', async () => {
    const f = await setUp();
    const { deps } = jobsOf(f);
    const original = (
      await f.store.operations.create(f.libraryId, { type: 'classlink_delta_sync', source: 'classlink', requestedBy: 'schedule' })
    ).operation;
    await f.store.operations.finish(f.libraryId, original.id, { state: 'failed', error: 'worker stopped' });
    const retry = (
      await f.store.operations.create(f.libraryId, {
        type: 'classlink_delta_sync',
        source: 'classlink',
        requestedBy: 'retry',
        retryOf: original.id,
      })
    ).operation;
    await f.store.operations.start(f.libraryId, retry.id);
    f.advance(STALE_AFTER_MS + 1000);
    await reapStale(deps);
    expect(await f.operation(retry.id)).toMatchObject({ state: 'failed', error: expect.stringMatching(/^worker stopped/) });
    expect((await ops(f)).map((o) => o.id)).toEqual([retry.id, original.id]);
    expect((await f.log(retry.id)).map((l) => l.message)).toContain(
      `Not retried: this sync was itself the retry of operation ${original.id}.`,
    );
  });

  it('queues again a queued sync whose job was lost with the process that queued it', async () => {
    const f = await setUp();
    const before = jobsOf(f);
    const queued = await enqueueSync(before.queue, f.store, f.libraryId, { ...FULL, kind: 'delta' });
    await before.queue.stop(); // the process stops: its waiting job is gone

    const after = jobsOf(f); // a new process, a new in-process queue
    // Still waiting legitimately while younger than the stale-after time.
    await reapStale(after.deps);
    expect(after.queue.waitingJobs()).toEqual([]);
    f.advance(STALE_AFTER_MS + 1000);
    expect((await reapStale(after.deps)).ok).toBe(true);
    expect(after.queue.waitingJobs().map((j) => j.payload)).toEqual([
      { libraryId: f.libraryId, kind: 'delta', dryRun: false, requestedBy: 'test', operationId: queued.operation.id },
    ]);
    // A job waits for it now: the next pass leaves it alone.
    await reapStale(after.deps);
    expect(after.queue.waitingJobs()).toHaveLength(1);

    await after.queue.work(jobHandlers(after.deps));
    await after.queue.whenIdle();
    // The same operation ran (a delta with no earlier success runs as a full sync).
    expect((await ops(f)).map((o) => [o.id, o.state])).toEqual([[queued.operation.id, 'succeeded']]);
  });

  it("a job whose operation ended before it ran runs the library's queued operation instead (its own job was dropped as a duplicate)", async () => {
    const f = await setUp();
    const { queue, deps, ran } = jobsOf(f);
    const first = await enqueueSync(queue, f.store, f.libraryId, FULL);
    await f.store.operations.finish(f.libraryId, first.operation.id, { state: 'failed', error: 'ended by hand' });
    const second = await enqueueSync(queue, f.store, f.libraryId, { ...FULL, kind: 'delta', requestedBy: 'later' });
    expect(queue.waitingJobs()).toHaveLength(1); // the second job was dropped: the first still waits
    await queue.work(jobHandlers(deps));
    await queue.whenIdle();
    expect(ran.map((r) => r.outcome.operationId)).toEqual([second.operation.id]);
    expect(await f.operation(second.operation.id)).toMatchObject({ state: 'succeeded', requestedBy: 'later' });
  });

  it('applies nothing when the operation was ended while its sync ran (the reaper took its worker for stopped)', async () => {
    const f = await setUp();
    const { deps } = jobsOf(f);
    const queued = await enqueueSync(deps.queue, f.store, f.libraryId, FULL);
    // The reaper ends the operation while the roster is read (the reader closes after the read).
    const syncDeps: SyncDeps = {
      ...f.deps,
      openReader: async (lib, context) => {
        const reader = await f.deps.openReader(lib, context);
        return {
          ...reader,
          pull: reader.pull.bind(reader),
          close: async () => {
            await reader.close?.();
            await f.store.operations.finish(lib, queued.operation.id, { state: 'failed', error: 'worker stopped: taken for dead' });
          },
        };
      },
    };
    const outcome = await syncJob({ ...deps, syncDeps }, { ...FULL, libraryId: f.libraryId, operationId: queued.operation.id });
    expect(outcome).toMatchObject({ ok: false, operationId: queued.operation.id });
    expect(await f.patrons()).toEqual([]);
    expect(await f.operation(queued.operation.id)).toMatchObject({ state: 'failed', error: 'worker stopped: taken for dead' });
  });

  it('a stopping worker cuts a sync short before it writes and leaves its retry queued; the next worker runs it', async () => {
    const f = await setUp();
    const config = testConfig({ ROLLCALL_STALE_AFTER_SECONDS: String(STALE_AFTER_MS / 1000) });
    const app = { config, store: f.store, syncDeps: f.deps };
    const lines: string[] = [];
    const first = jobsOf(f);
    const worker = await startWorker(app, { queue: first.queue, log: (l) => lines.push(l) });
    workers.push(worker);

    // A slow roster: the sync is still reading when the worker is told to stop.
    f.emulator.setFaults({ slow: { delayMs: 200 } });
    const queued = await enqueueSync(worker.queue, f.store, f.libraryId, FULL);
    await until('the sync to be reading', async () => (await f.operation(queued.operation.id)).state === 'running');
    await worker.stop();

    const cut = await f.operation(queued.operation.id);
    expect(cut.state).toBe('failed');
    expect(cut.error).toMatch(/^worker stopped/);
    expect(await f.patrons()).toEqual([]);
    const retry = (await ops(f)).find((o) => o.retryOf === cut.id)!;
    expect(retry.state).toBe('queued'); // its job went down with the in-process queue

    // The next worker, once the retry is stale, queues it again and runs it.
    f.emulator.setFaults({});
    f.advance(STALE_AFTER_MS + 1000);
    const second = jobsOf(f);
    workers.push(await startWorker(app, { queue: second.queue }));
    await until('the retry to finish', async () => (await f.operation(retry.id)).state === 'succeeded');
    expect(await f.patrons()).toHaveLength(f.expectedInScope().length);
  });

  it("a job names its library: another library's operation id is not found there, and that library's own queued sync runs", async () => {
    const f = await setUp();
    const g = await setUp();
    const { queue, deps } = jobsOf(f);
    const mine = await enqueueSync(queue, f.store, f.libraryId, FULL);
    const theirs = await enqueueSync(queue, g.store, g.libraryId, FULL);
    expect(theirs.alreadyActive).toBe(false);
    // Library g's job carrying library f's operation id: f's operation is not g's to run.
    expect(await syncJob(deps, { ...FULL, libraryId: g.libraryId, operationId: mine.operation.id })).toMatchObject({
      ok: true,
      operationId: theirs.operation.id,
    });
    expect((await g.operation(theirs.operation.id)).state).toBe('succeeded');
    expect((await f.operation(mine.operation.id)).state).toBe('queued');
    expect(await f.patrons()).toEqual([]);
  });
});
