/**
 * The PostgreSQL transport: pg-boss 10 (its tables in a schema of their own), shared by any
 * number of worker processes on any number of machines.
 *
 * Queue settings, and why:
 * - Policy `short` on every queue: at most one *waiting* job per singleton key (a job sent
 *   without one gets a key of its own, so it limits nothing). pg-boss's
 *   `singleton` and `stately` policies also cap *active* jobs per key, and a worker killed in
 *   mid-sync leaves its job active until it expires; pg-boss's fetch would then fail on the
 *   unique index and hold up every sync queued behind it. One sync per library at a time is
 *   the database's rule (operations_one_active), which holds whatever the queue does.
 * - `retryLimit: 0`: retries are Rollcall's (reap-stale.ts: once, as a new operation), never
 *   pg-boss's re-delivery of a job whose operation may have half-run.
 * - Handlers never throw, so a job always completes, with the outcome as its output.
 */
import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import { RollcallError, oneLine } from '../domain/errors.ts';
import { runHandler } from './outcome.ts';
import {
  JOB_NAMES,
  type JobHandler,
  type JobHandlers,
  type JobName,
  type JobPayloads,
  type JobQueue,
  type OutcomeListener,
  type SendOptions,
} from './types.ts';

/** pg-boss's own limit on a schema name. */
const MAX_SCHEMA_LENGTH = 50;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;
/** Connections per process for the queue (pg-boss polls; the store has its own pool). */
const POOL_MAX = 4;
/** How often an idle worker asks for a job. */
const DEFAULT_POLLING_SECONDS = 2;
/** How long stop() waits for running jobs unless told. */
const DEFAULT_STOP_TIMEOUT_MS = 30_000;
/**
 * How long a job may stay active before pg-boss gives up on it. A sync of a million students
 * takes minutes; pg-boss allows just under a day. A killed worker's job simply expires: the
 * reaper has long since failed its operation and retried it.
 */
const EXPIRE_SECONDS: Record<JobName, number> = {
  sync: 23 * 3600,
  'daily-operations': 3600,
  'reap-stale': 3600,
  alerts: 3600,
  // A watch pass syncs each new package, one after the other.
  'csv-watch': 23 * 3600,
  // At most 200 attempts of 10 s each.
  webhooks: 3600,
};

/** How to open the pg-boss queue. */
export interface PgBossQueueOptions {
  /** The PostgreSQL URL (the store's). */
  url: string;
  /** The schema for pg-boss's tables (created when missing). */
  schema: string;
  /** How often an idle worker polls, in seconds (at least 0.5; default 2). */
  pollingSeconds?: number;
  /** Told of every job run here and its outcome. */
  onOutcome?: OutcomeListener;
  /** Told of pg-boss's own errors (a dropped connection, a failed maintenance run). */
  onError?: (message: string) => void;
}

/** A started pg-boss queue, with its queues created. */
export async function openPgBossQueue(options: PgBossQueueOptions): Promise<PgBossQueue> {
  const schema = checkJobsSchema(options.schema);
  const boss = new PgBoss({
    connectionString: options.url,
    schema,
    max: POOL_MAX,
    application_name: 'rollcall-jobs',
    // Daily Operations keeps its own calendar (croner, per library time zone).
    schedule: false,
  });
  // Unhandled, an 'error' event would end the process; pg-boss goes on after reporting it.
  boss.on('error', (e) => options.onError?.(e.message));
  try {
    await boss.start();
    await createQueues(boss);
  } catch (e) {
    await boss.stop({ graceful: false }).catch(() => {});
    throw new RollcallError('store_failed', `The job queue could not start on PostgreSQL (schema ${schema}): ${oneLine(e)}`, { cause: e });
  }
  return new PgBossQueue(boss, schema, options);
}

/** Attempts at creating the queues when PostgreSQL picks us as a deadlock's victim. */
const CREATE_ATTEMPTS = 5;

/**
 * Creates the queues that do not exist yet. Workers starting together on a new database all
 * try: pg-boss's create_queue attaches a partition to its job table, and two of those at once
 * (or one beside another worker's maintenance) can deadlock; PostgreSQL then fails one of them,
 * which tries again and finds the queue made.
 */
async function createQueues(boss: PgBoss): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = new Set((await boss.getQueues()).map((q) => q.name));
      for (const name of JOB_NAMES.filter((n) => !existing.has(n))) {
        await boss.createQueue(name, { name, policy: 'short', retryLimit: 0, expireInSeconds: EXPIRE_SECONDS[name] });
      }
      return;
    } catch (e) {
      if ((e as { code?: unknown }).code !== DEADLOCK || attempt >= CREATE_ATTEMPTS) throw e;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200 * attempt));
    }
  }
}

/** PostgreSQL's deadlock_detected. */
const DEADLOCK = '40P01';

/** The schema name, checked (pg-boss puts it in SQL unquoted). */
export function checkJobsSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema) || schema.length > MAX_SCHEMA_LENGTH) {
    throw new RollcallError(
      'config_invalid',
      `The job queue's schema name "${schema}" must be lower-case letters, digits and _ (at most ${MAX_SCHEMA_LENGTH}); set ROLLCALL_JOBS_SCHEMA.`,
    );
  }
  return schema;
}

/** The pg-boss queue (see the module comment). */
export class PgBossQueue implements JobQueue {
  /** The transport. */
  readonly transport = 'pg-boss' as const;

  constructor(
    private readonly boss: PgBoss,
    /** The schema of pg-boss's tables. */
    readonly schema: string,
    private readonly options: PgBossQueueOptions,
  ) {}

  /** Enqueues a job; null when a job with the same singleton key is waiting. */
  async send<N extends JobName>(name: N, payload: JobPayloads[N], options: SendOptions = {}): Promise<string | null> {
    return this.boss.send(name, payload, {
      // Under `short`, a job without a key counts as key '': one such job would hold up the
      // next. A key of its own leaves a keyless job unlimited, as the contract says.
      singletonKey: options.singletonKey ?? `once:${randomUUID()}`,
      ...(options.startAfter === undefined ? {} : { startAfter: options.startAfter }),
    });
  }

  /** Starts one pg-boss worker per handler's job name: one job of each name at a time here. */
  async work(handlers: JobHandlers): Promise<void> {
    const pollingIntervalSeconds = this.options.pollingSeconds ?? DEFAULT_POLLING_SECONDS;
    for (const name of Object.keys(handlers) as JobName[]) {
      const handler = handlers[name] as JobHandler<JobName>;
      // pg-boss 10 hands a worker an array of jobs (one, with batchSize 1).
      await this.boss.work<JobPayloads[JobName]>(name, { batchSize: 1, pollingIntervalSeconds }, async (jobs) => {
        let last: Awaited<ReturnType<typeof runHandler>> | undefined;
        for (const job of jobs) {
          last = await runHandler(handler, job.data);
          try {
            this.options.onOutcome?.({ id: job.id, name, payload: job.data }, last);
          } catch {
            // A listener's failure is not the job's.
          }
        }
        return last;
      });
    }
  }

  /** Whether a job of this name and key waits for a worker (created or due for retry). */
  async waiting(name: JobName, singletonKey: string): Promise<boolean> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(`select 1 from ${this.schema}.job where name = $1 and singleton_key = $2 and state in ('created', 'retry') limit 1`, [
        name,
        singletonKey,
      ]);
    return rows.length > 0;
  }

  /** Stops fetching, waits for running jobs (up to the timeout), closes pg-boss's connections. */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, close: true, timeout: options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS });
  }
}
