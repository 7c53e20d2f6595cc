/**
 * Builds the structure of a generated district — orgs, academic sessions, classes and
 * enrollments — from indices, as district-people.ts does for people.
 */
import type { RosterAcademicSession, RosterClass, RosterEnrollment, RosterOrg } from '../domain/roster.ts';
import {
  classOfStudent,
  coTeacherOf,
  CO_TEACHER_EVERY,
  ENROLLMENTS_PER_STUDENT,
  formatId,
  levelOf,
  placeOfClass,
  primaryTeacherOf,
  schoolOfStudent,
  schoolSize,
  SECTION_SIZE,
  type DistrictLayout,
} from './district-layout.ts';
import { baseModifiedMs, DISTRICT_ORG_ID, districtPlace, schoolOrgId, USER_PREFIX } from './district-people.ts';
import { PLACE_NAMES, SUBJECTS } from './names.ts';
import { isoInstant } from './iso-time.ts';
import { chance, mix } from './seeded.ts';

/** The school year every generated district is in. */
export const SCHOOL_YEAR = { title: '2026-2027', schoolYear: '2027', startDate: '2026-08-17', endDate: '2027-06-12' } as const;

/** Id prefixes of structural records. */
export const PREFIX = {
  session: 'ses-',
  klass: 'cls-',
  studentEnrollment: 'enr-s',
  teacherEnrollment: 'enr-t',
  coTeacherEnrollment: 'enr-u',
} as const;

/** How often (percent) structural records have the blanks real feeds have. */
const PERCENT = { blankHomeroomCode: 3, blankHomeroomRoom: 3, blankEnrollmentDates: 2 } as const;

/** Salts for structural records (distinct from the people's). */
const SALT = { orgModified: 101, classModified: 102, enrollModified: 103, blankCode: 104, blankRoom: 105, blankDates: 106 };

/** Builds org k: the district (k = 0) or school k - 1. */
export function buildOrg(layout: DistrictLayout, k: number): RosterOrg {
  const modified = isoInstant(baseModifiedMs(layout, k, SALT.orgModified));
  const districtNces = String(600_000 + (layout.seed % 100_000)).padStart(7, '0');
  if (k === 0) {
    return {
      sourcedId: DISTRICT_ORG_ID,
      status: 'active',
      dateLastModified: modified,
      name: `${districtPlace(layout)} Unified School District`,
      type: 'district',
      identifier: districtNces,
      parentSourcedId: '',
    };
  }
  const j = k - 1;
  // Walk the place list from a seed-chosen start; a number is added once the list wraps.
  const place = PLACE_NAMES[(j + layout.seed) % PLACE_NAMES.length]!;
  const round = Math.floor(j / PLACE_NAMES.length);
  return {
    sourcedId: schoolOrgId(j),
    status: 'active',
    dateLastModified: modified,
    name: `${place} ${levelOf(j).suffix}${round > 0 ? ` ${round + 1}` : ''}`,
    type: 'school',
    identifier: districtNces + String(j).padStart(5, '0'),
    parentSourcedId: DISTRICT_ORG_ID,
  };
}

/** The academic sessions: the school year, two terms (semesters), four grading periods. */
export function buildSessions(layout: DistrictLayout): RosterAcademicSession[] {
  const id = (k: number) => formatId(PREFIX.session, k);
  const at = (k: number) => isoInstant(baseModifiedMs(layout, k, SALT.orgModified ^ 0x77));
  const y = SCHOOL_YEAR;
  const rows: [string, string, string, string, string][] = [
    // title, type, start, end, parent
    [y.title, 'schoolYear', y.startDate, y.endDate, ''],
    ['Semester 1', 'term', y.startDate, '2027-01-16', id(0)],
    ['Semester 2', 'term', '2027-01-19', y.endDate, id(0)],
    ['Quarter 1', 'gradingPeriod', y.startDate, '2026-10-24', id(1)],
    ['Quarter 2', 'gradingPeriod', '2026-10-26', '2027-01-16', id(1)],
    ['Quarter 3', 'gradingPeriod', '2027-01-19', '2027-03-27', id(2)],
    ['Quarter 4', 'gradingPeriod', '2027-03-29', y.endDate, id(2)],
  ];
  return rows.map(([title, type, startDate, endDate, parentSourcedId], k) => ({
    sourcedId: id(k),
    status: 'active',
    dateLastModified: at(k),
    title,
    type,
    startDate,
    endDate,
    parentSourcedId,
    schoolYear: y.schoolYear,
  }));
}

