/**
 * One sync, end to end (SPEC §3, §3.7): queue an operation (or find the library's running
 * one), fetch the roster, plan, check the safety thresholds, then apply in one transaction —
 * or stop in "needs review", or, for a dry run, store the plan and write nothing.
 *
 * Why failures are caught here: an operation must always end in a state a person can read
 * (failed, with the reason in one line), whatever went wrong; the caller gets that operation.
 */
import { oneLine } from '../domain/errors.ts';
import { OPERATION_TYPES, SOURCE_OPERATION_TYPES, busyRefusal, operationSource, storedSource } from '../domain/operation.ts';
import type { IntegrationKind, Patron } from '../domain/patron.ts';
import type { Operation, OperationCounts, Store } from '../store/store.ts';
import { applyChanges } from './apply.ts';
import { fetchSnapshot } from './fetch.ts';
import { OperationLogWriter } from './log-writer.ts';
import { plan as makePlan } from './core/plan.ts';
import type { SyncDeps } from './ports.ts';
import { endIfStale, STALE_AFTER_MS } from './stale.ts';
import { warningLine } from './core/reasons.ts';
import { checkThresholds } from './core/safety.ts';
import { changeLogLine, lockedLogLine, storedPlan, type PlanMeta } from './stored-plan.ts';
import { recheckLocks } from './core/locks.ts';
import { deltaScan, wantedKeys } from './core/delta-patrons.ts';
import { fold, scopeOf } from './core/scope.ts';
import { STATUS_TRANSFERRED } from '../domain/fields.ts';
import type { ConflictCause, LibraryFacts, Plan, QueuedConflict, Snapshot, SyncSettings } from './core/types.ts';
import { RollcallError } from '../domain/errors.ts';
import { countOf, loggedTime } from '../domain/words.ts';

/**
 * A delta reads records modified since the last successful sync began, less this overlap, so
 * a record changed while that sync ran (or stamped by a server whose clock is behind) is not
 * missed. Re-reading a few records costs nothing: an unchanged patron is not written.
 */
export const DELTA_OVERLAP_MS = 15 * 60 * 1000;

/** Change lines logged between waits for the log's writes, bounding what apply holds. */
const LOG_WRITE_EVERY = 5000;

/** What to run. */
export interface SyncRequest {
  /** The library. */
  libraryId: number;
  /** Full (everything, with absence-based transfers) or delta (changes since the last success). */
  kind: 'full' | 'delta';
  /** Plan only: nothing is written to patrons. */
  dryRun: boolean;
  /** Who or what asked (`cli`, `schedule`, a user name). */
  requestedBy: string;
  /** The integration to read (default: the library's enabled one); a sync from another is refused. */
  source?: IntegrationKind;
  /** Progress for a terminal: phase, records read, declared total. */
  onProgress?: (phase: string, done: number, total: number | null) => void;
  /** Cancels the sync before apply. */
  signal?: AbortSignal;
  /** Run this queued operation (a job's: queued when the sync was asked for) instead of queuing one. */
  operationId?: number;
  /** The operation whose process died that this sync retries (its one retry: a retry is never retried). */
  retryOf?: number;
}

/** What came of it. */
export interface SyncOutcome {
  /** The operation as it ended (or as it runs, when `alreadyRunning`). */
  operation: Operation;
  /** Another sync of this library was queued or running; that one is returned. */
  alreadyRunning: boolean;
  /** Whether the snapshot was complete (false when the sync failed before knowing). */
  complete: boolean;
}

