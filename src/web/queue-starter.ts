/**
 * Sync Now through the job queue (SPEC §6): the operation is stored as queued and its job sent
 * (enqueueSync), so the page lands on it at once, a second Sync Now returns the same one, and
 * whichever worker is free runs it.
 */
import { enqueueSync } from '../jobs/enqueue.ts';
import type { JobQueue } from '../jobs/types.ts';
import type { Store } from '../store/store.ts';
import type { SyncStarter } from './context.ts';

/** A SyncStarter that queues. */
export function queueSyncStarter(queue: JobQueue, store: Store): SyncStarter {
  return async (libraryId, ask) => {
    const { operation, alreadyActive } = await enqueueSync(queue, store, libraryId, ask);
    return { operationId: operation.id, alreadyRunning: alreadyActive };
  };
}
