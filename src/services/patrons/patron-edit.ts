/**
 * A librarian's hand edit of one patron (SPEC §5), checked before anything is written (pure):
 * which keys may be given, what each value must look like (a sentence for each that does not),
 * who may change the GUID, and which fields the next sync will overwrite anyway.
 *
 * The GUID is how every sync finds the patron (SPEC §3.2), so only an admin changes it; a
 * GUID typed by hand belongs to no integration until a sync matches it (the store clears its
 * source). Everything else — Status, Site and Policy included — librarians may edit.
 */
import { RollcallError } from '../../domain/errors.ts';
import { FIELDS, type PatronFieldKey } from '../../domain/fields.ts';
import type { PatronValues } from '../../domain/patron.ts';
import type { ClassLinkSettings } from '../../sources/settings.ts';
import type { PatronChanges } from '../../store/store.ts';
import { cleanText, isRealDate, looksLikeEmail } from '../../sync/core/patron-values.ts';

/** The keys an edit may carry: every patron field (SPEC §8's export keys, then Nickname) and `notes`. */
export type EditableKey = PatronFieldKey | 'notes';

/** Every editable key, in the patron page's order. */
export const EDITABLE_KEYS: readonly EditableKey[] = [...FIELDS.map((f) => f.key), 'notes'];

/** The longest Notes kept. */
export const MAX_NOTES_LENGTH = 4000;

/** The Sex values a patron may hold ('' is unknown), as SPEC §8 writes them. */
export const SEX_VALUES: readonly string[] = ['Male', 'Female', 'Other', 'Unspecified'];

/** The highest Status code (field 1026 holds up to 4 digits). */
const MAX_STATUS = 9999;

/** One value that cannot be saved, and why. */
export interface EditProblem {
  /** The key it concerns. */
  key: EditableKey | string;
  /** A sentence a librarian can act on. */
  message: string;
}

/** An edit refused: every problem found, one sentence each (the message joins them). */
export class PatronEditError extends RollcallError {
  /** The problems, in the page's field order. */
  readonly problems: readonly EditProblem[];

  constructor(problems: readonly EditProblem[]) {
    super('invalid_input', problems.map((p) => p.message).join(' '));
    this.problems = problems;
  }
}

/** What checking an edit needs to know. */
export interface EditContext {
  /** The patron as stored (values the edit leaves alone are compared against it). */
  current: PatronValues & { notes: string };
  /** The library's site codes. */
  siteCodes: ReadonlySet<string>;
  /** Whether the editor may change the GUID (admins). */
  mayChangeGuid: boolean;
}

const LABEL = new Map<string, string>([...FIELDS.map((f) => [f.key, f.label] as const), ['notes', 'Notes']]);
const MAX_LENGTH = new Map<string, number>(FIELDS.map((f) => [f.key, f.maxLength]));
const KNOWN = new Set<string>(EDITABLE_KEYS);
// Everything but tab, line feed and carriage return, which Notes keep as line breaks.
// eslint-disable-next-line no-control-regex
const NOTE_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * The changes of an edit: only the keys given whose value differs from the stored one, each
 * cleaned (trimmed, control characters out, Sex and emails in their stored form). Throws a
 * PatronEditError listing every value that cannot be saved; nothing is partly accepted.
 */
