/**
 * Roster user → patron field values (SPEC §1.2 "Filled from", §3.3 "Writing"). Values are
 * cleaned, never trusted: trimmed, dates and emails checked, over-long values cut, each
 * problem a warning naming the user and the field. Only the fields mapped for a user are
 * returned: "A sync never touches a field it does not map" (SPEC §1.2).
 */
import { FIELDS, type PatronFieldKey } from '../../domain/fields.ts';
import type { PatronValues, SyncedField } from '../../domain/patron.ts';
import type { RosterUser } from '../../domain/roster.ts';
import { syncRoleOf } from '../../domain/roster.ts';
import type { DemographicsInfo, FieldDiff, IdMapping, Snapshot, SyncSettings, Warning } from './types.ts';

/** The values a sync writes for one user: only its mapped fields (absent key = not written). */
export type MappedValues = Partial<Record<SyncedField, string>>;

/** A record whose absence blanked the fields it fills (see `absenceBlanks`). */
export type MissingRecord = 'demographics' | 'agents';

/** The fields each kind of missing record blanks, in field order. */
export const FIELDS_OF_RECORD: Readonly<Record<MissingRecord, readonly SyncedField[]>> = {
  demographics: ['birthdate', 'sex'],
  agents: ['additionalContact', 'otherEmails'],
};

/** Values and the warnings met while cleaning them. */
export interface ValuesResult {
  /** The cleaned values of the mapped fields. */
  values: MappedValues;
  /** One per problem, in field order. */
  warnings: Warning[];
  /**
   * Records the user has none of in a read that would hold them, whose fields were blanked for
   * it (the plan warns when that changes a patron). Absent when none.
   */
  missing?: MissingRecord[];
}

/** The parts of a snapshot values are filled from besides the user, and what the read was. */
export type ValueSources = Pick<Snapshot, 'agents' | 'demographics' | 'homerooms' | 'homeroomsRead' | 'kind' | 'complete' | 'notShared'>;

/**
 * Whether a user's missing demographics record, or missing agents, blanks the fields they fill.
 * SPEC §3.3: "a blank roster value blanks the field" — and a read that would hold the record but
 * does not says the user has none. Only a **complete full** read says so, and only of a
 * collection the district shares:
 * - a delta reads only changed records, so a user with no changed demographics record has
 *   unchanged demographics (as a delta never transfers for absence, SPEC §3.6);
 * - an incomplete read may have missed the page holding it (SPEC §3.4's rule for transfers);
 * - demographics refused (401/403/404), or a full read in which no parent or guardian arrived
 *   though students name them, is a district's choice not to share (fetch.ts `notShared`).
 */
export function absenceBlanks(read: Pick<Snapshot, 'kind' | 'complete' | 'notShared'>, record: MissingRecord): boolean {
  return read.kind === 'full' && read.complete && !(read.notShared ?? []).includes(record);
}

/** Every key of PatronValues, in the order of the field table (for copies and diffs). */
export const PATRON_VALUE_KEYS: readonly PatronFieldKey[] = FIELDS.map((f) => f.key);

const MAX_LENGTH = new Map(FIELDS.map((f) => [f.key, f.maxLength]));
const LABEL = new Map(FIELDS.map((f) => [f.key, f.label]));

