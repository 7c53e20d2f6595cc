/**
 * Approving or rejecting a sync held in "needs review" (SPEC §3.5). Approval applies the held
 * plan if the library's patrons have not changed since it was made (their revision is the
 * same); otherwise the roster is read and planned again, and that plan applies if it is no
 * bigger than the approved one. Rejection discards the plan; nothing is written.
 */
import { RollcallError, oneLine } from '../domain/errors.ts';
import type { Operation } from '../store/store.ts';
import { OperationLogWriter } from './log-writer.ts';
import { OPERATION_TYPES, operationSource } from '../domain/operation.ts';
import type { SyncDeps } from './ports.ts';
import { applyPlan, syncBody } from './run.ts';
import { loadedPlan } from './stored-plan.ts';

/** Approves a held operation: applies (or re-plans and applies) it; returns it as it ended. */
export async function approveOperation(deps: SyncDeps, libraryId: number, operationId: number, by: string): Promise<Operation> {
  const { store } = deps;
  const op = await heldOperation(deps, libraryId, operationId);
  const stored = loadedPlan((await store.operations.changes(libraryId, operationId)).items);
  if (!stored) throw new RollcallError('conflict', `Operation ${operationId} has no stored plan to approve.`);
  if (!(await store.operations.transition(libraryId, operationId, ['needs_review'], 'running'))) {
    throw new RollcallError('conflict', `Operation ${operationId} is no longer waiting for review.`);
  }
  const log = new OperationLogWriter(store, libraryId, operationId, deps.now);
  log.info(`Approved by ${by}.`);
  try {
    if ((await store.libraries.revision(libraryId)) === stored.meta.revision) {
      const patrons = await store.patrons.loadAll(libraryId);
      return await applyPlan(
        deps,
        libraryId,
        operationId,
        { ...stored, counts: op.counts, nextBarcode: stored.meta.nextBarcode },
        stored.meta,
        patrons,
        log,
      );
    }
    log.info('Patrons changed since this plan was made: reading the roster and planning again.');
    await store.operations.deleteChanges(libraryId, operationId);
    return await syncBody(
      deps,
      { libraryId, kind: stored.meta.kind, dryRun: false, requestedBy: by, source: operationSource(op) },
      operationId,
      log,
      op.counts,
    );
  } catch (e) {
    log.error(`Sync failed: ${oneLine(e)}`);
    await log.flush().catch(() => {});
    await store.operations.finish(libraryId, operationId, { state: 'failed', error: oneLine(e) });
    return (await store.operations.get(libraryId, operationId))!;
  }
}

/** Rejects a held operation: its plan is discarded and nothing is written. */
export async function rejectOperation(deps: SyncDeps, libraryId: number, operationId: number, by: string): Promise<Operation> {
  const { store } = deps;
  await heldOperation(deps, libraryId, operationId);
  const log = new OperationLogWriter(store, libraryId, operationId, deps.now);
  log.info(`Rejected by ${by}: the plan was discarded and nothing was written.`);
  await log.flush();
  await store.operations.deleteChanges(libraryId, operationId);
  // Its own state, not "failed" (SPEC §3.7): turning a plan down is a decision, and the page, the
  // list and the alerts must not read it as something that went wrong. The summary replaces the
  // held one, whose "approve or reject it" no longer applies.
  const ended = await store.operations.finish(libraryId, operationId, {
    state: 'rejected',
    summary: `Rejected by ${by}: the plan was discarded and nothing was written.`,
  });
  if (!ended) throw new RollcallError('conflict', `Operation ${operationId} is no longer waiting for review.`);
  return (await store.operations.get(libraryId, operationId))!;
}

/** The operation, which must be a sync waiting for review. */
async function heldOperation(deps: SyncDeps, libraryId: number, operationId: number): Promise<Operation> {
  const op = await deps.store.operations.get(libraryId, operationId);
  if (!op) throw new RollcallError('not_found', `There is no operation ${operationId} in this library.`);
  if (op.type === OPERATION_TYPES.dryRun)
    throw new RollcallError('conflict', `Operation ${operationId} is a dry run: there is nothing to approve; run a sync instead.`);
  if (op.state !== 'needs_review')
    throw new RollcallError('conflict', `Operation ${operationId} is not waiting for review (it is ${op.state.replace(/_/g, ' ')}).`);
  return op;
}
