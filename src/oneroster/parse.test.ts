import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PageReader, parsePage, parseRecord } from './parse.ts';
import { classlinkUser } from './test-records.ts';

function readUser(patch: Record<string, unknown>) {
  const r = parseRecord('users', classlinkUser(patch));
  if (!r.ok) throw new Error(`expected ok, got ${r.message}`);
  return r.record;
}

function malformedUser(patch: Record<string, unknown>) {
  const r = parseRecord('users', classlinkUser(patch));
  if (r.ok) throw new Error('expected malformed');
  return r;
}

describe('parseRecord: users', () => {
  it('reads a ClassLink user into the canonical shape', () => {
    expect(readUser({})).toEqual({
      sourcedId: 'u1',
      status: 'active',
      dateLastModified: '2019-03-01T18:14:45.000Z',
      enabledUser: true,
      role: 'student',
      orgSourcedIds: ['2'],
      username: 'ada.l',
      userIds: [{ type: 'FED', identifier: '18125' }],
      givenName: 'Ada',
      familyName: 'Lovelace',
      middleName: 'King',
      identifier: 'S-18125',
      email: 'ada@example.edu',
      sms: '',
      phone: '555-0100',
      agentSourcedIds: ['p1'],
      grades: ['11'],
    });
  });

  it.each([
    [true, true],
    ['true', true],
    ['TRUE', true],
    ['t', true],
    ['1', true],
    [1, true],
    [false, false],
    ['false', false],
    ['FALSE', false],
    ['f', false],
    [0, false],
  ])('reads enabledUser %j as %j', (wire, expected) => {
    expect(readUser({ enabledUser: wire }).enabledUser).toBe(expected);
  });

  it('treats a missing enabledUser as enabled', () => {
    expect(readUser({ enabledUser: undefined }).enabledUser).toBe(true);
  });

  it('reads 1.0 "inactive" as tobedeleted, and status case-insensitively', () => {
    expect(readUser({ status: 'inactive' }).status).toBe('tobedeleted');
    expect(readUser({ status: 'ToBeDeleted' }).status).toBe('tobedeleted');
    expect(readUser({ status: 'Active' }).status).toBe('active');
  });

  it('reads a missing or blank status as active (bulk style)', () => {
    expect(readUser({ status: undefined }).status).toBe('active');
    expect(readUser({ status: '' }).status).toBe('active');
  });

  it('fills missing optional fields with "" and []', () => {
    const u = readUser({
      middleName: undefined,
      email: null,
      sms: undefined,
      phone: undefined,
      identifier: undefined,
      username: undefined,
      dateLastModified: undefined,
      agents: undefined,
      userIds: null,
      grades: undefined,
    });
    expect(u).toMatchObject({ middleName: '', email: '', sms: '', phone: '', identifier: '', username: '' });
    expect(u).toMatchObject({ dateLastModified: '', agentSourcedIds: [], userIds: [], grades: [] });
  });

  it('lower-cases the role', () => {
    expect(readUser({ role: 'Administrator' }).role).toBe('administrator');
    expect(readUser({ role: ' TEACHER ' }).role).toBe('teacher');
  });

  it('resolves references by sourcedId, never by href', () => {
    const u = readUser({ orgs: [{ href: 'hhttp://broken/orgs/9', sourcedId: '7', type: 'org' }, { sourcedId: '8' }] });
    expect(u.orgSourcedIds).toEqual(['7', '8']);
  });

  it('accepts bare ids and numbers where references and strings belong', () => {
    const u = readUser({ orgs: ['7', 8], sourcedId: 42, identifier: 18125, grades: [9, '10'] });
    expect(u).toMatchObject({ sourcedId: '42', orgSourcedIds: ['7', '8'], identifier: '18125', grades: ['9', '10'] });
  });

  it('reads grades sent as one comma-separated string', () => {
    expect(readUser({ grades: '09, 10' }).grades).toEqual(['09', '10']);
  });

  it('leaves out userIds entries that have no identifier', () => {
    expect(readUser({ userIds: [{ type: 'FED' }, { type: 'LDAP', identifier: 'x1' }] }).userIds).toEqual([
      { type: 'LDAP', identifier: 'x1' },
    ]);
  });

  it('accepts a blank given name (a one-name person)', () => {
    expect(readUser({ givenName: '' }).givenName).toBe('');
  });

  it('reports a record without a sourcedId', () => {
    expect(malformedUser({ sourcedId: undefined })).toEqual({ ok: false, sourcedId: '', message: 'no sourcedId' });
    expect(malformedUser({ sourcedId: '  ' }).message).toBe('no sourcedId');
    expect(malformedUser({ sourcedId: { id: 1 } }).message).toBe('no sourcedId');
  });

  it('reports missing required names and role, with the sourcedId', () => {
    expect(malformedUser({ familyName: undefined })).toEqual({ ok: false, sourcedId: 'u1', message: 'missing familyName' });
    expect(malformedUser({ givenName: null, role: '' }).message).toBe('missing role, givenName');
  });

  it('reports wrong types by field, without the value', () => {
    const r = malformedUser({ givenName: { first: 'Secret' } });
    expect(r.message).toMatch(/^givenName: /);
    expect(r.message).not.toContain('Secret');
    expect(malformedUser({ orgs: 'not-a-list' }).message).toMatch(/^orgs: /);
    expect(malformedUser({ userIds: ['FED:1'] }).message).toMatch(/^userIds\.0: /);
  });

  it('reports an unreadable boolean or an unknown status', () => {
    expect(malformedUser({ enabledUser: 'maybe' }).message).toBe('enabledUser: expected true or false');
    expect(malformedUser({ status: 'deleted' }).message).toBe('status: expected active or tobedeleted');
  });

  it('reports an entry that is not an object', () => {
    expect(parseRecord('users', 'u1')).toEqual({ ok: false, sourcedId: '', message: 'not a JSON object' });
    expect(parseRecord('users', null)).toMatchObject({ ok: false, message: 'not a JSON object' });
    expect(parseRecord('users', [1])).toMatchObject({ ok: false, message: 'not a JSON object' });
  });

  it('does not require fields projected away with fields=', () => {
    const r = parseRecord('users', { sourcedId: 'u1', email: 'a@b.c' }, new Set(['sourcedId', 'email']));
    expect(r).toMatchObject({ ok: true, record: { sourcedId: 'u1', email: 'a@b.c', givenName: '', role: '' } });
    expect(parseRecord('users', { email: 'a@b.c' }, new Set(['email']))).toMatchObject({ ok: false, message: 'no sourcedId' });
  });
});

