/**
 * Undo of an operation (SPEC §3.9: "Undo an operation: reverts every field that operation
 * wrote, and every create (the patron is set Transferred, never deleted) and transfer, unless
 * the field was changed again since (then it is listed, not overwritten). Undo is itself an
 * operation, previewed first, and can be undone."), as the pages, the API and the CLI ask for
 * it: a preview, then the apply in one transaction as an operation of its own.
 *
 * One at a time with syncs: an undo takes the library's one active-operation slot (the partial
 * unique index of store/operations.ts that keeps one sync per library, SPEC §3.7), so an undo and
 * a sync of the same library never interleave; each refuses while the other runs.
 */
import { RollcallError, oneLine } from '../../domain/errors.ts';
import { FIELDS, type PatronFieldKey } from '../../domain/fields.ts';
import { OPERATION_TYPES, operationTypeName } from '../../domain/operation.ts';
import { startOwnOperation } from './start-own.ts';
import type { Patron } from '../../domain/patron.ts';
import { countOf, statusName } from '../../domain/words.ts';
import type {
  JournalEntry,
  JournalWrite,
  LogLine,
  Operation,
  OperationCounts,
  PatronUpdate,
  Repositories,
  Store,
} from '../../store/store.ts';
import { planUndo, type Kept, type Revert, type UndoPlan } from '../../sync/core/undo-plan.ts';
import { isLocked, type FieldLocks } from '../../sync/core/locks.ts';

/** Reverts listed in a preview (the counts are always whole). */
const PREVIEW_REVERTS = 100;
/** Kept fields listed in a preview. */
const PREVIEW_KEPT = 500;
/** Log lines appended per call while applying. */
const LOG_CHUNK = 5000;

/** What a preview shows of one patron. */
export interface UndoPatronRef {
  /** The patron's id. */
  id: number;
  /** "Last, First" ('' when the patron is gone). */
  name: string;
  /** The barcode ('' when none or gone). */
  barcode: string;
}

/** One revert as shown. */
export interface UndoRevertLine extends Revert {
  /** The field's name ("Last Name"). */
  label: string;
  /**
   * The field is locked (SPEC §3.8). A lock stops syncs only: an undo is a person's explicit act,
   * so it puts a locked field back like any other, and says so here and in its log.
   */
  locked: boolean;
  /** The patron. */
  patron: UndoPatronRef;
}

/** One kept field as shown. */
export interface UndoKeptLine extends Kept {
  /** The field's name ("Last Name"). */
  label: string;
  /** The patron. */
  patron: UndoPatronRef;
}

/** What undoing an operation would do. */
export interface UndoPreview {
  /** The operation to undo. */
  operation: Operation;
  /** Its display name ("ClassLink Full Sync"). */
  name: string;
  /** How many fields would be put back (a created patron set Transferred counts one). */
  reverted: number;
  /** How many fields would be kept, changed again since. */
  kept: number;
  /** Patrons set Transferred, set back from Transferred, and with other fields restored. */
  patrons: UndoPlan['patrons'];
  /** The first reverts (PREVIEW_REVERTS). */
  reverts: UndoRevertLine[];
  /** The first kept fields (PREVIEW_KEPT). */
  keptFields: UndoKeptLine[];
}

/** What was previewed, carried by the confirmation: a different count is previewed again, not applied. */
export interface UndoExpect {
  /** The preview's `reverted`. */
  reverted: number;
  /** The preview's `kept`. */
  kept: number;
}

/** How an undo was asked for. */
export interface UndoAsk {
  /** Who asks (a staff username, `cli`). */
  requestedBy: string;
  /** What the person saw in the preview; absent (the CLI without a preview) applies what is found. */
  expect?: UndoExpect | undefined;
}

/** What came of an undo: applied (the new operation), or the preview again because it changed. */
export type UndoResult =
  | { status: 'applied'; operation: Operation; undone: Operation; reverted: number; kept: number }
  | { status: 'changed'; preview: UndoPreview };

/** SPEC §8's `operations undo --json`: `{"operation", "state", "reverted", "kept"}`. */
export interface UndoJson {
  /** The undo operation's id (the undone one's, for a dry run). */
  operation: number;
  /** Its state (a dry run: `preview`). */
  state: string;
  /** Fields put back. */
  reverted: number;
  /** Fields kept, changed again since. */
  kept: number;
}

/** The preview of undoing operation `id`; a one-line refusal when it cannot be undone. */
export async function previewUndo(store: Store, libraryId: number, id: number): Promise<UndoPreview> {
  const target = await undoable(store, libraryId, id);
  const rows = await store.journal.ofOperation(libraryId, id);
  refuseEmpty(target, rows);
  const { plan, patrons, locks } = await planNow(store, libraryId, rows);
  return previewOf(target, plan, patrons, locks);
}

