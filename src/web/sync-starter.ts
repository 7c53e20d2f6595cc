/**
 * Sync Now without a job queue: the sync runs in this process, in the background, and the
 * page is sent to its operation as soon as the operation exists. `rollcall serve` uses the job
 * queue instead when a worker runs (queue-starter.ts); this is the fallback and what tests use.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RollcallError } from '../domain/errors.ts';
import { OPERATION_TYPES, busyRefusal } from '../domain/operation.ts';
import { startSync, type SyncResult } from '../services/syncs/sync-actions.ts';
import type { SyncDeps } from '../sync/ports.ts';
import type { SyncStarter } from './context.ts';

/** How long Sync Now waits for the new operation to appear before answering without it. */
const APPEAR_WITHIN_MS = 3000;
const LOOK_EVERY_MS = 25;

/** A SyncStarter running syncs here, plus `idle()`: resolves when every sync it started has ended. */
export function inProcessSyncStarter(deps: SyncDeps): SyncStarter & { idle(): Promise<void> } {
  const inFlight = new Set<Promise<unknown>>();
  const starter = async (libraryId: number, ask: Parameters<SyncStarter>[1]) => {
    const newest = (await deps.store.operations.list(libraryId, { limit: 1 }))[0];
    // A sync of the library already queued or running is the answer (SPEC §3.7): start none,
    // or ours would start later, once that one ends.
    if (newest && (newest.state === 'running' || newest.state === 'queued')) {
      // An undo holds the same slot (SPEC §3.9): refused in its words, not shown as "a sync already running".
      if (newest.type === OPERATION_TYPES.undo) throw new RollcallError('conflict', busyRefusal(newest));
      return { operationId: newest.id, alreadyRunning: true };
    }
    const before = newest?.id ?? 0;
    let settled: SyncResult | undefined;
    // startSync never rejects for a sync's own failure (the operation records it); a store
    // that is gone is the only way here, and then there is nobody left to tell.
    const running = startSync(deps, libraryId, ask).then(
      (r) => (settled = r),
      () => undefined,
    );
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running));
    for (let waited = 0; waited < APPEAR_WITHIN_MS && !settled; waited += LOOK_EVERY_MS) {
      const latest = (await deps.store.operations.list(libraryId, { limit: 1 }))[0];
      if (latest && latest.id > before) return { operationId: latest.id, alreadyRunning: false };
      await sleep(LOOK_EVERY_MS);
    }
    if (settled) return { operationId: settled.operation, alreadyRunning: settled.alreadyRunning };
    return { operationId: null, alreadyRunning: false };
  };
  return Object.assign(starter, {
    idle: async () => {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  });
}
