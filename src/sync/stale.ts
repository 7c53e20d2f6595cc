/**
 * When a sync's process is taken for dead (SPEC §6: "a crashed worker's sync is detected and
 * marked failed"): an operation still running with no sign of life — its last heartbeat, else
 * its start, else its creation — for the stale-after time. A live sync beats every 15 s
 * (run.ts), so only a process that stopped (killed, out of memory, machine lost) goes quiet
 * that long.
 *
 * The one rule for everything that asks: the reaper (operations.findStale asks the database the
 * same question in SQL), `rollcall sync` finding a dead one in its way (run.ts), and the watched
 * folder finding a package whose sync died (services/csv/watch-folder.ts).
 */
import type { Operation } from '../store/store.ts';
import type { SyncDeps } from './ports.ts';
import { loggedTime } from '../domain/words.ts';

/**
 * A queued or running operation with no sign of life for this long belongs to a process that
 * died (killed, out of memory, machine restarted): it is marked failed so the library is not
 * locked for good. Long enough to cover the longest stretch without a heartbeat — on SQLite
 * the heartbeat waits while the apply transaction holds the database (a 1,000,000-patron
 * apply takes about a minute here).
 */
export const STALE_AFTER_MS = 10 * 60_000;

/** When an operation last showed it was alive (ISO): its heartbeat, else its start, else its creation. */
export function lastSignOfLife(op: Pick<Operation, 'heartbeatAt' | 'startedAt' | 'createdAt'>): string {
  return op.heartbeatAt ?? op.startedAt ?? op.createdAt;
}

/** Whether a running operation's process is taken for dead at `now` (see the module comment). */
export function isStale(
  op: Pick<Operation, 'state' | 'heartbeatAt' | 'startedAt' | 'createdAt'>,
  now: Date,
  staleAfterMs: number = STALE_AFTER_MS,
): boolean {
  return (op.state === 'running' || op.state === 'queued') && now.getTime() - Date.parse(lastSignOfLife(op)) > staleAfterMs;
}

/** Ends an active operation whose process stopped (failed, with why); true when this call ended it. */
export async function endIfStale(
  deps: Pick<SyncDeps, 'store' | 'now' | 'staleAfterMs'>,
  libraryId: number,
  op: Operation,
): Promise<boolean> {
  if (!isStale(op, deps.now(), deps.staleAfterMs)) return false;
  const since = loggedTime(new Date(Date.parse(lastSignOfLife(op))).toISOString());
  // A compare-and-set: a sync that ended meanwhile, or another process's reaper, wins.
  return deps.store.operations.finish(libraryId, op.id, {
    state: 'failed',
    error: `The process running this sync stopped (no sign of life since ${since}); nothing was applied.`,
  });
}
