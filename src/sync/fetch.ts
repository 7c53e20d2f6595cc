/**
 * Phase 1 of a sync (SPEC §3): read the roster from a source into a Snapshot that knows
 * whether it is complete. Nothing here writes anything.
 *
 * A full sync of a library that serves at most half the district's schools reads only those
 * schools (school-read.ts decides, fetch-schools.ts reads; the plan is the same).
 *
 * What is read (SPEC §3 "Fetch"): users (of every role — parents are needed as agents),
 * demographics, and, only when Location is mapped to a homeroom option, homeroom classes and
 * their enrollments — in a delta, only the homeroom enrollments changed since the watermark and
 * what they need (SPEC §3.6; see fetchChangedHomerooms). A request that finally fails rejects the whole fetch: the sync then fails
 * and writes nothing ("never writes from a half-read roster"). A fetch that read every page but
 * whose counts do not add up is merely *incomplete*: creates and updates apply, transfers are
 * held back (SPEC §3.4).
 */
import type { RosterClass, RosterCollection, RosterEnrollment, RosterRecordOf, RosterUser, SyncRole } from '../domain/roster.ts';
import { syncRoleOf } from '../domain/roster.ts';
import { isRollcallError, oneLine } from '../domain/errors.ts';
import type { RosterReader } from './ports.ts';
import { idFilters } from './roster-filters.ts';
import {
  readAgentsById,
  readHomeroomsElsewhere,
  readServedUsers,
  servedHomeroomPulls,
  type ListPull,
  type ServedPulls,
} from './fetch-schools.ts';
import { chooseSchoolRead, type RosterReadSetting, type SchoolReadChoice } from './school-read.ts';

export { idFilters } from './roster-filters.ts';
import { HomeroomChooser, isActiveHomeroom, type HomeroomClass } from './core/homerooms.ts';
import type { AgentInfo, DemographicsInfo, HomeroomInfo, IdMapping, LocationMapping, NotShared, Snapshot } from './core/types.ts';

/** A log line fetch wants written to the operation's log. */
export type FetchLog = (level: 'info' | 'warning' | 'error', message: string, sourcedId?: string) => void;

/** What to fetch. */
export interface FetchRequest {
  /** Full (everything) or delta (changed since `since`). */
  kind: 'full' | 'delta';
  /**
   * For a delta: ISO time; records modified after it are read (the caller subtracts the
   * overlap). Absent: every record the source holds (a source that is only changes).
   */
  since?: string;
  /** The synced roles: users of other roles are read only as agents. */
  roles: readonly SyncRole[];
  /** Where Location comes from; homerooms are read only for the homeroom options. */
  location: LocationMapping;
  /**
   * The Barcode and Community ID mappings, when the snapshot is for a plan: users then keep only
   * the fields the plan reads (a district of 1,000,000 students is held whole in memory, and
   * identifiers, usernames and modification times nobody maps were a third of each user). The
   * reader slims each user as it reads it (PullRequest.keepUser). Absent: users are kept as read.
   */
  identifiers?: readonly IdMapping[];
  /**
   * The library's matched schools, for a full sync that may read only them (fetch-schools.ts);
   * absent: the whole district is read.
   */
  schools?: SchoolScope;
  /** Log lines for the operation. */
  log: FetchLog;
  /** Progress: phase name, records read, declared total. */
  onProgress?: (phase: string, received: number, total: number | null) => void;
  /** Cancels the fetch. */
  signal?: AbortSignal;
}

/** What a per-school read needs to know of the library. */
export interface SchoolScope {
  /** The org sourcedIds matched to the library's sites. */
  matched: readonly string[];
  /** By the rule (school-read.ts), or always the whole district. */
  read: RosterReadSetting;
  /**
   * The sourcedIds of the patrons a whole-district read could move out (not Transferred, at a
   * matched site) and of the open conflict queue: read by id when no served school lists them.
   */
  patronGuids: () => Promise<Iterable<string>>;
}

/** Roles read as agents (parents/guardians of a student), never as patrons (SPEC §3.1). */
const AGENT_ROLES: ReadonlySet<string> = new Set(['parent', 'guardian', 'relative']);

