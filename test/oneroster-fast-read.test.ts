/**
 * The fast 1.1 readers (fast-read.ts) against the zod schemas they replace: for every input,
 * parseRecord (fast path, zod fallback) and parseRecordWithSchema (zod only) must give the same
 * reading — deep-equal records with the same key order, the same malformed messages — and the fast
 * reader must accept exactly what the schema accepts (or records would silently take the slow
 * path). Hand-picked edge cases, thousands of seeded random wire records, the emulator's own wire
 * records in both flavours, and the JSON samples of ../shared/oneroster-samples when present.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect, isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RosterCollection } from '../src/domain/roster.ts';
import { materialize } from '../src/emulator/district-model.ts';
import { generateDistrict } from '../src/emulator/generated-district.ts';
import { toWire, type WireMode } from '../src/emulator/wire.ts';
import { FAST_READERS_V1P1 } from '../src/oneroster/fast-read.ts';
import { parseRecord, parseRecordWithSchema } from '../src/oneroster/parse.ts';
import { COLLECTION_SPECS } from '../src/oneroster/schemas.ts';
import { V1P2_COLLECTION_SPECS } from '../src/oneroster/v1p2-schemas.ts';
import { classlinkUser as user } from '../src/oneroster/test-records.ts';

const COLLECTIONS: RosterCollection[] = ['users', 'orgs', 'classes', 'enrollments', 'demographics', 'academicSessions'];

/** How the two paths differ on one input, or null when they agree. */
function difference(collection: RosterCollection, raw: unknown, projection?: ReadonlySet<string>): string | null {
  const fast = parseRecord(collection, raw, projection);
  const slow = parseRecordWithSchema(collection, raw, projection);
  // isDeepStrictEqual ignores key order; JSON text does not (the records hold only strings, booleans, arrays).
  if (isDeepStrictEqual(fast, slow) && JSON.stringify(fast) === JSON.stringify(slow)) {
    const accepts =
      typeof raw === 'object' && raw !== null && !Array.isArray(raw)
        ? FAST_READERS_V1P1[collection](raw as Record<string, unknown>) !== undefined
        : false;
    const schemaAccepts = COLLECTION_SPECS[collection].schema.safeParse(raw).success;
    if (accepts === schemaAccepts) return null;
    return `fast reader ${accepts ? 'accepts' : 'rejects'} what the schema ${schemaAccepts ? 'accepts' : 'rejects'}: ${inspect(raw)}`;
  }
  return `${collection} ${inspect(raw, { depth: 4 })}${projection ? ` fields=${[...projection].join(',')}` : ''}\n fast: ${inspect(fast, { depth: 4 })}\n  zod: ${inspect(slow, { depth: 4 })}`;
}

function expectSame(collection: RosterCollection, raw: unknown, projection?: ReadonlySet<string>): void {
  expect(difference(collection, raw, projection)).toBeNull();
}

const enrollment = (patch: Record<string, unknown> = {}) => ({
  sourcedId: 'e1',
  status: 'active',
  user: { sourcedId: 'u1' },
  class: { sourcedId: 'c1' },
  school: { sourcedId: 's1' },
  role: 'student',
  primary: 'false',
  ...patch,
});
const klass = (patch: Record<string, unknown> = {}) => ({
  sourcedId: 'c1',
  title: 'Homeroom 9B',
  classType: 'homeroom',
  school: { sourcedId: 's1' },
  terms: [{ sourcedId: 't1' }],
  ...patch,
});

