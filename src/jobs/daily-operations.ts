/**
 * Daily Operations (SPEC §3.6, §3.7): the 'daily-operations' fan-out job and the scheduler that sends it.
 *
 * The fan-out looks at every library's schedule (schedule.ts decides what is due); for each
 * library due it claims the slot in the store (compare-and-set: of several workers handling the
 * same minute exactly one wins) and queues one sync requested by `schedule` through
 * enqueueSync — the queued operation first (shown at once, one per library), then its job,
 * singleton `sync:<libraryId>`. A sync of the library already queued or running stands for
 * the run. A library whose integration is not enabled has its slot recorded as skipped and
 * nothing queued. If the sync cannot be queued, the claim is undone so the next minute tries
 * again.
 *
 * The scheduler sends the fan-out (and the alert check) once at start — the missed runs of a
 * server that was down — and then every minute, on croner's `* * * * *`.
 */
import { Cron } from 'croner';
import { enabledIntegration } from '../sources/registry.ts';
import { oneLine } from '../domain/errors.ts';
import type { ScheduleRecord, Store } from '../store/store.ts';
import { enqueueSync } from './enqueue.ts';
import { dueRun, type RunKind } from '../domain/schedule.ts';
import type { JobHandler, JobQueue } from './types.ts';
import { countOf } from '../domain/words.ts';

/** What the fan-out needs. */
export interface DailyOperationsDeps {
  /** The store. */
  store: Store;
  /** Where the syncs go. */
  queue: JobQueue;
  /** The clock. */
  now: () => Date;
}

/** What the fan-out did for one library it found due. */
export interface FanOutEntry {
  /** The library. */
  libraryId: number;
  /** The slot handled (ISO 8601 UTC). */
  slot: string;
  /** What was due. */
  kind: RunKind;
  /**
   * `enqueued` (a sync was queued), `already-active` (a sync of the library was already queued
   * or running: it stands for this run), `skipped` (no integration enabled), `taken` (another
   * worker claimed the slot first), or `failed` (see `error`; the slot will be tried again).
   */
  result: 'enqueued' | 'already-active' | 'skipped' | 'taken' | 'failed';
  /** The operation queued, or the one already queued or running. */
  operationId?: number;
  /** Slots this run stands for (more than 1 after the server was down). */
  missed: number;
  /** The failure in one line. */
  error?: string;
}

/** Runs the fan-out once, at `deps.now()`: one sync per library due. Never throws for one library. */
export async function runDailyOperations(deps: DailyOperationsDeps): Promise<FanOutEntry[]> {
  const now = deps.now();
  const entries: FanOutEntry[] = [];
  for (const schedule of await deps.store.schedules.listAll()) {
    let entry: FanOutEntry | undefined;
    try {
      entry = await handleLibrary(deps, schedule, now);
    } catch (e) {
      entry = { libraryId: schedule.libraryId, slot: '', kind: 'delta', result: 'failed', missed: 0, error: oneLine(e) };
    }
    if (entry) entries.push(entry);
  }
  return entries;
}

