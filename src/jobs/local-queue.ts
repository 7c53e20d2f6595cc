/**
 * The in-process queue (SQLite): the same contract as pg-boss — singleton keys, startAfter,
 * handlers that cannot crash the worker — held in this process's memory.
 *
 * Jobs survive NOTHING across a restart: a job waiting here when the process stops is gone.
 * That is acceptable because nothing depends on it alone. A sync's operation is stored before
 * its job is sent, and the reaper (reap-stale.ts) finds a queued operation whose job is gone
 * (or a running one whose process died) and queues it again or fails it and retries; Daily
 * Operations catches up a missed run at start-up. One worker runs one job of each name at a time,
 * so a long sync never holds up the reaper.
 */
import { runHandler } from './outcome.ts';
import type { JobHandler, JobHandlers, JobName, JobPayloads, JobQueue, JobRecord, OutcomeListener, SendOptions } from './types.ts';

/** How long stop() waits for running jobs unless told. */
const DEFAULT_STOP_TIMEOUT_MS = 30_000;

/** Options of the in-process queue. */
export interface LocalQueueOptions {
  /** Told of every job run and its outcome. */
  onOutcome?: OutcomeListener;
}

interface Entry extends JobRecord {
  /** Singleton key, if any. */
  key: string | undefined;
  /** Not before this (epoch ms; 0 = now). */
  notBefore: number;
}

/** A queue in this process's memory (see the module comment). */
export class LocalQueue implements JobQueue {
  /** The transport. */
  readonly transport = 'local' as const;
  private pending: Entry[] = [];
  private readonly running = new Map<JobName, Promise<void>>();
  private handlers: JobHandlers = {};
  private working = false;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastId = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: LocalQueueOptions = {}) {}

  /** Enqueues a job (see JobQueue.send); null when a job with its singleton key is waiting. */
  async send<N extends JobName>(name: N, payload: JobPayloads[N], options: SendOptions = {}): Promise<string | null> {
    const key = options.singletonKey;
    if (key !== undefined && this.pending.some((j) => j.name === name && j.key === key)) return null;
    const entry: Entry = { id: `local-${++this.lastId}`, name, payload, key, notBefore: options.startAfter?.getTime() ?? 0 };
    this.pending.push(entry);
    this.pump();
    return entry.id;
  }

  /** Starts running jobs of the names these handlers are for (adds to earlier ones). */
  async work(handlers: JobHandlers): Promise<void> {
    this.handlers = { ...this.handlers, ...handlers };
    this.working = true;
    this.pump();
  }

  /** Whether a job of this name and key waits (sent, not started). */
  async waiting(name: JobName, singletonKey: string): Promise<boolean> {
    return this.pending.some((j) => j.name === name && j.key === singletonKey);
  }

  /**
   * Stops: no job starts any more, waiting jobs are dropped (they survive nothing), and the
   * running ones are waited for up to the timeout.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    this.stopped = true;
    this.pending = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let timeout: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(this.running.values()),
      new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timeout);
    this.resolveIdle();
  }

  /** Whether stop() was called (a stopped queue runs nothing more). */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Resolves once no job runs and no waiting job with a handler is due (tests; shutdown). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  /** Jobs waiting (sent, not started), oldest first. */
  waitingJobs(): JobRecord[] {
    return this.pending.map(({ id, name, payload }) => ({ id, name, payload }));
  }

  /** Starts every due job whose name has a handler and no job running, and arms the timer for the next. */
  private pump(): void {
    if (!this.working || this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    for (const name of Object.keys(this.handlers) as JobName[]) {
      if (this.running.has(name)) continue;
      const due = this.pending.find((j) => j.name === name && j.notBefore <= now);
      if (due) this.start(due);
    }
    let next = Infinity;
    for (const j of this.pending) {
      if (j.notBefore > now && this.handlers[j.name] && !this.running.has(j.name)) next = Math.min(next, j.notBefore);
    }
    if (next !== Infinity) {
      this.timer = setTimeout(() => this.pump(), next - now);
      // The queue alone does not keep a process alive: a worker keeps itself alive.
      this.timer.unref?.();
    }
    this.checkIdle();
  }

  private start(entry: Entry): void {
    this.pending = this.pending.filter((j) => j !== entry);
    const handler = this.handlers[entry.name] as JobHandler<JobName>;
    const run = (async () => {
      const outcome = await runHandler(handler, entry.payload);
      try {
        this.options.onOutcome?.({ id: entry.id, name: entry.name, payload: entry.payload }, outcome);
      } catch {
        // A listener's failure is not the job's.
      }
    })().finally(() => {
      this.running.delete(entry.name);
      this.pump();
      this.checkIdle();
    });
    this.running.set(entry.name, run);
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || this.running.size > 0) return;
    const now = Date.now();
    if (!this.stopped && this.working && this.pending.some((j) => j.notBefore <= now && this.handlers[j.name])) return;
    this.resolveIdle();
  }

  private resolveIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
