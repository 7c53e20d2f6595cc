/**
 * Queuing a sync (Sync Now, the CLI, the Daily Operations fan-out, a retry): the operation is
 * stored first, state `queued`, so it is listed at once and counts toward "one sync per
 * library" (SPEC §3.7: asking again while one is queued or running returns that one); then a
 * job is sent to run it. The job names its operation; a worker starts it with a compare-and-set
 * (queued → running), so a job delivered twice still runs the sync once.
 */
import { oneLine } from '../domain/errors.ts';
import { checkSyncSource, syncSourceOf } from '../sources/registry.ts';
import type { Operation, Store } from '../store/store.ts';
import { OPERATION_TYPES, SOURCE_OPERATION_TYPES, busyRefusal } from '../domain/operation.ts';
import { RollcallError } from '../domain/errors.ts';
import type { JobPayloads, JobQueue } from './types.ts';

/** What to queue. */
export interface SyncJobAsk {
  /** Full or delta. */
  kind: 'full' | 'delta';
  /** Plan only. */
  dryRun: boolean;
  /** Who or what asks (a user name, `cli`, `schedule`, `retry`). */
  requestedBy: string;
  /** The operation this retries (the reaper's one retry). */
  retryOf?: number;
  /** Not before this. */
  startAfter?: Date;
}

/** What came of it. */
export interface EnqueuedSync {
  /** The queued operation — or the library's queued or running one, when `alreadyActive`. */
  operation: Operation;
  /** Another sync of the library was already queued or running: that one is returned, none was queued. */
  alreadyActive: boolean;
}

/** The singleton key of a library's sync jobs. */
export function syncKey(libraryId: number): string {
  return `sync:${libraryId}`;
}

/**
 * Queues a sync of the library, or returns the one already queued or running. Refuses (as
 * `rollcall sync` does, before any operation exists) a sync from an integration that is not
 * enabled, unless it is a dry run. When the job cannot be sent, the operation ends failed and
 * the error is thrown.
 */
export async function enqueueSync(queue: JobQueue, store: Store, libraryId: number, ask: SyncJobAsk): Promise<EnqueuedSync> {
  const source = await syncSourceOf(store, libraryId);
  await checkSyncSource(store, libraryId, source, ask.dryRun);
  const type = ask.dryRun ? OPERATION_TYPES.dryRun : SOURCE_OPERATION_TYPES[source][ask.kind];
  const made = await store.operations.create(libraryId, { type, source, requestedBy: ask.requestedBy, retryOf: ask.retryOf });
  // An undo holds the same slot (SPEC §3.9): a sync asked meanwhile is refused, not "returned" as that undo.
  if (!made.created && made.operation.type === OPERATION_TYPES.undo) throw new RollcallError('conflict', busyRefusal(made.operation));
  if (!made.created) return { operation: made.operation, alreadyActive: true };
  const op = made.operation;
  const payload: JobPayloads['sync'] = {
    libraryId,
    kind: ask.kind,
    dryRun: ask.dryRun,
    requestedBy: ask.requestedBy,
    operationId: op.id,
    ...(ask.retryOf === undefined ? {} : { retryOf: ask.retryOf }),
  };
  try {
    // null: a job of this library still waits, sent for an operation that ended before it ran;
    // that job runs the library's queued operation, this one (see handlers.ts).
    await queue.send('sync', payload, { singletonKey: syncKey(libraryId), ...(ask.startAfter ? { startAfter: ask.startAfter } : {}) });
  } catch (e) {
    await store.operations
      .finish(libraryId, op.id, { state: 'failed', error: `The sync could not be queued: ${oneLine(e)}` })
      .catch(() => {});
    throw e;
  }
  return { operation: op, alreadyActive: false };
}

/** What a stored operation type asks for: full or delta, dry run or not (a dry run's kind is not stored: full). */
export function requestOfType(type: string): { kind: 'full' | 'delta'; dryRun: boolean } {
  if (type === OPERATION_TYPES.dryRun) return { kind: 'full', dryRun: true };
  return { kind: type.endsWith('_delta_sync') ? 'delta' : 'full', dryRun: false };
}

/** A job payload that runs this queued operation. */
export function payloadOf(op: Operation): JobPayloads['sync'] {
  return {
    libraryId: op.libraryId,
    ...requestOfType(op.type),
    requestedBy: op.requestedBy,
    operationId: op.id,
    ...(op.retryOf === null ? {} : { retryOf: op.retryOf }),
  };
}