// Control characters (CR/LF, tabs, NUL) break logs and CSV exports: each run of them, with the
// spaces around it, becomes one space. (Runs of spaces and control characters are matched as one
// class and tested after, so a long run of plain spaces costs linear time, not quadratic.)
const SPACE_OR_CONTROL_RUNS = /[ \u0000-\u001f\u007f]+/g;
const CONTROL = /[\u0000-\u001f\u007f]/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// "Must look like an email" (SPEC §3.3): one @, a dot in the domain, no spaces, and none of the
// characters that would break the `, `-joined Other Emails list.
const EMAIL_SHAPE = /^[^\s@,;<>()"]+@[^\s@,;<>()".]+(\.[^\s@,;<>()".]+)+$/;
const SEX_LABELS: ReadonlyMap<string, string> = new Map([
  ['male', 'Male'],
  ['female', 'Female'],
  ['other', 'Other'],
  ['unspecified', 'Unspecified'],
]);
const OTHER_EMAILS_SEPARATOR = ', ';

/** Text as the roster sent it, with control characters made spaces and the ends trimmed. */
export function cleanText(raw: string | undefined | null): string {
  const text = raw ?? '';
  // Most values hold no control character: skip the replace for them (it runs for every field of every user).
  if (!CONTROL.test(text)) return text.trim();
  return text.replace(SPACE_OR_CONTROL_RUNS, (run) => (CONTROL.test(run) ? ' ' : run)).trim();
}

/** Whether a YYYY-MM-DD string names a real calendar day (2023-02-29 does not). */
export function isRealDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Whether a (cleaned) value looks like an email address. */
export function looksLikeEmail(text: string): boolean {
  return EMAIL_SHAPE.test(text);
}

/** A person's name as SPEC §3.3 writes it: `Given Family` (no stray space when one is blank). */
export function personName(given: string, family: string): string {
  return [cleanText(given), cleanText(family)].filter((s) => s !== '').join(' ');
}

/** The site code of a user's first org, or undefined when it is not a matched site (SPEC §1.2 1050). */
export function siteCodeOf(user: RosterUser, siteByOrg: ReadonlyMap<string, string>): string | undefined {
  const first = user.orgSourcedIds[0];
  return first === undefined ? undefined : siteByOrg.get(first);
}

/** Collects cleaned values and their warnings for one user. */
class ValueCollector {
  readonly values: MappedValues = {};
  readonly warnings: Warning[] = [];

  constructor(private readonly sourcedId: string) {}

  /** Records missing for this user whose fields were blanked (`absenceBlanks`). */
  readonly missing: MissingRecord[] = [];

  /** Blanks the fields a missing record fills, and notes it. */
  blankFor(record: MissingRecord): void {
    for (const field of FIELDS_OF_RECORD[record]) this.values[field] = '';
    this.missing.push(record);
  }

  warn(field: PatronFieldKey, message: string): void {
    this.warnings.push({ sourcedId: this.sourcedId, field, message });
  }

  /** Sets a field from a raw roster value: cleaned, then cut to the field's length with a warning. */
  set(field: SyncedField, raw: string): void {
    this.values[field] = this.fit(field, cleanText(raw));
  }

  fit(field: SyncedField, text: string): string {
    const max = MAX_LENGTH.get(field) ?? Infinity;
    // UTF-16 length is never below the number of characters, so it is a cheap first test.
    if (text.length <= max) return text;
    const chars = Array.from(text);
    if (chars.length <= max) return text;
    this.warn(field, `${LABEL.get(field)} is longer than ${max} characters; cut to ${max}.`);
    return chars.slice(0, max).join('').trimEnd();
  }
}

/**
 * The mapped field values of an in-scope roster user (SPEC §1.2 defaults and §2 step 4
 * options), cleaned (SPEC §3.3). GUID, Status and Policy are set by the plan, not here.
 */
export function rosterValues(user: RosterUser, sources: ValueSources, settings: SyncSettings): ValuesResult {
  const c = new ValueCollector(user.sourcedId);
  const { mapping } = settings;

  addIds(c, user, mapping);
  c.set('firstName', user.givenName);
  c.set('middleName', user.middleName);
  c.set('lastName', user.familyName);
  const demographics = sources.demographics.get(user.sourcedId);
  if (demographics) addDemographics(c, demographics);
  else if (absenceBlanks(sources, 'demographics')) c.blankFor('demographics');
  c.set('phone', user.phone);
  c.values.email = cleanEmail(c, user.email);
  addAgents(c, user, sources);
  addLocation(c, user, sources, mapping.location);
  // "Level: grades (first value)", as sent (`09`, `KG`).
  c.set('level', user.grades[0] ?? '');
  const site = siteCodeOf(user, settings.siteByOrg);
  if (site !== undefined) c.values.site = site;

  return c.missing.length === 0
    ? { values: c.values, warnings: c.warnings }
    : { values: c.values, warnings: c.warnings, missing: c.missing };
}

/**
 * A user's cleaned Barcode, Community ID (when mapped) and Email exactly as `rosterValues` gives
 * them, warnings dropped: the values its secondary matching keys come from, without cleaning
 * every other field.
 */
export function rosterKeyValues(user: RosterUser, mapping: SyncSettings['mapping']): MappedValues {
  const c = new ValueCollector(user.sourcedId);
  addIds(c, user, mapping);
  c.values.email = cleanEmail(c, user.email);
  return c.values;
}

/** Barcode and Community ID from their mapped sources (SPEC §1.2); unmapped ones are not set. */
function addIds(c: ValueCollector, user: RosterUser, mapping: SyncSettings['mapping']): void {
  const barcode = idValue(user, mapping.barcode);
  if (barcode !== undefined) c.set('barcode', barcode);
  const communityId = idValue(user, mapping.communityId);
  if (communityId !== undefined) c.set('communityId', communityId);
}

/** The Birthdate and Sex values of a demographics record alone (a delta's demographics-only change). */
export function demographicsValues(sourcedId: string, demographics: DemographicsInfo): ValuesResult {
  const c = new ValueCollector(sourcedId);
  addDemographics(c, demographics);
  return { values: c.values, warnings: c.warnings };
}

/** Barcode / Community ID source (SPEC §1.2): undefined when not mapped; '' when the user has none. */
function idValue(user: RosterUser, mapping: IdMapping): string | undefined {
  switch (mapping.kind) {
    case 'none':
      return undefined;
    case 'identifier':
      return user.identifier;
    case 'username':
      return user.username;
    case 'userid': {
      // "userIds[] identifier of a chosen type": the first of that type; district type names vary in case.
      const wanted = mapping.type.trim().toLowerCase();
      return user.userIds.find((u) => u.type.trim().toLowerCase() === wanted)?.identifier ?? '';
    }
  }
}

/**
 * Birthdate must be a real YYYY-MM-DD date and Sex one of four values, else blank with a
 * warning (SPEC §3.3). No demographics record at all is `absenceBlanks`'s to decide.
 */
function addDemographics(c: ValueCollector, d: DemographicsInfo): void {
  const birthDate = cleanText(d.birthDate);
  if (birthDate === '' || isRealDate(birthDate)) {
    c.values.birthdate = birthDate;
  } else {
    c.values.birthdate = '';
    c.warn('birthdate', 'Birthdate is not a real date (YYYY-MM-DD); left blank.');
  }
  const sex = cleanText(d.sex);
  const label = SEX_LABELS.get(sex.toLowerCase());
  if (sex !== '' && label === undefined) c.warn('sex', 'Sex is not male, female, other or unspecified; left blank.');
  c.values.sex = label ?? '';
}

function cleanEmail(c: ValueCollector, raw: string): string {
  const email = cleanText(raw);
  if (email === '') return '';
  // An over-long address is no address (RFC 5321 caps it at 254), so it is blanked, not cut.
  if (!looksLikeEmail(email) || email.length > (MAX_LENGTH.get('email') ?? Infinity)) {
    c.warn('email', 'Email does not look like an email address; left blank.');
    return '';
  }
  return email;
}

/**
 * Additional Contact: "the first agent's name, followed by ` (phone)` when the agent has a
 * phone"; Other Emails: "the agents' emails with `, `", in order, de-duplicated (SPEC §3.3).
 * Agents not in the snapshot are passed over; when none is, both fields are blanked or left
 * alone as `absenceBlanks` says. Agents leaving the roster (tobedeleted) are never written.
 */
function addAgents(c: ValueCollector, user: RosterUser, sources: ValueSources): void {
  if (user.agentSourcedIds.length === 0) {
    c.values.additionalContact = '';
    c.values.otherEmails = '';
    return;
  }
  const known = user.agentSourcedIds.flatMap((id) => sources.agents.get(id) ?? []);
  if (known.length === 0) {
    if (absenceBlanks(sources, 'agents')) c.blankFor('agents');
    return;
  }
  // A leaving (tobedeleted) agent is no longer a contact; when every known agent is leaving,
  // both fields are blanked rather than left holding a removed guardian.
  const found = known.filter((a) => !a.leaving);
  const first = found[0];
  if (!first) {
    c.set('additionalContact', '');
    c.values.otherEmails = '';
    return;
  }

  const name = personName(first.givenName, first.familyName);
  const phone = cleanText(first.phone);
  c.set('additionalContact', phone === '' ? name : `${name} (${phone})`.trim());

  const seen = new Set<string>();
  const emails: string[] = [];
  for (const agent of found) {
    const email = cleanText(agent.email);
    if (email === '') continue;
    if (!looksLikeEmail(email)) {
      c.warn('otherEmails', "An agent's email does not look like an email address; left out of Other Emails.");
      continue;
    }
    const folded = email.toLowerCase();
    if (seen.has(folded)) continue;
    seen.add(folded);
    emails.push(email);
  }
  c.values.otherEmails = fitEmailList(c, emails);
}

/** Joins emails with `, `, dropping whole addresses from the end (never cutting one) to fit the field. */
function fitEmailList(c: ValueCollector, emails: string[]): string {
  const max = MAX_LENGTH.get('otherEmails') ?? Infinity;
  let joined = emails.join(OTHER_EMAILS_SEPARATOR);
  if (joined.length <= max) return joined;
  const kept = [...emails];
  while (kept.length > 0 && joined.length > max) {
    kept.pop();
    joined = kept.join(OTHER_EMAILS_SEPARATOR);
  }
  c.warn('otherEmails', `Other Emails is longer than ${max} characters; kept the first ${kept.length} of ${emails.length} addresses.`);
  return joined;
}

/**
 * Location from the homeroom (SPEC §1.2 1004, §2 step 4). A homeroom is a class "in which the
 * student is enrolled (role student)", so Location is written for students only: a teacher's
 * or staff member's Location stays as the librarian keeps it.
 */
function addLocation(c: ValueCollector, user: RosterUser, sources: ValueSources, mapping: SyncSettings['mapping']['location']): void {
  if (mapping === 'none' || syncRoleOf(user.role) !== 'student') return;
  // A delta reads only the homerooms whose enrollments changed (SPEC §3.6): any other student's
  // homeroom is not known, and not knowing is no reason to blank it.
  if (sources.homeroomsRead && !sources.homeroomsRead.has(user.sourcedId)) return;
  const homeroom = sources.homerooms.get(user.sourcedId);
  if (!homeroom) {
    c.values.location = '';
    return;
  }
  const raw = mapping === 'homeroom-code' ? homeroom.classCode : mapping === 'homeroom-location' ? homeroom.location : homeroom.teacherName;
  c.set('location', raw);
}

/** A patron's values alone (no id, GUID source or match record), as a fresh object. */
export function copyValues(p: PatronValues): PatronValues {
  // Spelled out rather than looped: this runs for every matched patron, and a literal is far cheaper.
  return {
    guid: p.guid,
    barcode: p.barcode,
    communityId: p.communityId,
    firstName: p.firstName,
    middleName: p.middleName,
    lastName: p.lastName,
    birthdate: p.birthdate,
    sex: p.sex,
    phone: p.phone,
    email: p.email,
    additionalContact: p.additionalContact,
    otherEmails: p.otherEmails,
    location: p.location,
    level: p.level,
    site: p.site,
    status: p.status,
    policy: p.policy,
    nickname: p.nickname,
  };
}

/** The fields that differ between two sets of values, old → new, in field-table order. */
export function diffValues(before: PatronValues, after: PatronValues): FieldDiff[] {
  const diff: FieldDiff[] = [];
  for (const field of PATRON_VALUE_KEYS) {
    if (before[field] === after[field]) continue;
    const from = String(before[field]);
    const to = String(after[field]);
    if (from !== to) diff.push({ field, from, to });
  }
  return diff;
}

/** A new patron's fields as a diff: every non-blank field, from ''. */
export function creationDiff(values: PatronValues): FieldDiff[] {
  const diff: FieldDiff[] = [];
  for (const field of PATRON_VALUE_KEYS) {
    const to = String(values[field]);
    if (to !== '') diff.push({ field, from: '', to });
  }
  return diff;
}
