/**
 * Builds the people of a generated district (users and demographics) from their index alone.
 * Each value comes from a hash of (seed, index, salt), so a record is the same whenever and
 * in whatever order it is built.
 */
import type { RosterDemographics, RosterUser } from '../domain/roster.ts';
import {
  formatId,
  isDualOrg,
  levelOf,
  parentCount,
  parentsBefore,
  schoolOfIndex,
  schoolOfStudent,
  schoolSize,
  studentOfParent,
  type DistrictLayout,
} from './district-layout.ts';
import { asciiSlug, FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES, PLACE_NAMES } from './names.ts';
import { isoInstant } from './iso-time.ts';
import { below, chance, mix, pick } from './seeded.ts';

/** Base records were last modified in the 31 days from this instant (fixed, so output is stable). */
export const BASE_MODIFIED_FROM = Date.UTC(2026, 6, 1);
const BASE_MODIFIED_SPAN_SECONDS = 31 * 24 * 3600;

/** Salts keep the hashes of different attributes of one record independent. */
const SALT = {
  given: 1,
  family: 2,
  middle: 3,
  blankEmail: 4,
  blankId: 5,
  phone: 6,
  disabled: 7,
  modified: 8,
  guardian: 9,
  sameFamily: 10,
  birth: 11,
  sex: 12,
  noFed: 13,
  demoModified: 14,
  blankBirth: 15,
} as const;

/** How often (percent) the generator produces each quirk real rosters have. */
const PERCENT = {
  guardian: 10, // a parent record with role guardian
  sameFamilyName: 70, // a second parent sharing the child's family name
  blankEmailParent: 15,
  blankEmailOther: 3,
  phoneParent: 90,
  phoneStudent: 5,
  phoneStaff: 30,
  disabled: 1, // enabledUser false
  noFedId: 5, // a student without the FED userId
  blankIdentifier: 2,
  blankBirthDate: 1,
  male: 48,
  female: 48,
  other: 2, // the rest are unspecified
} as const;

/** Bases of generated numbers, so they look like the SIS numbers they stand for. */
const NUMBER_BASE = { fedId: 900_000_000, studentNumber: 2_000_000, staffId: 10_000 } as const;
/** Kindergartners of the 2026-2027 school year were born in this year or the next. */
const KINDERGARTEN_BIRTH_YEAR = 2020;
/** Staff birth years fall in [from, from + span). */
const STAFF_BIRTH_YEARS = { from: 1960, span: 38 } as const;

/** User id prefixes, in sourcedId (and index) order. */
export const USER_PREFIX = { admin: 'adm-', parent: 'par-', student: 'stu-', teacher: 'tch-' } as const;
/** Org id prefix (the district is index 0, school j is index j + 1). */
export const ORG_PREFIX = 'org-';

/** Where the user index ranges start. */
export interface UserRanges {
  /** First parent index. */
  parents: number;
  /** First student index. */
  students: number;
  /** First teacher index. */
  teachers: number;
  /** Number of users. */
  end: number;
}

/** The user index ranges of a layout. */
export function userRanges(layout: DistrictLayout): UserRanges {
  const parents = layout.admins;
  const students = parents + layout.parents;
  const teachers = students + layout.students;
  return { parents, students, teachers, end: teachers + layout.teachers };
}

/** The org sourcedId of school j. */
export function schoolOrgId(j: number): string {
  return formatId(ORG_PREFIX, j + 1);
}

/** The district org's sourcedId. */
export const DISTRICT_ORG_ID = formatId(ORG_PREFIX, 0);

/** The district's e-mail domain (reserved example domain, derived from its name). */
export function districtDomain(layout: DistrictLayout): string {
  return `${asciiSlug(districtPlace(layout))}.k12.example.org`;
}

/** The place the district is named after. */
export function districtPlace(layout: DistrictLayout): string {
  return pick(PLACE_NAMES, layout.seed);
}

/** dateLastModified of a base record, in epoch milliseconds. */
export function baseModifiedMs(layout: DistrictLayout, index: number, salt: number = SALT.modified): number {
  return BASE_MODIFIED_FROM + below(mix(layout.seed, index, salt), BASE_MODIFIED_SPAN_SECONDS) * 1000;
}