/** Runs a sync now, in this process. */
export async function runSync(deps: SyncDeps, request: SyncRequest): Promise<SyncOutcome> {
  const { store, sources } = deps;
  const job = request.operationId === undefined ? undefined : await queuedOperation(store, request.libraryId, request.operationId);
  const jobSource = job ? storedSource(job.operation.source) : undefined;
  const source = request.source ?? jobSource ?? (await sources.syncSourceOf(store, request.libraryId));
  try {
    // Refused before an operation exists: a sync from a source that is not enabled is no sync.
    await sources.checkMaySync(store, request.libraryId, source, request.dryRun);
  } catch (e) {
    // A job's operation was queued already: it ends failed with the reason rather than blocking the library.
    if (!job?.created || !(await store.operations.finish(request.libraryId, job.operation.id, { state: 'failed', error: oneLine(e) })))
      throw e;
    return { operation: (await store.operations.get(request.libraryId, job.operation.id))!, alreadyRunning: false, complete: false };
  }
  const type = request.dryRun ? OPERATION_TYPES.dryRun : SOURCE_OPERATION_TYPES[source][request.kind];
  const newOperation = { type, source, requestedBy: request.requestedBy, retryOf: request.retryOf };
  let queued = job ?? (await store.operations.create(request.libraryId, newOperation));
  if (request.operationId === undefined && !queued.created && (await endIfStale(deps, request.libraryId, queued.operation))) {
    queued = await store.operations.create(request.libraryId, newOperation);
  }
  // An undo holds the same slot (SPEC §3.9 undo is an operation; §3.7 one at a time): refused, not "returned".
  if (!queued.created && queued.operation.type === OPERATION_TYPES.undo) throw new RollcallError('conflict', busyRefusal(queued.operation));
  if (!queued.created) return { operation: queued.operation, alreadyRunning: true, complete: queued.operation.complete ?? false };
  const op = queued.operation;
  // Taken by another worker (or ended) since it was read: that one is returned.
  if (!(await store.operations.start(request.libraryId, op.id))) {
    const now = (await store.operations.get(request.libraryId, op.id)) ?? op;
    return { operation: now, alreadyRunning: true, complete: now.complete ?? false };
  }
  const log = new OperationLogWriter(store, request.libraryId, op.id, deps.now);
  // A sign of life while the sync runs, so a sync whose process died is told from a slow one.
  const heartbeat = setInterval(() => void store.operations.heartbeat(request.libraryId, op.id).catch(() => {}), heartbeatEvery(deps));
  heartbeat.unref();
  try {
    const result = await syncBody(deps, { ...request, source }, op.id, log);
    return { operation: result, alreadyRunning: false, complete: result.complete ?? false };
  } catch (e) {
    log.error(`Sync failed: ${oneLine(e)}`);
    await log.flush().catch(() => {});
    await store.operations.finish(request.libraryId, op.id, { state: 'failed', error: oneLine(e), counts: log.countsSoFar() });
    return { operation: (await store.operations.get(request.libraryId, op.id))!, alreadyRunning: false, complete: false };
  } finally {
    clearInterval(heartbeat);
  }
}

/** How often a running sync records a sign of life. */
export const HEARTBEAT_MS = 15_000;

/** The stale-after time's default (one rule: stale.ts). */
export { STALE_AFTER_MS } from './stale.ts';

/** How often a sync beats: every 15 s, or often enough for a shorter stale time (tests). */
function heartbeatEvery(deps: SyncDeps): number {
  return Math.max(100, Math.min(HEARTBEAT_MS, (deps.staleAfterMs ?? STALE_AFTER_MS) / 4));
}

/** A job's operation: `created` (ours to start) when it is still queued. */
async function queuedOperation(store: Store, libraryId: number, id: number): Promise<{ operation: Operation; created: boolean }> {
  const op = await store.operations.get(libraryId, id);
  if (!op) throw new RollcallError('not_found', `There is no operation ${id} in this library.`);
  return { operation: op, created: op.state === 'queued' };
}

/**
 * Fetch → plan → safety → apply, for a started operation. `approved` carries the counts of a
 * plan an admin approved (re-planning on approval): a new plan no bigger than that one applies
 * even past the thresholds; a bigger one stops for review again.
 */
