/**
 * A synthetic district served straight from its layout: records are built on demand from
 * their index, and every scope's candidates come from index arithmetic, never from a scan.
 */
import type { RosterClass, RosterDemographics, RosterEnrollment, RosterOrg, RosterUser } from '../domain/roster.ts';
import { arrayBaseRows } from './data-district.ts';
import {
  coTeacherOf,
  CO_TEACHER_EVERY,
  DUAL_ORG_EVERY,
  ENROLLMENTS_PER_STUDENT,
  formatId,
  hasCoTeacher,
  layoutDistrict,
  parseId,
  placeOfClass,
  primaryTeacherOf,
  studentsOfClass,
  type DistrictLayout,
} from './district-layout.ts';
import { createTables, scanCandidates, type District, type ScopeKind } from './district-model.ts';
import {
  baseModifiedMs,
  buildDemographics,
  buildUser,
  demographicsModifiedMs,
  demographicsRanges,
  ORG_PREFIX,
  schoolOrgId,
  USER_PREFIX,
  userId,
  userOfDemographics,
  userOrgIds,
  userRanges,
  userRole,
  type UserRanges,
} from './district-people.ts';
import {
  buildClass,
  buildEnrollment,
  buildOrg,
  buildSessions,
  enrollmentClass,
  enrollmentId,
  enrollmentRanges,
  enrollmentUserId,
  PREFIX,
  STRUCTURE_SALTS,
} from './district-structure.ts';
import { listRows, RangeRows, type Rows } from './rows.ts';
import type { BaseRows, FieldValue } from './table.ts';
import type { DistrictOptions } from './types.ts';

/** A generated district, with its layout for tests and tools that need the shape. */
export interface GeneratedDistrict extends District {
  /** Counts and offsets. */
  readonly layout: DistrictLayout;
}

/** Generates a district (lazily: only the per-school offset tables are computed now). */
export function generateDistrict(options: DistrictOptions): GeneratedDistrict {
  const layout = layoutDistrict(options);
  const r = userRanges(layout);
  const sessions = arrayBaseRows(buildSessions(layout));
  const schoolIds = Array.from({ length: layout.schools }, (_, j) => schoolOrgId(j));
  const children = (collection: 'orgs' | 'academicSessions', id: string): readonly string[] => {
    if (collection === 'orgs') return id === formatId(ORG_PREFIX, 0) ? schoolIds : [];
    const out: string[] = [];
    for (let i = 0; i < sessions.size; i++) if (sessions.record(i).parentSourcedId === id) out.push(sessions.idOf(i));
    return out;
  };
  const tables = createTables(
    {
      users: userRows(layout, r),
      orgs: orgRows(layout),
      classes: classRows(layout),
      enrollments: enrollmentRows(layout),
      demographics: demographicsRows(layout, r),
      academicSessions: sessions,
    },
    children,
  );
  const district: GeneratedDistrict = {
    layout,
    tables,
    children,
    candidates: (kind, parentId) => candidates(district, r, kind, parentId),
  };
  return district;
}

function userRows(layout: DistrictLayout, r: UserRanges): BaseRows<RosterUser> {
  return {
    size: r.end,
    record: (u) => buildUser(layout, r, u),
    idOf: (u) => userId(layout, r, u),
    indexOf: (id) => userIndex(layout, r, id),
    fastGetter(path): ((u: number) => FieldValue) | undefined {
      switch (path) {
        case 'sourcedId':
          return (u) => userId(layout, r, u);
        case 'status':
          return () => 'active';
        case 'dateLastModified':
          return (u) => baseModifiedMs(layout, u);
        case 'role':
          return (u) => userRole(layout, r, u);
        case 'orgs.sourcedId':
          return (u) => userOrgIds(layout, r, u);
        default:
          return undefined;
      }
    },
  };
}