describe('fast reader = zod: hand-picked cases', () => {
  const inherited = Object.create({ givenName: 'Inherited', role: 'teacher' }) as Record<string, unknown>;
  Object.assign(inherited, { sourcedId: 'u9', familyName: 'X' });
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, user());

  const userCases: [string, Record<string, unknown> | unknown][] = [
    ['a ClassLink user', user()],
    ['numbers for strings', user({ sourcedId: 42, identifier: 18125, phone: 5550100, givenName: 0, familyName: -0, sms: 1.5 })],
    ['NaN and Infinity where text belongs', user({ identifier: NaN })],
    ['Infinity sourcedId', user({ sourcedId: Infinity })],
    ['-Infinity in grades', user({ grades: [-Infinity] })],
    ['flag "TRUE"', user({ enabledUser: 'TRUE' })],
    ['flag "t"', user({ enabledUser: 't' })],
    ['flag " No "', user({ enabledUser: ' No ' })],
    ['flag 1', user({ enabledUser: 1 })],
    ['flag 0', user({ enabledUser: 0 })],
    ['flag 2', user({ enabledUser: 2 })],
    ['flag ""', user({ enabledUser: '' })],
    ['flag "maybe"', user({ enabledUser: 'maybe' })],
    ['flag null', user({ enabledUser: null })],
    ['flag object', user({ enabledUser: { value: true } })],
    ['status inactive', user({ status: 'inactive' })],
    ['status " ToBeDeleted "', user({ status: ' ToBeDeleted ' })],
    ['status deleted', user({ status: 'deleted' })],
    ['status number', user({ status: 1 })],
    ['status null', user({ status: null })],
    ['GUIDRefs with extra keys', user({ orgs: [{ sourcedId: '7', href: 'hhttp://broken', type: 'org', extra: { deep: [1] } }] })],
    ['bare-id refs', user({ orgs: ['7', 8, ''], agents: [9] })],
    ['refs with blank, null and missing sourcedIds', user({ orgs: [{ sourcedId: '' }, { sourcedId: null }, {}, null, { href: 'x' }] })],
    ['a ref whose sourcedId is an object', user({ orgs: [{ sourcedId: { id: 1 } }] })],
    ['a ref that is an array', user({ orgs: [['7']] })],
    ['a ref that is a boolean', user({ agents: [true] })],
    ['a ref that is a Date (an object to zod)', user({ orgs: [new Date(0)] })],
    ['a ref with an inherited sourcedId', user({ orgs: [Object.create({ sourcedId: 'proto' })] })],
    ['a sparse refs array', user({ orgs: [undefined, { sourcedId: '7' }] })], // eslint-disable-line no-sparse-arrays
    ['refs as a string', user({ orgs: 'not-a-list' })],
    ['refs as an object', user({ orgs: { sourcedId: '2' } })],
    ['comma-separated grades', user({ grades: '09, 10,, KG ' })],
    ['numeric grades', user({ grades: [9, '10', ' ', 0] })],
    ['grades with null', user({ grades: ['09', null] })],
    ['grades as a number', user({ grades: 9 })],
    ['a sparse grades array', user({ grades: [undefined, '09'] })], // eslint-disable-line no-sparse-arrays
    ['userIds without identifiers and with extra keys', user({ userIds: [{ type: 'FED' }, { type: 1, identifier: 2, x: 'y' }, {}] })],
    ['userIds as strings', user({ userIds: ['FED:1'] })],
    ['userIds with null', user({ userIds: [null] })],
    ['userIds with an object identifier', user({ userIds: [{ type: 'FED', identifier: { v: 1 } }] })],
    ['userIds as an object', user({ userIds: { type: 'FED', identifier: '1' } })],
    [
      'nulls everywhere optional',
      user({
        middleName: null,
        email: null,
        sms: null,
        phone: null,
        identifier: null,
        username: null,
        dateLastModified: null,
        agents: null,
        orgs: null,
        userIds: null,
        grades: null,
      }),
    ],
    [
      'keys present with undefined',
      user({ middleName: undefined, email: undefined, status: undefined, enabledUser: undefined, orgs: undefined, grades: undefined }),
    ],
    ['missing optional fields', { sourcedId: 'u1', role: 'student', givenName: 'A', familyName: 'B' }],
    ['missing required fields', { sourcedId: 'u1' }],
    ['blank role', user({ role: '  ' })],
    ['blank names (allowed)', user({ givenName: '', familyName: ' ' })],
    ['role with spaces and capitals', user({ role: ' Administrator ' })],
    ['wrong type for a name', user({ givenName: { first: 'Secret' } })],
    ['an array where an object belongs', user({ givenName: ['Ada'] })],
    ['a boolean where text belongs', user({ email: false })],
    ['a bigint where text belongs', user({ identifier: 10n })],
    ['several wrong fields (message lists three)', user({ givenName: true, familyName: [], role: {}, email: 1n })],
    ['empty sourcedId', user({ sourcedId: '' })],
    ['blank sourcedId', user({ sourcedId: '   ' })],
    ['object sourcedId', user({ sourcedId: { id: 1 } })],
    ['NaN sourcedId', user({ sourcedId: NaN })],
    ['no sourcedId', user({ sourcedId: undefined })],
    ['fields inherited from a prototype', inherited],
    ['a null-prototype record', nullProto],
    [
      'a class instance',
      new (class {
        sourcedId = 'u5';
        role = 'student';
        givenName = 'C';
        familyName = 'D';
      })(),
    ],
    ['a string', 'u1'],
    ['null', null],
    ['an array', [user()]],
    ['a number', 5],
  ];
  it.each(userCases)('users: %s', (_, raw) => expectSame('users', raw));

  const projections: [string, Record<string, unknown>, string[]][] = [
    ['only sourcedId and email', { sourcedId: 'u1', email: 'a@b.c' }, ['sourcedId', 'email']],
    ['role asked for, missing', { sourcedId: 'u1', givenName: 'A' }, ['sourcedId', 'role', 'givenName']],
    ['role asked for, blank', { sourcedId: 'u1', role: ' ' }, ['sourcedId', 'role']],
    ['projected-away field present with a wrong type', { sourcedId: 'u1', givenName: {} }, ['sourcedId']],
    ['no sourcedId', { email: 'a@b.c' }, ['email']],
  ];
  it.each(projections)('users with fields=: %s', (_, raw, fields) => expectSame('users', raw, new Set(fields)));

  const others: [string, RosterCollection, unknown][] = [
    ['enrollment, "TRUE" primary', 'enrollments', enrollment({ primary: 'TRUE' })],
    ['enrollment, primary 1', 'enrollments', enrollment({ primary: 1 })],
    ['enrollment, primary "maybe"', 'enrollments', enrollment({ primary: 'maybe' })],
    ['enrollment, primary missing', 'enrollments', enrollment({ primary: undefined })],
    ['enrollment, bare-id refs', 'enrollments', enrollment({ user: 'u1', class: 7, school: 's1' })],
    ['enrollment, blank user ref', 'enrollments', enrollment({ user: { sourcedId: '' } })],
    ['enrollment, user ref with only an href', 'enrollments', enrollment({ user: { href: 'x' } })],
    ['enrollment, a ref that is an array', 'enrollments', enrollment({ class: [{ sourcedId: 'c1' }] })],
    ['enrollment, numeric dates', 'enrollments', enrollment({ beginDate: 20260901, endDate: null })],
    ['enrollment, role missing', 'enrollments', enrollment({ role: undefined })],
    ['enrollment, inactive', 'enrollments', enrollment({ status: 'inactive' })],
    ['class, Scheduled', 'classes', klass({ classType: 'Scheduled', course: { sourcedId: 'VG1', href: 'hhttp://broken' } })],
    ['class, comma grades and bare terms', 'classes', klass({ grades: '09,10', terms: ['t1', 2] })],
    ['class, no school', 'classes', klass({ school: undefined })],
    ['class, blank school', 'classes', klass({ school: ' ' })],
    ['class, school as a list', 'classes', klass({ school: [{ sourcedId: 's1' }] })],
    ['class, terms as an object', 'classes', klass({ terms: { sourcedId: 't1' } })],
    ['class, blank title (allowed)', 'classes', klass({ title: '' })],
    ['demographics with race flags', 'demographics', { sourcedId: 'u1', birthDate: '2010-05-06', sex: 'female', white: 'true' }],
    ['demographics, numeric birthDate', 'demographics', { sourcedId: 'u1', birthDate: 20100506, status: 'tobedeleted' }],
    ['demographics, wrong sex type', 'demographics', { sourcedId: 'u1', sex: true }],
    ['demographics, unknown status', 'demographics', { sourcedId: 'u1', status: 'gone' }],
    ['org with parent', 'orgs', { sourcedId: 's1', name: 'High', type: 'School', parent: { sourcedId: 'd1', type: 'org' } }],
    ['org, bare parent, numeric name', 'orgs', { sourcedId: 's1', name: 913, type: 'school', parent: 'd1' }],
    ['org, missing type', 'orgs', { sourcedId: 's1', name: 'High' }],
    ['org, parent as an array', 'orgs', { sourcedId: 's1', name: 'High', type: 'school', parent: ['d1'] }],
    [
      'session, numeric schoolYear',
      'academicSessions',
      { sourcedId: 'a1', title: '2026', type: 'schoolYear', schoolYear: 2026, parent: null },
    ],
    ['session, type keeps its case', 'academicSessions', { sourcedId: 'a1', title: 'T', type: 'gradingPeriod' }],
    ['session, blank type', 'academicSessions', { sourcedId: 'a1', title: 'T', type: '' }],
    ['session, wrong startDate', 'academicSessions', { sourcedId: 'a1', type: 'term', startDate: {} }],
  ];
  it.each(others)('%s', (_, collection, raw) => expectSame(collection, raw));

  it('takes the fast path for valid records (and gives the zod record)', () => {
    expect(FAST_READERS_V1P1.users(user())).toEqual((parseRecordWithSchema('users', user()) as { record: unknown }).record);
    expect(FAST_READERS_V1P1.users(user({ enabledUser: 'maybe' }))).toBeUndefined();
  });
});