export async function syncBody(
  deps: SyncDeps,
  request: SyncRequest,
  opId: number,
  log: OperationLogWriter,
  approved?: Pick<OperationCounts, 'transferred' | 'updated'>,
): Promise<Operation> {
  const { store, sources } = deps;
  const lib = request.libraryId;
  const source = request.source ?? (await sources.syncSourceOf(store, lib));
  // Again here: approving a held plan re-plans through this, and the integration may have changed.
  await sources.checkMaySync(store, lib, source, request.dryRun);
  const { settings, lastSuccessAt } = await sources.syncSettings(store, lib, source);
  const command = `rollcall ${sources.command(source)}`;
  if (settings.siteByOrg.size === 0) {
    throw new RollcallError(
      'not_configured',
      `No site is matched to a ${sources.name(source)} school yet: match one with \`${command} match-site SITE ORG\`.`,
    );
  }
  if (settings.roles.length === 0)
    throw new RollcallError('not_configured', `No role is selected to sync: choose some with \`${command} options --roles …\`.`);

  const reader = await deps.openReader(lib, { source, operationId: opId });
  let kind = reader.fixedKind ?? request.kind;
  let since: string | undefined;
  if (reader.fixedKind === 'delta') {
    log.info('The package is a delta: the changes it holds are read whole, and no patron is transferred for being absent from it.');
  } else if (kind === 'delta') {
    if (!lastSuccessAt) {
      kind = 'full';
      log.info('No earlier successful sync to count changes from: running a full sync instead of a delta.');
    } else {
      since = new Date(Date.parse(lastSuccessAt) - DELTA_OVERLAP_MS).toISOString();
      log.info(
        `Reading changes since ${loggedTime(since)} (the last successful sync, less ${DELTA_OVERLAP_MS / 60000} minutes of overlap).`,
      );
    }
  }
  // A delta with a watermark reads the homeroom enrollments changed since it (SPEC §3.6, fetch.ts
  // fetchChangedHomerooms). A source that is only changes (a CSV delta package) has no watermark
  // and may lack the unchanged classes a homeroom needs: Location is left as it is there, and the
  // next full sync brings it up to date. Unmapped fields are never written (SPEC §2 step 4).
  const planSettings: SyncSettings =
    kind === 'delta' && since === undefined ? { ...settings, mapping: { ...settings.mapping, location: 'none' } } : settings;
  const startedAt = deps.now().toISOString();

  log.info(
    `${kind === 'full' ? 'Full' : 'Delta'} sync${request.dryRun ? ' (dry run)' : ''} of ${countOf(settings.siteByOrg.size, 'matched site')}, roles: ${settings.roles.join(', ')}.`,
  );
  let lastProgress = 0;
  let snapshot: Snapshot | undefined = await (async () => {
    try {
      return await fetchSnapshot(reader, {
        kind,
        since,
        roles: settings.roles,
        location: planSettings.mapping.location,
        identifiers: [planSettings.mapping.barcode, planSettings.mapping.communityId],
        schools: {
          matched: [...settings.siteByOrg.keys()],
          read: deps.rosterRead ?? 'auto',
          patronGuids: () => movablePatronGuids(store, lib, settings, source),
        },
        signal: request.signal,
        log: (level, message, sourcedId) => log.line(level, message, sourcedId),
        onProgress: (phase, done, total) => {
          request.onProgress?.(phase, done, total);
          const t = Date.now();
          if (t - lastProgress > 1000) {
            lastProgress = t;
            void store.operations.progress(lib, opId, done, total ?? 0).catch(() => {});
          }
        },
      });
    } finally {
      await reader.close?.();
    }
  })();
  for (const w of reader.warnings?.() ?? []) log.warning(w);
  log.info(
    `Read ${countOf(snapshot.users.length, 'user')} in scope of the selected roles${snapshot.complete ? '' : ' — the read was INCOMPLETE'}.`,
  );

  const revision = await store.libraries.revision(lib);
  // Homerooms not shared: Location is left as it is (an unmapped field is never written).
  const effectiveSettings: SyncSettings = snapshot.notShared?.includes('homerooms')
    ? { ...planSettings, mapping: { ...planSettings.mapping, location: 'none' } }
    : planSettings;
  // The conflict queue's open and resolved items: "a resolution takes effect on the next sync" (SPEC §3.9).
  const queue = await queuedConflicts(store, lib, source);
  const { patrons, facts } = await patronsToPlan(store, lib, snapshot, effectiveSettings, queue);
  // SPEC §3.8: "a sync never writes a locked field and its plan says so" (core/locks.ts).
  const locks = await store.locks.byPatron(lib);
  const planned = makePlan(snapshot, patrons, effectiveSettings, facts, queue, locks);
  await noteReturning(store, lib, planned.changes);
  const { complete, incompleteReasons } = snapshot;
  // The roster is not needed past the plan: let it go before apply builds its rows and log.
  snapshot = undefined;
  for (const w of planned.warnings) log.warning(warningLine(w), w.sourcedId);
  // Conflicts are listed for a person whatever happens next; they have their own count.
  for (const c of planned.changes) if (c.kind === 'conflict') log.line('warning', `Conflict: ${c.reason}`, c.sourcedId, false);
  for (const l of planned.locked) log.info(lockedLogLine(l), l.sourcedId);
  if (planned.transfersHeld)
    log.warning(`Removals held back: the roster read was incomplete (${incompleteReasons.join('; ')}). No patron was transferred.`);
  const meta: PlanMeta = { revision, kind, startedAt, transfersHeld: planned.transfersHeld, complete, nextBarcode: planned.nextBarcode };

  if (request.dryRun) {
    await store.operations.saveChanges(lib, opId, storedPlan(planned, meta));
    log.info(`Dry run: ${summary(planned.counts)}. Nothing was written.`);
    return finish(store, lib, opId, log, planned, complete, 'Dry run — nothing was written.');
  }

  const verdict = checkThresholds(planned, planSettings, sources.name(source));
  const withinApproval =
    approved !== undefined && planned.counts.transferred <= approved.transferred && planned.counts.updated <= approved.updated;
  if (!verdict.ok && withinApproval) log.info(`Past the thresholds (${verdict.reasons.join(' ')}) but within what was approved: applying.`);
  if (!verdict.ok && !withinApproval) {
    await store.operations.saveChanges(lib, opId, storedPlan(planned, meta));
    for (const r of verdict.reasons) log.warning(`Needs review: ${r}`);
    await log.flush();
    await store.operations.finish(lib, opId, {
      state: 'needs_review',
      counts: countsOf(planned, log),
      complete: complete,
      // Why it stopped, in words for every reader: each interface adds how to approve or reject
      // there (the page its buttons, the CLI its commands), so no page shows a command line.
      summary: `Stopped for review: ${verdict.reasons.join(' ')}`,
    });
    return (await store.operations.get(lib, opId))!;
  }

  return applyPlan(deps, lib, opId, planned, meta, patrons, log);
}