/** The user index of a sourcedId, or -1. */
function userIndex(layout: DistrictLayout, r: UserRanges, id: string): number {
  const ranges: [string, number, number][] = [
    [USER_PREFIX.admin, 0, layout.admins],
    [USER_PREFIX.parent, r.parents, layout.parents],
    [USER_PREFIX.student, r.students, layout.students],
    [USER_PREFIX.teacher, r.teachers, layout.teachers],
  ];
  for (const [prefix, start, count] of ranges) {
    if (!id.startsWith(prefix)) continue;
    const k = parseId(prefix, id);
    return k >= 0 && k < count ? start + k : -1;
  }
  return -1;
}

function orgRows(layout: DistrictLayout): BaseRows<RosterOrg> {
  return {
    size: layout.schools + 1,
    record: (k) => buildOrg(layout, k),
    idOf: (k) => formatId(ORG_PREFIX, k),
    indexOf: (id) => {
      const k = parseId(ORG_PREFIX, id);
      return k <= layout.schools ? k : -1;
    },
    fastGetter: (path) => (path === 'type' ? (k) => (k === 0 ? 'district' : 'school') : undefined),
  };
}

function classRows(layout: DistrictLayout): BaseRows<RosterClass> {
  return {
    size: layout.classes,
    record: (c) => buildClass(layout, c),
    idOf: (c) => formatId(PREFIX.klass, c),
    indexOf: (id) => {
      const c = parseId(PREFIX.klass, id);
      return c < layout.classes ? c : -1;
    },
    fastGetter(path): ((c: number) => FieldValue) | undefined {
      if (path === 'sourcedId') return (c) => formatId(PREFIX.klass, c);
      if (path === 'classType') return (c) => (placeOfClass(layout, c).period === 0 ? 'homeroom' : 'scheduled');
      if (path === 'school.sourcedId') return (c) => [schoolOrgId(placeOfClass(layout, c).school)];
      if (path === 'dateLastModified') return (c) => baseModifiedMs(layout, c, STRUCTURE_SALTS.classModified);
      return undefined;
    },
  };
}

function enrollmentRows(layout: DistrictLayout): BaseRows<RosterEnrollment> {
  const er = enrollmentRanges(layout);
  return {
    size: er.end,
    record: (e) => buildEnrollment(layout, e),
    idOf: (e) => enrollmentId(layout, e),
    indexOf: (id) => enrollmentIndex(layout, id),
    fastGetter(path): ((e: number) => FieldValue) | undefined {
      if (path === 'sourcedId') return (e) => enrollmentId(layout, e);
      if (path === 'status') return () => 'active';
      if (path === 'role') return (e) => (e < er.teachers ? 'student' : 'teacher');
      if (path === 'class.sourcedId') return (e) => [formatId(PREFIX.klass, enrollmentClass(layout, e))];
      if (path === 'user.sourcedId') return (e) => [enrollmentUserId(layout, e)];
      if (path === 'dateLastModified') return (e) => baseModifiedMs(layout, e, STRUCTURE_SALTS.enrollModified);
      return undefined;
    },
  };
}

/** The enrollment index of a sourcedId, or -1. */
function enrollmentIndex(layout: DistrictLayout, id: string): number {
  const er = enrollmentRanges(layout);
  if (id.startsWith(PREFIX.studentEnrollment)) {
    const i = parseId(PREFIX.studentEnrollment, id, 2);
    const k = Number(id.slice(-1));
    const ok = i >= 0 && i < layout.students && id.at(-2) === '-' && k < ENROLLMENTS_PER_STUDENT;
    return ok ? i * ENROLLMENTS_PER_STUDENT + k : -1;
  }
  const c = parseId(PREFIX.teacherEnrollment, id);
  if (c >= 0) return c < layout.classes ? er.teachers + c : -1;
  const co = parseId(PREFIX.coTeacherEnrollment, id);
  if (co < 0 || co >= layout.classes || !hasCoTeacher(co)) return -1;
  return er.coTeachers + (co - (CO_TEACHER_EVERY - 1)) / CO_TEACHER_EVERY;
}

