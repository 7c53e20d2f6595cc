/**
 * The roster as Rollcall understands it, whatever the source (ClassLink REST, any OneRoster
 * server, a OneRoster CSV package). Sources parse their wire format into these shapes at the
 * boundary; everything past the boundary (the snapshot, the plan) sees only these.
 *
 * The shapes follow OneRoster 1.1 with references flattened to sourcedIds (never hrefs: real
 * servers send broken hrefs, see shared/reference/ONEROSTER.md §1.1) and booleans as booleans.
 */

/** OneRoster status. 1.0's `inactive` is read as `tobedeleted` (ONEROSTER.md §0). */
export type RosterStatus = 'active' | 'tobedeleted';

/** A OneRoster 1.1 user role, lower-cased (`administrator`, `student`, `teacher`, `parent`, …). */
export type RosterRole = string;

/** One `userIds[]` entry: an identifier of a district-chosen type (e.g. `FED`, `LDAP`). */
export interface RosterUserId {
  /** The identifier's type, as the district names it. */
  type: string;
  /** The identifier's value. */
  identifier: string;
}

/** A OneRoster user (student, teacher, administrator, parent, …). */
export interface RosterUser {
  /** The user's OneRoster sourcedId: the GUID Rollcall matches on first. */
  sourcedId: string;
  /** `active` or `tobedeleted`. */
  status: RosterStatus;
  /** ISO 8601 UTC time of the last change, as the source sent it ('' when absent). */
  dateLastModified: string;
  /** Whether the account is enabled (`enabledUser`; string or boolean on the wire). */
  enabledUser: boolean;
  /** The role, lower-cased. */
  role: RosterRole;
  /** The sourcedIds of the user's orgs, in the order sent; the first is the user's site. */
  orgSourcedIds: string[];
  /** Login name ('' when absent). */
  username: string;
  /** Identifiers of district-chosen types. */
  userIds: RosterUserId[];
  /** First name. */
  givenName: string;
  /** Last name. */
  familyName: string;
  /** Middle name(s) ('' when absent). */
  middleName: string;
  /** Human-readable identifier, often the SIS student number ('' when absent). */
  identifier: string;
  /** E-mail address as sent ('' when absent). */
  email: string;
  /** SMS number ('' when absent). */
  sms: string;
  /** Phone number ('' when absent). */
  phone: string;
  /** The sourcedIds of the user's agents (parents/guardians of a student), in order. */
  agentSourcedIds: string[];
  /** Grade levels as sent (`09`, `KG`, …), in order. */
  grades: string[];
}

/** A OneRoster org (district, school, …). */
export interface RosterOrg {
  /** The org's sourcedId. */
  sourcedId: string;
  /** `active` or `tobedeleted`. */
  status: RosterStatus;
  /** ISO 8601 UTC time of the last change ('' when absent). */
  dateLastModified: string;
  /** Display name. */
  name: string;
  /** `district`, `school`, `department`, `local`, `state`, `national` (lower-cased). */
  type: string;
  /** External identifier such as an NCES id ('' when absent). */
  identifier: string;
  /** The parent org's sourcedId ('' when none). */
  parentSourcedId: string;
}

/** A OneRoster class (a homeroom or a scheduled class). */
export interface RosterClass {
  /** The class's sourcedId. */
  sourcedId: string;
  /** `active` or `tobedeleted`. */
  status: RosterStatus;
  /** ISO 8601 UTC time of the last change ('' when absent). */
  dateLastModified: string;
  /** Title, e.g. "Homeroom 9B". */
  title: string;
  /** Class code ('' when absent; ClassLink often sends it empty). */
  classCode: string;
  /** `homeroom` or `scheduled` (lower-cased; real data sends "Scheduled"). */
  classType: string;
  /** Room or location ('' when absent). */
  location: string;
  /** The sourcedId of the school the class belongs to. */
  schoolSourcedId: string;
  /** The sourcedId of the class's course ('' when absent). */
  courseSourcedId: string;
  /** Grade levels of the class. */
  grades: string[];
  /** The sourcedIds of the class's terms. */
  termSourcedIds: string[];
}