/** mulberry32: a small seeded PRNG, so a failing case can be reproduced from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A key left out of the record (as opposed to present with the value undefined). */
const ABSENT = Symbol('absent');

type Kind = 'id' | 'text' | 'status' | 'flag' | 'ref' | 'refs' | 'list' | 'userIds';

const FIELDS: Record<RosterCollection, [string, Kind][]> = {
  users: [
    ['sourcedId', 'id'],
    ['status', 'status'],
    ['dateLastModified', 'text'],
    ['enabledUser', 'flag'],
    ['role', 'text'],
    ['orgs', 'refs'],
    ['username', 'text'],
    ['userIds', 'userIds'],
    ['givenName', 'text'],
    ['familyName', 'text'],
    ['middleName', 'text'],
    ['identifier', 'text'],
    ['email', 'text'],
    ['sms', 'text'],
    ['phone', 'text'],
    ['agents', 'refs'],
    ['grades', 'list'],
  ],
  orgs: [
    ['sourcedId', 'id'],
    ['status', 'status'],
    ['dateLastModified', 'text'],
    ['name', 'text'],
    ['type', 'text'],
    ['identifier', 'text'],
    ['parent', 'ref'],
  ],
  classes: [
    ['sourcedId', 'id'],
    ['status', 'status'],
    ['dateLastModified', 'text'],
    ['title', 'text'],
    ['classCode', 'text'],
    ['classType', 'text'],
    ['location', 'text'],
    ['school', 'ref'],
    ['course', 'ref'],
    ['grades', 'list'],
    ['terms', 'refs'],
  ],
  enrollments: [
    ['sourcedId', 'id'],
    ['status', 'status'],
    ['dateLastModified', 'text'],
    ['user', 'ref'],
    ['class', 'ref'],
    ['school', 'ref'],
    ['role', 'text'],
    ['primary', 'flag'],
    ['beginDate', 'text'],
    ['endDate', 'text'],
  ],
  demographics: [
    ['sourcedId', 'id'],
    ['status', 'status'],
    ['dateLastModified', 'text'],
    ['birthDate', 'text'],
    ['sex', 'text'],
  ],
  academicSessions: [
    ['sourcedId', 'id'],
    ['status', 'status'],
    ['dateLastModified', 'text'],
    ['title', 'text'],
    ['type', 'text'],
    ['startDate', 'text'],
    ['endDate', 'text'],
    ['parent', 'ref'],
    ['schoolYear', 'text'],
  ],
};