/**
 * A roster user whose patron was removed (SPEC §3.10) is simply created again as a new patron;
 * its create says so — "created (a patron with this GUID was removed on …)" — so the librarian
 * sees the returning user rather than a stranger. One look-up when the library never removed
 * anyone, and none when the plan creates nobody.
 */
async function noteReturning(store: Store, lib: number, changes: Plan['changes']): Promise<void> {
  const creates = changes.filter((c) => c.kind === 'create');
  if (creates.length === 0 || !(await store.removals.anyRemovedGuid(lib))) return;
  const removed = await store.removals.removedGuids(
    lib,
    creates.map((c) => c.sourcedId),
  );
  for (const c of creates) {
    const at = removed.get(c.sourcedId);
    if (at !== undefined) c.reason = `${c.reason} Created again (a patron with this GUID was removed on ${at.slice(0, 10)}).`;
  }
}

/**
 * The patrons a plan compares with: every one for a full sync (absentees are transferred); for a
 * delta, only those its users' keys can find, plus the library-wide facts (delta-patrons.ts) —
 * reading the whole library was most of a delta's time.
 */
async function patronsToPlan(
  store: Store,
  lib: number,
  snapshot: Snapshot,
  settings: SyncSettings,
  queue: readonly QueuedConflict[],
): Promise<{ patrons: Patron[]; facts?: LibraryFacts }> {
  if (snapshot.kind === 'full') return { patrons: await store.patrons.loadAll(lib) };
  const scan = deltaScan(wantedKeys(snapshot, settings), settings);
  await store.patrons.scanKeys(lib, scan.visit);
  // A linked patron is matched as by GUID though no key of its user may find it.
  const linked = queue.flatMap((q) => (q.action === 'link' && q.patronId !== null ? [q.patronId] : []));
  const ids = [...new Set([...scan.ids, ...linked])];
  return { patrons: await store.patrons.getMany(lib, ids), facts: scan.facts() };
}

