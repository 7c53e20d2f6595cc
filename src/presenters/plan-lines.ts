/**
 * One line per stored plan change, for `operations show` and the pages (pure): who, what, and
 * for writes the fields old → new. Stored details are read defensively: a plan stored by an
 * older version may lack a field, and a summary must never fail over it.
 */
import type { PatronFieldKey } from '../domain/fields.ts';
import { fieldLabel, fieldValueText, newPatronText } from '../sync/core/reasons.ts';

/** Fields shown per change before "and N more". */
const DIFF_FIELDS_SHOWN = 6;
/** Longest value shown in a diff; longer ones are cut (a summary, not the record). */
const VALUE_SHOWN_LENGTH = 40;

interface StoredDetail {
  kind?: string;
  sourcedId?: string;
  reason?: string;
  values?: { firstName?: string; lastName?: string; policy?: string; status?: number; barcode?: string } & Partial<
    Record<PatronFieldKey, string | number>
  >;
  defaulted?: PatronFieldKey[];
  diff?: { field: PatronFieldKey; from: string; to: string }[];
  user?: { name?: string };
  /** A kept-lock note's patron name (stored-plan.ts LOCKED_KIND). */
  name?: string;
}

/** A stored change (its `detail`) as one line. */
export function changeLine(detail: unknown): string {
  const d = (detail ?? {}) as StoredDetail;
  const who = whoOf(d);
  const reason = d.reason ?? '';
  switch (d.kind) {
    case 'create':
      // What the new patron gets from the library's creation defaults (SPEC §3.8).
      return `${who}: ${reason}${newPatronText(d.values ?? {}, Array.isArray(d.defaulted) ? d.defaulted : [])}`;
    case 'update':
    case 'reactivate':
    case 'transfer':
      return `${who}: ${reason}${diffText(d.diff ?? [])}`;
    default:
      return `${who}: ${reason}`;
  }
}

function whoOf(d: StoredDetail): string {
  const name = d.user?.name ?? d.name ?? [d.values?.firstName, d.values?.lastName].filter((s) => s).join(' ');
  const id = d.sourcedId ?? '';
  if (name && id) return `${name} [${id}]`;
  return name || `[${id}]`;
}

/**
 * " (Last Name: Smith → Smyth; Status: Active (1) → Transferred (4))" — the GUID left out: it is
 * in the brackets; Status by name, also for plans stored when it was a bare number.
 */
function diffText(diff: readonly { field: PatronFieldKey; from: string; to: string }[]): string {
  const shown = diff.filter((x) => x.field !== 'guid');
  if (shown.length === 0) return '';
  const parts = shown.slice(0, DIFF_FIELDS_SHOWN).map((x) => `${fieldLabel(x.field)}: ${value(x.field, x.from)} → ${value(x.field, x.to)}`);
  if (shown.length > DIFF_FIELDS_SHOWN) parts.push(`and ${shown.length - DIFF_FIELDS_SHOWN} more`);
  return ` (${parts.join('; ')})`;
}

function value(field: string, raw: string): string {
  if (raw === '') return '—';
  const v = fieldValueText(field, raw);
  return v.length > VALUE_SHOWN_LENGTH ? `${v.slice(0, VALUE_SHOWN_LENGTH - 1)}…` : v;
}
