/**
 * The reaper (the `reap-stale` job, run every minute or so by every worker): finds syncs whose
 * worker stopped and puts them right, within a bounded time (the stale-after time plus one
 * reaper period).
 *
 * - A RUNNING operation with no heartbeat for the stale-after time belongs to a worker that was
 *   killed (SIGKILL, out of memory, machine lost). It is marked failed with "worker stopped";
 *   the patrons are untouched, because the apply is one transaction that also ends the
 *   operation (and one the reaper has ended can no longer commit). It is then retried ONCE, as
 *   a new operation naming it (`retryOf`); a retry is never retried.
 * - A QUEUED operation older than the stale-after time whose job no longer waits in the queue
 *   lost its job (the in-process queue of a process that stopped; a worker killed between taking
 *   the job and starting it). Nothing of it ran: its job is simply sent again.
 *
 * - Journal rows older than the retention (ROLLCALL_JOURNAL_RETENTION_DAYS, default 400 days)
 *   are deleted, a bounded number of batches per pass so one pass never holds the database
 *   long; a backlog (retention shortened, a first run) drains over the following passes.
 *
 * Two workers reaping at once do no harm: ending an operation is a compare-and-set, and only the
 * worker that ended it retries it.
 */
import { oneLine } from '../domain/errors.ts';
import { OPERATION_TYPES, operationSource } from '../domain/operation.ts';
import type { Operation } from '../store/store.ts';
import { lastSignOfLife } from '../sync/stale.ts';
import { enqueueSync, payloadOf, requestOfType, syncKey } from './enqueue.ts';
import type { JobDeps } from './types.ts';
import type { JobOutcome } from './types.ts';
import { countOf, loggedTime } from '../domain/words.ts';

/** The outcome's detail when there was nothing to do (workers do not log it). */
export const NOTHING_STALE = 'nothing stale';

/** The reason a stopped worker's operation fails with (the issue's wording, first). */
export const WORKER_STOPPED = 'worker stopped';

/** Runs one pass of the reaper; an outcome, never an exception. */
export async function reapStale(deps: JobDeps): Promise<JobOutcome> {
  const { store } = deps;
  const cutoff = new Date(deps.syncDeps.now().getTime() - deps.staleAfterMs);
  const notes: string[] = [];
  for (const op of await store.operations.findStale(cutoff)) {
    const since = loggedTime(lastSignOfLife(op));
    const error = `${WORKER_STOPPED}: no sign of life since ${since}; nothing was applied.`;
    if (!(await store.operations.finish(op.libraryId, op.id, { state: 'failed', error }))) continue; // ended meanwhile, or another reaper's
    await note(deps, op, 'error', `The worker running this sync stopped (no sign of life since ${since}); nothing was applied.`);
    const retry = await retryOnce(deps, { ...op, state: 'failed' });
    notes.push(
      `operation ${op.id} (library ${op.libraryId}) failed: worker stopped${retry === undefined ? '' : `; retried as operation ${retry}`}`,
    );
  }
  if (deps.queue.waiting) {
    for (const op of await store.operations.findQueued(cutoff)) {
      if (await deps.queue.waiting('sync', syncKey(op.libraryId))) continue;
      await deps.queue.send('sync', payloadOf(op), { singletonKey: syncKey(op.libraryId) });
      await note(deps, op, 'warning', 'The job of this queued sync was lost (the process that queued it stopped); it was queued again.');
      notes.push(`operation ${op.id} (library ${op.libraryId}) queued again: its job was lost`);
    }
  }
  // Housekeeping on the same beat: expired web sessions (every sign-in leaves one) are removed,
  // and journal rows past their retention.
  await store.staff.deleteExpiredSessions();
  const pruned = await pruneJournal(deps);
  if (pruned > 0) notes.push(`${countOf(pruned, 'journal row')} older than ${retentionDays(deps)} days pruned`);
  // A removal's archive is kept for its retention (SPEC §3.10), set when it was made.
  const archives = await store.removals.pruneArchives(deps.syncDeps.now().toISOString());
  if (archives > 0) notes.push(`${countOf(archives, 'removal archive')} past their retention emptied`);
  return notes.length === 0 ? { ok: true, detail: NOTHING_STALE, idle: true } : { ok: true, detail: notes.join('; ') };
}

/** Days journal rows are kept unless configured. */
export const DEFAULT_JOURNAL_RETENTION_DAYS = 400;
/** Journal rows deleted per batch, and batches per reaper pass. */
const PRUNE_BATCH_ROWS = 5000;
const PRUNE_BATCHES_PER_PASS = 20;

function retentionDays(deps: JobDeps): number {
  return deps.journalRetentionDays ?? DEFAULT_JOURNAL_RETENTION_DAYS;
}

/** Deletes journal rows older than the retention, in batches (each its own short statement); how many. */
async function pruneJournal(deps: JobDeps): Promise<number> {
  const cutoff = new Date(deps.syncDeps.now().getTime() - retentionDays(deps) * 86_400_000).toISOString();
  let pruned = 0;
  for (let i = 0; i < PRUNE_BATCHES_PER_PASS; i++) {
    const n = await deps.store.journal.prune(cutoff, PRUNE_BATCH_ROWS);
    pruned += n;
    if (n === 0) break;
  }
  return pruned;
}

/**
 * Queues the one retry of a sync whose worker stopped; its id, or undefined when it is not
 * retried (it was a retry itself, another sync of the library is queued or running, or the
 * integration was turned off since) — the operation's log says which.
 */
export async function retryOnce(deps: JobDeps, op: Operation): Promise<number | undefined> {
  // An undo is asked for again by a person, after a fresh preview: never retried on its own.
  if (op.type === OPERATION_TYPES.undo) {
    await note(deps, op, 'info', 'Not retried: an undo is asked for again, after its preview.');
    return undefined;
  }
  if (op.retryOf !== null) {
    await note(deps, op, 'info', `Not retried: this sync was itself the retry of operation ${op.retryOf}.`);
    return undefined;
  }
  if (operationSource(op) === 'csv') {
    // A queued sync has no package to read: the watched folder, which has the file, syncs its
    // package once more (services/csv/watch-folder.ts); an uploaded one is uploaded again.
    await note(
      deps,
      op,
      'info',
      'Not retried from the queue: a OneRoster CSV sync reads its package, so the watched folder syncs it once more (a package given by hand or uploaded: give it again).',
    );
    return undefined;
  }
  try {
    const queued = await enqueueSync(deps.queue, deps.store, op.libraryId, {
      ...requestOfType(op.type),
      requestedBy: 'retry',
      retryOf: op.id,
    });
    if (queued.alreadyActive) {
      await note(deps, op, 'info', `Not retried: operation ${queued.operation.id} of this library is already ${queued.operation.state}.`);
      return undefined;
    }
    await note(deps, op, 'info', `Retried once, as operation ${queued.operation.id}.`);
    return queued.operation.id;
  } catch (e) {
    await note(deps, op, 'warning', `Not retried: ${oneLine(e)}`);
    return undefined;
  }
}

/** A line in the operation's log (best effort: the log is for people, the state is what counts). */
async function note(deps: JobDeps, op: Operation, level: 'info' | 'warning' | 'error', message: string): Promise<void> {
  await deps.store.operations.appendLog(op.libraryId, op.id, [{ level, message }]).catch(() => {});
}
