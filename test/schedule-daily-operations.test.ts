import { expect, it } from 'vitest';
import { dailyOperationsHandler, runDailyOperations, startScheduler } from '../src/jobs/daily-operations.ts';
import { LocalQueue } from '../src/jobs/local-queue.ts';
import type { JobName, JobPayloads, JobQueue, SendOptions } from '../src/jobs/types.ts';
import type { Store } from '../src/store/store.ts';
import { describeEachDatabase, type DatabaseTestContext } from './support/db.ts';

/** A clock the test moves by hand. */
function fakeClock(start: string) {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    set: (iso: string) => {
      t = Date.parse(iso);
    },
  };
}

/** The in-process queue (src/jobs/local-queue.ts), with every send recorded (its singleton rules apply). */
function recordingQueue() {
  const local = new LocalQueue();
  const sent: { name: JobName; payload: unknown; options: SendOptions | undefined; id: string | null }[] = [];
  const queue: JobQueue = {
    async send<N extends JobName>(name: N, payload: JobPayloads[N], options?: SendOptions) {
      const id = await local.send(name, payload, options);
      sent.push({ name, payload, options, id });
      return id;
    },
    work: (handlers) => local.work(handlers),
    stop: (options) => local.stop(options),
  };
  return {
    local,
    queue,
    sent,
    syncs: () => sent.filter((s) => s.name === 'sync' && s.id !== null).map((s) => s.payload as JobPayloads['sync']),
  };
}

/** A library made on the fake clock, with ClassLink enabled unless told, in a time zone. */
/**
 * Two stores whose `schedules.listAll` each wait until both have listed: two workers fanning out
 * "at once" then race on the claim itself, which is what the rule is about.
 */
function bothListed(a: Store, b: Store): [Store, Store] {
  let release!: () => void;
  const listed = new Promise<void>((resolve) => {
    release = resolve;
  });
  let waiting = 2;
  const gated = (store: Store): Store => {
    const schedules = Object.create(store.schedules) as Store['schedules'];
    schedules.listAll = async () => {
      const all = await store.schedules.listAll();
      if (--waiting === 0) release();
      await listed;
      return all;
    };
    return Object.assign(Object.create(store) as Store, { schedules });
  };
  return [gated(a), gated(b)];
}

async function library(store: Store, code: string, timezone: string, options: { integration?: boolean; time?: string } = {}) {
  const lib = await store.libraries.ensure(`${code}_${Math.random().toString(36).slice(2, 8)}`, code);
  await store.schedules.save(lib.id, { timezone, ...(options.time ? { time: options.time } : {}) });
  if (options.integration !== false) await store.integrations.save(lib.id, 'classlink', { enabled: true, settings: {} });
  return lib;
}

async function clockStore(db: DatabaseTestContext, clock: { now: () => Date }): Promise<Store> {
  return db.open({ now: clock.now });
}