async function handleLibrary(deps: DailyOperationsDeps, schedule: ScheduleRecord, now: Date): Promise<FanOutEntry | undefined> {
  const due = dueRun(
    schedule,
    { lastRunAt: schedule.lastRunAt === null ? null : new Date(schedule.lastRunAt), since: new Date(schedule.changedAt) },
    now,
  );
  if (due.kind === 'none') return undefined;
  const { libraryId } = schedule;
  const slot = due.slot.toISOString();
  const base = { libraryId, slot, kind: due.kind, missed: due.missed };
  const caughtUp = due.missed > 1 ? `caught up: ${due.missed} scheduled runs were missed; this one run stands for them` : '';

  const enabled = await enabledIntegration(deps.store, libraryId);
  if (!enabled) {
    const claimed = await deps.store.schedules.claim(libraryId, { slot, kind: 'skipped', note: 'no integration is enabled' });
    return { ...base, result: claimed ? 'skipped' : 'taken' };
  }
  // A CSV library has no roster to read at 02:00: its packages are synced as they arrive in
  // the watched folder (the 'csv-watch' job, every minute).
  if (enabled === 'csv') {
    const claimed = await deps.store.schedules.claim(libraryId, {
      slot,
      kind: 'skipped',
      note: 'OneRoster CSV packages are synced as they arrive in the watched folder',
    });
    return { ...base, result: claimed ? 'skipped' : 'taken' };
  }

  if (!(await deps.store.schedules.claim(libraryId, { slot, kind: due.kind, note: caughtUp }))) return { ...base, result: 'taken' };
  try {
    const queued = await enqueueSync(deps.queue, deps.store, libraryId, { kind: due.kind, dryRun: false, requestedBy: 'schedule' });
    return { ...base, result: queued.alreadyActive ? 'already-active' : 'enqueued', operationId: queued.operation.id };
  } catch (e) {
    const error = oneLine(e);
    await deps.store.schedules.release(libraryId, slot, schedule.lastRunAt, `the sync could not be queued: ${error}`);
    return { ...base, result: 'failed', error };
  }
}

/** The 'daily-operations' job handler: an outcome, never an exception. */
export function dailyOperationsHandler(deps: DailyOperationsDeps): JobHandler<'daily-operations'> {
  return async () => {
    try {
      const entries = await runDailyOperations(deps);
      const enqueued = entries.filter((e) => e.result === 'enqueued');
      const detail =
        entries.length === 0 ? 'no library due' : entries.map((e) => `library ${e.libraryId}: ${e.kind} ${e.result}`).join('; ');
      const failed = entries.filter((e) => e.result === 'failed');
      if (failed.length > 0) return { ok: false, error: failed.map((e) => `library ${e.libraryId}: ${e.error}`).join('; ') };
      return { ok: true, detail: `${countOf(enqueued.length, 'sync')} enqueued; ${detail}`, idle: entries.length === 0 };
    } catch (e) {
      return { ok: false, error: oneLine(e) };
    }
  };
}

/** A running scheduler. */
export interface Scheduler {
  /** Resolves once the start-up jobs were sent (or failed and were reported). */
  readonly started: Promise<void>;
  /** Stops sending. */
  stop(): void;
}

/** How the scheduler runs. */
export interface SchedulerOptions {
  /** The clock (for the jobs' `at`). */
  now?: () => Date;
  /** Told when a send fails (one line); the scheduler goes on. */
  onError?: (message: string) => void;
  /** Also send the alert check each minute (default true). */
  alerts?: boolean;
}

/** Cron pattern of the scheduler's tick: every minute. */
export const SCHEDULER_PATTERN = '* * * * *';

/**
 * Sends the fan-out (and the alert check) now and then every minute. Several processes may run
 * a scheduler against one queue: the singleton keys keep one of each job waiting, and the
 * store's claims keep each slot to one sync.
 */
export function startScheduler(queue: Pick<JobQueue, 'send'>, options: SchedulerOptions = {}): Scheduler {
  const now = options.now ?? (() => new Date());
  const report = options.onError ?? (() => {});
  const tick = async () => {
    const at = now().toISOString();
    const sends: Promise<unknown>[] = [
      queue.send('daily-operations', { at }, { singletonKey: 'daily-operations' }),
      queue.send('csv-watch', { at }, { singletonKey: 'csv-watch' }),
      queue.send('webhooks', { at }, { singletonKey: 'webhooks' }),
    ];
    if (options.alerts !== false) sends.push(queue.send('alerts', { at }, { singletonKey: 'alerts' }));
    for (const r of await Promise.allSettled(sends)) {
      if (r.status === 'rejected') report(`The scheduler could not queue its job: ${oneLine(r.reason)}`);
    }
  };
  const started = tick();
  // protect: a tick still sending (a slow queue) is not overlapped by the next.
  const cron = new Cron(SCHEDULER_PATTERN, { protect: true }, tick);
  return {
    started,
    stop: () => cron.stop(),
  };
}
