/**
 * Starting a sync and deciding on a held one, as the CLI, the pages and the jobs ask for
 * them: each returns the operation's result in the shape of SPEC §8's `sync --json`.
 */
import { pickCounts } from '../../domain/counts.ts';
import type { Operation, OperationCounts, OperationState } from '../../store/store.ts';
import { approveOperation, rejectOperation } from '../../sync/review.ts';
import type { SyncDeps } from '../../sync/ports.ts';
import { runSync } from '../../sync/run.ts';

/** What became of a sync (SPEC §8 `sync --json`, plus whether another one was already running). */
export interface SyncResult {
  /** The operation's id. */
  operation: number;
  /** Its type (`classlink_full_sync`, `classlink_delta_sync`, `dry_run`). */
  type: string;
  /** Its state. */
  state: OperationState;
  /** Its counts. */
  counts: OperationCounts;
  /** Whether the roster read was complete. */
  complete: boolean;
  /** Another sync of the library was queued or running: that one is returned, none was started. */
  alreadyRunning: boolean;
  /** The failure in one line ('' unless failed). */
  error: string;
  /** The operation's summary. */
  summary: string;
}

/** What to run. */
export interface SyncAsk {
  /** Full or delta. */
  kind: 'full' | 'delta';
  /** Plan only. */
  dryRun: boolean;
  /** Who asks (`cli`, a user name). */
  requestedBy: string;
  /** Progress: phase, records read, declared total. */
  onProgress?: (phase: string, done: number, total: number | null) => void;
  /** Cancels the sync before it applies anything. */
  signal?: AbortSignal;
  /** Run this queued operation (a job's, see src/jobs/enqueue.ts) instead of queuing a new one. */
  operationId?: number;
}

/** Runs a sync of the library now, in this process. */
export async function startSync(deps: SyncDeps, libraryId: number, ask: SyncAsk): Promise<SyncResult> {
  const outcome = await runSync(deps, { libraryId, ...ask });
  return resultOf(outcome.operation, outcome.complete, outcome.alreadyRunning);
}

/** Approves a held sync: it applies (or stops for review again, or fails). */
export async function approveSync(deps: SyncDeps, libraryId: number, operationId: number, by: string): Promise<SyncResult> {
  const op = await approveOperation(deps, libraryId, operationId, by);
  return resultOf(op, op.complete ?? false, false);
}

/** Rejects a held sync: nothing is written. */
export async function rejectSync(deps: SyncDeps, libraryId: number, operationId: number, by: string): Promise<SyncResult> {
  const op = await rejectOperation(deps, libraryId, operationId, by);
  return resultOf(op, op.complete ?? false, false);
}

/** Exactly SPEC §8's object: `{"operation", "state", "counts": {the eight}, "complete"}`. */
export function syncJson(r: SyncResult): { operation: number; state: OperationState; counts: OperationCounts; complete: boolean } {
  return {
    operation: r.operation,
    state: r.state,
    counts: pickCounts(r.counts),
    complete: r.complete,
  };
}

function resultOf(op: Operation, complete: boolean, alreadyRunning: boolean): SyncResult {
  return {
    operation: op.id,
    type: op.type,
    state: op.state,
    counts: op.counts,
    complete,
    alreadyRunning,
    error: op.error,
    summary: op.summary,
  };
}