/**
 * Undoes operation `id`: in one transaction, as an operation of its own (type `undo`), journaled
 * (kind `undo`) so it can be undone in turn. When `expect` differs from what is found now, nothing
 * is applied and the new preview is returned instead.
 */
export async function applyUndo(store: Store, libraryId: number, id: number, ask: UndoAsk): Promise<UndoResult> {
  // Checked first without the slot, so a stale preview costs no operation.
  const before = await previewUndo(store, libraryId, id);
  if (ask.expect && !sameCounts(before, ask.expect)) return { status: 'changed', preview: before };
  if (before.reverted === 0) throw nothingToPutBack(id);
  const target = before.operation;
  // SPEC §3.7 "only one sync runs per library at a time" covers undo: never beside a sync.
  const undo = await startOwnOperation(store.operations, libraryId, {
    type: OPERATION_TYPES.undo,
    source: target.source,
    requestedBy: ask.requestedBy,
    undoOf: { id: target.id, type: target.type },
  });
  const expect = ask.expect ?? { reverted: before.reverted, kept: before.kept };
  let changed: UndoPreview | undefined;
  try {
    const done = await store.transaction(async (tx) => {
      const rows = await tx.journal.ofOperation(libraryId, id);
      const { plan, patrons, locks } = await planNow(tx, libraryId, rows);
      if (plan.reverts.length !== expect.reverted || plan.kept.length !== expect.kept) {
        changed = previewOf(target, plan, patrons, locks);
        throw new RollcallError('conflict', 'The patrons changed between the preview and the undo; nothing was applied. Preview it again.');
      }
      if (plan.reverts.length === 0) throw nothingToPutBack(id);
      if (!(await tx.operations.markUndone(libraryId, id, undo.id))) {
        const now = await tx.operations.get(libraryId, id);
        throw new RollcallError('conflict', `Operation ${id} was already undone by operation ${now?.undoneBy ?? '?'}.`);
      }
      await writeReverts(tx, libraryId, undo.id, plan, patrons);
      await tx.journal.append(libraryId, { operationId: undo.id, actor: ask.requestedBy }, journalRows(plan));
      await appendLog(tx, libraryId, undo.id, logLines(target, plan, patrons, locks));
      const counts = countsOf(plan);
      const finished = await tx.operations.finish(libraryId, undo.id, {
        state: plan.kept.length > 0 ? 'succeeded_with_warnings' : 'succeeded',
        counts,
        complete: true,
        summary: summaryOf(target, plan),
      });
      if (!finished) throw new RollcallError('conflict', 'This undo was ended while it ran (taken for stopped); nothing was applied.');
      return plan;
    });
    return {
      status: 'applied',
      operation: (await store.operations.get(libraryId, undo.id))!,
      undone: (await store.operations.get(libraryId, id))!,
      reverted: done.reverts.length,
      kept: done.kept.length,
    };
  } catch (e) {
    await store.operations.appendLog(libraryId, undo.id, [{ level: 'error', message: `Undo failed: ${oneLine(e)}` }]).catch(() => {});
    await store.operations.finish(libraryId, undo.id, { state: 'failed', error: oneLine(e) }).catch(() => {});
    if (changed) return { status: 'changed', preview: changed };
    throw e;
  }
}

/** SPEC §8's object for an applied undo, or for a preview (`--dry-run`: state `preview`, the undone operation's id). */
export function undoJson(r: UndoResult | UndoPreview): UndoJson {
  if ('status' in r) {
    if (r.status === 'applied') return { operation: r.operation.id, state: r.operation.state, reverted: r.reverted, kept: r.kept };
    return undoJson(r.preview);
  }
  return { operation: r.operation.id, state: 'preview', reverted: r.reverted, kept: r.kept };
}

/** Whether a preview shows what was previewed before. */
export function sameCounts(preview: UndoPreview, expect: UndoExpect): boolean {
  return preview.reverted === expect.reverted && preview.kept === expect.kept;
}