/** Mutable state while fetching; becomes the Snapshot. */
interface Gathered {
  users: RosterUser[];
  userIds: Set<string>;
  agents: Map<string, AgentInfo>;
  demographics: Map<string, DemographicsInfo>;
  homerooms: Map<string, HomeroomInfo>;
  /** A delta's students whose homerooms were read (see Snapshot.homeroomsRead). */
  homeroomsRead: Set<string> | undefined;
  teacherNames: Map<string, string>;
  unreadableUserIds: Set<string>;
  incompleteReasons: string[];
  malformedCount: number;
  /** What is kept of each user read (the reader applies it as it reads: see PullRequest.keepUser). */
  keepUser: ((u: RosterUser) => RosterUser) | undefined;
}

/** Reads the roster into a Snapshot (SPEC §3 phase 1). */
export async function fetchSnapshot(reader: RosterReader, request: FetchRequest): Promise<Snapshot> {
  const g: Gathered = {
    users: [],
    userIds: new Set(),
    agents: new Map(),
    demographics: new Map(),
    homerooms: new Map(),
    homeroomsRead: undefined,
    teacherNames: new Map(),
    unreadableUserIds: new Set(),
    incompleteReasons: [],
    malformedCount: 0,
    keepUser: request.identifiers ? slimmer(request.identifiers) : undefined,
  };
  const roles = new Set(request.roles);
  const wantTeacherNames = request.location === 'homeroom-teacher';
  const delta = request.kind === 'delta';
  // A delta without `since` reads everything the source holds: a source that is only changes
  // (a OneRoster CSV delta package) has no watermark to filter by.
  const since = delta && request.since !== undefined ? sinceFilter(request.since) : undefined;

  const takeUser = (u: RosterUser): void => {
    const role = syncRoleOf(u.role);
    if (role !== null && roles.has(role)) {
      if (!g.userIds.has(u.sourcedId)) {
        g.userIds.add(u.sourcedId);
        g.users.push(u);
      }
    } else if (AGENT_ROLES.has(u.role)) {
      g.agents.set(u.sourcedId, agentInfo(u));
    }
    if (wantTeacherNames && u.role === 'teacher') g.teacherNames.set(u.sourcedId, personName(u));
  };

  // A delta stays district-wide: it reads what changed, whatever the schools, and a user who
  // moved to a school the library does not serve must be seen to be transferred that night.
  const choice = delta ? undefined : await schoolRead(reader, request);
  const served = choice?.kind === 'per-school' ? choice.schools : undefined;
  const pulls = servedPulls(reader, request, g);
  const changedAgents: RosterUser[] = [];
  if (served) {
    await readServedUsers(pulls, {
      schools: served,
      roles,
      wantTeacherNames,
      patronGuids: request.schools!.patronGuids,
      takeUser,
      taken: (id) => g.userIds.has(id),
    });
    await readAgentsById(pulls, g.users, (u) => {
      if (AGENT_ROLES.has(u.role)) g.agents.set(u.sourcedId, agentInfo(u));
    });
  } else {
    await pullInto(reader, 'users', { filter: since }, request, g, (records) => {
      for (const u of records) {
        takeUser(u);
        if (delta && AGENT_ROLES.has(u.role)) changedAgents.push(u);
      }
    });
  }

  const notShared: NotShared[] = [];
  // Before the families: a student read for a changed enrollment is read like a changed user,
  // parents and all.
  if (delta && request.location !== 'none') {
    g.homeroomsRead = new Set();
    if (since === undefined) {
      request.log('info', 'A delta without a watermark does not read homerooms: Location is left as it is.');
    } else if (!(await ifShared('homerooms', request, () => fetchChangedHomerooms(reader, request, g, since, takeUser)))) {
      g.homerooms.clear();
      g.homeroomsRead.clear();
      notShared.push('homerooms');
    }
  }

  if (delta) await completeDeltaFamilies(reader, request, g, changedAgents, takeUser);

  // Parents are not a collection of their own: ClassLink sends only users enrolled in a class
  // unless the district turns on "Unenrolled Users" (CLASSLINK.md §1.6), so students may name
  // agents that never come. A full read in which not one agent arrived is that choice: the
  // contacts are left as they are (core/patron-values.ts `absenceBlanks`), not blanked for all.
  if (!delta && g.agents.size === 0 && g.users.some((u) => u.agentSourcedIds.length > 0)) {
    request.log(
      'warning',
      'The district shares no parents or guardians with this app (students name them, but none arrived); Additional Contact and Other Emails are left as they are.',
    );
    notShared.push('agents');
  }
  const takeDemographics = (records: RosterRecordOf['demographics'][]): void => {
    for (const d of records) {
      // A full sync keeps only the synced users' demographics; a delta keeps every changed one,
      // since its user may not have changed (the plan updates just Birthdate and Sex then).
      if (delta || g.userIds.has(d.sourcedId)) g.demographics.set(d.sourcedId, { birthDate: d.birthDate, sex: d.sex });
    }
  };
  // Read per school, only the users taken have demographics worth reading: by id.
  const demographicsPulls: ListPull[] = served ? idFilters([...g.userIds].sort()).map((filter) => ({ filter })) : [{ filter: since }];
  const demographicsShared = await ifShared('demographics', request, () => pulls.each('demographics', demographicsPulls, takeDemographics));
  if (!demographicsShared) {
    // Demographics not shared: users keep their Birthdate and Sex (core/patron-values.ts
    // `absenceBlanks`); shared, a complete full read without a user's record blanks them.
    g.demographics.clear();
    notShared.push('demographics');
  }

  if (
    !delta &&
    request.location !== 'none' &&
    !(await ifShared('homerooms', request, () => fetchHomerooms(pulls, served, g, wantTeacherNames)))
  ) {
    g.homerooms.clear();
    notShared.push('homerooms');
  }

  return {
    kind: request.kind,
    complete: g.incompleteReasons.length === 0,
    incompleteReasons: g.incompleteReasons,
    users: g.users,
    agents: g.agents,
    demographics: g.demographics,
    homerooms: g.homerooms,
    ...(g.homeroomsRead ? { homeroomsRead: g.homeroomsRead } : {}),
    malformedCount: g.malformedCount,
    unreadableUserIds: g.unreadableUserIds,
    notShared,
  };
}

