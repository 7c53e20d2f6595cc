/**
 * Field locks (SPEC §3.8): "a librarian may lock a field of one patron (e.g. a preferred name, a
 * hand-fixed phone); a sync never writes a locked field and its plan says so ("locked, kept")."
 *
 * This module is the one place that rule is decided. plan.ts passes every write it plans for an
 * existing patron (update, reactivation, transfer, a delta's demographics) through `keepLocked`
 * before it works out the diff, so a locked field never reaches a change; `recheckLocks` holds a
 * plan made earlier (a sync held for review and approved later, or a lock added while a sync ran)
 * to the locks as they are when it is applied. A new patron has no locks, so creates pass as
 * they are. Matching reads the patrons as stored, before any write, so a locked key field
 * (Barcode, Student #, Email, GUID) is still used to match.
 */
import { FIELDS, type PatronFieldKey } from '../../domain/fields.ts';
import type { PatronValues } from '../../domain/patron.ts';
import { fieldLabel, writeReason } from './reasons.ts';
import type { Change, FieldDiff, FieldLocks, KeptField, LockedKeep, PlanCounts } from './types.ts';

export type { FieldLocks, KeptField, LockedKeep } from './types.ts';

/** No locks at all. */
export const NO_LOCKS: FieldLocks = new Map();

/**
 * The fields a lock can hold: the ones a sync writes (FIELDS `synced`). Policy and Nickname are
 * never written by a sync after creation, so a lock on them would promise nothing.
 */
export const LOCKABLE_FIELDS: readonly PatronFieldKey[] = FIELDS.filter((f) => f.synced).map((f) => f.key);

const ORDER = new Map<PatronFieldKey, number>(FIELDS.map((f, i) => [f.key, i]));

/** Whether a sync may write this field of this patron. */
export function isLocked(locks: FieldLocks, patronId: number, field: PatronFieldKey): boolean {
  return locks.get(patronId)?.has(field) ?? false;
}

/**
 * The values a sync may write to a patron: `wanted` with every locked field put back to the
 * patron's (`before`), and the locked fields whose value it would have changed. With no lock on
 * the patron, `wanted` itself (no copy: this runs for every changed patron of a sync).
 */
export function keepLocked(
  patronId: number,
  before: PatronValues,
  wanted: PatronValues,
  locks: FieldLocks,
): { values: PatronValues; kept: KeptField[] } {
  const locked = locks.get(patronId);
  if (locked === undefined || locked.size === 0) return { values: wanted, kept: [] };
  let values = wanted;
  const kept: KeptField[] = [];
  for (const field of locked) {
    const was = String(before[field]);
    const would = String(wanted[field]);
    if (was === would) continue;
    // "A sync never writes a locked field."
    if (values === wanted) values = { ...wanted };
    (values as unknown as Record<PatronFieldKey, string | number>)[field] = before[field];
    kept.push({ field, kept: was, roster: would });
  }
  kept.sort((a, b) => ORDER.get(a.field)! - ORDER.get(b.field)!);
  return { values, kept };
}

/** "First Name locked, kept 'Bobby' (roster: 'Robert')"; several fields joined by "; ". */
export function lockedLine(fields: readonly KeptField[]): string {
  return fields.map((f) => `${fieldLabel(f.field)} locked, kept ${shown(f.kept)} (roster: ${shown(f.roster)})`).join('; ');
}

function shown(value: string): string {
  return value === '' ? 'blank' : `'${value}'`;
}

/** The note a plan keeps for a patron whose locked fields it kept. */
export function lockedKeep(sourcedId: string, patron: PatronValues & { id: number }, fields: KeptField[]): LockedKeep {
  const name = [patron.firstName, patron.lastName].filter((s) => s !== '').join(' ');
  return { sourcedId, patronId: patron.id, name, fields, reason: lockedLine(fields) };
}

/**
 * A plan made before some of today's locks existed, held to them (SPEC §3.8: "a sync never
 * writes a locked field", whenever the lock was added): each write loses its locked fields; a
 * write left with nothing to change is dropped (its patron counts as unchanged), a transfer or
 * reactivation whose Status is locked becomes an update of what else it changes. Creates are new
 * patrons, which hold no locks. Returns the changes to apply, their counts, and what was kept.
 */
export function recheckLocks<C extends Change>(
  changes: readonly C[],
  counts: PlanCounts,
  locks: FieldLocks,
): { changes: C[]; counts: PlanCounts; kept: LockedKeep[] } {
  if (locks.size === 0) return { changes: [...changes], counts, kept: [] };
  const out: C[] = [];
  const kept: LockedKeep[] = [];
  const next = { ...counts };
  for (const c of changes) {
    if (c.kind !== 'update' && c.kind !== 'transfer' && c.kind !== 'reactivate') {
      out.push(c);
      continue;
    }
    const locked = c.diff.filter((d) => isLocked(locks, c.patronId, d.field));
    if (locked.length === 0) {
      out.push(c);
      continue;
    }
    const before = { ...c.values } as unknown as Record<PatronFieldKey, string | number>;
    for (const d of c.diff) before[d.field] = d.field === 'status' ? Number(d.from) : d.from;
    const { values, kept: fields } = keepLocked(c.patronId, before as unknown as PatronValues, c.values, locks);
    kept.push(lockedKeep(c.sourcedId, { ...(before as unknown as PatronValues), id: c.patronId }, fields));
    const diff: FieldDiff[] = c.diff.filter((d) => !isLocked(locks, c.patronId, d.field));
    countDown(next, c.kind);
    if (diff.length === 0) {
      next.unchanged++;
      continue;
    }
    const statusWritten = diff.some((d) => d.field === 'status');
    const kind = statusWritten ? c.kind : 'update';
    countUp(next, kind);
    const reason =
      kind === c.kind && kind === 'transfer' ? c.reason : writeReason(kind === 'reactivate' ? 'reactivate' : 'update', 'guid', diff);
    out.push({ ...c, kind, values, diff, reason } as C);
  }
  return { changes: out, counts: next, kept };
}

function countDown(counts: PlanCounts, kind: 'update' | 'transfer' | 'reactivate'): void {
  if (kind === 'update') counts.updated--;
  else if (kind === 'transfer') counts.transferred--;
  else counts.reactivated--;
}

function countUp(counts: PlanCounts, kind: 'update' | 'transfer' | 'reactivate'): void {
  if (kind === 'update') counts.updated++;
  else if (kind === 'transfer') counts.transferred++;
  else counts.reactivated++;
}