/** The sourcedId of user u. */
export function userId(_layout: DistrictLayout, r: UserRanges, u: number): string {
  if (u < r.parents) return formatId(USER_PREFIX.admin, u);
  if (u < r.students) return formatId(USER_PREFIX.parent, u - r.parents);
  if (u < r.teachers) return formatId(USER_PREFIX.student, u - r.students);
  return formatId(USER_PREFIX.teacher, u - r.teachers);
}

/** The role of user u (the only hashed case: some second parents are guardians). */
export function userRole(layout: DistrictLayout, r: UserRanges, u: number): string {
  if (u < r.parents) return 'administrator';
  if (u < r.students) return chance(mix(layout.seed, u, SALT.guardian), PERCENT.guardian) ? 'guardian' : 'parent';
  if (u < r.teachers) return 'student';
  return 'teacher';
}

/** The org sourcedIds of user u, first org first. */
export function userOrgIds(layout: DistrictLayout, r: UserRanges, u: number): string[] {
  if (u < r.parents) return u < layout.districtAdmins ? [DISTRICT_ORG_ID] : [schoolOrgId(u - layout.districtAdmins)];
  if (u < r.students) return [schoolOrgId(schoolOfStudent(layout, studentOfParent(u - r.parents).student))];
  if (u < r.teachers) {
    const i = u - r.students;
    const j = schoolOfStudent(layout, i);
    return isDualOrg(layout, i) ? [schoolOrgId(j), schoolOrgId((j + 1) % layout.schools)] : [schoolOrgId(j)];
  }
  return [schoolOrgId(schoolOfIndex(layout.teacherStart, u - r.teachers))];
}

/** The grade of student i, from their place in their school's block. */
export function studentGrade(layout: DistrictLayout, i: number): string {
  const j = schoolOfStudent(layout, i);
  const grades = levelOf(j).grades;
  const pos = i - layout.studentStart[j]!;
  return grades[Math.floor((pos * grades.length) / schoolSize(layout, j))]!;
}

/** Builds user u. */
export function buildUser(layout: DistrictLayout, r: UserRanges, u: number): RosterUser {
  const seed = layout.seed;
  const role = userRole(layout, r, u);
  let familyName = pick(FAMILY_NAMES, mix(seed, u, SALT.family));
  let agentSourcedIds: string[] = [];
  let grades: string[] = [];
  let local = u;
  let kind: keyof typeof USER_PREFIX = 'admin';
  if (u >= r.teachers) {
    kind = 'teacher';
    local = u - r.teachers;
  } else if (u >= r.students) {
    kind = 'student';
    local = u - r.students;
    const first = parentsBefore(local);
    agentSourcedIds = [formatId(USER_PREFIX.parent, first)];
    if (parentCount(local) === 2) agentSourcedIds.push(formatId(USER_PREFIX.parent, first + 1));
    grades = [studentGrade(layout, local)];
  } else if (u >= r.parents) {
    kind = 'parent';
    local = u - r.parents;
    const { student, which } = studentOfParent(local);
    agentSourcedIds = [formatId(USER_PREFIX.student, student)];
    // A child usually shares a family name with the first parent, often with the second.
    if (which === 0 || chance(mix(seed, u, SALT.sameFamily), PERCENT.sameFamilyName)) {
      familyName = pick(FAMILY_NAMES, mix(layout.seed, r.students + student, SALT.family));
    }
  }
  const givenName = pick(GIVEN_NAMES, mix(seed, u, SALT.given));
  const slug = (asciiSlug(givenName).slice(0, 1) || 'x') + (asciiSlug(familyName) || 'user');
  const username = kind === 'parent' ? '' : `${slug}${local}`;
  const domain = districtDomain(layout);
  const blankEmail = chance(mix(seed, u, SALT.blankEmail), kind === 'parent' ? PERCENT.blankEmailParent : PERCENT.blankEmailOther);
  const email = blankEmail
    ? ''
    : kind === 'parent'
      ? `${slug}${local}@mail.example.com`
      : kind === 'student'
        ? `${username}@students.${domain}`
        : `${username}@${domain}`;
  const hasPhone = chance(
    mix(seed, u, SALT.phone),
    kind === 'parent' ? PERCENT.phoneParent : kind === 'student' ? PERCENT.phoneStudent : PERCENT.phoneStaff,
  );
  const phone = hasPhone ? phoneNumber(mix(seed, u, SALT.phone ^ 0xff)) : '';
  return {
    sourcedId: userId(layout, r, u),
    status: 'active',
    dateLastModified: isoInstant(baseModifiedMs(layout, u)),
    enabledUser: !chance(mix(seed, u, SALT.disabled), PERCENT.disabled),
    role,
    orgSourcedIds: userOrgIds(layout, r, u),
    username,
    userIds: userIdsOf(kind, local, username, mix(seed, u, SALT.noFed)),
    givenName,
    familyName,
    middleName: kind === 'parent' ? '' : pick(MIDDLE_NAMES, mix(seed, u, SALT.middle)),
    identifier: identifierOf(kind, local, mix(seed, u, SALT.blankId)),
    email,
    sms: '',
    phone,
    agentSourcedIds,
    grades,
  };
}