export function checkPatronEdit(input: Readonly<Record<string, unknown>>, context: EditContext): PatronChanges {
  const problems: EditProblem[] = [];
  const changes: Record<string, string | number> = {};
  const unknown = Object.keys(input).filter((k) => !KNOWN.has(k));
  for (const key of unknown)
    problems.push({ key, message: `There is no patron field "${key}"; the fields are ${EDITABLE_KEYS.join(', ')}.` });
  for (const key of EDITABLE_KEYS) {
    const raw = input[key];
    if (raw === undefined) continue;
    const checked = checkValue(key, raw, context);
    if (typeof checked === 'object') {
      problems.push({ key, message: checked.problem });
      continue;
    }
    if (checked !== context.current[key]) changes[key] = checked;
  }
  // A patron is found and greeted by name: an edit that blanks the last name left leaves a
  // record people can only call "Patron #921". (A record that already has none, from an import,
  // can still be edited otherwise.)
  const first = 'firstName' in changes ? changes.firstName : context.current.firstName;
  const last = 'lastName' in changes ? changes.lastName : context.current.lastName;
  if (('firstName' in changes || 'lastName' in changes) && first === '' && last === '') {
    problems.push({ key: 'lastName', message: 'A patron needs a first or a last name: both cannot be blank.' });
  }
  if ('guid' in changes && !context.mayChangeGuid) {
    problems.push({ key: 'guid', message: "Only an admin can change a patron's GUID: it is how every sync finds the patron." });
  }
  if (problems.length > 0) throw new PatronEditError(problems);
  return changes as PatronChanges;
}

/** The value to store, or the problem with it. */
function checkValue(key: EditableKey, raw: unknown, context: EditContext): string | number | { problem: string } {
  const label = LABEL.get(key)!;
  if (key === 'status') return statusOf(raw);
  if (typeof raw !== 'string' && typeof raw !== 'number') return { problem: `${label} must be text.` };
  const text = key === 'notes' ? noteText(String(raw)) : cleanText(String(raw));
  const max = key === 'notes' ? MAX_NOTES_LENGTH : MAX_LENGTH.get(key)!;
  if (Array.from(text).length > max) return { problem: `${label} can hold at most ${max} characters.` };
  if (text === '') return '';
  switch (key) {
    case 'birthdate':
      return isRealDate(text) ? text : { problem: `Birthdate must be a date written YYYY-MM-DD, like 2012-04-30 ("${text}" is not).` };
    case 'sex': {
      const known = SEX_VALUES.find((s) => s.toLowerCase() === text.toLowerCase());
      return known ?? { problem: `Sex must be ${SEX_VALUES.join(', ')}, or left blank.` };
    }
    case 'email':
      return looksLikeEmail(text) ? text : { problem: `Email "${text}" does not look like an email address (name@example.org).` };
    case 'otherEmails': {
      const emails = text.split(/\s*[,;]\s*/).filter((e) => e !== '');
      const bad = emails.find((e) => !looksLikeEmail(e));
      return bad === undefined
        ? emails.join(', ')
        : { problem: `Other Emails: "${bad}" does not look like an email address; separate addresses with commas.` };
    }
    case 'site':
      return context.siteCodes.has(text)
        ? text
        : { problem: `There is no site with code "${text}" in this library; choose one of the sites, or none.` };
    default:
      return text;
  }
}

function statusOf(raw: unknown): number | { problem: string } {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!/^\d{1,4}$/.test(text) || Number(text) > MAX_STATUS) {
    return {
      problem: `Status must be a whole number (1 Active, 4 Transferred, or the library's own code)${text === '' ? '' : `, not "${text}"`}.`,
    };
  }
  return Number(text);
}

/** Notes keep their line breaks (as \n); other control characters go, and the ends are trimmed. */
function noteText(raw: string): string {
  return raw.replace(/\r\n?/g, '\n').replace(NOTE_CONTROLS, '').trim();
}

/**
 * The fields the enabled integration's next sync overwrites on a patron it matches (SPEC §1.2,
 * §3.3): the default mapping, Barcode / Community ID / Location when mapped, and Status by
 * rule. GUID is left out: it is the match key, set to the roster user's own.
 */
export function fieldsSyncOverwrites(mapping: ClassLinkSettings['mapping']): PatronFieldKey[] {
  const keys = new Set<PatronFieldKey>([
    'firstName',
    'middleName',
    'lastName',
    'birthdate',
    'sex',
    'phone',
    'email',
    'additionalContact',
    'otherEmails',
    'level',
    'site',
    'status',
  ]);
  if (mapping.barcode.kind !== 'none') keys.add('barcode');
  if (mapping.communityId.kind !== 'none') keys.add('communityId');
  if (mapping.location !== 'none') keys.add('location');
  return FIELDS.map((f) => f.key).filter((k) => keys.has(k));
}
