/**
 * The job model (SPEC §6: work is queued, workers share the queue): syncs and Daily Operations are jobs with typed payloads, run by
 * handlers that never throw. Two transports carry them — pg-boss on PostgreSQL, an in-process
 * queue on SQLite — behind one `JobQueue` interface, so the handlers do not know which.
 */
import type { Store } from '../store/store.ts';
import type { SyncDeps } from '../sync/ports.ts';
import type { AlertChannels } from './alerts-delivery.ts';

/** Every job Rollcall runs, by name, with its payload. */
export interface JobPayloads {
  /** A sync of one library (Sync Now, the CLI, Daily Operations, a retry). */
  sync: {
    libraryId: number;
    kind: 'full' | 'delta';
    dryRun: boolean;
    /** Who or what asked: a user name, `cli`, `schedule`, `retry`. */
    requestedBy: string;
    /** Set on the one retry of a sync whose worker stopped: the operation that failed. */
    retryOf?: number;
    /**
     * The queued operation this job runs (enqueueSync creates it, so Sync Now can show it at
     * once). Absent: the handler queues one itself, or returns the library's running one.
     */
    operationId?: number;
  };
  /** The fan-out: enqueue one sync per library whose Daily Operations time has come. */
  'daily-operations': { at: string };
  /** Look for operations whose worker stopped (no heartbeat), mark them failed, retry once. */
  'reap-stale': { at: string };
  /** Check every library for alerts (failed, needs review, stale) and send them. */
  alerts: { at: string };
  /** Look in every CSV library's watched folder and sync each new package once. */
  'csv-watch': { at: string };
  /** Queue each applied operation's notice for the library's webhook endpoints, send those due (with retries). */
  webhooks: { at: string };
}

/** A job name. */
export type JobName = keyof JobPayloads;

/** Every job name, at run time (the record makes the compiler insist on a new name here). */
const NAMES: Record<JobName, true> = {
  sync: true,
  'daily-operations': true,
  'reap-stale': true,
  alerts: true,
  'csv-watch': true,
  webhooks: true,
};

/** Every job name (pg-boss creates one queue per name). */
export const JOB_NAMES = Object.keys(NAMES) as JobName[];

/** What a handler reports. Handlers catch everything: an outcome, never an exception. */
/**
 * What a job did. `idle`: it found nothing to do — the jobs that run every minute say so, and
 * the worker writes no line for them (the handler decides, not a match on the detail's words,
 * which change with the wording).
 */
export type JobOutcome =
  | { ok: true; detail?: string; operationId?: number; idle?: boolean }
  | { ok: false; error: string; operationId?: number };

/** Runs one job. */
export type JobHandler<N extends JobName> = (payload: JobPayloads[N]) => Promise<JobOutcome>;

/** A handler per job name (a worker runs the names it has a handler for). */
export type JobHandlers = { [N in JobName]?: JobHandler<N> };

/** Options when sending a job. */
export interface SendOptions {
  /**
   * At most one *waiting* job with this key (pg-boss's `short` queue policy): a second send
   * while the first still waits for a worker is dropped and returns null. Once a worker has
   * taken the first, another may wait behind it (the next sync after the running one). Syncs
   * use `sync:<libraryId>` (see `syncKey`); that two syncs of a library never *run* at once is
   * the database's rule (one queued-or-running operation per library), not the queue's.
   */
  singletonKey?: string;
  /** Run no earlier than this. */
  startAfter?: Date;
}

/** A job as a queue reports it to `onOutcome`. */
export interface JobRecord<N extends JobName = JobName> {
  /** The queue's id for it. */
  id: string;
  /** Its name. */
  name: N;
  /** Its payload. */
  payload: JobPayloads[N];
}

/** Called after each job a queue ran, with what its handler reported (logs, tests). */
export type OutcomeListener = (job: JobRecord, outcome: JobOutcome) => void;

/** A queue: pg-boss on PostgreSQL, in-process on SQLite. */
export interface JobQueue {
  /** Enqueues a job; the job id, or null when a singleton with the same key is already there. */
  send<N extends JobName>(name: N, payload: JobPayloads[N], options?: SendOptions): Promise<string | null>;
  /** Starts working jobs with these handlers (a worker). */
  work(handlers: JobHandlers): Promise<void>;
  /** Stops taking jobs, waits for those running (up to the timeout), closes. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Whether a job of this name with this singleton key waits for a worker (sent, not yet
   * taken). The reaper asks it before deciding a queued operation's job was lost.
   */
  waiting?(name: JobName, singletonKey: string): Promise<boolean>;
  /** Which transport: `local` (in-process, SQLite) or `pg-boss` (PostgreSQL). */
  readonly transport?: 'local' | 'pg-boss';
}

/** What the handlers need. */
export interface JobDeps {
  /** The store. */
  store: Store;
  /** What a sync needs (the store, the clock, a roster reader per library). */
  syncDeps: SyncDeps;
  /** The queue (retries and re-sent jobs go back into it). */
  queue: JobQueue;
  /** A running operation with no heartbeat for this long (ms) is a stopped worker's. */
  staleAfterMs: number;
  /** Days a patron journal row is kept (default 400); the reaper prunes older ones. */
  journalRetentionDays?: number;
  /** Aborted when the worker stops: a sync still reading the roster ends, and is retried elsewhere. */
  signal?: AbortSignal;
  /**
   * The alert check's settings (config.alerts) and ROLLCALL_PUBLIC_URL (links in alerts); the
   * 'alerts' handler is registered only when given.
   */
  alerts?: { settings: AlertChannels & { staleHours: number }; publicUrl: string };
  /** ROLLCALL_PUBLIC_URL for the webhook notices' links (else the alerts' one, else none). */
  publicUrl?: string;
}