function userIdsOf(kind: string, local: number, username: string, hash: number): RosterUser['userIds'] {
  if (kind === 'parent') return [];
  const ids: RosterUser['userIds'] = [];
  if (kind === 'student' && !chance(hash, PERCENT.noFedId)) ids.push({ type: 'FED', identifier: String(NUMBER_BASE.fedId + local) });
  if (kind !== 'student') ids.push({ type: 'SIS', identifier: `E${NUMBER_BASE.staffId + local}` });
  ids.push({ type: 'LDAP', identifier: username });
  return ids;
}

function identifierOf(kind: string, local: number, hash: number): string {
  if (kind === 'parent' || chance(hash, PERCENT.blankIdentifier)) return '';
  if (kind === 'student') return String(NUMBER_BASE.studentNumber + local);
  return `${kind === 'teacher' ? 'T' : 'A'}${String(local).padStart(5, '0')}`;
}

function phoneNumber(hash: number): string {
  // 555-0100 … 555-0199 are reserved for fiction in every area code.
  return `${200 + (hash % 800)}-555-01${String(below(hash, 100)).padStart(2, '0')}`;
}

/** Where the demographics index ranges start: administrators, students, teachers. */
export function demographicsRanges(layout: DistrictLayout): { students: number; teachers: number; end: number } {
  const students = layout.admins;
  const teachers = students + layout.students;
  return { students, teachers, end: teachers + layout.teachers };
}

/** The user index that demographics record d describes. */
export function userOfDemographics(layout: DistrictLayout, r: UserRanges, d: number): number {
  if (d < layout.admins) return d;
  if (d < layout.admins + layout.students) return r.students + (d - layout.admins);
  return r.teachers + (d - layout.admins - layout.students);
}

/** Builds demographics record d (administrators, students, teachers; parents have none). */
export function buildDemographics(layout: DistrictLayout, r: UserRanges, d: number): RosterDemographics {
  const u = userOfDemographics(layout, r, d);
  const seed = layout.seed;
  let birthYear: number;
  if (u >= r.students && u < r.teachers) {
    const grade = studentGrade(layout, u - r.students);
    const number = grade === 'KG' ? 0 : Number(grade);
    birthYear = KINDERGARTEN_BIRTH_YEAR - number + below(mix(seed, u, SALT.birth), 2);
  } else {
    birthYear = STAFF_BIRTH_YEARS.from + below(mix(seed, u, SALT.birth), STAFF_BIRTH_YEARS.span);
  }
  const month = 1 + below(mix(seed, u, SALT.birth ^ 0x5a5a), 12);
  // Days 1–28 exist in every month, so every generated date is a real one.
  const day = 1 + below(mix(seed, u, SALT.birth ^ 0xa5a5), 28);
  const sexHash = mix(seed, u, SALT.sex);
  const sex = chance(sexHash, PERCENT.male)
    ? 'male'
    : chance(sexHash, PERCENT.male + PERCENT.female)
      ? 'female'
      : chance(sexHash, PERCENT.male + PERCENT.female + PERCENT.other)
        ? 'other'
        : 'unspecified';
  return {
    sourcedId: userId(layout, r, u),
    status: 'active',
    dateLastModified: isoInstant(baseModifiedMs(layout, u, SALT.demoModified)),
    birthDate: chance(mix(seed, u, SALT.blankBirth), PERCENT.blankBirthDate) ? '' : `${birthYear}-${pad2(month)}-${pad2(day)}`,
    sex,
  };
}

/** dateLastModified (epoch ms) of demographics record d. */
export function demographicsModifiedMs(layout: DistrictLayout, r: UserRanges, d: number): number {
  return baseModifiedMs(layout, userOfDemographics(layout, r, d), SALT.demoModified);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