/**
 * The GUIDs a per-school read must look up when no served school lists them (fetch-schools.ts):
 * of the patrons a whole-district read could move out — "A user whose first org moves to ... an
 * unmatched school, it is Transferred" (SPEC §3.4), any patron not Transferred at a matched site
 * — and of the open conflict queue, whose items close by what the sync saw.
 */
async function movablePatronGuids(store: Store, lib: number, settings: SyncSettings, source: string): Promise<string[]> {
  const scope = scopeOf(settings);
  const guids: string[] = [];
  await store.patrons.scanKeys(lib, (p) => {
    if (p.guid.trim() !== '' && p.status !== STATUS_TRANSFERRED && scope.sites.has(fold(p.site))) guids.push(p.guid.trim());
  });
  for (const q of await store.conflicts.queued(lib, source)) guids.push(q.sourcedId.trim());
  return guids;
}

/** The conflict queue's items of this source that are not closed, as the plan takes them. */
async function queuedConflicts(store: Store, lib: number, source: string): Promise<QueuedConflict[]> {
  return (await store.conflicts.queued(lib, source)).map((r) => ({
    id: r.id,
    sourcedId: r.sourcedId,
    cause: r.cause as ConflictCause,
    action: r.action,
    patronId: r.patronId,
    fingerprint: r.fingerprint,
    seq: r.seq,
  }));
}

