/**
 * A plan as an operation stores it (SPEC §3.7: "the plan of a held or dry-run operation is
 * stored and viewable"), and the log line each change gets. The stored rows are: one `meta`
 * row (seq 0: what approval needs to know — the patron revision the plan was made against),
 * then every change in plan order (detail = the change itself), then the ownership claims.
 */
import type { LogLevel, ChangeInput, StoredChange } from '../store/store.ts';
import { fieldLabel, fieldValueText, newPatronText } from './core/reasons.ts';
import type { Change, FieldDiff, OwnershipClaim, Plan, QueueEvent } from './core/types.ts';
import { creationDiff } from './core/patron-values.ts';
import type { LockedKeep } from './core/locks.ts';

/** What approval needs to know about a held plan besides its changes. */
export interface PlanMeta {
  /** The library's patron revision when the plan was made: approval applies it only if unchanged. */
  revision: number;
  /** What was read. */
  kind: 'full' | 'delta';
  /** When the sync began reading (ISO): becomes the delta watermark when applied. */
  startedAt: string;
  /** Removals were held back (incomplete read). */
  transfersHeld: boolean;
  /** Whether the snapshot was complete. */
  complete: boolean;
  /** Barcode sequences after the plan's creates. */
  nextBarcode: Plan['nextBarcode'];
}

/** Stored kind of the meta row. */
export const META_KIND = 'meta';
/** Stored kind of an ownership claim. */
export const CLAIM_KIND = 'claim';
/** Stored kind of what the conflict queue records when the plan applies (SPEC §3.9). */
export const QUEUE_KIND = 'queue';
/** Stored kind of a patron whose locked fields the plan kept (SPEC §3.8 "its plan says so"). */
export const LOCKED_KIND = 'locked';

/** The rows that store a plan. */
export function storedPlan(plan: Plan, meta: PlanMeta): ChangeInput[] {
  const rows: ChangeInput[] = [{ kind: META_KIND, sourcedId: '', patronId: null, detail: meta }];
  for (const c of plan.changes) {
    // A create's diff is stored as every other change's is (the plan pages and exports show it).
    const detail = c.kind === 'create' ? { ...c, diff: creationDiff(c.values) } : c;
    rows.push({ kind: c.kind, sourcedId: c.sourcedId, patronId: 'patronId' in c ? (c.patronId ?? null) : null, detail });
  }
  for (const c of plan.claims) rows.push({ kind: CLAIM_KIND, sourcedId: '', patronId: c.patronId, detail: c });
  for (const e of plan.queue) rows.push({ kind: QUEUE_KIND, sourcedId: e.kind === 'seen' ? e.sourcedId : '', patronId: null, detail: e });
  for (const l of plan.locked)
    rows.push({ kind: LOCKED_KIND, sourcedId: l.sourcedId, patronId: l.patronId, detail: { kind: LOCKED_KIND, ...l } });
  return rows;
}

/** A stored plan read back. */
export interface LoadedPlan {
  /** The meta row. */
  meta: PlanMeta;
  /** The changes, in plan order. */
  changes: Change[];
  /** The ownership claims. */
  claims: OwnershipClaim[];
  /** What the conflict queue records when it applies. */
  queue: QueueEvent[];
  /** Patrons whose locked fields the plan kept. */
  locked: LockedKeep[];
}

/** Reads stored rows back into a plan; undefined when there is no meta row (nothing stored). */
export function loadedPlan(rows: readonly StoredChange[]): LoadedPlan | undefined {
  const metaRow = rows.find((r) => r.kind === META_KIND);
  if (!metaRow) return undefined;
  const changes: Change[] = [];
  const claims: OwnershipClaim[] = [];
  const queue: QueueEvent[] = [];
  const locked: LockedKeep[] = [];
  for (const r of rows) {
    if (r.kind === META_KIND) continue;
    if (r.kind === CLAIM_KIND) claims.push(r.detail as OwnershipClaim);
    else if (r.kind === QUEUE_KIND) queue.push(r.detail as QueueEvent);
    else if (r.kind === LOCKED_KIND) {
      const { kind: _k, ...keep } = r.detail as LockedKeep & { kind: string };
      locked.push(keep);
    } else changes.push(r.detail as Change);
  }
  return { meta: metaRow.detail as PlanMeta, changes, claims, queue, locked };
}

/** The log line for an applied change, or undefined (nothing to say). */
export function changeLogLine(c: Change): { level: LogLevel; message: string } | undefined {
  switch (c.kind) {
    case 'create':
      return {
        level: 'info',
        message: `Created: ${c.values.firstName} ${c.values.lastName} — ${c.reason}${newPatronText(c.values, c.defaulted)}`,
      };
    case 'update':
    case 'reactivate':
    case 'transfer':
      return { level: 'info', message: `${c.reason}${diffText(c.diff)}` };
    case 'skip':
      return { level: 'info', message: `Skipped: ${c.reason}` };
    case 'conflict':
      return undefined; // logged as a warning when the plan is made, applied or not
  }
}

/** The log line of a patron whose locked fields a plan kept: "Patron #12 (Bobby Smith): First Name locked, kept 'Bobby' (roster: 'Robert')". */
export function lockedLogLine(l: LockedKeep): string {
  return `Patron #${l.patronId}${l.name === '' ? '' : ` (${l.name})`}: ${l.reason}`;
}

/** " (Last Name: Smith → Smyth; Status: Active (1) → Transferred (4))" */
function diffText(diff: readonly FieldDiff[]): string {
  const shown = diff.filter((d) => d.field !== 'guid');
  if (shown.length === 0) return '';
  const value = (d: FieldDiff, v: string) => (v === '' ? '—' : fieldValueText(d.field, v));
  return ` (${shown.map((d) => `${fieldLabel(d.field)}: ${value(d, d.from)} → ${value(d, d.to)}`).join('; ')})`;
}