const NULLISH = [null, undefined, ABSENT];
const TEXT_OK = [
  'Ada',
  '',
  '  ',
  ' Mixed Case ',
  'Zoë',
  '2019-03-01T18:14:45.000Z',
  'Student',
  ' TEACHER ',
  0,
  -0,
  42,
  1.5,
  -3,
  ...NULLISH,
];
const TEXT_BAD = [true, false, {}, [], ['a'], NaN, Infinity, -Infinity, 10n, () => 'x', new Date(0), Symbol('s')];
const ID_OK = ['u1', 'abc-123', ' padded ', 42, 0];
const ID_BAD = ['', '   ', NaN, Infinity, { id: 1 }, true, ...NULLISH];
const STATUS_OK = ['active', 'Active', ' ACTIVE ', 'tobedeleted', 'ToBeDeleted', 'inactive', 'INACTIVE', '', ' ', ...NULLISH];
const STATUS_BAD = ['deleted', 'enabled', 1, 0, true, {}, []];
const FLAG_OK = [true, false, 'true', 'TRUE', 't', 'T', ' yes ', 'y', '1', '0', 'false', 'FALSE', 'f', 'no', 'n', '', 1, 0, ...NULLISH];
const FLAG_BAD = ['maybe', 'tru', 2, -1, 0.5, {}, [], NaN, Infinity];
const REF_OK = (): unknown[] => [
  's1',
  7,
  0,
  '',
  ' ',
  { sourcedId: 's1', href: 'http://x/orgs/s1', type: 'org' },
  { sourcedId: 9 },
  { sourcedId: '' },
  { sourcedId: null },
  { sourcedId: undefined },
  {},
  { href: 'hhttp://broken' },
  new Date(0),
  Object.assign(Object.create(null) as object, { sourcedId: 'np' }),
  Object.create({ sourcedId: 'inherited' }) as object,
  ...NULLISH,
];
const REF_BAD = [[], ['s1'], true, { sourcedId: {} }, { sourcedId: true }, { sourcedId: NaN }, NaN, Infinity, () => 's'];
const LIST_OK = ['09, 10', '', ' , KG,', ['09', '10'], [9, '10'], [], [' KG ', ''], ['a,b'], [-0, 1.5], ...NULLISH];
const LIST_BAD = [[null], [true], [['x']], [NaN], [undefined], {}, 5, true, [undefined, 'a']]; // eslint-disable-line no-sparse-arrays
const USER_ID_OK = [
  { type: 'FED', identifier: '1' },
  { type: 'FED' },
  { identifier: 5, type: 1, extra: 'x' },
  { identifier: '' },
  {},
  { type: null, identifier: null },
];
const USER_IDS_BAD = [
  ['FED:1'],
  [null],
  [{ identifier: {} }],
  [{ type: true, identifier: 'x' }],
  {},
  'x',
  [[]],
  [undefined, { identifier: '1' }],
]; // eslint-disable-line no-sparse-arrays
const EXTRA_KEYS: [string, unknown][] = [
  ['href', 'http://x'],
  ['metadata', { 'classlink.x': 1 }],
  ['password', ''],
  ['white', 'true'],
  ['children', [{ sourcedId: 'z' }]],
];

