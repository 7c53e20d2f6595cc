/**
 * The job handlers a worker runs. Each returns an outcome and lets no exception escape (the
 * queue's runHandler is only the net under them). Syncs run through the same startSync the
 * CLI uses; everything a sync needs comes in `JobDeps`.
 */
import { oneLine } from '../domain/errors.ts';
import type { Operation, Store } from '../store/store.ts';
import { startSync, type SyncAsk, type SyncResult } from '../services/syncs/sync-actions.ts';
import { payloadOf, requestOfType, syncKey } from './enqueue.ts';
import { reapStale, retryOnce } from './reap-stale.ts';
import { alertsHandler } from './alerts-job.ts';
import { csvWatchHandler } from './csv-watch.ts';
import { dailyOperationsHandler } from './daily-operations.ts';
import { webhooksHandler } from './webhooks-job.ts';
import type { JobDeps, JobHandlers, JobOutcome, JobPayloads } from './types.ts';

/** The handlers by job name. */
export function jobHandlers(deps: JobDeps): JobHandlers {
  return {
    sync: (payload) => syncJob(deps, payload),
    'reap-stale': () => guarded(() => reapStale(deps)),
    // Daily Operations' fan-out (enqueueSync per library due) and the alert check.
    'daily-operations': dailyOperationsHandler({ store: deps.store, queue: deps.queue, now: deps.syncDeps.now }),
    webhooks: webhooksHandler({ store: deps.store, now: deps.syncDeps.now, publicUrl: deps.publicUrl ?? deps.alerts?.publicUrl ?? '' }),
    'csv-watch': csvWatchHandler({ store: deps.store, syncDeps: deps.syncDeps, ...(deps.signal ? { signal: deps.signal } : {}) }),
    ...(deps.alerts
      ? {
          alerts: alertsHandler({
            store: deps.store,
            alerts: deps.alerts.settings,
            publicUrl: deps.alerts.publicUrl,
            now: deps.syncDeps.now,
          }),
        }
      : {}),
  };
}

/**
 * Runs a sync job. A job naming a queued operation runs it (or, when that one was taken or ended,
 * the library's queued operation, whose job may have been dropped as a duplicate of this one);
 * a job naming none queues-and-runs one as `rollcall sync` does. Another sync of the library
 * queued or running means nothing to do. When the worker is stopping, a sync cut short is
 * retried once, like one whose worker died.
 */
export async function syncJob(deps: JobDeps, payload: JobPayloads['sync']): Promise<JobOutcome> {
  return guarded(async () => {
    const lib = payload.libraryId;
    let target: Operation | undefined;
    if (payload.operationId !== undefined) {
      target = await operationToRun(deps.store, payload);
      if (!target)
        return { ok: true, detail: `operation ${payload.operationId} was already taken or ended`, operationId: payload.operationId };
    }
    if (deps.signal?.aborted) {
      // Taken just as this worker began to stop: hand it back for another worker (or this one
      // after a restart) rather than start a sync only to cut it short.
      if (target) await deps.queue.send('sync', payloadOf(target), { singletonKey: syncKey(lib) });
      return {
        ok: false,
        error: 'the worker is stopping; the sync was handed back to the queue',
        ...(target ? { operationId: target.id } : {}),
      };
    }
    const ask: SyncAsk =
      target && target.id !== payload.operationId
        ? { ...requestOfType(target.type), requestedBy: target.requestedBy }
        : { kind: payload.kind, dryRun: payload.dryRun, requestedBy: payload.requestedBy };
    let result: SyncResult;
    try {
      result = await startSync(deps.syncDeps, lib, {
        ...ask,
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(target ? { operationId: target.id } : {}),
      });
    } catch (e) {
      // Refused before it ran (say the integration was turned off since it was queued): the
      // queued operation must not stay queued, or it would hold the library.
      if (target) await deps.store.operations.finish(lib, target.id, { state: 'failed', error: oneLine(e) }).catch(() => {});
      return { ok: false, error: oneLine(e), ...(target ? { operationId: target.id } : {}) };
    }
    if (result.alreadyRunning)
      return { ok: true, detail: `another sync of library ${lib} is ${result.state}`, operationId: result.operation };
    if (result.state !== 'failed') return { ok: true, detail: `${result.state}: ${result.summary}`, operationId: result.operation };
    let error = result.error;
    if (deps.signal?.aborted) {
      const op = await deps.store.operations.get(lib, result.operation);
      const retry = op && (await retryOnce(deps, op));
      if (retry !== undefined) error += ` Retried as operation ${retry}.`;
    }
    return { ok: false, error, operationId: result.operation };
  });
}

/** The payload's operation when still queued; else the library's queued one; else none. */
async function operationToRun(store: Store, payload: JobPayloads['sync']): Promise<Operation | undefined> {
  const own = await store.operations.get(payload.libraryId, payload.operationId!);
  if (own?.state === 'queued') return own;
  return (await store.operations.list(payload.libraryId, { state: 'queued', limit: 1 }))[0];
}

/** Turns an exception into an outcome (a handler's own net). */
async function guarded(work: () => Promise<JobOutcome>): Promise<JobOutcome> {
  try {
    return await work();
  } catch (e) {
    return { ok: false, error: oneLine(e) };
  }
}
