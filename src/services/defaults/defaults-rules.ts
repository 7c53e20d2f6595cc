/**
 * The rules a person's change to the creation defaults must pass (SPEC §3.8: "Creation defaults
 * per role are set by an admin in the web admin, the API and the CLI: Policy, Status, barcode
 * assignment (prefix, next number, width; or blank), and fixed values for other fields").
 * Pure: the page, the API and `rollcall defaults set` all come through `applyRoleDraft`, and a
 * refusal is one sentence naming the role and the field; nothing is saved when any role fails.
 */
import { FIELDS, STATUS_TRANSFERRED, fieldByHeader, type PatronFieldKey } from '../../domain/fields.ts';
import type { SyncRole } from '../../domain/roster.ts';
import type { CreationDefaults } from '../../sources/creation-defaults.ts';

/** One role's change; what is left out stays as it is. Numbers may come as text (forms, flags). */
export interface RoleDraft {
  /** Policy 1028 of the role's new patrons, and the name that puts existing patrons in scope. */
  policy?: string;
  /** Status 1026 of the role's new patrons. */
  status?: number | string;
  /** Barcode assignment: left blank, or the next free number of a sequence. */
  barcode?: string;
  /** The sequence's prefix (no spaces). */
  barcodePrefix?: string;
  /** The sequence's next number. */
  barcodeNext?: number | string;
  /** The sequence's width in digits (zero-padded). */
  barcodeWidth?: number | string;
  /** Every fixed value (field name or number → value), replacing those stored. */
  fixed?: Record<string, string>;
  /** Some fixed values to set; '' clears one. Applied after `fixed`. */
  set?: Record<string, string>;
}

/** What each role's new patrons are called in sentences. */
export const ROLE_PEOPLE: Readonly<Record<SyncRole, string>> = {
  student: 'new students',
  teacher: 'new teachers',
  admin: 'new administrators and staff',
};

/** Fields set by their own rule or default, never by a fixed value (SPEC §3.3). */
const NOT_FIXED: Partial<Record<PatronFieldKey, string>> = {
  guid: 'GUID is the roster user’s own sourcedId',
  site: 'Site is the matched site of the user’s school',
  status: 'Status has a default of its own (--status)',
  policy: 'Policy has a default of its own (--policy)',
  barcode: 'Barcode comes from the barcode assignment (a sequence, or blank), so that no two patrons share one',
};

/** The longest Status code (field 1026 holds up to 4 digits). */
const MAX_STATUS = 9999;
/** The longest sequence width: a barcode holds at most 64 characters, and 20 digits is far past any library. */
const MAX_WIDTH = 20;

/**
 * Applies one role's draft to its stored defaults. `mappedBy`: the fields a sync writes, with
 * the source that maps them ("a fixed value for a field a sync maps" is refused: the next sync
 * would overwrite it). Returns the new defaults of the role, or the one sentence refusing them.
 */
