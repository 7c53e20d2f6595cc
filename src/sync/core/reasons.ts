/**
 * The one-line reasons and warnings a plan writes, in one place so their wording stays plain
 * and consistent: each is read by a librarian in the operation log and the conflict report.
 * They name people and patrons, never raw roster values.
 */
import { FIELDS, type PatronFieldKey } from '../../domain/fields.ts';
import type { SyncRole } from '../../domain/roster.ts';
import { statusName } from '../../domain/words.ts';
import type { ConflictCandidate, ConflictCause, FieldDiff, MatchKey, SkipCause, TransferCause, Warning } from './types.ts';
import type { MissingRecord } from './patron-values.ts';

const LABEL = new Map<PatronFieldKey, string>(FIELDS.map((f) => [f.key, f.label]));
const KEY_LABEL: Record<MatchKey, string> = { guid: 'GUID', communityId: 'Student #', barcode: 'Barcode', email: 'Email' };
const ROLE_LABEL: Record<SyncRole, string> = { student: 'student', teacher: 'teacher', admin: 'staff member' };

/** The label a librarian knows for a field ("Last Name"). */
export function fieldLabel(field: PatronFieldKey): string {
  return LABEL.get(field) ?? field;
}

/**
 * A field's value as a librarian reads it: Status by name with its number ("Active (1)", SPEC
 * §1.2), every other field as it is.
 */
export function fieldValueText(field: string, value: string | number): string {
  return field === 'status' ? statusName(value) : String(value);
}

/** The label of a matching key ("Student #" for Community ID, as librarians call it). */
export function keyLabel(key: MatchKey): string {
  return KEY_LABEL[key];
}

/** A patron as the log names it: `#12 (Jane Doe)`. */
export function patronLabel(c: Pick<ConflictCandidate, 'patronId' | 'name'>): string {
  return c.name === '' ? `#${c.patronId}` : `#${c.patronId} (${c.name})`;
}

/** Why a new patron is created. */
export function createReason(role: SyncRole, site: string): string {
  return `New ${ROLE_LABEL[role]} at ${site}.`;
}

/**
 * What a new patron gets from the library's creation defaults (SPEC §3.8: "the plan and dry run
 * show what a new patron will get"): " (Policy: Students; Status: Active (1); Barcode: S000042;
 * Nickname: Kid)". `defaulted` names the fixed values used; a stored plan of an older version
 * has none.
 */
export function newPatronText(
  values: { policy?: string; status?: number | string; barcode?: string } & Partial<Record<PatronFieldKey, string | number>>,
  defaulted: readonly PatronFieldKey[] = [],
): string {
  const parts: string[] = [];
  if (values.policy !== undefined) parts.push(`Policy: ${values.policy}`);
  if (values.status !== undefined) parts.push(`Status: ${statusName(values.status)}`);
  if (values.barcode) parts.push(`Barcode: ${values.barcode}`);
  for (const key of defaulted) if (values[key] !== undefined && values[key] !== '') parts.push(`${fieldLabel(key)}: ${values[key]}`);
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}