function demographicsRows(layout: DistrictLayout, r: UserRanges): BaseRows<RosterDemographics> {
  const dr = demographicsRanges(layout);
  return {
    size: dr.end,
    record: (d) => buildDemographics(layout, r, d),
    idOf: (d) => userId(layout, r, userOfDemographics(layout, r, d)),
    indexOf: (id) => {
      const u = userIndex(layout, r, id);
      if (u < 0 || (u >= r.parents && u < r.students)) return -1;
      if (u < r.parents) return u;
      return u < r.teachers ? dr.students + (u - r.students) : dr.teachers + (u - r.teachers);
    },
    fastGetter(path): ((d: number) => FieldValue) | undefined {
      if (path === 'status') return () => 'active';
      if (path === 'dateLastModified') return (d) => demographicsModifiedMs(layout, r, d);
      return undefined;
    },
  };
}

/** Base candidates of a scope, by arithmetic on the layout. */
function candidates(district: GeneratedDistrict, r: UserRanges, kind: ScopeKind, parentId: string): Rows {
  const layout = district.layout;
  const j = parseId(ORG_PREFIX, parentId) - 1;
  const c = district.tables.classes.base.indexOf(parentId);
  switch (kind) {
    case 'students':
      return new RangeRows(r.students, r.teachers);
    case 'teachers':
      return new RangeRows(r.teachers, r.end);
    case 'schools':
      return new RangeRows(1, layout.schools + 1);
    case 'schoolStudents':
      return j < 0 ? listRows([]) : schoolStudentRows(layout, r, j);
    case 'schoolTeachers':
      return j < 0 ? listRows([]) : new RangeRows(r.teachers + layout.teacherStart[j]!, r.teachers + layout.teacherStart[j + 1]!);
    case 'schoolClasses':
      return j < 0 ? listRows([]) : new RangeRows(layout.classStart[j]!, layout.classStart[j + 1]!);
    case 'schoolEnrollments':
      return j < 0 ? listRows([]) : schoolEnrollmentRows(layout, j);
    case 'classStudents':
      return c < 0 ? listRows([]) : listRows(studentsOfClass(layout, c).map((i) => r.students + i));
    case 'classTeachers': {
      if (c < 0) return listRows([]);
      const teachers = [primaryTeacherOf(layout, c)];
      if (hasCoTeacher(c)) teachers.push(coTeacherOf(layout, c));
      return listRows([...new Set(teachers)].sort((a, b) => a - b).map((t) => r.teachers + t));
    }
    default:
      return listRows(scanCandidates(district, kind, parentId));
  }
}

/** School j's students, plus the previous school's students who list j as a second org. */
function schoolStudentRows(layout: DistrictLayout, r: UserRanges, j: number): Rows {
  const own: number[] = [];
  for (let i = layout.studentStart[j]!; i < layout.studentStart[j + 1]!; i++) own.push(r.students + i);
  if (layout.schools < 2) return listRows(own);
  const prev = (j - 1 + layout.schools) % layout.schools;
  const from = layout.studentStart[prev]!;
  const visitors: number[] = [];
  const first = from + ((DUAL_ORG_EVERY - 1 - (from % DUAL_ORG_EVERY)) % DUAL_ORG_EVERY);
  for (let i = first; i < layout.studentStart[prev + 1]!; i += DUAL_ORG_EVERY) visitors.push(r.students + i);
  // Students' ids follow their index, so the previous block sorts first (unless it wrapped).
  return listRows(prev < j ? [...visitors, ...own] : [...own, ...visitors]);
}

/** School j's enrollments: its students', then its classes' teachers' and co-teachers'. */
function schoolEnrollmentRows(layout: DistrictLayout, j: number): Rows {
  const er = enrollmentRanges(layout);
  const out: number[] = [];
  const push = (from: number, to: number) => {
    for (let e = from; e < to; e++) out.push(e);
  };
  push(layout.studentStart[j]! * ENROLLMENTS_PER_STUDENT, layout.studentStart[j + 1]! * ENROLLMENTS_PER_STUDENT);
  push(er.teachers + layout.classStart[j]!, er.teachers + layout.classStart[j + 1]!);
  const firstCo = (c: number) => Math.max(0, Math.ceil((c - (CO_TEACHER_EVERY - 1)) / CO_TEACHER_EVERY));
  push(er.coTeachers + firstCo(layout.classStart[j]!), er.coTeachers + firstCo(layout.classStart[j + 1]!));
  return listRows(out);
}