/** Builds class c: a homeroom (period 0) or a scheduled section. */
export function buildClass(layout: DistrictLayout, c: number): RosterClass {
  const { school, period, section } = placeOfClass(layout, c);
  const level = levelOf(school);
  const grades = level.grades;
  const firstPos = section * SECTION_SIZE;
  const grade = grades[Math.floor((firstPos * grades.length) / schoolSize(layout, school))]!;
  const gradeLabel = grade === 'KG' ? 'K-' : String(Number(grade));
  const letter = String.fromCharCode(65 + (section % 26));
  const number = String(section + 1).padStart(3, '0');
  const base = {
    sourcedId: formatId(PREFIX.klass, c),
    status: 'active' as const,
    dateLastModified: isoInstant(baseModifiedMs(layout, c, SALT.classModified)),
    schoolSourcedId: schoolOrgId(school),
    courseSourcedId: '',
    grades: [grade],
  };
  if (period === 0) {
    return {
      ...base,
      title: `Homeroom ${gradeLabel}${letter}`,
      // ClassLink often sends classCode empty; a few homerooms have no code or room.
      classCode: chance(mix(layout.seed, c, SALT.blankCode), PERCENT.blankHomeroomCode) ? '' : `HR-${grade}${letter}-${number}`,
      classType: 'homeroom',
      location: chance(mix(layout.seed, c, SALT.blankRoom), PERCENT.blankHomeroomRoom) ? '' : `Room ${100 + section}`,
      termSourcedIds: [formatId(PREFIX.session, 0)],
    };
  }
  const subject = SUBJECTS[level.name][period - 1]!;
  return {
    ...base,
    title: `${subject} — Period ${period}, Section ${section + 1}`,
    classCode: `${subject.slice(0, 4).toUpperCase().replace(/\s/g, '')}-${period}${number}`,
    classType: 'scheduled',
    location: `Room ${200 + period * 50 + (section % 50)}`,
    termSourcedIds: [formatId(PREFIX.session, 1), formatId(PREFIX.session, 2)],
  };
}

/** Where the enrollment index ranges start: students', then primary teachers', then co-teachers'. */
export function enrollmentRanges(layout: DistrictLayout): { teachers: number; coTeachers: number; end: number } {
  const teachers = layout.students * ENROLLMENTS_PER_STUDENT;
  const coTeachers = teachers + layout.classes;
  return { teachers, coTeachers, end: coTeachers + Math.floor(layout.classes / CO_TEACHER_EVERY) };
}

/** The sourcedId of enrollment e. */
export function enrollmentId(layout: DistrictLayout, e: number): string {
  const r = enrollmentRanges(layout);
  if (e < r.teachers) {
    return `${formatId(PREFIX.studentEnrollment, Math.floor(e / ENROLLMENTS_PER_STUDENT))}-${e % ENROLLMENTS_PER_STUDENT}`;
  }
  if (e < r.coTeachers) return formatId(PREFIX.teacherEnrollment, e - r.teachers);
  return formatId(PREFIX.coTeacherEnrollment, coTeacherClass(e - r.coTeachers));
}

/** The class of the m-th co-teacher enrollment. */
export function coTeacherClass(m: number): number {
  return m * CO_TEACHER_EVERY + CO_TEACHER_EVERY - 1;
}

/** The class index enrollment e is in. */
export function enrollmentClass(layout: DistrictLayout, e: number): number {
  const r = enrollmentRanges(layout);
  if (e < r.teachers) return classOfStudent(layout, Math.floor(e / ENROLLMENTS_PER_STUDENT), e % ENROLLMENTS_PER_STUDENT);
  if (e < r.coTeachers) return e - r.teachers;
  return coTeacherClass(e - r.coTeachers);
}

/** The sourcedId of enrollment e's user (what buildEnrollment sets, without building the record). */
export function enrollmentUserId(layout: DistrictLayout, e: number): string {
  const r = enrollmentRanges(layout);
  if (e < r.teachers) return formatId(USER_PREFIX.student, Math.floor(e / ENROLLMENTS_PER_STUDENT));
  const c = enrollmentClass(layout, e);
  return formatId(USER_PREFIX.teacher, e < r.coTeachers ? primaryTeacherOf(layout, c) : coTeacherOf(layout, c));
}

/** Builds enrollment e. */
export function buildEnrollment(layout: DistrictLayout, e: number): RosterEnrollment {
  const r = enrollmentRanges(layout);
  const c = enrollmentClass(layout, e);
  let userSourcedId: string;
  let role = 'teacher';
  let primary = false;
  let schoolSourcedId = schoolOrgId(placeOfClass(layout, c).school);
  if (e < r.teachers) {
    const i = Math.floor(e / ENROLLMENTS_PER_STUDENT);
    userSourcedId = formatId(USER_PREFIX.student, i);
    role = 'student';
    schoolSourcedId = schoolOrgId(schoolOfStudent(layout, i));
  } else if (e < r.coTeachers) {
    userSourcedId = formatId(USER_PREFIX.teacher, primaryTeacherOf(layout, c));
    primary = true;
  } else {
    userSourcedId = formatId(USER_PREFIX.teacher, coTeacherOf(layout, c));
  }
  const blankDates = chance(mix(layout.seed, e, SALT.blankDates), PERCENT.blankEnrollmentDates);
  return {
    sourcedId: enrollmentId(layout, e),
    status: 'active',
    dateLastModified: isoInstant(baseModifiedMs(layout, e, SALT.enrollModified)),
    userSourcedId,
    classSourcedId: formatId(PREFIX.klass, c),
    schoolSourcedId,
    role,
    primary,
    beginDate: blankDates ? '' : SCHOOL_YEAR.startDate,
    endDate: blankDates ? '' : SCHOOL_YEAR.endDate,
  };
}

/** The salts of structural records' dateLastModified, so fast filters compute the same instants. */
export const STRUCTURE_SALTS = SALT;