/** Why a matched patron is updated or reactivated: how it was matched, and which fields change. */
export function writeReason(kind: 'update' | 'reactivate', by: MatchKey, diff: readonly FieldDiff[]): string {
  const parts: string[] = [];
  if (by !== 'guid') parts.push(`Matched by ${keyLabel(by)}`);
  if (kind === 'reactivate') parts.push('back in the roster as active, set Active again');
  const fields = diff.filter((d) => d.field !== 'status').map((d) => fieldLabel(d.field));
  if (fields.length > 0) parts.push(`updated ${fields.join(', ')}`);
  const text = parts.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** Why a patron linked by a resolved conflict is written (SPEC §3.9). */
export function linkReason(conflictId: number, kind: 'update' | 'reactivate', diff: readonly FieldDiff[]): string {
  const rest = writeReason(kind, 'guid', diff);
  return `Linked by conflict #${conflictId}; ${rest.charAt(0).toLowerCase()}${rest.slice(1)}`;
}

/** Why a patron is set to Transferred. */
export function transferReason(cause: TransferCause): string {
  switch (cause) {
    case 'tobedeleted':
      return 'Marked tobedeleted in the roster; set Transferred.';
    case 'absent':
      return 'No longer in the roster; set Transferred.';
    case 'unmatched-school':
      return 'Moved to a school that is not matched to a library site; set Transferred.';
  }
}

/** Why a roster user changes nothing. */
export function skipReason(cause: SkipCause, held?: TransferCause): string {
  switch (cause) {
    case 'tobedeleted-unmatched':
      return 'Marked tobedeleted in the roster and matches no patron; not created.';
    case 'school-not-matched':
      return 'Their first school is not matched to a library site; not synced.';
    case 'no-sourcedid':
      return 'Has no sourcedId; not synced.';
    case 'conflict-ignored':
      return 'A conflict a person chose to ignore until its data changes; nothing changed.';
    case 'transfer-held':
      return `${transferReason(held ?? 'tobedeleted').replace('; set Transferred.', '')}, but the roster was incomplete: transfer held back.`;
  }
}

/** A conflict's one line, naming the roster side and the patron side. */
export function conflictReason(
  cause: ConflictCause,
  user: { name: string; role: string },
  candidates: readonly ConflictCandidate[],
  rivals: readonly string[],
): string {
  const who = `Roster ${user.role} ${user.name === '' ? '(no name)' : user.name}`;
  const list = candidates.map(patronLabel).join(', ');
  switch (cause) {
    case 'guid-shared':
      return `${who}: patrons ${list} all hold this GUID; nothing changed.`;
    case 'key-shared': {
      const keys = [...new Set(candidates.flatMap((c) => c.matchedOn))].map(keyLabel).join(' and ');
      return `${who}: ${keys} matches several patrons (${list}); nothing changed.`;
    }
    case 'keys-disagree': {
      const parts = candidates.map((c) => `${c.matchedOn.map(keyLabel).join(' and ')} matches ${patronLabel(c)}`);
      return `${who}: ${parts.join(' but ')}; nothing changed.`;
    }
    case 'identity-drift': {
      const c = candidates[0];
      const on = c ? c.matchedOn.map(keyLabel).join(' and ') : '';
      return `${who}: ${on} matches patron ${list}, who holds another GUID (${c?.guid ?? ''}); not taken over.`;
    }
    case 'claimed-twice':
      return `${who}: patron ${list} is also claimed by roster user ${rivals.join(', ')}; nothing changed.`;
  }
}

/** "If a secondary key of a GUID-matched user also finds another patron, that is logged as a possible duplicate." */
export function duplicateWarning(sourcedId: string, key: MatchKey, other: ConflictCandidate): Warning {
  const field: PatronFieldKey = key === 'guid' ? 'guid' : key;
  return { sourcedId, field, message: `Possible duplicate: patron ${patronLabel(other)} has the same ${keyLabel(key)}; left alone.` };
}

/**
 * A patron's fields blanked because a complete full read holds no record of this kind for the
 * user (patron-values.ts `absenceBlanks`): "No demographics record in the roster; Birthdate and
 * Sex blanked."
 */
export function missingRecordWarning(sourcedId: string, record: MissingRecord, fields: readonly PatronFieldKey[]): Warning {
  const what =
    record === 'demographics' ? 'No demographics record in the roster' : 'None of its parents or guardians (agents) is in the roster';
  return { sourcedId, message: `${what}; ${fields.map(fieldLabel).join(' and ')} blanked.` };
}

/** The line heading many `missingRecordWarning`s. */
export function missingRecordsSummary(patrons: number): Warning {
  return {
    sourcedId: '',
    message: `${patrons.toLocaleString('en-US')} patrons had Birthdate and Sex, or Additional Contact and Other Emails, blanked: the roster holds no demographics or parent record for them (each is listed).`,
  };
}

/** "says loudly that removals were held back" (SPEC §3.4). */
export function incompleteWarning(reasons: readonly string[], held: number): Warning {
  const why = reasons.length > 0 ? ` (${reasons.join('; ')})` : '';
  const count = held > 0 ? ` ${held.toLocaleString('en-US')} transfer${held === 1 ? ' was' : 's were'} held back, and` : '';
  return {
    sourcedId: '',
    message: `THE ROSTER WAS INCOMPLETE${why}: removals were held back —${count} no patron was transferred, including for being absent.`,
  };
}

/** SPEC §2 step 3: "Admins are only shared by ClassLink when the district enables Unenrolled Users; say so." */
export function noAdminsWarning(classlink: boolean): Warning {
  const hint = classlink ? ' ClassLink shares administrators only when the district turns on "Unenrolled Users" for this app.' : '';
  return { sourcedId: '', message: `Admin (Staff) is selected but no administrators arrived from the roster.${hint}` };
}

/** One line for a warning in the log: `sourcedId · Field: message`. */
export function warningLine(w: Warning): string {
  const where = [w.sourcedId, w.field ? fieldLabel(w.field) : ''].filter(Boolean).join(' · ');
  return where === '' ? w.message : `${where}: ${w.message}`;
}
