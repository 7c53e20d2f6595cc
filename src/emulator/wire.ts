/**
 * Turns roster records into OneRoster 1.1 JSON as a server sends it. `classlink` mode sends
 * booleans as strings and every field, empty or not, as ClassLink does; `strict` mode sends
 * JSON booleans and leaves out what the 1.1 schema would reject (empty dates, sex values
 * outside male/female) and the always-empty `password`.
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
import type { FieldValue } from './table.ts';

/** Wire flavour. */
export type WireMode = 'classlink' | 'strict';

/** What serialising needs besides the record. */
export interface WireContext {
  /** Base of hrefs, e.g. `http://127.0.0.1:4000/ims/oneroster/v1p1`. */
  hrefBase: string;
  /** Wire flavour. */
  mode: WireMode;
  /** The children of an org or academic session (sourcedIds, in order). */
  children(collection: 'orgs' | 'academicSessions', sourcedId: string): readonly string[];
}

/** A JSON object on the wire. */
export type WireObject = Record<string, unknown>;

const BASE_FIELDS = ['sourcedId', 'status', 'dateLastModified', 'metadata'];

/** The top-level fields of each collection, for validating filter, sort and fields. */
export const WIRE_FIELDS: Record<RosterCollection, ReadonlySet<string>> = {
  users: new Set([
    ...BASE_FIELDS,
    'username',
    'userIds',
    'enabledUser',
    'givenName',
    'familyName',
    'middleName',
    'role',
    'identifier',
    'email',
    'sms',
    'phone',
    'agents',
    'orgs',
    'grades',
    'password',
  ]),
  orgs: new Set([...BASE_FIELDS, 'name', 'type', 'identifier', 'parent', 'children']),
  classes: new Set([
    ...BASE_FIELDS,
    'title',
    'classCode',
    'classType',
    'location',
    'grades',
    'subjects',
    'course',
    'school',
    'terms',
    'subjectCodes',
    'periods',
    'resources',
  ]),
  enrollments: new Set([...BASE_FIELDS, 'user', 'class', 'school', 'role', 'primary', 'beginDate', 'endDate']),
  demographics: new Set([
    ...BASE_FIELDS,
    'birthDate',
    'sex',
    'americanIndianOrAlaskaNative',
    'asian',
    'blackOrAfricanAmerican',
    'nativeHawaiianOrOtherPacificIslander',
    'white',
    'demographicRaceTwoOrMoreRaces',
    'hispanicOrLatinoEthnicity',
    'countryOfBirthCode',
    'stateOfBirthAbbreviation',
    'cityOfBirth',
    'publicSchoolResidenceStatus',
  ]),
  academicSessions: new Set([...BASE_FIELDS, 'title', 'startDate', 'endDate', 'type', 'parent', 'children', 'schoolYear']),
};

/** Sub-fields a dotted path may name, by the kind of field it starts with. */
export const SUB_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  ref: new Set(['href', 'sourcedId', 'type']),
  userIds: new Set(['type', 'identifier']),
};

/** Fields holding GUIDRefs (single or lists). */
export const REF_FIELDS: ReadonlySet<string> = new Set([
  'agents',
  'orgs',
  'parent',
  'children',
  'course',
  'school',
  'terms',
  'resources',
  'user',
  'class',
]);

/** Fields compared as instants or dates when filtering and sorting. */
export const DATE_FIELDS: ReadonlySet<string> = new Set(['dateLastModified', 'birthDate', 'beginDate', 'endDate', 'startDate']);

/** The singular envelope key of a collection's single-record response. */
export const SINGLE_KEY: Record<RosterCollection, string> = {
  users: 'user',
  orgs: 'org',
  classes: 'class',
  enrollments: 'enrollment',
  demographics: 'demographics',
  academicSessions: 'academicSession',
};

/** Serialises a record of a collection. */
export function toWire<C extends RosterCollection>(collection: C, record: RosterRecordOf[C], ctx: WireContext): WireObject {
  switch (collection) {
    case 'users':
      return userToWire(record as RosterUser, ctx);
    case 'orgs':
      return orgToWire(record as RosterOrg, ctx);
    case 'classes':
      return classToWire(record as RosterClass, ctx);
    case 'enrollments':
      return enrollmentToWire(record as RosterEnrollment, ctx);
    case 'demographics':
      return demographicsToWire(record as RosterDemographics, ctx);
    default:
      return sessionToWire(record as RosterAcademicSession, ctx);
  }
}

function ref(ctx: WireContext, path: string, type: string, sourcedId: string): WireObject {
  return { href: `${ctx.hrefBase}/${path}/${encodeURIComponent(sourcedId)}`, sourcedId, type };
}

/** Most refs to orgs and sessions kept (a district has few; each is on thousands of records). */
const SHARED_REFS_MAX = 10_000;
const sharedRefs = new WeakMap<WireContext, Map<string, WireObject>>();

/**
 * A ref to an org or academic session, built once per context and shared: wire objects are
 * only serialised, and reusing the same (flat) strings makes large pages cheaper to encode.
 */
function sharedRef(ctx: WireContext, path: string, type: string, sourcedId: string): WireObject {
  let refs = sharedRefs.get(ctx);
  if (!refs) {
    refs = new Map();
    sharedRefs.set(ctx, refs);
  }
  const key = `${path}/${sourcedId}`;
  let r = refs.get(key);
  if (!r) {
    r = ref(ctx, path, type, sourcedId);
    if (refs.size < SHARED_REFS_MAX) refs.set(key, r);
  }
  return r;
}

