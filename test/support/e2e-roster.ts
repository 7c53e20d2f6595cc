/**
 * The end-to-end test's oracle: the emulator's roster read over its own HTTP interface (the
 * ClassLink proxy path, with the Bearer token), and the patron values SPEC §1.2 and §3.3 say a
 * sync writes for a roster user — computed here from the wire, independently of Rollcall's
 * parser and value mapping, so the test checks the product against the contract, not itself.
 */
import type { RunningEmulator } from '../../src/emulator/types.ts';

/** The keys of `patrons export --format json`, in SPEC §8's order (that of SPEC §1.2's table, then Policy). */
export const EXPORT_KEYS = [
  'guid',
  'barcode',
  'communityId',
  'firstName',
  'middleName',
  'lastName',
  'birthdate',
  'sex',
  'phone',
  'email',
  'additionalContact',
  'otherEmails',
  'location',
  'level',
  'site',
  'status',
  'policy',
] as const;

/** The CSV export's header: the field numbers of SPEC §1.2's table, in its order, then Policy 1028. */
export const EXPORT_CSV_HEADER = [
  '1200',
  '1000',
  '1001',
  '1007',
  '1008',
  '1006',
  '1045',
  '1032',
  '1017',
  '1019',
  '1049',
  '1054',
  '1004',
  '1010',
  '1050',
  '1026',
  '1028',
];

/** One patron as `patrons export --format json` prints it. */
export type ExportedPatron = { [K in (typeof EXPORT_KEYS)[number]]: K extends 'status' ? number : string };

/** A OneRoster 1.1 user as the wire carries it (the parts a sync reads). */
export interface WireUser {
  sourcedId: string;
  status: string;
  role: string;
  username?: string;
  givenName: string;
  familyName: string;
  middleName?: string;
  identifier?: string;
  email?: string;
  phone?: string;
  grades?: string[];
  userIds?: { type: string; identifier: string }[];
  agents?: { sourcedId: string }[];
  orgs: { sourcedId: string }[];
}

/** A demographics record as the wire carries it. */
interface WireDemographics {
  sourcedId: string;
  birthDate?: string;
  sex?: string;
}

/** The roster the emulator serves at one moment. */
export interface Roster {
  /** Every user (any role), by sourcedId. */
  users: Map<string, WireUser>;
  /** Demographics, by the user's sourcedId. */
  demographics: Map<string, WireDemographics>;
}

/** Records asked for per page: a small district fits in one or two. */
const PAGE_SIZE = 500;

/** Reads every user and demographics record the emulator serves now, page by page. */
export async function readRoster(emulator: RunningEmulator): Promise<Roster> {
  const users = await readAll<WireUser>(emulator, 'users');
  const demographics = await readAll<WireDemographics>(emulator, 'demographics');
  return { users: new Map(users.map((u) => [u.sourcedId, u])), demographics: new Map(demographics.map((d) => [d.sourcedId, d])) };
}

/** A OneRoster 1.2 user's roles and primary org, as the wire carries them. */
interface WireUserV1p2 extends Omit<WireUser, 'role' | 'orgs'> {
  roles: { roleType: string; role: string; org: { sourcedId: string } }[];
  primaryOrg?: { sourcedId: string };
}

/**
 * The same, read from the emulator's OneRoster 1.2 routes with an OAuth 2 token, each user's
 * roles reduced as OneRoster 1.2 means them (written here from the spec, not Rollcall's code):
 * the role is the primary one held at primaryOrg, and the first org is primaryOrg.
 */
export async function readRosterV1p2(emulator: RunningEmulator): Promise<Roster> {
  const { clientId, clientSecret, tokenUrl } = emulator.oauth2;
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const token = ((await res.json()) as { access_token: string }).access_token;
  const auth = { base: `${emulator.oauth2.v1p2Url}`, authorization: `Bearer ${token}` };
  const users = (await readAll<WireUserV1p2>(emulator, 'users', auth)).map((u): WireUser => {
    const { roles, primaryOrg, ...rest } = u;
    const primary =
      roles.find((r) => r.roleType === 'primary' && r.org.sourcedId === primaryOrg?.sourcedId) ??
      roles.find((r) => r.roleType === 'primary') ??
      roles[0];
    const first = primaryOrg?.sourcedId ?? primary?.org.sourcedId;
    const orgs = [...new Set([first, ...roles.map((r) => r.org.sourcedId)].filter((o): o is string => !!o))];
    return { ...rest, role: primary?.role ?? '', orgs: orgs.map((sourcedId) => ({ sourcedId })) };
  });
  const demographics = await readAll<WireDemographics>(emulator, 'demographics', auth);
  return { users: new Map(users.map((u) => [u.sourcedId, u])), demographics: new Map(demographics.map((d) => [d.sourcedId, d])) };
}

