/**
 * The wire shape of each OneRoster 1.1 collection Rollcall reads, as zod schemas that turn a
 * JSON record into its canonical type (src/domain/roster.ts), plus the fields a record cannot
 * do without. Unknown fields (metadata, hrefs, race flags…) are ignored.
 */
import { z } from 'zod';
import type { RosterCollection, RosterRecordOf, RosterStatus } from '../domain/roster.ts';
import {
  flag,
  list,
  ref,
  refs,
  status,
  text,
  userIds,
  wireFlag,
  wireList,
  wireRef,
  wireRefs,
  wireStatus,
  wireText,
  wireUserIds,
  word,
} from './wire-values.ts';

/** A field a record must carry: its wire name, and whether a blank value counts as missing. */
export interface RequiredField {
  /** The JSON key. */
  wire: string;
  /** The canonical key its value lands in. */
  canonical: string;
  /** Whether '' is acceptable (names: a one-name person has a blank given name). */
  blankAllowed?: boolean;
}

/** How one collection is read. */
export interface CollectionSpec<C extends RosterCollection> {
  /** Wire record → canonical record. */
  schema: z.ZodType<RosterRecordOf[C]>;
  /** Fields besides sourcedId that must be present (when not projected away with `fields`). */
  required: readonly RequiredField[];
}

/** Where a transform reports a value it cannot read. */
interface IssueSink {
  addIssue(issue: { code: 'custom'; message: string; path: PropertyKey[] }): void;
}

function readStatus(ctx: IssueSink, v: z.infer<typeof wireStatus>): RosterStatus {
  const s = status(v);
  if (s) return s;
  ctx.addIssue({ code: 'custom', message: 'expected active or tobedeleted', path: ['status'] });
  return 'active';
}

function readFlag(ctx: IssueSink, key: string, v: z.infer<typeof wireFlag>, whenMissing: boolean): boolean {
  const b = flag(v, whenMissing);
  if (b !== undefined) return b;
  ctx.addIssue({ code: 'custom', message: 'expected true or false', path: [key] });
  return whenMissing;
}

const base = { sourcedId: wireText, status: wireStatus, dateLastModified: wireText };
// Each transform spells out every field: spreading a helper's object into a record literal made
// reading 5× slower (V8 falls off its fast object path).

const user = z
  .object({
    ...base,
    enabledUser: wireFlag,
    role: wireText,
    orgs: wireRefs,
    username: wireText,
    userIds: wireUserIds,
    givenName: wireText,
    familyName: wireText,
    middleName: wireText,
    identifier: wireText,
    email: wireText,
    sms: wireText,
    phone: wireText,
    agents: wireRefs,
    grades: wireList,
  })
  .transform((w, ctx) => ({
    sourcedId: text(w.sourcedId),
    status: readStatus(ctx, w.status),
    dateLastModified: text(w.dateLastModified),
    enabledUser: readFlag(ctx, 'enabledUser', w.enabledUser, true),
    role: word(w.role),
    orgSourcedIds: refs(w.orgs),
    username: text(w.username),
    userIds: userIds(w.userIds),
    givenName: text(w.givenName),
    familyName: text(w.familyName),
    middleName: text(w.middleName),
    identifier: text(w.identifier),
    email: text(w.email),
    sms: text(w.sms),
    phone: text(w.phone),
    agentSourcedIds: refs(w.agents),
    grades: list(w.grades),
  }));

const org = z.object({ ...base, name: wireText, type: wireText, identifier: wireText, parent: wireRef }).transform((w, ctx) => ({
  sourcedId: text(w.sourcedId),
  status: readStatus(ctx, w.status),
  dateLastModified: text(w.dateLastModified),
  name: text(w.name),
  type: word(w.type),
  identifier: text(w.identifier),
  parentSourcedId: ref(w.parent),
}));

const klass = z
  .object({
    ...base,
    title: wireText,
    classCode: wireText,
    classType: wireText,
    location: wireText,
    school: wireRef,
    course: wireRef,
    grades: wireList,
    terms: wireRefs,
  })
  .transform((w, ctx) => ({
    sourcedId: text(w.sourcedId),
    status: readStatus(ctx, w.status),
    dateLastModified: text(w.dateLastModified),
    title: text(w.title),
    classCode: text(w.classCode),
    classType: word(w.classType),
    location: text(w.location),
    schoolSourcedId: ref(w.school),
    courseSourcedId: ref(w.course),
    grades: list(w.grades),
    termSourcedIds: refs(w.terms),
  }));

const enrollment = z
  .object({
    ...base,
    user: wireRef,
    class: wireRef,
    school: wireRef,
    role: wireText,
    primary: wireFlag,
    beginDate: wireText,
    endDate: wireText,
  })
  .transform((w, ctx) => ({
    sourcedId: text(w.sourcedId),
    status: readStatus(ctx, w.status),
    dateLastModified: text(w.dateLastModified),
    userSourcedId: ref(w.user),
    classSourcedId: ref(w.class),
    schoolSourcedId: ref(w.school),
    role: word(w.role),
    primary: readFlag(ctx, 'primary', w.primary, false),
    beginDate: text(w.beginDate),
    endDate: text(w.endDate),
  }));

const demographics = z.object({ ...base, birthDate: wireText, sex: wireText }).transform((w, ctx) => ({
  sourcedId: text(w.sourcedId),
  status: readStatus(ctx, w.status),
  dateLastModified: text(w.dateLastModified),
  birthDate: text(w.birthDate),
  sex: text(w.sex),
}));

const academicSession = z
  .object({
    ...base,
    title: wireText,
    type: wireText,
    startDate: wireText,
    endDate: wireText,
    parent: wireRef,
    schoolYear: wireText,
  })
  .transform((w, ctx) => ({
    sourcedId: text(w.sourcedId),
    status: readStatus(ctx, w.status),
    dateLastModified: text(w.dateLastModified),
    title: text(w.title),
    type: text(w.type),
    startDate: text(w.startDate),
    endDate: text(w.endDate),
    parentSourcedId: ref(w.parent),
    schoolYear: text(w.schoolYear),
  }));

/** Every collection's reading rules. */
export const COLLECTION_SPECS: { [C in RosterCollection]: CollectionSpec<C> } = {
  users: {
    schema: user,
    required: [
      { wire: 'role', canonical: 'role' },
      { wire: 'givenName', canonical: 'givenName', blankAllowed: true },
      { wire: 'familyName', canonical: 'familyName', blankAllowed: true },
    ],
  },
  orgs: {
    schema: org,
    required: [
      { wire: 'name', canonical: 'name', blankAllowed: true },
      { wire: 'type', canonical: 'type' },
    ],
  },
  classes: {
    schema: klass,
    required: [
      { wire: 'title', canonical: 'title', blankAllowed: true },
      { wire: 'school', canonical: 'schoolSourcedId' },
    ],
  },
  enrollments: {
    schema: enrollment,
    required: [
      { wire: 'user', canonical: 'userSourcedId' },
      { wire: 'class', canonical: 'classSourcedId' },
      { wire: 'role', canonical: 'role' },
    ],
  },
  demographics: { schema: demographics, required: [] },
  academicSessions: { schema: academicSession, required: [{ wire: 'type', canonical: 'type' }] },
};