/** One random wire value of a kind: valid most of the time (so many whole records are valid), invalid now and then. */
function randomValue(kind: Kind, rnd: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const bad = rnd() < 0.04;
  switch (kind) {
    case 'id':
      return bad ? pick(ID_BAD) : pick(ID_OK);
    case 'text':
      return bad ? pick(TEXT_BAD) : pick(TEXT_OK);
    case 'status':
      return bad ? pick(STATUS_BAD) : pick(STATUS_OK);
    case 'flag':
      return bad ? pick(FLAG_BAD) : pick(FLAG_OK);
    case 'ref':
      return bad ? pick(REF_BAD) : pick(REF_OK());
    case 'refs': {
      if (rnd() < 0.15) return pick(NULLISH);
      if (bad) return rnd() < 0.5 ? pick(['not-a-list', {}, 5, true, { sourcedId: 's1' }]) : [pick(REF_OK()), pick(REF_BAD)];
      const out: unknown[] = [];
      const n = Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) {
        const r = pick(REF_OK());
        if (r === ABSENT)
          out.length++; // a hole
        else out.push(r);
      }
      return out;
    }
    case 'list':
      return bad ? pick(LIST_BAD) : pick(LIST_OK);
    case 'userIds': {
      if (rnd() < 0.15) return pick(NULLISH);
      if (bad) return pick(USER_IDS_BAD);
      return Array.from({ length: Math.floor(rnd() * 3) }, () => pick(USER_ID_OK));
    }
  }
}