export function applyRoleDraft(
  role: SyncRole,
  current: CreationDefaults[SyncRole],
  draft: RoleDraft,
  mappedBy: ReadonlyMap<PatronFieldKey, string>,
): { defaults: CreationDefaults[SyncRole] } | { problem: string } {
  const who = ROLE_PEOPLE[role];
  const next: CreationDefaults[SyncRole] = structuredClone(current);

  if (draft.policy !== undefined) {
    const policy = draft.policy.trim();
    // The Policy is also the scope (SPEC §3.8): a blank one would match every patron without one.
    if (policy === '')
      return {
        problem: `The Policy of ${who} is blank: give the Policy name the library uses for them (it is also which existing patrons a sync is responsible for).`,
      };
    if (policy.length > maxLength('policy')) return { problem: `The Policy of ${who} is longer than ${maxLength('policy')} characters.` };
    next.policy = policy;
  }

  if (draft.status !== undefined) {
    const status = wholeNumber(draft.status);
    if (status === undefined || status < 1 || status > MAX_STATUS) {
      return {
        problem: `The Status of ${who} must be a whole number from 1 to ${MAX_STATUS} (1 Active, or the library's own code), not "${String(draft.status).trim()}".`,
      };
    }
    if (status === STATUS_TRANSFERRED) return { problem: `The Status of ${who} cannot be 4 (Transferred): a new patron has not left.` };
    next.status = status;
  }

  const barcode = barcodeOf(who, next.barcode, draft);
  if ('problem' in barcode) return barcode;
  next.barcode = barcode.barcode;

  if (draft.fixed !== undefined) next.fixed = {};
  for (const [name, raw] of [...Object.entries(draft.fixed ?? {}), ...Object.entries(draft.set ?? {})]) {
    const field = fieldByHeader(name);
    if (!field)
      return {
        problem: `There is no patron field "${name.trim()}" (fixed value of ${who}): give a field name like Location or Nickname, or its number (1004).`,
      };
    const value = raw.trim();
    if (value === '') {
      delete next.fixed[field.key];
      continue;
    }
    const why = NOT_FIXED[field.key];
    if (why) return { problem: `${field.label} cannot have a fixed value for ${who}: ${why}.` };
    const source = mappedBy.get(field.key);
    if (source)
      return { problem: `${field.label} cannot have a fixed value for ${who}: ${source} maps it, so every sync would overwrite it.` };
    if (value.length > field.maxLength)
      return { problem: `The fixed ${field.label} of ${who} is longer than ${field.maxLength} characters.` };
    next.fixed[field.key] = value;
  }
  return { defaults: next };
}

/** The barcode assignment after a draft, or why not. */
function barcodeOf(
  who: string,
  current: CreationDefaults[SyncRole]['barcode'],
  draft: RoleDraft,
): { barcode: CreationDefaults[SyncRole]['barcode'] } | { problem: string } {
  const touchesSequence = draft.barcodePrefix !== undefined || draft.barcodeNext !== undefined || draft.barcodeWidth !== undefined;
  const kind = draft.barcode?.trim().toLowerCase() ?? (touchesSequence ? 'sequence' : current.kind);
  if (kind === 'none' || kind === '') {
    return { barcode: { kind: 'none' } };
  }
  if (kind !== 'sequence') return { problem: `The barcode assignment of ${who} is "none" or "sequence", not "${draft.barcode}".` };
  const base = current.kind === 'sequence' ? current : { prefix: '', next: 1, width: 6 };
  const prefix = draft.barcodePrefix ?? base.prefix;
  // Barcodes are compared without spaces (sync/core/barcodes.ts), and scanners drop them.
  if (/\s/.test(prefix))
    return {
      problem: `The barcode prefix of ${who} ("${prefix}") has spaces: a barcode prefix is letters, digits or marks without spaces.`,
    };
  const nextNumber = draft.barcodeNext === undefined ? base.next : wholeNumber(draft.barcodeNext);
  if (nextNumber === undefined)
    return { problem: `The next barcode number of ${who} must be a whole number, not "${String(draft.barcodeNext).trim()}".` };
  const width = draft.barcodeWidth === undefined ? base.width : wholeNumber(draft.barcodeWidth);
  if (width === undefined || width < 1 || width > MAX_WIDTH) {
    return {
      problem: `The barcode width of ${who} must be a whole number of digits from 1 to ${MAX_WIDTH}, not "${String(draft.barcodeWidth).trim()}".`,
    };
  }
  const digits = String(nextNumber).length;
  if (digits > width) {
    return {
      problem: `The barcode width of ${who} (${width}) is too small for the next number ${nextNumber}: it needs at least ${digits} digits.`,
    };
  }
  if (prefix.length + width > maxLength('barcode'))
    return { problem: `The barcodes of ${who} would be longer than ${maxLength('barcode')} characters.` };
  return { barcode: { kind: 'sequence', prefix, next: nextNumber, width } };
}

/** An example barcode of a sequence (its next one, if no patron holds it). */
export function exampleBarcode(b: CreationDefaults[SyncRole]['barcode']): string {
  return b.kind === 'sequence' ? `${b.prefix}${String(b.next).padStart(b.width, '0')}` : '';
}

function wholeNumber(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

function maxLength(key: PatronFieldKey): number {
  return FIELDS.find((f) => f.key === key)!.maxLength;
}