/**
 * Runs an optional read. A district can decline to share demographics, or classes and
 * enrollments, with an app (ClassLink's "Enable Demographics" and permission toggles,
 * CLASSLINK.md §1.6): the roster server then refuses those collections (401/403/404). That is a
 * choice, not a fault — the sync goes on and leaves the fields they fill as they are. Any other
 * failure still fails the sync: a half-read roster writes nothing.
 */
async function ifShared(what: Exclude<NotShared, 'agents'>, request: FetchRequest, read: () => Promise<void>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (e) {
    if (!isRollcallError(e, 'credentials_refused', 'not_found')) throw e;
    const left = what === 'demographics' ? 'Birthdate and Sex are left as they are' : 'Location is left as it is';
    request.log('warning', `The district does not share ${what} with this app (${oneLine(e)}); ${left}.`);
    return false;
  }
}

/** Pulls one collection, recording completeness, malformed records and notes. */
async function pullInto<C extends RosterCollection>(
  reader: RosterReader,
  collection: C,
  pull: ListPull,
  request: FetchRequest,
  g: Gathered,
  onRecords: (records: RosterRecordOf[C][]) => void,
): Promise<void> {
  const outcome = await reader.pull(
    collection,
    {
      ...(pull.path === undefined ? {} : { path: pull.path }),
      filter: pull.filter,
      ...(collection === 'users' && g.keepUser ? { keepUser: g.keepUser } : {}),
      signal: request.signal,
      onProgress: (received, total) => request.onProgress?.(collection, received, total),
    },
    onRecords,
  );
  const what = pull.path ?? collection;
  for (const note of outcome.notes) request.log('info', `${what}: ${note}`);
  if (!outcome.complete) {
    const reason = `${what}: ${outcome.incompleteReason || 'the read did not add up'}`;
    g.incompleteReasons.push(reason);
    request.log('warning', `Roster read incomplete — ${reason}`);
  }
  g.malformedCount += outcome.malformedCount;
  for (const m of outcome.malformed) {
    if (collection === 'users' && m.sourcedId) g.unreadableUserIds.add(m.sourcedId);
    request.log('warning', `Skipped a malformed ${collection} record (${m.where}): ${m.message}`, m.sourcedId);
  }
  if (outcome.malformedCount > outcome.malformed.length) {
    request.log('warning', `${outcome.malformedCount - outcome.malformed.length} more malformed ${collection} records were skipped`);
  }
  if (collection === 'users' && outcome.malformed.some((m) => !m.sourcedId)) {
    // A user we cannot even name might be anyone: no patron may be transferred as absent.
    g.incompleteReasons.push('users: a record without a readable sourcedId was skipped');
  }
}

/**
 * A delta reads only changed users, but a patron's Additional Contact and Other Emails come from
 * the student's agents: read the unchanged parents of changed students, and the unchanged
 * students of changed parents, so both sides are whole.
 */
