/**
 * What undoing an operation would do (SPEC §3.9: "Undo an operation: reverts every field that
 * operation wrote, and every create (the patron is set Transferred, never deleted) and
 * transfer, unless the field was changed again since (then it is listed, not overwritten)").
 * Pure: given the operation's journal rows, the patrons' values now and what was journaled of
 * them since, it lists the reverts and the fields kept, each with its reason. The same function
 * makes the preview and, in the apply's transaction, the reverts applied — so what was
 * previewed is what is applied, or the difference is seen.
 */
import { FIELDS, type PatronFieldKey } from '../../domain/fields.ts';
import type { PatronValues } from '../../domain/patron.ts';

/** Status 1026 "Transferred": what undoing a create sets (SPEC §3.9), and what a sync's transfer sets. */
export const TRANSFERRED = 4;

/** The `field` of a journal row recording a whole new patron (its new value: the created values as JSON). */
export const CREATED = '*';

/** A journal row, as much of it as undo reads (store/journal.ts `JournalEntry` is one). */
export interface UndoJournalRow {
  /** Monotonic: later changes have larger ids. */
  id: number;
  /** The patron. */
  patronId: number;
  /** A patron field key, `*` for a created patron, or another journaled field (notes) undo leaves alone. */
  field: string;
  /** The value before, null when blank. */
  oldValue: string | null;
  /** The value after, null when blank. */
  newValue: string | null;
  /** What wrote it (create, update, transfer, edit, undo, …). */
  kind: string;
  /** The operation that wrote it, or null (a hand edit). */
  operationId: number | null;
  /** Who it was, as recorded ('' when none). */
  actor: string;
}

/** What undo is given. */
export interface UndoInput {
  /** The operation's journal rows, in the order written. */
  rows: readonly UndoJournalRow[];
  /** The values now of the patrons those rows name (a patron missing here no longer exists). */
  patrons: ReadonlyMap<number, PatronValues>;
  /** Journal rows of those patrons written after the operation's (to say who changed a field since). */
  later: readonly UndoJournalRow[];
  /** The library's site codes now (a Site is restored only to a site that still exists). */
  siteCodes: ReadonlySet<string>;
  /** Which patron holds each GUID a revert would restore, where one does (GUIDs are unique). */
  guidHolders: ReadonlyMap<string, number>;
}

/** One field to put back. */
export interface Revert {
  /** The patron. */
  patronId: number;
  /** The field. */
  field: PatronFieldKey;
  /** Its value now: what the operation wrote ('' when blank). */
  from: string;
  /** The value it is given back ('' when blank). */
  to: string;
  /** `uncreate`: a patron the operation created, set Transferred; `restore`: a field given its old value. */
  kind: 'uncreate' | 'restore';
}

/** One field left as it is, and why. */
export interface Kept {
  /** The patron. */
  patronId: number;
  /** The field. */
  field: PatronFieldKey;
  /** What the operation wrote ('' when blank). */
  wrote: string;
  /** Its value now ('' when blank; '' too when the patron is gone). */
  now: string;
  /** Why it is kept, in a few words ("changed since by operation 45", "the patron was deleted"). */
  reason: string;
}

/** The undo of one operation. */
export interface UndoPlan {
  /** The fields to put back, by patron id then field order. */
  reverts: Revert[];
  /** The fields kept, by patron id then field order. */
  kept: Kept[];
  /** Patrons by what happens to their Status: set Transferred, set back from Transferred; others with fields restored. */
  patrons: { transferred: number; reactivated: number; updated: number };
}

/** The fields in SPEC §1.2's order, for a stable order of reverts. */
const FIELD_ORDER = new Map<string, number>(FIELDS.map((f, i) => [f.key, i]));