/** A OneRoster enrollment: a user in a class, in a role. */
export interface RosterEnrollment {
  /** The enrollment's sourcedId. */
  sourcedId: string;
  /** `active` or `tobedeleted`. */
  status: RosterStatus;
  /** ISO 8601 UTC time of the last change ('' when absent). */
  dateLastModified: string;
  /** The enrolled user's sourcedId. */
  userSourcedId: string;
  /** The class's sourcedId. */
  classSourcedId: string;
  /** The school's sourcedId. */
  schoolSourcedId: string;
  /** `student`, `teacher`, `administrator`, `proctor` (lower-cased). */
  role: string;
  /** Whether this is the class's primary teacher (meaningful for teachers only). */
  primary: boolean;
  /** First day, YYYY-MM-DD ('' when absent). */
  beginDate: string;
  /** Day after the last, YYYY-MM-DD ('' when absent). */
  endDate: string;
}

/** A OneRoster demographics record; its sourcedId is the user's sourcedId. */
export interface RosterDemographics {
  /** The user's sourcedId. */
  sourcedId: string;
  /** `active` or `tobedeleted`. */
  status: RosterStatus;
  /** ISO 8601 UTC time of the last change ('' when absent). */
  dateLastModified: string;
  /** Birth date as sent (should be YYYY-MM-DD; cleaned later) ('' when absent). */
  birthDate: string;
  /** `male`, `female`, `other`, `unspecified` as sent ('' when absent). */
  sex: string;
}

/** A OneRoster academic session (school year, term, …). */
export interface RosterAcademicSession {
  /** The session's sourcedId. */
  sourcedId: string;
  /** `active` or `tobedeleted`. */
  status: RosterStatus;
  /** ISO 8601 UTC time of the last change ('' when absent). */
  dateLastModified: string;
  /** Title, e.g. "2026-2027". */
  title: string;
  /** `schoolYear`, `semester`, `term`, `gradingPeriod`. */
  type: string;
  /** First day, YYYY-MM-DD. */
  startDate: string;
  /** Day after the last, YYYY-MM-DD. */
  endDate: string;
  /** The parent session's sourcedId ('' when none). */
  parentSourcedId: string;
  /** The year the school year ends ("2027"). */
  schoolYear: string;
}

/** The collections Rollcall reads, by their OneRoster REST names. */
export type RosterCollection = 'users' | 'orgs' | 'classes' | 'enrollments' | 'demographics' | 'academicSessions';

/** Map from collection name to its record type. */
export interface RosterRecordOf {
  users: RosterUser;
  orgs: RosterOrg;
  classes: RosterClass;
  enrollments: RosterEnrollment;
  demographics: RosterDemographics;
  academicSessions: RosterAcademicSession;
}

/** A record that could not be read: reported, skipped, never fatal. */
export interface MalformedRecord {
  /** The collection it came from. */
  collection: RosterCollection;
  /** Its sourcedId when one could be read ('' otherwise). */
  sourcedId: string;
  /** Where it was: `page offset 2000, record 17` or `users.csv line 12`. */
  where: string;
  /** What was wrong, in one line. */
  message: string;
}

/** The roles whose users can become patrons, as Rollcall's setting names them. */
export type SyncRole = 'student' | 'teacher' | 'admin';

/**
 * Which synced role a roster role belongs to, or null when users of that role are never
 * patrons (parents, guardians, relatives: they are read only as agents; and the "other roles"
 * of SPEC §3.1, which include 1.1's aide and proctor). 1.1's `administrator` and 1.2's staff
 * roles (district/site/system administrator, principal, counselor) map to admin (Staff).
 */
export function syncRoleOf(role: RosterRole): SyncRole | null {
  switch (role.toLowerCase()) {
    case 'student':
      return 'student';
    case 'teacher':
      return 'teacher';
    case 'administrator':
    case 'districtadministrator':
    case 'siteadministrator':
    case 'systemadministrator':
    case 'principal':
    case 'counselor':
      return 'admin';
    default:
      return null;
  }
}