describe('parseRecord: other collections', () => {
  it('reads an org with its parent and lower-cased type', () => {
    const r = parseRecord('orgs', {
      sourcedId: 's1',
      status: 'active',
      dateLastModified: '2020-01-01T00:00:00Z',
      name: 'High School',
      type: 'School',
      identifier: '913',
      parent: { sourcedId: 'd1', type: 'org', href: 'x' },
    });
    expect(r).toEqual({
      ok: true,
      record: {
        sourcedId: 's1',
        status: 'active',
        dateLastModified: '2020-01-01T00:00:00Z',
        name: 'High School',
        type: 'school',
        identifier: '913',
        parentSourcedId: 'd1',
      },
    });
  });

  it('reads a class with "Scheduled" as scheduled and empty classCode as ""', () => {
    const r = parseRecord('classes', {
      sourcedId: 'c1',
      title: 'Homeroom 9B',
      classType: 'Scheduled',
      school: { sourcedId: 's1' },
      course: { sourcedId: 'VG1', href: 'hhttp://broken' },
      terms: [{ sourcedId: 't1' }],
      location: 'Room 12',
    });
    expect(r).toMatchObject({
      ok: true,
      record: { classType: 'scheduled', classCode: '', schoolSourcedId: 's1', courseSourcedId: 'VG1', termSourcedIds: ['t1'] },
    });
  });

  it("requires a class's school", () => {
    expect(parseRecord('classes', { sourcedId: 'c1', title: 'X' })).toMatchObject({ ok: false, message: 'missing school' });
  });

  it('reads an enrollment with a string "primary"', () => {
    const r = parseRecord('enrollments', {
      sourcedId: 'e1',
      user: { sourcedId: 'u1' },
      class: { sourcedId: 'c1' },
      school: { sourcedId: 's1' },
      role: 'Teacher',
      primary: 'TRUE',
    });
    expect(r).toMatchObject({
      ok: true,
      record: { userSourcedId: 'u1', classSourcedId: 'c1', schoolSourcedId: 's1', role: 'teacher', primary: true, beginDate: '' },
    });
  });

  it("requires an enrollment's user, class and role, and a reference with a blank sourcedId counts as missing", () => {
    expect(parseRecord('enrollments', { sourcedId: 'e1', user: { sourcedId: '' }, class: { sourcedId: 'c1' } })).toMatchObject({
      ok: false,
      message: 'missing user, role',
    });
  });

  it('reads demographics', () => {
    expect(parseRecord('demographics', { sourcedId: 'u1', birthDate: '2010-05-06', sex: 'female', white: 'true' })).toEqual({
      ok: true,
      record: { sourcedId: 'u1', status: 'active', dateLastModified: '', birthDate: '2010-05-06', sex: 'female' },
    });
  });

  it('reads an academic session with a numeric schoolYear', () => {
    expect(
      parseRecord('academicSessions', {
        sourcedId: 'a1',
        title: '2026',
        type: 'schoolYear',
        startDate: '2025-08-01',
        endDate: '2026-07-01',
        schoolYear: 2026,
      }),
    ).toMatchObject({ ok: true, record: { schoolYear: '2026', parentSourcedId: '' } });
  });
});