async function completeDeltaFamilies(
  reader: RosterReader,
  request: FetchRequest,
  g: Gathered,
  changedAgents: readonly RosterUser[],
  takeUser: (u: RosterUser) => void,
): Promise<void> {
  const missingAgents = new Set<string>();
  for (const u of g.users) for (const a of u.agentSourcedIds) if (!g.agents.has(a)) missingAgents.add(a);
  const missingStudents = new Set<string>();
  for (const parent of changedAgents) for (const s of parent.agentSourcedIds) if (!g.userIds.has(s)) missingStudents.add(s);
  for (const ids of [missingAgents, missingStudents])
    await pullByFilters(reader, 'users', idFilters([...ids]), request, g, (records) => records.forEach(takeUser));
}

/**
 * Pulls a collection once per filter, a few at a time; each pull's records are taken as they come
 * (callers order what they need themselves). When one fails the whole read fails: the others are
 * cancelled and no lane starts another.
 */
async function pullByFilters<C extends RosterCollection>(
  reader: RosterReader,
  collection: C,
  filters: readonly string[],
  request: FetchRequest,
  g: Gathered,
  onRecords: (records: RosterRecordOf[C][]) => void,
): Promise<void> {
  await pullEach(
    reader,
    collection,
    filters.map((filter) => ({ filter })),
    request,
    g,
    onRecords,
  );
}

/** Like pullByFilters, for pulls of any path and filter. */
async function pullEach<C extends RosterCollection>(
  reader: RosterReader,
  collection: C,
  pulls: readonly ListPull[],
  request: FetchRequest,
  g: Gathered,
  onRecords: (records: RosterRecordOf[C][]) => void,
): Promise<void> {
  const stop = new AbortController();
  const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
  const laneRequest: FetchRequest = { ...request, signal };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pulls.length && !signal.aborted) {
      const pull = pulls[next++]!;
      try {
        await pullInto(reader, collection, pull, laneRequest, g, (records) => {
          if (!signal.aborted) onRecords(records);
        });
      } catch (e) {
        stop.abort(e);
        throw e;
      }
    }
  };
  const lanes = Math.max(1, Math.min(reader.concurrentPulls ?? 1, pulls.length));
  await Promise.all(Array.from({ length: lanes }, worker));
}

/**
 * Reads homeroom classes and their enrollments into student → homeroom (SPEC §1.2): the whole
 * district's, or — read per school — the served schools' own (a homeroom is a class of the
 * student's school), with the names of homeroom teachers no served school listed read by id.
 */
async function fetchHomerooms(
  pulls: ServedPulls,
  served: readonly string[] | undefined,
  g: Gathered,
  wantTeacherNames: boolean,
): Promise<void> {
  const lists = served ? servedHomeroomPulls(served) : { classes: [{ filter: "classType='homeroom'" }], enrollments: [{}] };
  const classes = new Map<string, HomeroomClass>();
  await pulls.each('classes', lists.classes, (records) => {
    for (const c of records) if (isActiveHomeroom(c)) classes.set(c.sourcedId, homeroomClass(c));
  });
  const chooser = new HomeroomChooser(classes);
  await pulls.each('enrollments', lists.enrollments, (records) => {
    for (const e of records) chooser.add(e);
  });
  if (served) {
    const elsewhere = g.users.filter(
      (u) => u.role === 'student' && (u.orgSourcedIds.length > 1 || chooser.homeroomOf(u.sourcedId, () => '') === undefined),
    );
    await readHomeroomsElsewhere(
      pulls,
      elsewhere.map((u) => u.sourcedId),
      classes,
      chooser,
    );
  }
  if (served && wantTeacherNames) {
    const names = chooser.teacherIds().filter((id) => !g.teacherNames.has(id));
    await pulls.each(
      'users',
      idFilters(names.sort()).map((filter) => ({ filter })),
      (records) => {
        for (const u of records) if (u.role === 'teacher') g.teacherNames.set(u.sourcedId, personName(u));
      },
    );
  }
  for (const student of chooser.students()) {
    if (g.userIds.has(student)) g.homerooms.set(student, chooser.homeroomOf(student, (t) => g.teacherNames.get(t) ?? '')!);
  }
}

/** The pulls of this fetch, with its completeness and logging. */
function servedPulls(reader: RosterReader, request: FetchRequest, g: Gathered): ServedPulls {
  return { each: (collection, pulls, onRecords) => pullEach(reader, collection, pulls, request, g, onRecords) };
}

