/**
 * The district as the server reads it: one Table per collection, plus the scopes behind the
 * filtered and nested endpoints (`/students`, `/schools/{id}/teachers`, `/classes/{id}/students`).
 * A district source (generated or given) supplies each scope's base candidates; the tables'
 * overlays then correct them for mutations.
 */
import type {
  RosterAcademicSession,
  RosterClass,
  RosterCollection,
  RosterDemographics,
  RosterEnrollment,
  RosterOrg,
  RosterRecordOf,
  RosterUser,
} from '../domain/roster.ts';
import { listRows, type Rows } from './rows.ts';
import { Table } from './table.ts';
import type { DistrictData } from '../domain/district.ts';
import { toWire, valueAt, type WireContext } from './wire.ts';

/** The collections of a district. */
export interface DistrictTables {
  /** Every user. */
  users: Table<RosterUser>;
  /** The district and its schools. */
  orgs: Table<RosterOrg>;
  /** Homerooms and scheduled classes. */
  classes: Table<RosterClass>;
  /** Enrollments of users in classes. */
  enrollments: Table<RosterEnrollment>;
  /** Demographics, keyed by the user's sourcedId. */
  demographics: Table<RosterDemographics>;
  /** School years, terms, grading periods. */
  academicSessions: Table<RosterAcademicSession>;
}

/** A subset of a collection behind an endpoint. */
export type ScopeKind =
  | 'students'
  | 'teachers'
  | 'schools'
  | 'terms'
  | 'gradingPeriods'
  | 'schoolStudents'
  | 'schoolTeachers'
  | 'schoolClasses'
  | 'schoolEnrollments'
  | 'classStudents'
  | 'classTeachers';

/** A served district. */
export interface District {
  /** The collections. */
  readonly tables: DistrictTables;
  /**
   * Base rows (ascending) of a scope before mutations: exactly the base records that belong to
   * it. `parentId` is the school or class of nested scopes ('' otherwise).
   */
  candidates(kind: ScopeKind, parentId: string): Rows;
  /** The children of an org or academic session, as sourcedIds in order. */
  children(collection: 'orgs' | 'academicSessions', sourcedId: string): readonly string[];
}

/** Where a scope's records come from and which records belong to it. */
export interface ScopeSpec {
  /** The collection it selects from. */
  collection: 'users' | 'orgs' | 'classes' | 'enrollments' | 'academicSessions';
  /** The collection of the parent named in the path, for nested scopes. */
  parent?: 'schools' | 'classes';
  /**
   * Whether a record (of `collection`) belongs, judged from the record alone; undefined for
   * class rosters, whose membership comes from enrollments.
   */
  belongs?: (record: unknown, parentId: string) => boolean;
  /** For class rosters: the role of the users listed and of the enrollments linking them. */
  classRole?: 'student' | 'teacher';
}

const withRole = (role: string) => (r: unknown) => (r as RosterUser).role === role;
const inOrg = (role: string) => (r: unknown, org: string) =>
  (r as RosterUser).role === role && (r as RosterUser).orgSourcedIds.includes(org);
const ofType = (type: string) => (r: unknown) => (r as { type: string }).type === type;

/** Every scope. */
export const SCOPES: Record<ScopeKind, ScopeSpec> = {
  students: { collection: 'users', belongs: withRole('student') },
  teachers: { collection: 'users', belongs: withRole('teacher') },
  schools: { collection: 'orgs', belongs: ofType('school') },
  terms: { collection: 'academicSessions', belongs: ofType('term') },
  gradingPeriods: { collection: 'academicSessions', belongs: ofType('gradingPeriod') },
  schoolStudents: { collection: 'users', parent: 'schools', belongs: inOrg('student') },
  schoolTeachers: { collection: 'users', parent: 'schools', belongs: inOrg('teacher') },
  schoolClasses: {
    collection: 'classes',
    parent: 'schools',
    belongs: (r, school) => (r as RosterClass).schoolSourcedId === school,
  },
  schoolEnrollments: {
    collection: 'enrollments',
    parent: 'schools',
    belongs: (r, school) => (r as RosterEnrollment).schoolSourcedId === school,
  },
  classStudents: { collection: 'users', parent: 'classes', classRole: 'student' },
  classTeachers: { collection: 'users', parent: 'classes', classRole: 'teacher' },
};

/** Whether the parent a nested path names exists (a school, or a class). */
export function parentExists(district: District, kind: ScopeKind, parentId: string): boolean {
  const parent = SCOPES[kind].parent;
  if (!parent) return true;
  if (parent === 'classes') return district.tables.classes.get(parentId) !== undefined;
  return district.tables.orgs.get(parentId)?.type === 'school';
}

