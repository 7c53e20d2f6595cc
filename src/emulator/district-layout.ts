/**
 * The arithmetic shape of a generated district: how many of each record there are and which
 * index belongs to which school, class or student. Everything is a closed formula or a small
 * per-school table, so a record's relations are computed, never stored.
 *
 * Index spaces (each in sourcedId order, because ids are prefix + zero-padded index):
 * - users: administrators `adm-`, parents/guardians `par-`, students `stu-`, teachers `tch-`;
 * - orgs: the district `org-00000000`, then the schools;
 * - classes `cls-`: per school, the homerooms then one set of sections per period;
 * - enrollments: students `enr-s…-k`, primary teachers `enr-t…`, co-teachers `enr-u…`;
 * - demographics: administrators, students, teachers (parents have none).
 */
import { RollcallError } from '../domain/errors.ts';
import { seedHash } from './seeded.ts';
import type { DistrictOptions } from './types.ts';

/** Students per homeroom / class section. */
export const SECTION_SIZE = 25;
/** Students per teacher (types.ts promises about one teacher per 20 students). */
export const STUDENTS_PER_TEACHER = 20;
/** Scheduled periods per student, besides the homeroom. */
export const PERIODS = 3;
/** Enrollments per student: the homeroom and one per period. */
export const ENROLLMENTS_PER_STUDENT = 1 + PERIODS;
/** How far each period's sections are rotated, so classmates differ from period to period. */
export const PERIOD_SHIFT = 7;
/** Every n-th class has a second, non-primary teacher. */
export const CO_TEACHER_EVERY = 10;
/** Every n-th student also belongs to the next school (their first org stays their own). */
export const DUAL_ORG_EVERY = 50;
/** Default students per school when the number of schools is not given. */
export const STUDENTS_PER_SCHOOL = 500;
/** A district always has at least this many schools (one of each level). */
export const MIN_SCHOOLS = 3;
/** Digits of the zero-padded index in every sourcedId. */
export const ID_DIGITS = 8;
/** Largest district the id width allows (parents reach 1.6 per student). */
export const MAX_STUDENTS = 10_000_000;

/** School levels, each with its grades in order. */
export const LEVELS = [
  { name: 'elementary', suffix: 'Elementary School', grades: ['KG', '01', '02', '03', '04', '05'] },
  { name: 'middle', suffix: 'Middle School', grades: ['06', '07', '08'] },
  { name: 'high', suffix: 'High School', grades: ['09', '10', '11', '12'] },
] as const;

/** One of LEVELS. */
export type Level = (typeof LEVELS)[number];

/** Counts and per-school offset tables of a generated district. */
export interface DistrictLayout {
  /** The seed, hashed. */
  seed: number;
  /** Students. */
  students: number;
  /** Schools. */
  schools: number;
  /** District-level administrators (the rest of the administrators are one per school). */
  districtAdmins: number;
  /** All administrators. */
  admins: number;
  /** Parents and guardians. */
  parents: number;
  /** Teachers. */
  teachers: number;
  /** Classes. */
  classes: number;
  /** First student index of each school, and `students` at the end (length schools + 1). */
  studentStart: Int32Array;
  /** First teacher index of each school, and `teachers` at the end. */
  teacherStart: Int32Array;
  /** First class index of each school, and `classes` at the end. */
  classStart: Int32Array;
}

/** Computes the layout of a district; refuses sizes the id scheme cannot hold. */
export function layoutDistrict(options: DistrictOptions): DistrictLayout {
  const students = options.students;
  if (!Number.isInteger(students) || students < 1 || students > MAX_STUDENTS) {
    throw new RollcallError('usage', `The number of students must be a whole number from 1 to ${MAX_STUDENTS}.`);
  }
  const wanted = options.schools ?? Math.max(MIN_SCHOOLS, Math.round(students / STUDENTS_PER_SCHOOL));
  if (!Number.isInteger(wanted) || wanted < 1) {
    throw new RollcallError('usage', 'The number of schools must be a whole number of at least 1.');
  }
  const schools = Math.min(wanted, students);
  const studentStart = new Int32Array(schools + 1);
  const teacherStart = new Int32Array(schools + 1);
  const classStart = new Int32Array(schools + 1);
  for (let j = 0; j <= schools; j++) studentStart[j] = Math.ceil((j * students) / schools);
  for (let j = 0; j < schools; j++) {
    const size = studentStart[j + 1]! - studentStart[j]!;
    teacherStart[j + 1] = teacherStart[j]! + Math.ceil(size / STUDENTS_PER_TEACHER);
    classStart[j + 1] = classStart[j]! + Math.ceil(size / SECTION_SIZE) * (1 + PERIODS);
  }
  const districtAdmins = 2 + Math.floor(students / 50_000);
  return {
    seed: seedHash(options.seed),
    students,
    schools,
    districtAdmins,
    admins: districtAdmins + schools,
    parents: parentsBefore(students),
    teachers: teacherStart[schools]!,
    classes: classStart[schools]!,
    studentStart,
    teacherStart,
    classStart,
  };
}

/** The level of school j: elementary, middle and high in turn. */
export function levelOf(school: number): Level {
  return LEVELS[school % LEVELS.length]!;
}