/**
 * Whether this full sync reads the whole district or only the served schools (school-read.ts),
 * said in the log. Only a reader that serves `schools/{id}/…` lists may read per school; the
 * district's schools are read first (a few hundred records), outside the snapshot's
 * completeness: a list of schools that does not add up decides nothing, the whole district is read.
 */
async function schoolRead(reader: RosterReader, request: FetchRequest): Promise<SchoolReadChoice | undefined> {
  const scope = request.schools;
  if (!scope || !reader.servesSchools) return undefined;
  let choice: SchoolReadChoice;
  if (scope.read === 'district') {
    choice = chooseSchoolRead(scope.matched, new Set(), 'district');
  } else {
    const schools = new Set<string>();
    const outcome = await reader.pull('orgs', { path: 'schools', signal: request.signal }, (orgs) => {
      for (const o of orgs) if (o.type === 'school') schools.add(o.sourcedId);
    });
    choice = outcome.complete
      ? chooseSchoolRead(scope.matched, schools)
      : { kind: 'district', why: `the list of the district's schools did not add up (${outcome.incompleteReason})` };
  }
  request.log(
    'info',
    choice.kind === 'per-school'
      ? `Reading only the ${choice.schools.length} matched school(s): ${choice.why}.`
      : `Reading the whole district: ${choice.why}.`,
  );
  return choice;
}

/**
 * A delta's homerooms (SPEC §3.6: "When Location is mapped, a delta also reads the homeroom
 * enrolments changed since then ... (a changed enrolment is read like a changed user)"). The
 * cost follows what changed, never the district's size:
 * 1. the enrollments changed since the watermark (`dateLastModified>'…'`, as for users);
 * 2. their classes, by id, to tell the homeroom ones: a student with a changed homeroom
 *    enrollment — added, or ended (`tobedeleted`) — has a homeroom to work out again;
 * 3. those students' user records, by id, when their own record did not change: the plan needs
 *    the whole user (and, being read like a changed user, their parents follow with the families);
 * 4. every enrollment of those students (`user.sourcedId='…'`), the classes they name, and the
 *    enrollments of the homerooms they are in (`class.sourcedId='…'`, for the teacher), then the
 *    teachers' names by id — so the chooser sees exactly what a full sync's would for them, and
 *    the delta writes the Location a full sync would (a student left with no homeroom: blank).
 * Every other student keeps its Location (Snapshot.homeroomsRead). A read that does not add up
 * decides no homeroom: Location is then left as it is, so a half-read never blanks one.
 */
async function fetchChangedHomerooms(
  reader: RosterReader,
  request: FetchRequest,
  g: Gathered,
  since: string,
  takeUser: (u: RosterUser) => void,
): Promise<void> {
  const read = g.homeroomsRead!;
  const incompleteBefore = g.incompleteReasons.length;
  const changed: RosterEnrollment[] = [];
  await pullInto(reader, 'enrollments', { filter: since }, request, g, (records) => {
    for (const e of records) if (e.role === 'student') changed.push(e);
  });
  if (changed.length === 0) return;
  const classes = new Map<string, RosterClass>();
  const readClasses = (ids: Iterable<string>) =>
    pullByFilters(reader, 'classes', idFilters([...new Set(ids)].filter((id) => !classes.has(id))), request, g, (records) => {
      for (const c of records) classes.set(c.sourcedId, c);
    });
  await readClasses(changed.map((e) => e.classSourcedId));
  const students = new Set(changed.filter((e) => classes.get(e.classSourcedId)?.classType === 'homeroom').map((e) => e.userSourcedId));
  if (students.size === 0) return;

  // Read like a changed user: the plan needs the whole record.
  const unread = [...students].filter((id) => !g.userIds.has(id));
  await pullByFilters(reader, 'users', idFilters(unread), request, g, (records) => records.forEach(takeUser));

  const theirs: RosterEnrollment[] = [];
  await pullByFilters(reader, 'enrollments', idFilters([...students], 'user.sourcedId'), request, g, (records) => {
    for (const e of records) if (students.has(e.userSourcedId)) theirs.push(e);
  });
  await readClasses(theirs.filter((e) => e.status === 'active').map((e) => e.classSourcedId));
  const homerooms = new Map<string, HomeroomClass>();
  for (const c of classes.values()) if (isActiveHomeroom(c)) homerooms.set(c.sourcedId, homeroomClass(c));
  const chooser = new HomeroomChooser(homerooms);
  for (const e of theirs) chooser.add(e);
  // The teachers of the homerooms they are now in.
  const inUse = new Set<string>();
  for (const e of theirs) if (e.status === 'active' && homerooms.has(e.classSourcedId)) inUse.add(e.classSourcedId);
  await pullByFilters(reader, 'enrollments', idFilters([...inUse], 'class.sourcedId'), request, g, (records) => {
    for (const e of records) if (e.role === 'teacher') chooser.add(e);
  });
  if (request.location === 'homeroom-teacher') {
    const names = chooser.teacherIds().filter((id) => !g.teacherNames.has(id));
    await pullByFilters(reader, 'users', idFilters(names), request, g, (records) => {
      for (const u of records) if (u.role === 'teacher') g.teacherNames.set(u.sourcedId, personName(u));
    });
  }

  if (g.incompleteReasons.length > incompleteBefore) {
    request.log('warning', 'The changed homerooms could not be read whole: Location is left as it is until a sync reads them whole.');
    return;
  }
  for (const student of students) {
    read.add(student);
    const homeroom = chooser.homeroomOf(student, (t) => g.teacherNames.get(t) ?? '');
    if (homeroom) g.homerooms.set(student, homeroom);
  }
}