/** A class and an enrollment as the 1.1 wire carries them (the parts a homeroom needs). */
interface WireClass {
  sourcedId: string;
  status: string;
  classType: string;
}
interface WireEnrollment {
  sourcedId: string;
  status: string;
  role: string;
  primary?: boolean | string;
  user: { sourcedId: string };
  class: { sourcedId: string };
}

/**
 * Each student's homeroom (its enrollment, class and teacher) as SPEC §1.2 defines it, read off the emulator's 1.1 wire (the
 * same district every source serves): the active `homeroom` class the student has an active
 * student enrollment in (the lowest enrollment sourcedId when several), and its primary teacher
 * enrollment, else its first teacher — `Given Family`. Students without one are absent.
 */
export async function readHomerooms(
  emulator: RunningEmulator,
): Promise<Map<string, { enrollment: string; classId: string; teacher: string }>> {
  const classes = await readAll<WireClass>(emulator, 'classes');
  const homerooms = new Set(classes.filter((c) => c.classType === 'homeroom' && c.status === 'active').map((c) => c.sourcedId));
  const enrollments = (await readAll<WireEnrollment>(emulator, 'enrollments'))
    .filter((e) => e.status === 'active' && homerooms.has(e.class.sourcedId))
    .sort((a, b) => (a.sourcedId < b.sourcedId ? -1 : a.sourcedId > b.sourcedId ? 1 : 0));
  const users = new Map((await readAll<WireUser>(emulator, 'users')).map((u) => [u.sourcedId, u]));
  const teacherOf = new Map<string, string>();
  for (const primaryOnly of [true, false]) {
    for (const e of enrollments) {
      const primary = e.primary === true || e.primary === 'true';
      if (e.role !== 'teacher' || (primaryOnly && !primary) || teacherOf.has(e.class.sourcedId)) continue;
      const t = users.get(e.user.sourcedId);
      teacherOf.set(e.class.sourcedId, t ? personName(t.givenName, t.familyName) : '');
    }
  }
  const out = new Map<string, { enrollment: string; classId: string; teacher: string }>();
  for (const e of enrollments) {
    if (e.role !== 'student' || out.has(e.user.sourcedId)) continue;
    out.set(e.user.sourcedId, { enrollment: e.sourcedId, classId: e.class.sourcedId, teacher: teacherOf.get(e.class.sourcedId) ?? '' });
  }
  return out;
}

async function readAll<T>(
  emulator: RunningEmulator,
  collection: 'users' | 'demographics' | 'classes' | 'enrollments',
  via?: { base: string; authorization: string },
): Promise<T[]> {
  const { appId, bearerToken } = emulator.credentials;
  const base = via?.base ?? `${emulator.url}/${appId}/ims/oneroster/v1p1`;
  const authorization = via?.authorization ?? `Bearer ${bearerToken}`;
  const out: T[] = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const res = await fetch(`${base}/${collection}?limit=${PAGE_SIZE}&offset=${offset}&sort=sourcedId`, {
      headers: { authorization },
    });
    if (res.status !== 200) throw new Error(`the emulator answered ${res.status} to ${collection} at offset ${offset}`);
    const page = ((await res.json()) as Record<string, T[]>)[collection]!;
    out.push(...page);
    const total = Number(res.headers.get('x-total-count'));
    if (page.length === 0 || out.length >= total) return out;
  }
}

const SEX_LABELS: Record<string, string> = { male: 'Male', female: 'Female', other: 'Other', unspecified: 'Unspecified' };
const trim = (s: string | undefined): string => (s ?? '').trim();