describeEachDatabase(
  'schedule: Daily Operations fan-out',
  (db) => {
    it('enqueues exactly one sync per due library, even with two workers fanning out at once', async () => {
      const clock = fakeClock('2026-03-01T12:00:00Z');
      const store = await clockStore(db, clock);
      const worker2 = await clockStore(db, clock);
      const ny = await library(store, 'ny', 'America/New_York');
      const london = await library(store, 'london', 'Europe/London');
      const disabled = await library(store, 'disabled', 'UTC', { integration: false });
      const off = await library(store, 'off', 'UTC');
      await store.schedules.save(off.id, { enabled: false });
      const later = await library(store, 'later', 'UTC', { time: '09:00' });
      const { queue, sent, syncs } = recordingQueue();

      clock.set('2026-03-02T08:00:00Z'); // Monday: New York's 02:00 was 07:00Z, London's 02:00Z; 09:00 UTC not yet
      // Both workers read the schedules before either claims (else the slower one would find NY
      // already run, not "taken", depending on how the two interleave on a loaded machine).
      const [first, second] = bothListed(store, worker2);
      const [a, b] = await Promise.all([
        runDailyOperations({ store: first, queue, now: clock.now }),
        runDailyOperations({ store: second, queue, now: clock.now }),
      ]);
      expect(syncs()).toHaveLength(2);
      expect(syncs()).toEqual(
        expect.arrayContaining([
          { libraryId: ny.id, kind: 'delta', dryRun: false, requestedBy: 'schedule', operationId: expect.any(Number) },
          { libraryId: london.id, kind: 'delta', dryRun: false, requestedBy: 'schedule', operationId: expect.any(Number) },
        ]),
      );
      for (const s of sent) expect(s.options).toEqual({ singletonKey: `sync:${(s.payload as { libraryId: number }).libraryId}` });
      const results = [...a!, ...b!];
      expect(
        results
          .filter((e) => e.libraryId === ny.id)
          .map((e) => e.result)
          .sort(),
      ).toEqual(['enqueued', 'taken']);
      expect(results.find((e) => e.libraryId === ny.id && e.result === 'enqueued')!.slot).toBe('2026-03-02T07:00:00.000Z');
      expect(results.find((e) => e.libraryId === london.id && e.result === 'enqueued')!.slot).toBe('2026-03-02T02:00:00.000Z');
      expect(results.some((e) => e.libraryId === off.id || e.libraryId === later.id)).toBe(false);
      // The queued operation is there at once, as Sync Now's is.
      expect(await store.operations.list(ny.id)).toMatchObject([
        { state: 'queued', type: 'classlink_delta_sync', requestedBy: 'schedule' },
      ]);
      expect(await store.schedules.get(disabled.id)).toMatchObject({
        lastRunAt: '2026-03-02T02:00:00.000Z',
        lastRunKind: 'skipped',
        lastRunNote: 'no integration is enabled',
      });

      // Every minute after: nothing more that day.
      clock.set('2026-03-02T08:01:00Z');
      await runDailyOperations({ store, queue, now: clock.now });
      expect(syncs()).toHaveLength(2);

      // 09:00 UTC comes for `later`; and the next day, one more each.
      clock.set('2026-03-02T09:00:00Z');
      await runDailyOperations({ store, queue, now: clock.now });
      expect(syncs().map((s) => s.libraryId)).toEqual(expect.arrayContaining([later.id]));
      expect(syncs()).toHaveLength(3);
    });

    it('runs a missed run once at start-up (down three days → one run), through the scheduler and the local queue', async () => {
      const clock = fakeClock('2026-03-01T12:00:00Z');
      const store = await clockStore(db, clock);
      const lib = await library(store, 'missed', 'America/New_York');
      // Monday 02:00 EDT ran; the server then stopped until Thursday afternoon.
      expect(await store.schedules.claim(lib.id, { slot: '2026-03-09T06:00:00.000Z', kind: 'delta', note: '' })).toBe(true);
      clock.set('2026-03-12T15:00:00Z');

      const outcomes: string[] = [];
      const local = new LocalQueue({ onOutcome: (job, outcome) => outcomes.push(`${job.name}:${outcome.ok}`) });
      await local.work({ 'daily-operations': dailyOperationsHandler({ store, queue: local, now: clock.now }) });
      const scheduler = startScheduler(local, { now: clock.now, alerts: false });
      try {
        await scheduler.started;
        await local.whenIdle();
      } finally {
        scheduler.stop();
      }
      expect(outcomes).toEqual(['daily-operations:true']);
      const waiting = local.waitingJobs().filter((j) => j.name === 'sync');
      expect(waiting.map((j) => j.payload)).toEqual([
        { libraryId: lib.id, kind: 'delta', dryRun: false, requestedBy: 'schedule', operationId: expect.any(Number) },
      ]);
      const schedule = await store.schedules.get(lib.id);
      expect(schedule).toMatchObject({ lastRunAt: '2026-03-12T06:00:00.000Z', lastRunKind: 'delta' });
      expect(schedule!.lastRunNote).toContain('3 scheduled runs were missed');

      // A second start (another worker, a restart) finds nothing due.
      const again = await runDailyOperations({ store, queue: local, now: clock.now });
      expect(again.filter((e) => e.libraryId === lib.id)).toEqual([]);
      expect(local.waitingJobs().filter((j) => j.name === 'sync')).toHaveLength(1);
      await local.stop();
    });

    it('gives the slot back when the queue refuses the sync, and counts a sync already queued as the run', async () => {
      const clock = fakeClock('2026-03-01T12:00:00Z');
      const store = await clockStore(db, clock);
      const lib = await library(store, 'refused', 'UTC');
      clock.set('2026-03-02T02:05:00Z');

      const broken: JobQueue = {
        send: async () => {
          throw new Error('queue is down');
        },
        work: async () => {},
        stop: async () => {},
      };
      const failed = await dailyOperationsHandler({ store, queue: broken, now: clock.now })({ at: clock.now().toISOString() });
      expect(failed).toEqual({ ok: false, error: `library ${lib.id}: queue is down` });
      expect(await store.schedules.get(lib.id)).toMatchObject({
        lastRunAt: null,
        lastRunNote: 'the sync could not be queued: queue is down',
      });
      // The operation it had queued ended failed (an alert will say so), so it holds nothing.
      expect(await store.operations.list(lib.id)).toMatchObject([
        { state: 'failed', error: 'The sync could not be queued: queue is down' },
      ]);

      // A sync of the library is already queued (Sync Now): it stands for the run; the slot is done.
      const { local, queue, syncs } = recordingQueue();
      const manual = await store.operations.create(lib.id, { type: 'classlink_full_sync', source: 'classlink', requestedBy: 'admin' });
      clock.set('2026-03-02T02:06:00Z');
      const entries = await runDailyOperations({ store, queue, now: clock.now });
      expect(entries.find((e) => e.libraryId === lib.id)).toMatchObject({
        result: 'already-active',
        operationId: manual.operation.id,
        slot: '2026-03-02T02:00:00.000Z',
      });
      expect(syncs()).toEqual([]);
      expect(await runDailyOperations({ store, queue, now: clock.now })).toEqual([]);
      await local.stop();
    });

    it('keeps settings per library, moves the time zone with them, and never fires a changed schedule at once', async () => {
      const clock = fakeClock('2026-03-01T12:00:00Z');
      const store = await clockStore(db, clock);
      const lib = await store.libraries.ensure(`settings_${Date.now()}`, 'Settings');
      const other = await store.libraries.ensure(`other_${Date.now()}`, 'Other');
      // No row yet: the defaults, from the library's creation.
      expect(await store.schedules.get(lib.id)).toEqual({
        libraryId: lib.id,
        enabled: true,
        time: '02:00',
        fullSyncDay: 0,
        timezone: 'UTC',
        timezoneConfirmed: false,
        revision: 0,
        lastRunAt: null,
        lastRunKind: '',
        lastRunNote: '',
        changedAt: '2026-03-01T12:00:00.000Z',
      });
      clock.set('2026-03-03T10:00:00Z');
      await store.schedules.save(lib.id, { time: '09:30', fullSyncDay: 3, timezone: 'America/Chicago' });
      expect(await store.schedules.get(lib.id)).toMatchObject({
        time: '09:30',
        fullSyncDay: 3,
        timezone: 'America/Chicago',
        timezoneConfirmed: true,
        revision: 1,
        changedAt: '2026-03-03T10:00:00.000Z',
      });
      expect((await store.libraries.get(lib.id))!.timezone).toBe('America/Chicago');
      expect(await store.schedules.get(other.id)).toMatchObject({ time: '02:00', timezone: 'UTC' });

      // 02:00 UTC today passed before the change: it is not a missed run of the new schedule.
      await store.integrations.save(lib.id, 'classlink', { enabled: true, settings: {} });
      const { queue, syncs } = recordingQueue();
      await runDailyOperations({ store, queue, now: clock.now });
      expect(syncs()).toEqual([]);
      clock.set('2026-03-04T15:30:00Z'); // Wednesday 09:30 CST: the weekly full
      await runDailyOperations({ store, queue, now: clock.now });
      expect(syncs()).toEqual([
        { libraryId: lib.id, kind: 'full', dryRun: false, requestedBy: 'schedule', operationId: expect.any(Number) },
      ]);
    });
  },
  { isolation: 'test' },
);

it('the scheduler sends the fan-out and the alert check at start, each a singleton, and stops', async () => {
  const sent: [string, SendOptions | undefined][] = [];
  const queue: Pick<JobQueue, 'send'> = {
    send: async (name, _payload, options) => {
      sent.push([name, options]);
      return 'id';
    },
  };
  const scheduler = startScheduler(queue, { now: () => new Date('2026-03-01T00:00:00Z') });
  await scheduler.started;
  scheduler.stop();
  expect(sent).toEqual([
    ['daily-operations', { singletonKey: 'daily-operations' }],
    ['csv-watch', { singletonKey: 'csv-watch' }],
    ['webhooks', { singletonKey: 'webhooks' }],
    ['alerts', { singletonKey: 'alerts' }],
  ]);
});