/** A random wire record of a collection, with its field order shuffled, extra keys now and then, and an unusual container rarely. */
function randomRecord(collection: RosterCollection, rnd: () => number): unknown {
  const entries: [string, unknown][] = [];
  for (const [key, kind] of FIELDS[collection]) {
    const v = randomValue(kind, rnd);
    if (v !== ABSENT) entries.push([key, v]);
  }
  if (rnd() < 0.3) entries.push(EXTRA_KEYS[Math.floor(rnd() * EXTRA_KEYS.length)]!);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  const container = rnd();
  if (container < 0.01) return Object.assign(Object.create(null) as object, Object.fromEntries(entries));
  if (container < 0.02) {
    // Half the fields on the prototype: zod reads inherited keys, so must the fast reader.
    const half = Math.floor(entries.length / 2);
    return Object.assign(Object.create(Object.fromEntries(entries.slice(0, half))) as object, Object.fromEntries(entries.slice(half)));
  }
  if (container < 0.025) return pickNonObject(rnd);
  return Object.fromEntries(entries);
}

function pickNonObject(rnd: () => number): unknown {
  const xs = [null, 'u1', 7, [], [{ sourcedId: 'u1' }], true];
  return xs[Math.floor(rnd() * xs.length)];
}

describe('fast reader = zod: seeded random wire records', () => {
  const CASES_PER_COLLECTION = 3000;
  it.each(COLLECTIONS)('%s: every random record reads the same both ways', (collection) => {
    const seed = 0x5eed + COLLECTIONS.indexOf(collection);
    const rnd = prng(seed);
    const names = FIELDS[collection].map(([k]) => k);
    const problems: string[] = [];
    const counts = { fast: 0, ok: 0, malformed: 0 };
    for (let n = 0; n < CASES_PER_COLLECTION; n++) {
      const raw = randomRecord(collection, rnd);
      const projection = rnd() < 0.2 ? new Set(names.filter(() => rnd() < 0.5)) : undefined;
      const diff = difference(collection, raw, projection);
      if (diff) problems.push(`case ${n} (seed ${seed}): ${diff}`);
      const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
      if (isObject && FAST_READERS_V1P1[collection](raw as Record<string, unknown>) !== undefined) counts.fast++;
      if (parseRecord(collection, raw, projection).ok) counts.ok++;
      else counts.malformed++;
    }
    expect(problems.slice(0, 5)).toEqual([]);
    // The generator must exercise the fast path, the fallback, good and malformed records, or the comparison proves little.
    expect(counts.fast).toBeGreaterThan(CASES_PER_COLLECTION * 0.3);
    expect(counts.fast).toBeLessThan(CASES_PER_COLLECTION * 0.95);
    expect(counts.ok).toBeGreaterThan(CASES_PER_COLLECTION * 0.05);
    expect(counts.malformed).toBeGreaterThan(CASES_PER_COLLECTION * 0.1);
  });
});

