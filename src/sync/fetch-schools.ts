/**
 * A full sync's read of only the schools the library serves (school-read.ts, pure, decides when):
 * "read users per school (`/schools/{id}/students`, `/schools/{id}/teachers`, and administrators
 * the way ClassLink serves them), their agents by id, and (when Location is mapped) those
 * schools' homeroom classes and enrolments".
 *
 * The snapshot keeps the meaning a whole-district read gives it:
 * - A user listed by two served schools is taken once (fetch.ts `takeUser` keeps the first).
 * - Completeness: every pull records its own; one that finally fails fails the whole read.
 * - Absence: a whole-district read sees a user who moved to a school the library does not serve
 *   and transfers their patron as "moved to an unmatched school"; a per-school read would not see
 *   them at all. So the users of the patrons such a move could touch (not Transferred, at a
 *   matched site, and the conflict queue's) that the schools did not list are read by id: present
 *   and elsewhere, they are planned as the whole-district read plans them; gone, they are absent.
 * - Administrators: ClassLink has no `schools/{id}/administrators` (CLASSLINK.md §1.6 lists
 *   `schools/{id}/students|teachers|classes`), and sends them only with "Unenrolled Users" on:
 *   they are read district-wide, filtered by role — a few per school.
 */
import type { RosterCollection, RosterEnrollment, RosterRecordOf, RosterUser, SyncRole } from '../domain/roster.ts';
import { idFilters } from './roster-filters.ts';
import { isActiveHomeroom, type HomeroomChooser, type HomeroomClass } from './core/homerooms.ts';

/** One pull of a list: its path (under the OneRoster root) and filter. */
export interface ListPull {
  /** A path such as `schools/{id}/students`; absent: the collection's own. */
  path?: string;
  /** A OneRoster filter. */
  filter?: string;
}

/** How the per-school read pulls (fetch.ts binds its completeness and logging). */
export interface ServedPulls {
  /** Runs the pulls a few at a time; any that finally fails rejects the whole. */
  each<C extends RosterCollection>(
    collection: C,
    pulls: readonly ListPull[],
    onRecords: (records: RosterRecordOf[C][]) => void,
  ): Promise<void>;
}

/** What the per-school user read needs. */
export interface ServedUsersRequest {
  /** The served schools' sourcedIds. */
  schools: readonly string[];
  /** The synced roles. */
  roles: ReadonlySet<SyncRole>;
  /** Teachers are also read when Location is the homeroom teacher (their names). */
  wantTeacherNames: boolean;
  /** The sourcedIds a whole-district read could plan a move out for (see the module comment). */
  patronGuids: () => Promise<Iterable<string>>;
  /** Takes a user into the snapshot (once, whatever lists it). */
  takeUser: (u: RosterUser) => void;
  /** Whether a user was taken already. */
  taken: (sourcedId: string) => boolean;
}

/**
 * The 1.1 roles a whole-district read takes as administrators (domain/roster.ts `syncRoleOf`),
 * as a filter: ClassLink reads `A OR B OR …` as OR-groups (CLASSLINK.md §1.8).
 */
const ADMIN_FILTER = ['administrator', 'districtAdministrator', 'siteAdministrator', 'systemAdministrator', 'principal', 'counselor']
  .map((r) => `role='${r}'`)
  .join(' OR ');

/** Reads the served schools' users in the synced roles, then the patrons' users the schools did not list. */
export async function readServedUsers(pulls: ServedPulls, r: ServedUsersRequest): Promise<void> {
  const lists: ListPull[] = [];
  for (const school of r.schools) {
    // The reader encodes each path segment (school-read.ts keeps ids with a slash out).
    if (r.roles.has('student')) lists.push({ path: `schools/${school}/students` });
    if (r.roles.has('teacher') || r.wantTeacherNames) lists.push({ path: `schools/${school}/teachers` });
  }
  if (r.roles.has('admin')) lists.push({ filter: ADMIN_FILTER });
  await pulls.each('users', lists, (records) => records.forEach(r.takeUser));

  const unread = [...new Set(await r.patronGuids())].filter((id) => id.trim() !== '' && !r.taken(id)).sort();
  await pulls.each(
    'users',
    idFilters(unread).map((filter) => ({ filter })),
    (records) => records.forEach(r.takeUser),
  );
}

/** Reads the agents the taken users name, by id (parents are no school's list). */
export async function readAgentsById(pulls: ServedPulls, users: readonly RosterUser[], take: (u: RosterUser) => void): Promise<void> {
  const ids = new Set<string>();
  for (const u of users) for (const a of u.agentSourcedIds) ids.add(a);
  await pulls.each(
    'users',
    idFilters([...ids].sort()).map((filter) => ({ filter })),
    (records) => records.forEach(take),
  );
}

/** `schools/{id}/classes` (homerooms) and `schools/{id}/enrollments` pulls of the served schools. */
export function servedHomeroomPulls(schools: readonly string[]): { classes: ListPull[]; enrollments: ListPull[] } {
  return {
    classes: schools.map((id) => ({ path: `schools/${id}/classes`, filter: "classType='homeroom'" })),
    enrollments: schools.map((id) => ({ path: `schools/${id}/enrollments` })),
  };
}

/**
 * The homerooms the served schools' lists cannot show: a student with none there (one who came
 * from a school the library does not serve may still be enrolled in its homeroom), or listed by
 * more than one school. Their enrollments are read by user, the classes those name by id, and
 * the teacher enrollments of the homerooms found by class — as a delta reads a changed student's
 * (fetch.ts `fetchChangedHomerooms`) — so the chooser sees what the whole district's would.
 */
export async function readHomeroomsElsewhere(
  pulls: ServedPulls,
  students: readonly string[],
  classes: Map<string, HomeroomClass>,
  chooser: HomeroomChooser,
): Promise<void> {
  if (students.length === 0) return;
  const wanted = new Set(students);
  const theirs: RosterEnrollment[] = [];
  await pulls.each(
    'enrollments',
    idFilters([...wanted].sort(), 'user.sourcedId').map((filter) => ({ filter })),
    (records) => {
      for (const e of records) if (wanted.has(e.userSourcedId) && e.role === 'student' && e.status === 'active') theirs.push(e);
    },
  );
  const unknown = [...new Set(theirs.map((e) => e.classSourcedId).filter((id) => !classes.has(id)))].sort();
  const found = new Set<string>();
  await pulls.each(
    'classes',
    idFilters(unknown).map((filter) => ({ filter })),
    (records) => {
      for (const c of records) {
        if (!isActiveHomeroom(c) || classes.has(c.sourcedId)) continue;
        classes.set(c.sourcedId, { classCode: c.classCode, location: c.location });
        found.add(c.sourcedId);
      }
    },
  );
  for (const e of theirs) chooser.add(e);
  await pulls.each(
    'enrollments',
    idFilters([...found].sort(), 'class.sourcedId').map((filter) => ({ filter })),
    (records) => {
      for (const e of records) if (e.role === 'teacher') chooser.add(e);
    },
  );
}