/** Writes a plan in one transaction with the operation's outcome and the integration's state. */
export async function applyPlan(
  deps: SyncDeps,
  lib: number,
  opId: number,
  made: Applied,
  meta: PlanMeta,
  patrons: readonly Patron[],
  log: OperationLogWriter,
): Promise<Operation> {
  // A lock added since the plan was made (a plan held for review, approved later; or while this
  // sync read the roster) still holds: "a sync never writes a locked field" (SPEC §3.8).
  let planned = lockedSince(made, await deps.store.locks.byPatron(lib), log);
  for (const [i, c] of planned.changes.entries()) {
    const line = changeLogLine(c);
    if (line) log.line(line.level, line.message, c.sourcedId);
    // Written as we go: 100,000 "Created" lines queued behind one another held them all at once.
    if ((i + 1) % LOG_WRITE_EVERY === 0) await log.flush();
  }
  await log.flush();
  const byId = new Map(patrons.map((p) => [p.id, p]));
  const state = summaryState(planned.counts, log, meta.complete);
  const source = operationSource((await deps.store.operations.get(lib, opId))!);
  await deps.store.transaction(async (tx) => {
    // Checked in the transaction: the admin may have switched integrations since the read, and
    // that switch cleared this source's identifiers; its plan must not bring them back. The
    // source's row is held first, so a switch (which holds every row: sources/switch.ts) waits
    // for this apply and counts what it wrote, or this apply waits for it and sees it OFF.
    await tx.integrations.lock(lib, source);
    if (!(await deps.sources.isEnabled(tx, lib, source))) {
      throw new RollcallError('conflict', `${deps.sources.name(source)} is no longer the enabled integration; nothing was applied.`);
    }
    // Read again holding the library row: a lock added after the read above is seen here.
    planned = lockedSince(planned, await tx.locks.holdForApply(lib), log);
    await applyChanges(tx, lib, opId, planned.changes, planned.claims, byId);
    // The queue learns what this sync saw and closed only as it applies: a dry run, or a plan
    // held for review and rejected, leaves it as it is.
    await tx.conflicts.recordSync(lib, source, opId, planned.queue);
    // The next delta counts changes from when this sync began reading (SPEC §3.6) — unless the
    // read was incomplete: records it missed must still count as changed next time.
    await deps.sources.saveSyncProgress(tx, lib, source, {
      nextBarcode: meta.nextBarcode,
      ...(meta.complete ? { lastSuccessAt: meta.startedAt } : {}),
    });
    // Ended meanwhile (the reaper took this worker for stopped): roll back, write nothing.
    const finished = await tx.operations.finish(lib, opId, {
      state,
      counts: countsOf(planned, log),
      complete: meta.complete,
      summary: `${summary(planned.counts)}.${meta.transfersHeld ? ' Removals were held back: the roster read was incomplete.' : ''}`,
    });
    if (!finished)
      throw new RollcallError('conflict', 'This operation was ended while it ran (its worker was taken for stopped); nothing was applied.');
  });
  await log.flush();
  return (await deps.store.operations.get(lib, opId))!;
}

type Applied = Pick<Plan, 'changes' | 'claims' | 'counts' | 'nextBarcode' | 'queue'>;

/** The plan held to `locks` (core/locks.ts `recheckLocks`), each field it keeps logged. */
function lockedSince(planned: Applied, locks: Parameters<typeof recheckLocks>[2], log: OperationLogWriter): Applied {
  const held = recheckLocks(planned.changes, planned.counts, locks);
  if (held.kept.length === 0) return planned;
  for (const k of held.kept) log.info(`${lockedLogLine(k)} (locked since the plan was made).`, k.sourcedId);
  const claims = planned.claims.filter((c) => !locks.get(c.patronId)?.has('guid'));
  return { ...planned, changes: held.changes, counts: held.counts, claims };
}

/** Ends a dry run. */
async function finish(
  store: Store,
  lib: number,
  opId: number,
  log: OperationLogWriter,
  planned: Plan,
  complete: boolean,
  text: string,
): Promise<Operation> {
  await log.flush();
  await store.operations.finish(lib, opId, {
    state: summaryState(planned.counts, log, complete),
    counts: countsOf(planned, log),
    complete,
    summary: `${text} ${summary(planned.counts)}.`,
  });
  return (await store.operations.get(lib, opId))!;
}

/** The operation's counts: the plan's, with warnings as logged (fetch's and the plan's). */
function countsOf(planned: Pick<Plan, 'counts'>, log: OperationLogWriter): OperationCounts {
  return { ...planned.counts, warnings: log.warningCount() };
}

/** succeeded, or succeeded with warnings when anything needs a person's eye. */
function summaryState(counts: Plan['counts'], log: OperationLogWriter, complete: boolean): 'succeeded' | 'succeeded_with_warnings' {
  return log.warningCount() > 0 || counts.conflicts > 0 || !complete ? 'succeeded_with_warnings' : 'succeeded';
}

/** "12 created, 3 updated, …" */
export function summary(c: Plan['counts']): string {
  return `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.transferred} transferred, ${c.reactivated} reactivated, ${c.skipped} skipped, ${c.conflicts} conflicts`;
}