describe("fast reader = zod: the emulator's wire records", () => {
  const district = materialize(generateDistrict({ students: 200, seed: 'fast-read' }));
  const children = () => [] as string[];
  it.each(['classlink', 'strict'] as WireMode[])('%s flavour: every record takes the fast path and reads the same', (mode) => {
    const ctx = { hrefBase: 'http://127.0.0.1/ims/oneroster/v1p1', mode, children };
    let count = 0;
    for (const collection of COLLECTIONS) {
      for (const record of district[collection]) {
        const raw = JSON.parse(JSON.stringify(toWire(collection, record, ctx))) as Record<string, unknown>;
        expect(FAST_READERS_V1P1[collection](raw), `${collection} ${record.sourcedId}`).toBeDefined();
        expect(difference(collection, raw)).toBeNull();
        count++;
      }
    }
    expect(count).toBeGreaterThan(1000);
  });
});

describe('fast reader = zod: 1.2 specs', () => {
  it('reads the collections 1.2 shares with 1.1 the same both ways, by the fast reader', () => {
    const rnd = prng(12);
    for (const collection of COLLECTIONS.filter((c) => c !== 'users')) {
      expect(V1P2_COLLECTION_SPECS[collection]).toBe(COLLECTION_SPECS[collection]);
      for (let n = 0; n < 300; n++) {
        const raw = randomRecord(collection, rnd);
        expect(parseRecord(collection, raw, undefined, V1P2_COLLECTION_SPECS)).toStrictEqual(
          parseRecordWithSchema(collection, raw, undefined, V1P2_COLLECTION_SPECS),
        );
      }
    }
  });

  it('never reads 1.2 users with the 1.1 reader', () => {
    const raw = {
      sourcedId: 'u1',
      givenName: 'A',
      familyName: 'B',
      roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: 's1' } }],
    };
    const reading = parseRecord('users', raw, undefined, V1P2_COLLECTION_SPECS);
    expect(reading).toStrictEqual(parseRecordWithSchema('users', raw, undefined, V1P2_COLLECTION_SPECS));
    expect(reading).toMatchObject({ ok: true, record: { role: 'student', orgSourcedIds: ['s1'] } });
  });
});

const SAMPLES = fileURLToPath(new URL('../../shared/oneroster-samples/', import.meta.url));
const samplesPresent = existsSync(SAMPLES);
if (!samplesPresent) console.warn(`fast-read: SKIPPED the sample comparison, the third-party samples are not at ${SAMPLES}`);

/** Every JSON file under a folder. */
function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return jsonFiles(path);
    return e.name.endsWith('.json') ? [path] : [];
  });
}

/** The records in a JSON document: arrays under a collection's name, at any depth. */
function recordsIn(doc: unknown, found: [RosterCollection, unknown][] = []): [RosterCollection, unknown][] {
  if (Array.isArray(doc)) for (const v of doc) recordsIn(v, found);
  else if (typeof doc === 'object' && doc !== null) {
    for (const [k, v] of Object.entries(doc)) {
      if ((COLLECTIONS as string[]).includes(k) && Array.isArray(v)) for (const r of v) found.push([k as RosterCollection, r]);
      else recordsIn(v, found);
    }
  }
  return found;
}

describe('fast reader = zod: OneRoster JSON samples', () => {
  it.skipIf(!samplesPresent)(
    samplesPresent
      ? 'every record of every JSON sample in ../shared/oneroster-samples reads the same both ways'
      : 'SKIPPED: ../shared/oneroster-samples is absent, so the JSON samples are not compared',
    () => {
      const records = jsonFiles(SAMPLES).flatMap((file) => recordsIn(JSON.parse(readFileSync(file, 'utf8'))));
      expect(records.length).toBeGreaterThan(0);
      const problems = records.map(([collection, raw]) => difference(collection, raw)).filter((d) => d !== null);
      expect(problems).toEqual([]);
    },
  );
});
