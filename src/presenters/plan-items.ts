/**
 * A stored plan change as the Operations Management page and the API show it (pure): who it
 * is, why, every field that changes with its library field number and old → new value, and for
 * a conflict both sides (the roster user, and the patrons it points at). Stored details are
 * read defensively, as in plan-lines.ts: a plan stored by an older version may lack a field,
 * and the page must still show the rest.
 */
import { FIELDS } from '../domain/fields.ts';
import type { StoredChange } from '../store/store.ts';
import { keyLabel } from '../sync/core/reasons.ts';
import type { MatchKey } from '../sync/core/types.ts';

/** One changed field. */
export interface PlanField {
  /** The library field number (1006 for Last Name). */
  number: number | null;
  /** The field's label (`Last Name`). */
  label: string;
  /** The value before ('' when blank or for a new patron). */
  from: string;
  /** The value after ('' when blank). */
  to: string;
}

/** One patron a conflicting roster user points at (the library's side). */
export interface PlanCandidate {
  /** The patron's id. */
  patronId: number;
  /** Its name. */
  name: string;
  /** Its GUID ('' when none). */
  guid: string;
  /** The keys it matched on, as librarians call them (`Student #`, `Email`). */
  matchedOn: string[];
}

/** A conflict's two sides. */
export interface PlanConflict {
  /** Why matching could not decide (`key-shared`, `identity-drift`, …). */
  cause: string;
  /** The roster side: the user's name and role. */
  user: { name: string; role: string };
  /** The library side. */
  candidates: PlanCandidate[];
  /** Other roster users claiming the same patron, by sourcedId. */
  rivals: string[];
}

/** One change of a stored plan, for display. */
export interface PlanItem {
  /** Its position in the plan. */
  seq: number;
  /** create, update, transfer, reactivate, conflict, skip, locked (fields a lock kept, said in `reason`). */
  kind: string;
  /** The roster user ('' when unknown). */
  sourcedId: string;
  /** The patron written, or null (a create, a conflict). */
  patronId: number | null;
  /** Who: the roster user's or patron's name ('' when unknown). */
  name: string;
  /** One plain line: why. */
  reason: string;
  /** The fields that change (every non-blank one for a create). */
  fields: PlanField[];
  /** Both sides, for a conflict; null otherwise. */
  conflict: PlanConflict | null;
}

interface StoredDetail {
  kind?: string;
  sourcedId?: string;
  reason?: string;
  patronId?: number;
  cause?: string;
  values?: { firstName?: string; lastName?: string };
  diff?: { field?: string; from?: unknown; to?: unknown }[];
  user?: { name?: string; role?: string };
  candidates?: { patronId?: number; guid?: string; name?: string; matchedOn?: string[] }[];
  rivals?: string[];
  /** A kept-lock note's patron name (stored-plan.ts LOCKED_KIND). */
  name?: string;
}

const FIELD_BY_KEY = new Map<string, (typeof FIELDS)[number]>(FIELDS.map((f) => [f.key, f]));
const MATCH_KEYS = new Set<string>(['guid', 'communityId', 'barcode', 'email']);

/** A stored change as shown. */
export function planItem(change: Pick<StoredChange, 'seq' | 'kind' | 'sourcedId' | 'patronId' | 'detail'>): PlanItem {
  const d = (change.detail ?? {}) as StoredDetail;
  const isConflict = change.kind === 'conflict';
  return {
    seq: change.seq,
    kind: change.kind,
    sourcedId: change.sourcedId || text(d.sourcedId),
    patronId: change.patronId ?? (typeof d.patronId === 'number' ? d.patronId : null),
    name: text(d.user?.name) || text(d.name) || [text(d.values?.firstName), text(d.values?.lastName)].filter((s) => s !== '').join(' '),
    reason: text(d.reason),
    // A kept lock changes no field: its reason says what was kept ("First Name locked, kept …").
    fields: isConflict || change.kind === 'locked' ? [] : (d.diff ?? []).map(planField),
    conflict: isConflict ? conflictOf(d) : null,
  };
}

function planField(x: { field?: string; from?: unknown; to?: unknown }): PlanField {
  const def = FIELD_BY_KEY.get(x.field ?? '');
  return { number: def?.number ?? null, label: def?.label ?? text(x.field), from: text(x.from), to: text(x.to) };
}

function conflictOf(d: StoredDetail): PlanConflict {
  return {
    cause: text(d.cause),
    user: { name: text(d.user?.name), role: text(d.user?.role) },
    candidates: (d.candidates ?? []).map((c) => ({
      patronId: typeof c.patronId === 'number' ? c.patronId : 0,
      name: text(c.name),
      guid: text(c.guid),
      matchedOn: (c.matchedOn ?? []).map((k) => (MATCH_KEYS.has(k) ? keyLabel(k as MatchKey) : text(k))),
    })),
    rivals: (d.rivals ?? []).map(text),
  };
}

/** Stored values are strings, but a status may have been stored as a number. */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}