/** The current rows of a scope, in sourcedId order (the parent must exist). */
export function scopeRows(district: District, kind: ScopeKind, parentId: string): Rows {
  const spec = SCOPES[kind];
  const table = anyTable(district.tables, spec.collection);
  if (spec.classRole) {
    const role = spec.classRole;
    // Membership comes from enrollments: once one was changed, the base candidates may be stale.
    const candidates = district.tables.enrollments.mutated
      ? listRows(currentClassMembers(district, parentId, role))
      : district.candidates(kind, parentId);
    return table.refine(candidates, (u) => (u as RosterUser).role === role);
  }
  const candidates = district.candidates(kind, parentId);
  const belongs = spec.belongs!;
  const test = (record: unknown) => belongs(record, parentId);
  return table.refine(candidates, test, test);
}

/**
 * The base users (ascending) of a class roster from the current enrollments: an enrollment
 * marked tobedeleted no longer lists its user. A scan, made only after enrollments changed.
 */
function currentClassMembers(district: Pick<District, 'tables'>, classId: string, role: 'student' | 'teacher'): number[] {
  const { enrollments, users } = district.tables;
  const rows = enrollments.order();
  const refs = new Set<number>();
  for (let k = 0; k < rows.length; k++) {
    const e = enrollments.record(rows.at(k));
    if (e.classSourcedId !== classId || e.role !== role || e.status !== 'active') continue;
    const u = users.base.indexOf(e.userSourcedId);
    if (u >= 0 && users.base.record(u).role === role) refs.add(u);
  }
  return [...refs].sort((a, b) => a - b);
}

/** Data-district candidates: the base rows of a scope, found by scanning (for given data). */
export function scanCandidates(district: Pick<District, 'tables'>, kind: ScopeKind, parentId: string): number[] {
  const spec = SCOPES[kind];
  if (spec.classRole) {
    const { enrollments, users } = district.tables;
    const refs = new Set<number>();
    for (let i = 0; i < enrollments.base.size; i++) {
      const e = enrollments.base.record(i);
      if (e.classSourcedId !== parentId || e.role !== spec.classRole) continue;
      const u = users.base.indexOf(e.userSourcedId);
      if (u >= 0 && users.base.record(u).role === spec.classRole) refs.add(u);
    }
    return [...refs].sort((a, b) => a - b);
  }
  const base = anyTable(district.tables, spec.collection).base;
  const belongs = spec.belongs!;
  const out: number[] = [];
  for (let i = 0; i < base.size; i++) if (belongs(base.record(i), parentId)) out.push(i);
  return out;
}

/** The base rows of every collection, from which createTables builds the tables. */
export type DistrictBases = { [K in keyof DistrictTables]: DistrictTables[K]['base'] };

/**
 * Builds the tables over base rows. Fields without a fast getter are read from the record's
 * wire form (classlink flavour: what a client would filter on).
 */
export function createTables(bases: DistrictBases, children: District['children']): DistrictTables {
  const ctx: WireContext = { hrefBase: '', mode: 'classlink', children };
  const reader =
    <C extends RosterCollection>(collection: C) =>
    (record: RosterRecordOf[C], path: string) =>
      valueAt(toWire(collection, record, ctx), path);
  return {
    users: new Table(bases.users, reader('users')),
    orgs: new Table(bases.orgs, reader('orgs')),
    classes: new Table(bases.classes, reader('classes')),
    enrollments: new Table(bases.enrollments, reader('enrollments')),
    demographics: new Table(bases.demographics, reader('demographics')),
    academicSessions: new Table(bases.academicSessions, reader('academicSessions')),
  };
}

/** The table of a collection, typed by what every record shares. */
export function anyTable(tables: DistrictTables, collection: RosterCollection): Table<{ sourcedId: string }> {
  return tables[collection] as unknown as Table<{ sourcedId: string }>;
}

/** Every current record of a district, in sourcedId order (for tests and small districts only). */
export function materialize(district: District): DistrictData {
  const all = <T extends { sourcedId: string }>(table: Table<T>): T[] => {
    const rows = table.order();
    return Array.from({ length: rows.length }, (_, k) => table.record(rows.at(k)));
  };
  const t = district.tables;
  return {
    orgs: all(t.orgs),
    users: all(t.users),
    classes: all(t.classes),
    enrollments: all(t.enrollments),
    demographics: all(t.demographics),
    academicSessions: all(t.academicSessions),
  };
}