/** `Given Family` (SPEC §3.3), with no stray space when one is blank. */
function personName(given: string | undefined, family: string | undefined): string {
  return [trim(given), trim(family)].filter((s) => s !== '').join(' ');
}

/**
 * The values SPEC §1.2 fills from the roster by default for a user (not Barcode, Community ID
 * or Location, which depend on the mapping; not Site, Status or Policy, which are set by rule):
 * names, demographics, phone, email, the first agent as Additional Contact, the agents' emails
 * (de-duplicated, in order) as Other Emails, the first grade as Level.
 */
export function rosterFields(
  roster: Roster,
  sourcedId: string,
): Pick<
  ExportedPatron,
  'guid' | 'firstName' | 'middleName' | 'lastName' | 'birthdate' | 'sex' | 'phone' | 'email' | 'additionalContact' | 'otherEmails' | 'level'
> {
  const user = roster.users.get(sourcedId);
  if (!user) throw new Error(`the roster has no user ${sourcedId}`);
  const demographics = roster.demographics.get(sourcedId);
  const agents = (user.agents ?? []).flatMap((a) => roster.users.get(a.sourcedId) ?? []);
  const first = agents[0];
  const firstPhone = trim(first?.phone);
  const seen = new Set<string>();
  const emails: string[] = [];
  for (const agent of agents) {
    const email = trim(agent.email);
    if (email === '' || seen.has(email.toLowerCase())) continue;
    seen.add(email.toLowerCase());
    emails.push(email);
  }
  return {
    guid: user.sourcedId,
    firstName: trim(user.givenName),
    middleName: trim(user.middleName),
    lastName: trim(user.familyName),
    birthdate: trim(demographics?.birthDate),
    sex: SEX_LABELS[trim(demographics?.sex).toLowerCase()] ?? '',
    phone: trim(user.phone),
    email: trim(user.email),
    additionalContact: first ? `${personName(first.givenName, first.familyName)}${firstPhone === '' ? '' : ` (${firstPhone})`}` : '',
    otherEmails: emails.join(', '),
    level: trim(user.grades?.[0]),
  };
}

/** The sourcedId of a user's first org ('' when none): the org that decides its site (SPEC §1.2 1050). */
export function firstOrg(user: WireUser): string {
  return user.orgs[0]?.sourcedId ?? '';
}

/** Roles the test syncs (`--roles student,teacher`), with the Policy a created patron gets. */
const POLICY_OF_ROLE: Record<string, string> = { student: 'Student', teacher: 'Teacher' };

/** Users a sync of students and teachers covers: a selected role, and a first org that is a matched school (SPEC §3.1). */
export function inScope(roster: Roster, siteByOrg: ReadonlyMap<string, string>): WireUser[] {
  return [...roster.users.values()].filter((u) => u.role in POLICY_OF_ROLE && siteByOrg.has(firstOrg(u)));
}

/** Users of a selected role listed at a matched school but not as their first org: skipped, not synced. */
export function listedButNotFirst(roster: Roster, siteByOrg: ReadonlyMap<string, string>): WireUser[] {
  return [...roster.users.values()].filter(
    (u) => u.role in POLICY_OF_ROLE && !siteByOrg.has(firstOrg(u)) && u.orgs.some((o) => siteByOrg.has(o.sourcedId)),
  );
}

/**
 * A roster user's patron as a sync writes it, with Community ID mapped to `identifier`: the
 * roster's fields, Site from the first org, Status Active, Policy from the role; Barcode and
 * Location (not mapped) as the library kept them ('' for a patron the sync created).
 */
export function expectedPatron(
  roster: Roster,
  sourcedId: string,
  siteByOrg: ReadonlyMap<string, string>,
  kept: Pick<ExportedPatron, 'barcode' | 'location'> = { barcode: '', location: '' },
): ExportedPatron {
  const user = roster.users.get(sourcedId)!;
  return {
    ...rosterFields(roster, sourcedId),
    ...kept,
    communityId: trim(user.identifier),
    site: siteByOrg.get(firstOrg(user)) ?? '',
    status: 1,
    policy: POLICY_OF_ROLE[user.role] ?? '',
  };
}