describe('parsePage', () => {
  it('keeps the good records in order and reports the bad ones with where they were', () => {
    const page = parsePage('users', [classlinkUser({ sourcedId: 'a' }), { sourcedId: 'b' }, 7, classlinkUser({ sourcedId: 'c' })], 2000);
    expect(page.records.map((r) => r.sourcedId)).toEqual(['a', 'c']);
    expect(page.malformed).toEqual([
      { collection: 'users', sourcedId: 'b', where: 'page offset 2000, record 2', message: 'missing role, givenName, familyName' },
      { collection: 'users', sourcedId: '', where: 'page offset 2000, record 3', message: 'not a JSON object' },
    ]);
  });
});

const FINT = new URL('../../../shared/oneroster-samples/fint-oneroster-rest-provider/docs/', import.meta.url);
const fintExists = existsSync(FINT);
if (!fintExists) console.warn('FINT OneRoster REST samples not found at ../shared/oneroster-samples: skipping the real-shape parse test');

describe.skipIf(!fintExists)('real-shape 1.1 JSON (FINT provider samples)', () => {
  const read = (file: string) => JSON.parse(readFileSync(new URL(file, FINT), 'utf8')) as Record<string, unknown[]>;
  it.each([
    ['user.json', 'users'],
    ['org.json', 'orgs'],
    ['class.json', 'classes'],
    ['enrollment.json', 'enrollments'],
    ['academicSession.json', 'academicSessions'],
  ] as const)('reads every record of %s without a malformed one', (file, collection) => {
    const raws = read(file)[collection] ?? [];
    const page = parsePage(collection, raws, 0);
    expect(page.malformed).toEqual([]);
    expect(page.records).toHaveLength(raws.length);
  });

  it('resolves the class whose course href is broken by sourcedId', () => {
    const page = parsePage('classes', read('class.json')['classes'] ?? [], 0);
    expect(page.records[0]).toMatchObject({
      sourcedId: '1002683',
      classType: 'homeroom',
      courseSourcedId: 'VG1',
      schoolSourcedId: '11004',
    });
  });
});

describe('PageReader', () => {
  it('holds of each good record what the caller keeps, and reads a malformed one as before', () => {
    const page = new PageReader('users', { offset: 0, limit: 10 }, undefined, undefined, (u) => ({ ...u, email: 'kept' }));
    page.add(classlinkUser({ sourcedId: 'u1' }), 0);
    page.add({ sourcedId: 'u2' }, 1);
    const { records, malformed } = page.result();
    expect(records.map((u) => [u.sourcedId, u.email])).toEqual([['u1', 'kept']]);
    expect(malformed).toMatchObject([{ sourcedId: 'u2', where: 'page offset 0, record 2' }]);
  });
});
