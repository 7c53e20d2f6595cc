/**
 * Picks the job transport by the store's engine: the in-process queue on SQLite (one process
 * does everything), pg-boss on PostgreSQL (any number of workers on any number of machines).
 */
import type { Config } from '../config/load.ts';
import type { Store } from '../store/store.ts';
import { parseDatabaseUrl } from '../store/url.ts';
import { LocalQueue } from './local-queue.ts';
import { openPgBossQueue } from './pgboss-queue.ts';
import type { JobQueue, OutcomeListener } from './types.ts';

/** Options of openQueue. */
export interface OpenQueueOptions {
  /** Told of every job this process runs and its outcome. */
  onOutcome?: OutcomeListener;
  /** Told of the transport's own errors (pg-boss: a dropped connection). */
  onError?: (message: string) => void;
  /** PostgreSQL: how often an idle worker polls, in seconds (default 2). */
  pollingSeconds?: number;
}

/**
 * The in-process queue of each SQLite store: the web server's Sync Now and the worker in the
 * same process must share one, or jobs would be sent where no worker looks.
 */
const localQueues = new WeakMap<Store, LocalQueue>();

/**
 * The job queue for this store. On SQLite, the one in-process queue of the store (created on
 * first use; a stopped one is replaced); on PostgreSQL, a new pg-boss client in the schema
 * `jobsSchema(config)`. Stop it when done.
 */
export async function openQueue(config: Config, store: Store, options: OpenQueueOptions = {}): Promise<JobQueue> {
  if (store.dialect === 'sqlite') {
    const existing = localQueues.get(store);
    if (existing && !existing.isStopped) return existing;
    const queue = new LocalQueue(options.onOutcome ? { onOutcome: options.onOutcome } : {});
    localQueues.set(store, queue);
    return queue;
  }
  return openPgBossQueue({
    url: config.database.url,
    schema: jobsSchema(config),
    ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.pollingSeconds === undefined ? {} : { pollingSeconds: options.pollingSeconds }),
  });
}

/**
 * Where pg-boss keeps its tables: ROLLCALL_JOBS_SCHEMA, else `<store schema>_jobs` when the
 * database URL names a schema (`?options=-c search_path=…`), else `rollcall_jobs`. Apart from
 * Rollcall's own tables, so a migration of one never meets the other's.
 */
export function jobsSchema(config: Pick<Config, 'database' | 'jobs'>): string {
  if (config.jobs.schema) return config.jobs.schema;
  const location = parseDatabaseUrl(config.database.url);
  return location.kind === 'postgres' && location.schema ? `${location.schema}_jobs` : 'rollcall_jobs';
}
