/**
 * A worker: runs every library's jobs from the queue until stopped. `rollcall worker` runs one
 * on its own; `rollcall serve` runs one in the same process as the web server (the default).
 *
 *     const worker = await startWorker(app, { log: (line) => console.error(line) });
 *     …
 *     await worker.stop(); // stops taking jobs; a sync still reading the roster ends and is retried
 *
 * Besides the jobs it is sent, a worker sends itself the reaper (`reap-stale`) at start and then
 * every `reapEveryMs`, so a stopped worker's sync is found within the stale-after time plus one
 * period, whichever workers are alive. Daily Operations' scheduler (the fan-out and the alert
 * check, every minute) starts here too.
 */
import type { Config } from '../config/load.ts';
import type { Store } from '../store/store.ts';
import type { SyncDeps } from '../sync/ports.ts';
import { startScheduler } from './daily-operations.ts';
import { jobHandlers } from './handlers.ts';
import type { JobDeps } from './types.ts';
import { openQueue } from './open-queue.ts';
import { outcomeLine } from './outcome.ts';
import type { JobHandlers, JobQueue, JobRecord } from './types.ts';

/** Bounds of the reaper's period (a quarter of the stale-after time, within these). */
const MIN_REAP_EVERY_MS = 1000;
const MAX_REAP_EVERY_MS = 60_000;
/** How long stop() waits for running jobs (an apply in progress) unless told. */
const DEFAULT_STOP_TIMEOUT_MS = 30_000;
/** The reason a sync cut short by a stopping worker fails with (and is retried for). */
const STOPPING = 'worker stopped: it was told to stop while the sync read the roster; nothing was applied';

/** Options of startWorker. */
export interface WorkerOptions {
  /** The queue to work (default: openQueue for the app's store; pass the web server's to share it). */
  queue?: JobQueue;
  /** Where the worker's lines go (one per job run, and its errors); default nowhere. */
  log?: (line: string) => void;
  /** Handlers added to (or replacing) the built-in ones: Daily Operations and alerts. */
  handlers?: JobHandlers;
  /** How often the reaper is sent (default: a quarter of the stale-after time, 1 s … 60 s). */
  reapEveryMs?: number;
  /** PostgreSQL: how often an idle worker polls, in seconds (default 2). */
  pollingSeconds?: number;
  /** How long stop() waits for running jobs (default 30 s). */
  stopTimeoutMs?: number;
  /** Run Daily Operations' scheduler and the alert check here (default true). */
  scheduler?: boolean;
}

/** A running worker. */
export interface RunningWorker {
  /** The queue it works (send Sync Now's jobs here). */
  queue: JobQueue;
  /** Stops: no new job, a sync still reading the roster ends (and is retried once), then the queue closes. */
  stop(): Promise<void>;
}

/** What a worker needs of the open app (an App has it): the configuration, the store, a sync's dependencies. */
export interface WorkerApp {
  /** The configuration. */
  config: Config;
  /** The open store. */
  store: Store;
  /** What a sync needs. */
  syncDeps: SyncDeps;
}

/** Starts a worker for every library of the app's store (see the module comment). */
export async function startWorker(app: WorkerApp, options: WorkerOptions = {}): Promise<RunningWorker> {
  const log = options.log ?? (() => {});
  const now = app.syncDeps.now;
  const queue =
    options.queue ??
    (await openQueue(app.config, app.store, {
      onOutcome: (job, outcome) => {
        // The reaper, Daily Operations, the alert check, webhooks and the folder watch run every
        // minute: a run that found nothing to do writes no line.
        if (outcome.ok && outcome.idle) return;
        log(`${now().toISOString()} ${jobLabel(job)}: ${outcomeLine(outcome)}`);
      },
      onError: (message) => log(`${now().toISOString()} job queue error: ${message}`),
      ...(options.pollingSeconds === undefined ? {} : { pollingSeconds: options.pollingSeconds }),
    }));
  const stopping = new AbortController();
  const staleAfterMs = app.config.jobs.staleAfterMs;
  const deps: JobDeps = {
    store: app.store,
    syncDeps: app.syncDeps,
    queue,
    staleAfterMs,
    journalRetentionDays: app.config.jobs.journalRetentionDays,
    signal: stopping.signal,
    alerts: { settings: app.config.alerts, publicUrl: app.config.web.publicUrl },
    publicUrl: app.config.web.publicUrl,
  };
  await queue.work({ ...jobHandlers(deps), ...options.handlers });
  // Daily Operations' fan-out and the alert check, sent now (a missed run runs at start-up)
  // and every minute; with several workers the singleton keys and the store's claims keep
  // each run to one sync.
  const scheduler =
    options.scheduler === false ? undefined : startScheduler(queue, { now, onError: (m) => log(`${now().toISOString()} ${m}`) });

  const reap = async () => {
    try {
      await queue.send('reap-stale', { at: now().toISOString() }, { singletonKey: 'reap-stale' });
    } catch (e) {
      log(`${now().toISOString()} could not queue the reaper: ${(e as Error).message}`);
    }
  };
  // At once: syncs a stopped process left behind are put right as soon as they are stale.
  await reap();
  const reapEvery = options.reapEveryMs ?? Math.min(MAX_REAP_EVERY_MS, Math.max(MIN_REAP_EVERY_MS, staleAfterMs / 4));
  // Not unref'd: this timer is what keeps a worker process alive between jobs.
  const timer = setInterval(() => void reap(), reapEvery);

  let stopped: Promise<void> | undefined;
  return {
    queue,
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        scheduler?.stop();
        stopping.abort(new Error(STOPPING));
        await queue.stop({ timeoutMs: options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS });
      })();
      return stopped;
    },
  };
}

/** `sync of library 3` / `reap-stale`, for the worker's lines. */
function jobLabel(job: JobRecord): string {
  if (job.name === 'sync') {
    const p = job.payload as JobRecord<'sync'>['payload'];
    return `sync of library ${p.libraryId}${p.retryOf === undefined ? '' : ` (retry of operation ${p.retryOf})`}`;
  }
  return job.name;
}
