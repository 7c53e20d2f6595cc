/**
 * Hand-written readers for OneRoster 1.1 records: the same canonical records as the zod schemas
 * of schemas.ts, without zod. zod costs ~1.3 s per 100,000 users and builds a whole extra object
 * per record (its parsed copy, then the transform's record), which is much of a big sync's garbage.
 *
 * Each reader checks every field against exactly what its zod wire type accepts and converts it
 * with the same functions of wire-values.ts. It answers only when it is certain: a wrong type, an
 * unreadable status or flag, anything unusual gives `undefined`, and the caller falls back to the
 * zod schema, which then reports the record as today. So the zod path stays the one source of
 * error messages, and fast-read.test.ts checks that both paths give the same records.
 *
 * What the wire types accept (zod 4): text = string | finite number | null | undefined (zod's
 * number rejects NaN and ±Infinity); flag = boolean | string | finite number | nullish; status =
 * string | nullish; ref = string | finite number | any non-array object whose `sourcedId` is text
 * (extra keys ignored, inherited keys read) | nullish; refs = array of refs | nullish; list =
 * array of (string | finite number), or a string, | nullish; userIds = array of non-array objects
 * with text `type` and `identifier` | nullish. A key present with the value `undefined` reads as
 * absent, as in zod. The required-field rules stay in parseRecord, for both paths.
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
import { flag, list, ref, refs, status, text, userIds, word } from './wire-values.ts';

/** A wire record (already known to be a non-array object). */
export type WireRecord = Record<string, unknown>;

/** Reads a wire record into its canonical record, or undefined when the zod path must decide. */
export type FastReader<T> = (w: WireRecord) => T | undefined;

type Text = string | number | null | undefined;
type Flag = boolean | string | number | null | undefined;
type Ref = string | number | { sourcedId?: Text } | null | undefined;
type List = (string | number)[] | string | null | undefined;
type UserId = { type?: Text; identifier?: Text };

function isText(v: unknown): v is Text {
  return v == null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

function isStatus(v: unknown): v is string | null | undefined {
  return v == null || typeof v === 'string';
}

function isFlag(v: unknown): v is Flag {
  return isText(v) || typeof v === 'boolean';
}

/** What zod's z.object accepts: any object but null and arrays (functions are not objects to it). */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRef(v: unknown): v is Ref {
  return isText(v) || (isObject(v) && isText(v['sourcedId']));
}

function isRefs(v: unknown): v is Ref[] | null | undefined {
  if (v == null) return true;
  if (!Array.isArray(v)) return false;
  // By index, as zod reads arrays: a hole reads as undefined (a blank ref, left out).
  for (let i = 0; i < v.length; i++) if (!isRef(v[i])) return false;
  return true;
}

function isList(v: unknown): v is List {
  if (v == null || typeof v === 'string') return true;
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    if (typeof item !== 'string' && !(typeof item === 'number' && Number.isFinite(item))) return false;
  }
  return true;
}

function isUserIds(v: unknown): v is UserId[] | null | undefined {
  if (v == null) return true;
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const u: unknown = v[i];
    if (!isObject(u) || !isText(u['type']) || !isText(u['identifier'])) return false;
  }
  return true;
}

// Each reader reads every field once into a local, checks them all, then builds the record in
// one literal with the transform's field order, so fast and zod records share a hidden class.

function readUser(w: WireRecord): RosterUser | undefined {
  const sourcedId = w['sourcedId'];
  const st = w['status'];
  const modified = w['dateLastModified'];
  const enabled = w['enabledUser'];
  const role = w['role'];
  const orgs = w['orgs'];
  const username = w['username'];
  const ids = w['userIds'];
  const givenName = w['givenName'];
  const familyName = w['familyName'];
  const middleName = w['middleName'];
  const identifier = w['identifier'];
  const email = w['email'];
  const sms = w['sms'];
  const phone = w['phone'];
  const agents = w['agents'];
  const grades = w['grades'];
  if (
    !isText(sourcedId) ||
    !isStatus(st) ||
    !isText(modified) ||
    !isFlag(enabled) ||
    !isText(role) ||
    !isRefs(orgs) ||
    !isText(username) ||
    !isUserIds(ids) ||
    !isText(givenName) ||
    !isText(familyName) ||
    !isText(middleName) ||
    !isText(identifier) ||
    !isText(email) ||
    !isText(sms) ||
    !isText(phone) ||
    !isRefs(agents) ||
    !isList(grades)
  ) {
    return undefined;
  }
  const s = status(st);
  const enabledUser = flag(enabled, true);
  if (s === undefined || enabledUser === undefined) return undefined;
  return {
    sourcedId: text(sourcedId),
    status: s,
    dateLastModified: text(modified),
    enabledUser,
    role: word(role),
    orgSourcedIds: refs(orgs),
    username: text(username),
    userIds: userIds(ids),
    givenName: text(givenName),
    familyName: text(familyName),
    middleName: text(middleName),
    identifier: text(identifier),
    email: text(email),
    sms: text(sms),
    phone: text(phone),
    agentSourcedIds: refs(agents),
    grades: list(grades),
  };
}