/** The operation, when it is one that can be undone; else a one-line refusal (SPEC §3.9). */
async function undoable(store: Store, libraryId: number, id: number): Promise<Operation> {
  const op = await store.operations.get(libraryId, id);
  // Another library's operation is not found: one library never sees another's.
  if (!op) throw new RollcallError('not_found', `There is no operation ${id} in this library.`);
  const what = `Operation ${id} (${operationTypeName(op.type, op.source, op.undoOf)})`;
  // SPEC §3.10: removed patrons are deleted, not Transferred; what brings them back is their archive.
  if (op.type === OPERATION_TYPES.patronRemoval) throw removalRefusal(what);
  if (op.type === OPERATION_TYPES.dryRun) throw new RollcallError('conflict', `${what} is a dry run: it wrote nothing to undo.`);
  if (op.state === 'queued' || op.state === 'running')
    throw new RollcallError('conflict', `${what} is still ${op.state}: undo it once it has finished.`);
  if (op.state === 'needs_review')
    throw new RollcallError('conflict', `${what} is held for review and wrote nothing yet: approve or reject it instead.`);
  if (op.state === 'rejected') throw new RollcallError('conflict', `${what} was rejected and wrote nothing: there is nothing to undo.`);
  if (op.state === 'failed') throw new RollcallError('conflict', `${what} failed and wrote nothing: there is nothing to undo.`);
  if (op.undoneBy !== null) throw new RollcallError('conflict', `${what} was already undone by operation ${op.undoneBy}.`);
  return op;
}

function nothingToPutBack(id: number): RollcallError {
  return new RollcallError(
    'conflict',
    `Every field operation ${id} wrote was changed since (or its patrons deleted): there is nothing to put back.`,
  );
}

/** A finished operation with no journal rows wrote nothing; a removal's rows are restored from its archive. */
function refuseEmpty(op: Operation, rows: readonly JournalEntry[]): void {
  const what = `Operation ${op.id} (${operationTypeName(op.type, op.source, op.undoOf)})`;
  if (rows.length === 0) throw new RollcallError('conflict', `${what} wrote nothing: there is nothing to undo.`);
  if (rows.some((r) => r.kind === 'removal')) throw removalRefusal(what);
}

function removalRefusal(what: string): RollcallError {
  return new RollcallError(
    'conflict',
    `${what} removed patrons, which an undo cannot bring back: a removal is restored from its archive (patrons import).`,
  );
}

/** The plan against the patrons as they are now (in `repos`' transaction, when it is one). */
async function planNow(
  repos: Repositories,
  libraryId: number,
  rows: readonly JournalEntry[],
): Promise<{ plan: UndoPlan; patrons: Map<number, Patron>; locks: FieldLocks }> {
  const ids = [...new Set(rows.map((r) => r.patronId))];
  const patrons = new Map((await repos.patrons.getMany(libraryId, ids)).map((p) => [p.id, p]));
  const lastRow = rows.reduce((max, r) => Math.max(max, r.id), 0);
  const later = await repos.journal.changedAfter(libraryId, ids, lastRow);
  const siteCodes = new Set((await repos.sites.list(libraryId)).map((s) => s.code));
  const guidHolders = new Map<string, number>();
  for (const r of rows) {
    const guid = r.field === 'guid' ? (r.oldValue ?? '') : '';
    if (guid.trim() === '' || guidHolders.has(guid)) continue;
    const holder = await repos.patrons.byGuid(libraryId, guid);
    if (holder) guidHolders.set(guid, holder.id);
  }
  return { plan: planUndo({ rows, patrons, later, siteCodes, guidHolders }), patrons, locks: await repos.locks.byPatron(libraryId) };
}

function previewOf(op: Operation, plan: UndoPlan, patrons: ReadonlyMap<number, Patron>, locks: FieldLocks): UndoPreview {
  return {
    operation: op,
    name: operationTypeName(op.type, op.source, op.undoOf),
    reverted: plan.reverts.length,
    kept: plan.kept.length,
    patrons: plan.patrons,
    reverts: plan.reverts.slice(0, PREVIEW_REVERTS).map((r) => ({
      ...r,
      label: labelOf(r.field),
      patron: refOf(r.patronId, patrons),
      locked: isLocked(locks, r.patronId, r.field),
    })),
    keptFields: plan.kept.slice(0, PREVIEW_KEPT).map((k) => ({ ...k, label: labelOf(k.field), patron: refOf(k.patronId, patrons) })),
  };
}