/** Plans the undo of an operation from its journal rows and the patrons as they are now. */
export function planUndo(input: UndoInput): UndoPlan {
  // Net effect per patron and field: the value before the operation's first write of it, the
  // value after its last. A created patron is one `*` row; nothing else of it is undone, since
  // before the operation it did not exist.
  const created = new Map<number, UndoJournalRow>();
  const net = new Map<number, Map<PatronFieldKey, { old: string; wrote: string }>>();
  for (const r of input.rows) {
    if (r.field === CREATED) {
      created.set(r.patronId, r);
      continue;
    }
    if (!FIELD_ORDER.has(r.field)) continue; // not a patron field (notes): not something an operation writes
    const field = r.field as PatronFieldKey;
    let fields = net.get(r.patronId);
    if (!fields) net.set(r.patronId, (fields = new Map()));
    const seen = fields.get(field);
    fields.set(field, { old: seen ? seen.old : (r.oldValue ?? ''), wrote: r.newValue ?? '' });
  }
  for (const id of created.keys()) net.delete(id);

  const laterBy = lastChangeByField(input.later);
  const reverts: Revert[] = [];
  const kept: Kept[] = [];
  const keep = (patronId: number, field: PatronFieldKey, wrote: string, now: string, reason: string) =>
    kept.push({ patronId, field, wrote, now, reason });
  const changedSince = (patronId: number, field: PatronFieldKey) => {
    const by = laterBy.get(`${patronId}\u0000${field}`);
    return by ? `changed since ${whoChanged(by)}` : 'changed since';
  };

  for (const [patronId, row] of created) {
    const wrote = String(createdStatus(row.newValue));
    const p = input.patrons.get(patronId);
    if (!p) keep(patronId, 'status', wrote, '', 'the patron was deleted since');
    else if (String(p.status) !== wrote) keep(patronId, 'status', wrote, String(p.status), changedSince(patronId, 'status'));
    else reverts.push({ patronId, field: 'status', from: wrote, to: String(TRANSFERRED), kind: 'uncreate' });
  }
  for (const [patronId, fields] of net) {
    const p = input.patrons.get(patronId);
    for (const [field, { old, wrote }] of fields) {
      if (old === wrote) continue; // written and written back within the operation: nothing to undo
      if (!p) {
        keep(patronId, field, wrote, '', 'the patron was deleted since');
        continue;
      }
      const now = field === 'status' ? String(p.status) : p[field];
      // SPEC §3.9: "unless the field was changed again since (then it is listed, not overwritten)".
      if (now !== wrote) keep(patronId, field, wrote, now, changedSince(patronId, field));
      else if (field === 'site' && old !== '' && !input.siteCodes.has(old))
        keep(patronId, field, wrote, now, `site ${old} no longer exists`);
      else if (field === 'status' && !/^\d+$/.test(old)) keep(patronId, field, wrote, now, `"${old}" is not a status number`);
      else if (field === 'guid' && old.trim() !== '' && (input.guidHolders.get(old) ?? patronId) !== patronId)
        keep(patronId, field, wrote, now, `another patron holds GUID ${old} now`);
      else reverts.push({ patronId, field, from: wrote, to: old, kind: 'restore' });
    }
  }
  const order = (a: { patronId: number; field: string }, b: { patronId: number; field: string }) =>
    a.patronId - b.patronId || FIELD_ORDER.get(a.field)! - FIELD_ORDER.get(b.field)!;
  reverts.sort(order);
  kept.sort(order);
  return { reverts, kept, patrons: patronCounts(reverts) };
}

/** The Status a `*` row created the patron with (1 Active unless its values say otherwise). */
function createdStatus(json: string | null): number {
  try {
    const values = JSON.parse(json ?? '{}') as { status?: unknown };
    const status = Number(values.status);
    return Number.isInteger(status) && values.status !== undefined ? status : 1;
  } catch {
    return 1;
  }
}

/** The last later row of each patron field ("patronId\0field"). */
function lastChangeByField(later: readonly UndoJournalRow[]): Map<string, UndoJournalRow> {
  const by = new Map<string, UndoJournalRow>();
  for (const r of later) by.set(`${r.patronId}\u0000${r.field}`, r);
  return by;
}

/** "by operation 45", "by a hand edit (alice)", "by an edit". */
function whoChanged(r: UndoJournalRow): string {
  if (r.operationId !== null) return `by operation ${r.operationId}`;
  if (r.kind === 'edit') return r.actor ? `by a hand edit (${r.actor})` : 'by a hand edit';
  return r.actor ? `by ${r.actor}` : `by a ${r.kind}`;
}

/** Patrons by what happens to their Status; the rest of those with reverts count as updated. */
function patronCounts(reverts: readonly Revert[]): UndoPlan['patrons'] {
  const status = new Map<number, Revert>();
  const any = new Set<number>();
  for (const r of reverts) {
    any.add(r.patronId);
    if (r.field === 'status') status.set(r.patronId, r);
  }
  let transferred = 0;
  let reactivated = 0;
  for (const r of status.values()) {
    if (r.to === String(TRANSFERRED)) transferred++;
    else if (r.from === String(TRANSFERRED)) reactivated++;
  }
  return { transferred, reactivated, updated: any.size - transferred - reactivated };
}