function bool(ctx: WireContext, value: boolean): boolean | string {
  return ctx.mode === 'classlink' ? String(value) : value;
}

/** Adds a field unless strict mode must leave an empty value out. */
function optional(ctx: WireContext, out: WireObject, key: string, value: string): void {
  if (value !== '' || ctx.mode === 'classlink') out[key] = value;
}

function userToWire(u: RosterUser, ctx: WireContext): WireObject {
  const out: WireObject = {
    sourcedId: u.sourcedId,
    status: u.status,
    dateLastModified: u.dateLastModified,
    username: u.username,
    // Shared with the record, not copied: wire objects are only serialised (and pages are large).
    userIds: u.userIds,
    enabledUser: bool(ctx, u.enabledUser),
    givenName: u.givenName,
    familyName: u.familyName,
    middleName: u.middleName,
    role: u.role,
    identifier: u.identifier,
    email: u.email,
    sms: u.sms,
    phone: u.phone,
    agents: u.agentSourcedIds.map((id) => ref(ctx, 'users', 'user', id)),
    orgs: u.orgSourcedIds.map((id) => sharedRef(ctx, 'orgs', 'org', id)),
    grades: u.grades,
  };
  if (ctx.mode === 'classlink') out.password = '';
  return out;
}

function orgToWire(o: RosterOrg, ctx: WireContext): WireObject {
  const out: WireObject = {
    sourcedId: o.sourcedId,
    status: o.status,
    dateLastModified: o.dateLastModified,
    name: o.name,
    type: o.type,
    identifier: o.identifier,
  };
  if (o.parentSourcedId) out.parent = ref(ctx, 'orgs', 'org', o.parentSourcedId);
  const children = ctx.children('orgs', o.sourcedId);
  if (children.length > 0) out.children = children.map((id) => ref(ctx, 'orgs', 'org', id));
  return out;
}

function classToWire(c: RosterClass, ctx: WireContext): WireObject {
  const out: WireObject = {
    sourcedId: c.sourcedId,
    status: c.status,
    dateLastModified: c.dateLastModified,
    title: c.title,
    classCode: c.classCode,
    classType: c.classType,
    location: c.location,
    grades: [...c.grades],
  };
  if (c.courseSourcedId) out.course = ref(ctx, 'courses', 'course', c.courseSourcedId);
  out.school = sharedRef(ctx, 'orgs', 'org', c.schoolSourcedId);
  out.terms = c.termSourcedIds.map((id) => sharedRef(ctx, 'academicSessions', 'academicSession', id));
  return out;
}

function enrollmentToWire(e: RosterEnrollment, ctx: WireContext): WireObject {
  const out: WireObject = {
    sourcedId: e.sourcedId,
    status: e.status,
    dateLastModified: e.dateLastModified,
    user: ref(ctx, 'users', 'user', e.userSourcedId),
    class: ref(ctx, 'classes', 'class', e.classSourcedId),
    school: sharedRef(ctx, 'orgs', 'org', e.schoolSourcedId),
    role: e.role,
    primary: bool(ctx, e.primary),
  };
  optional(ctx, out, 'beginDate', e.beginDate);
  optional(ctx, out, 'endDate', e.endDate);
  return out;
}

/** Sex values OneRoster 1.1 allows (1.2 adds other and unspecified). */
const SEX_1P1 = new Set(['male', 'female']);

function demographicsToWire(d: RosterDemographics, ctx: WireContext): WireObject {
  const out: WireObject = { sourcedId: d.sourcedId, status: d.status, dateLastModified: d.dateLastModified };
  optional(ctx, out, 'birthDate', d.birthDate);
  if (ctx.mode === 'classlink' || SEX_1P1.has(d.sex)) out.sex = d.sex;
  return out;
}

function sessionToWire(s: RosterAcademicSession, ctx: WireContext): WireObject {
  const out: WireObject = {
    sourcedId: s.sourcedId,
    status: s.status,
    dateLastModified: s.dateLastModified,
    title: s.title,
    startDate: s.startDate,
    endDate: s.endDate,
    type: s.type,
  };
  if (s.parentSourcedId) out.parent = ref(ctx, 'academicSessions', 'academicSession', s.parentSourcedId);
  const children = ctx.children('academicSessions', s.sourcedId);
  if (children.length > 0) out.children = children.map((id) => ref(ctx, 'academicSessions', 'academicSession', id));
  out.schoolYear = s.schoolYear;
  return out;
}

/** Reads a (possibly dotted) path of a wire object: lists give every element's value. */
export function valueAt(wire: WireObject, path: string): FieldValue {
  const dot = path.indexOf('.');
  const head = wire[dot < 0 ? path : path.slice(0, dot)];
  if (dot < 0) return scalarOrList(head);
  const sub = path.slice(dot + 1);
  const items = Array.isArray(head) ? head : head === undefined || head === null ? [] : [head];
  const values = items.map((item) => (item && typeof item === 'object' ? (item as WireObject)[sub] : undefined));
  return values.filter((v) => v !== undefined).map(String);
}

function scalarOrList(v: unknown): FieldValue {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map((x) => (x && typeof x === 'object' ? JSON.stringify(x) : String(x)));
  if (typeof v === 'object') return JSON.stringify(v);
  return v as string | number | boolean;
}

/** Keeps only the named top-level fields of a wire object (the `fields` parameter). */
export function project(wire: WireObject, fields: readonly string[]): WireObject {
  const out: WireObject = {};
  for (const f of fields) if (f in wire) out[f] = wire[f];
  return out;
}