/** Writes the reverts: only the fields put back (and the GUID's owner when the GUID is put back blank). */
async function writeReverts(tx: Repositories, libraryId: number, undoId: number, plan: UndoPlan, patrons: ReadonlyMap<number, Patron>) {
  const byPatron = new Map<number, Revert[]>();
  for (const r of plan.reverts) {
    const list = byPatron.get(r.patronId);
    if (list) list.push(r);
    else byPatron.set(r.patronId, [r]);
  }
  const updates: PatronUpdate[] = [];
  for (const [patronId, reverts] of byPatron) {
    const { id, guidSource, matchedBy, ...values } = patrons.get(patronId)!;
    const update: PatronUpdate = { id, ...values, guidSource, matchedBy, lastSyncOperationId: undoId, fields: reverts.map((r) => r.field) };
    for (const r of reverts) {
      if (r.field === 'status') update.status = Number(r.to);
      else update[r.field] = r.to;
      // A GUID put back blank belongs to no integration and matched nobody (SPEC §3.2).
      if (r.field === 'guid' && r.to === '') Object.assign(update, { guidSource: null, matchedBy: null });
    }
    updates.push(update);
  }
  await tx.patrons.updateMany(libraryId, updates);
}

function journalRows(plan: UndoPlan): JournalWrite[] {
  return plan.reverts.map((r) => ({ patronId: r.patronId, field: r.field, oldValue: r.from, newValue: r.to, kind: 'undo' }));
}

/** The undo's log: what it undid, each revert, and each field kept with its reason (a warning: a person may want to look). */
function logLines(op: Operation, plan: UndoPlan, patrons: ReadonlyMap<number, Patron>, locks: FieldLocks): LogLine[] {
  const lines: LogLine[] = [{ level: 'info', message: `Undo of ${operationTypeName(op.type, op.source, op.undoOf)} ${op.id}.` }];
  for (const r of plan.reverts) {
    const who = describe(refOf(r.patronId, patrons));
    lines.push({
      level: 'info',
      message:
        r.kind === 'uncreate'
          ? `${who}: created by operation ${op.id}, set Transferred (Status ${statusName(r.from)} → ${statusName(r.to)}).`
          : `${who}: ${labelOf(r.field)} put back: "${shown(r.field, r.from)}" → "${shown(r.field, r.to)}".${isLocked(locks, r.patronId, r.field) ? ' It is locked: a lock stops syncs, not an undo.' : ''}`,
    });
  }
  for (const k of plan.kept) {
    lines.push({
      level: 'warning',
      message: `${describe(refOf(k.patronId, patrons))}: ${labelOf(k.field)} kept as "${shown(k.field, k.now)}" (operation ${op.id} wrote "${shown(k.field, k.wrote)}"): ${k.reason}.`,
    });
  }
  return lines;
}

async function appendLog(tx: Repositories, libraryId: number, id: number, lines: readonly LogLine[]): Promise<void> {
  for (let i = 0; i < lines.length; i += LOG_CHUNK) await tx.operations.appendLog(libraryId, id, lines.slice(i, i + LOG_CHUNK));
}

/**
 * The undo's eight counts (SPEC §3.7): patrons set Transferred (undone creates and
 * reactivations), set back from Transferred (undone transfers), with other fields put back; the
 * fields kept are its skipped and its warnings.
 */
function countsOf(plan: UndoPlan): OperationCounts {
  return {
    created: 0,
    updated: plan.patrons.updated,
    unchanged: 0,
    transferred: plan.patrons.transferred,
    reactivated: plan.patrons.reactivated,
    skipped: plan.kept.length,
    conflicts: 0,
    warnings: plan.kept.length,
  };
}

function summaryOf(op: Operation, plan: UndoPlan): string {
  const p = plan.patrons;
  const kept = plan.kept.length > 0 ? ` ${countOf(plan.kept.length, 'field')} kept: changed again since (listed in the log).` : '';
  return (
    `Undid operation ${op.id}: ${countOf(plan.reverts.length, 'field')} put back — ${countOf(p.transferred, 'patron')} set Transferred, ` +
    `${p.reactivated} set back from Transferred, ${p.updated} with other fields restored.${kept}`
  );
}

const LABELS = new Map<string, string>(FIELDS.map((f) => [f.key, f.label]));

function labelOf(field: PatronFieldKey): string {
  return LABELS.get(field) ?? field;
}

/** A value in the undo's log: Status by name with its number ("Active (1)", SPEC §1.2). */
function shown(field: PatronFieldKey, value: string): string {
  return field === 'status' && value !== '' ? statusName(value) : value;
}

function refOf(id: number, patrons: ReadonlyMap<number, Patron>): UndoPatronRef {
  const p = patrons.get(id);
  if (!p) return { id, name: '', barcode: '' };
  return { id, name: [p.lastName, p.firstName].filter(Boolean).join(', '), barcode: p.barcode };
}

function describe(p: UndoPatronRef): string {
  const name = p.name || '(no name)';
  return p.barcode ? `Patron ${p.id} ${name} (${p.barcode})` : `Patron ${p.id} ${name}`;
}