function readOrg(w: WireRecord): RosterOrg | undefined {
  const sourcedId = w['sourcedId'];
  const st = w['status'];
  const modified = w['dateLastModified'];
  const name = w['name'];
  const type = w['type'];
  const identifier = w['identifier'];
  const parent = w['parent'];
  if (!isText(sourcedId) || !isStatus(st) || !isText(modified) || !isText(name) || !isText(type) || !isText(identifier) || !isRef(parent)) {
    return undefined;
  }
  const s = status(st);
  if (s === undefined) return undefined;
  return {
    sourcedId: text(sourcedId),
    status: s,
    dateLastModified: text(modified),
    name: text(name),
    type: word(type),
    identifier: text(identifier),
    parentSourcedId: ref(parent),
  };
}

function readClass(w: WireRecord): RosterClass | undefined {
  const sourcedId = w['sourcedId'];
  const st = w['status'];
  const modified = w['dateLastModified'];
  const title = w['title'];
  const classCode = w['classCode'];
  const classType = w['classType'];
  const location = w['location'];
  const school = w['school'];
  const course = w['course'];
  const grades = w['grades'];
  const terms = w['terms'];
  if (
    !isText(sourcedId) ||
    !isStatus(st) ||
    !isText(modified) ||
    !isText(title) ||
    !isText(classCode) ||
    !isText(classType) ||
    !isText(location) ||
    !isRef(school) ||
    !isRef(course) ||
    !isList(grades) ||
    !isRefs(terms)
  ) {
    return undefined;
  }
  const s = status(st);
  if (s === undefined) return undefined;
  return {
    sourcedId: text(sourcedId),
    status: s,
    dateLastModified: text(modified),
    title: text(title),
    classCode: text(classCode),
    classType: word(classType),
    location: text(location),
    schoolSourcedId: ref(school),
    courseSourcedId: ref(course),
    grades: list(grades),
    termSourcedIds: refs(terms),
  };
}

function readEnrollment(w: WireRecord): RosterEnrollment | undefined {
  const sourcedId = w['sourcedId'];
  const st = w['status'];
  const modified = w['dateLastModified'];
  const user = w['user'];
  const klass = w['class'];
  const school = w['school'];
  const role = w['role'];
  const primaryFlag = w['primary'];
  const beginDate = w['beginDate'];
  const endDate = w['endDate'];
  if (
    !isText(sourcedId) ||
    !isStatus(st) ||
    !isText(modified) ||
    !isRef(user) ||
    !isRef(klass) ||
    !isRef(school) ||
    !isText(role) ||
    !isFlag(primaryFlag) ||
    !isText(beginDate) ||
    !isText(endDate)
  ) {
    return undefined;
  }
  const s = status(st);
  const primary = flag(primaryFlag, false);
  if (s === undefined || primary === undefined) return undefined;
  return {
    sourcedId: text(sourcedId),
    status: s,
    dateLastModified: text(modified),
    userSourcedId: ref(user),
    classSourcedId: ref(klass),
    schoolSourcedId: ref(school),
    role: word(role),
    primary,
    beginDate: text(beginDate),
    endDate: text(endDate),
  };
}

function readDemographics(w: WireRecord): RosterDemographics | undefined {
  const sourcedId = w['sourcedId'];
  const st = w['status'];
  const modified = w['dateLastModified'];
  const birthDate = w['birthDate'];
  const sex = w['sex'];
  if (!isText(sourcedId) || !isStatus(st) || !isText(modified) || !isText(birthDate) || !isText(sex)) return undefined;
  const s = status(st);
  if (s === undefined) return undefined;
  return {
    sourcedId: text(sourcedId),
    status: s,
    dateLastModified: text(modified),
    birthDate: text(birthDate),
    sex: text(sex),
  };
}

function readAcademicSession(w: WireRecord): RosterAcademicSession | undefined {
  const sourcedId = w['sourcedId'];
  const st = w['status'];
  const modified = w['dateLastModified'];
  const title = w['title'];
  const type = w['type'];
  const startDate = w['startDate'];
  const endDate = w['endDate'];
  const parent = w['parent'];
  const schoolYear = w['schoolYear'];
  if (
    !isText(sourcedId) ||
    !isStatus(st) ||
    !isText(modified) ||
    !isText(title) ||
    !isText(type) ||
    !isText(startDate) ||
    !isText(endDate) ||
    !isRef(parent) ||
    !isText(schoolYear)
  ) {
    return undefined;
  }
  const s = status(st);
  if (s === undefined) return undefined;
  return {
    sourcedId: text(sourcedId),
    status: s,
    dateLastModified: text(modified),
    title: text(title),
    type: text(type),
    startDate: text(startDate),
    endDate: text(endDate),
    parentSourcedId: ref(parent),
    schoolYear: text(schoolYear),
  };
}

/** The fast reader of each 1.1 collection (the zod schemas of COLLECTION_SPECS, by hand). */
export const FAST_READERS_V1P1: { readonly [C in RosterCollection]: FastReader<RosterRecordOf[C]> } = {
  users: readUser,
  orgs: readOrg,
  classes: readClass,
  enrollments: readEnrollment,
  demographics: readDemographics,
  academicSessions: readAcademicSession,
};