/** The school of student i (students are in contiguous blocks per school). */
export function schoolOfStudent(layout: DistrictLayout, i: number): number {
  return Math.floor((i * layout.schools) / layout.students);
}

/** The school whose block of a per-school offset table holds index k (binary search). */
export function schoolOfIndex(starts: Int32Array, k: number): number {
  let lo = 0;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= k) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Students of school j. */
export function schoolSize(layout: DistrictLayout, j: number): number {
  return layout.studentStart[j + 1]! - layout.studentStart[j]!;
}

/** Homerooms of school j (each period has as many sections). */
export function sectionsOf(layout: DistrictLayout, j: number): number {
  return Math.ceil(schoolSize(layout, j) / SECTION_SIZE);
}

/** Whether student i has a second org (the next school). */
export function isDualOrg(layout: DistrictLayout, i: number): boolean {
  return layout.schools > 1 && i % DUAL_ORG_EVERY === DUAL_ORG_EVERY - 1;
}

/** How many parents/guardians a student has: two for three students in five, else one. */
export function parentCount(i: number): number {
  return i % 5 < 3 ? 2 : 1;
}

/** The number of parents of students 0 … i-1, i.e. the index of student i's first parent. */
export function parentsBefore(i: number): number {
  const r = i % 5;
  return 8 * Math.floor(i / 5) + 2 * Math.min(r, 3) + Math.max(0, r - 3);
}

/** The student a parent belongs to, and whether the parent is that student's first or second. */
export function studentOfParent(p: number): { student: number; which: number } {
  const block = Math.floor(p / 8);
  const r = p % 8;
  if (r < 6) return { student: block * 5 + (r >> 1), which: r & 1 };
  return { student: block * 5 + 3 + (r - 6), which: 0 };
}

/** Where a class sits: its school, period (0 = homeroom) and section. */
export interface ClassPlace {
  /** School index. */
  school: number;
  /** 0 for the homeroom, 1 … PERIODS for scheduled periods. */
  period: number;
  /** Section within the period. */
  section: number;
}

/** The school, period and section of class c. */
export function placeOfClass(layout: DistrictLayout, c: number): ClassPlace {
  const school = schoolOfIndex(layout.classStart, c);
  const sections = sectionsOf(layout, school);
  const local = c - layout.classStart[school]!;
  return { school, period: Math.floor(local / sections), section: local % sections };
}

/** The class index of student i's class in a period (0 = homeroom). */
export function classOfStudent(layout: DistrictLayout, i: number, period: number): number {
  const school = schoolOfStudent(layout, i);
  const size = schoolSize(layout, school);
  const pos = i - layout.studentStart[school]!;
  const section = Math.floor(((pos + period * PERIOD_SHIFT) % size) / SECTION_SIZE);
  return layout.classStart[school]! + period * sectionsOf(layout, school) + section;
}

/** The students of class c, ascending. */
export function studentsOfClass(layout: DistrictLayout, c: number): number[] {
  const { school, period, section } = placeOfClass(layout, c);
  const size = schoolSize(layout, school);
  const start = layout.studentStart[school]!;
  const out: number[] = [];
  for (let q = section * SECTION_SIZE; q < Math.min((section + 1) * SECTION_SIZE, size); q++) {
    out.push(start + ((((q - period * PERIOD_SHIFT) % size) + size) % size));
  }
  return out.sort((a, b) => a - b);
}

/** The primary teacher of class c (homerooms each get their own teacher). */
export function primaryTeacherOf(layout: DistrictLayout, c: number): number {
  const { school, period, section } = placeOfClass(layout, c);
  const sections = sectionsOf(layout, school);
  const staff = layout.teacherStart[school + 1]! - layout.teacherStart[school]!;
  const local = period === 0 ? section : (sections * period + section) % staff;
  return layout.teacherStart[school]! + local;
}

/** Whether class c has a co-teacher. */
export function hasCoTeacher(c: number): boolean {
  return c % CO_TEACHER_EVERY === CO_TEACHER_EVERY - 1;
}

/** The co-teacher of class c: the next teacher of the district (possibly of the next school). */
export function coTeacherOf(layout: DistrictLayout, c: number): number {
  return (primaryTeacherOf(layout, c) + 1) % layout.teachers;
}

/** The number of classes with a co-teacher. */
export function coTeacherCount(layout: DistrictLayout): number {
  return Math.floor(layout.classes / CO_TEACHER_EVERY);
}

const ZEROS = '0'.repeat(ID_DIGITS);

/** Formats a sourcedId: prefix and zero-padded index (hot: a few per record built). */
export function formatId(prefix: string, index: number): string {
  const digits = String(index);
  return prefix + ZEROS.slice(digits.length) + digits;
}

/** Parses an id made by formatId with this prefix; -1 when it is not one. */
export function parseId(prefix: string, id: string, suffixLength = 0): number {
  if (id.length !== prefix.length + ID_DIGITS + suffixLength || !id.startsWith(prefix)) return -1;
  const digits = id.slice(prefix.length, prefix.length + ID_DIGITS);
  return /^\d+$/.test(digits) ? Number(digits) : -1;
}