/** What Location may be filled from, of a class. */
function homeroomClass(c: RosterClass): HomeroomClass {
  return { classCode: c.classCode, location: c.location };
}

/** The delta filter: records modified after `since`. */
function sinceFilter(since: string): string {
  return `dateLastModified>'${since}'`;
}

/**
 * A user with only what a plan reads: the identifier fields of the mappings in use (of
 * `userIds`, only the mapped types), no modification time or SMS number. One object literal, so
 * every kept user shares one hidden class.
 */
export function slimmer(identifiers: readonly IdMapping[]): (u: RosterUser) => RosterUser {
  const kinds = new Set(identifiers.map((m) => m.kind));
  const types = new Set(identifiers.flatMap((m) => (m.kind === 'userid' ? [m.type.trim().toLowerCase()] : [])));
  const keepIdentifier = kinds.has('identifier');
  const keepUsername = kinds.has('username');
  // Lists read from the wire grow by push, which leaves room for ~17 entries: ~150 bytes each for
  // a list of one. Org and grade lists repeat across a district, so each distinct one is kept once
  // (never written to: the plan only reads them); agent lists are copied to their exact size.
  const orgLists = new Map<string, string[]>();
  const gradeLists = new Map<string, string[]>();
  return (u) => ({
    sourcedId: u.sourcedId,
    status: u.status,
    dateLastModified: '',
    enabledUser: u.enabledUser,
    role: u.role,
    orgSourcedIds: shared(orgLists, u.orgSourcedIds),
    username: keepUsername ? u.username : '',
    userIds: types.size === 0 ? NO_USER_IDS : u.userIds.filter((id) => types.has(id.type.trim().toLowerCase())),
    givenName: u.givenName,
    familyName: u.familyName,
    middleName: u.middleName,
    identifier: keepIdentifier ? u.identifier : '',
    email: u.email,
    sms: '',
    phone: u.phone,
    agentSourcedIds: u.agentSourcedIds.length === 0 ? NO_IDS : u.agentSourcedIds.slice(),
    grades: shared(gradeLists, u.grades),
  });
}

/** The one kept copy of a list equal to `list`. */
function shared(kept: Map<string, string[]>, list: string[]): string[] {
  if (list.length === 0) return NO_IDS;
  // Tagged, and longer lists as JSON: no two different lists share a key, whatever they hold.
  const key = list.length === 1 ? `1${list[0]!}` : `n${JSON.stringify(list)}`;
  let found = kept.get(key);
  if (!found) kept.set(key, (found = list.slice()));
  return found;
}

/** The shared empty list of slimmed users (never written to). */
const NO_IDS: string[] = [];

/** The shared empty userIds of slimmed users (never written to). */
const NO_USER_IDS: RosterUser['userIds'] = [];

/** The agent's details used for Additional Contact and Other Emails. */
function agentInfo(u: RosterUser): AgentInfo {
  if (u.status === 'tobedeleted') return { givenName: '', familyName: '', phone: '', email: '', leaving: true };
  return { givenName: u.givenName, familyName: u.familyName, phone: u.phone, email: u.email };
}

/** `Given Family`, as SPEC §3.3 writes a person's name. */
function personName(u: RosterUser): string {
  return [u.givenName, u.familyName]
    .filter((s) => s.trim() !== '')
    .join(' ')
    .trim();
}
