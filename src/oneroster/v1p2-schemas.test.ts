import { describe, expect, it } from 'vitest';
import { syncRoleOf } from '../domain/roster.ts';
import { parsePage, parseRecord } from './parse.ts';
import { V1P2_COLLECTION_SPECS } from './v1p2-schemas.ts';

const orgRef = (id: string) => ({ href: `https://sis.example/ims/oneroster/rostering/v1p2/orgs/${id}`, sourcedId: id, type: 'org' });

/** A OneRoster 1.2 user as the UserDType describes it. */
function user12(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sourcedId: 'u1',
    status: 'active',
    dateLastModified: '2026-03-01T18:14:45.000Z',
    userMasterIdentifier: 'MASTER-1',
    username: 'ada.l',
    userIds: [{ type: 'SIS', identifier: '18125' }],
    enabledUser: 'true',
    givenName: 'Augusta',
    familyName: 'King',
    middleName: 'Ada',
    preferredFirstName: 'Ada',
    preferredMiddleName: '',
    preferredLastName: 'Lovelace',
    pronouns: 'she/her/hers',
    roles: [
      { roleType: 'primary', role: 'student', org: orgRef('s2'), beginDate: '2025-08-20' },
      { roleType: 'secondary', role: 'student', org: orgRef('s9') },
    ],
    userProfiles: [],
    primaryOrg: orgRef('s2'),
    identifier: 'S-18125',
    email: 'ada@example.edu',
    sms: '',
    phone: '555-0100',
    agents: [{ href: 'https://sis.example/users/p1', sourcedId: 'p1', type: 'user' }],
    grades: ['11'],
    resources: [],
    metadata: { x: 1 },
    ...patch,
  };
}

function read(patch: Record<string, unknown> = {}) {
  const r = parseRecord('users', user12(patch), undefined, V1P2_COLLECTION_SPECS);
  if (!r.ok) throw new Error(`expected ok, got ${r.message}`);
  return r.record;
}

describe('OneRoster 1.2 users', () => {
  it('reads roles[] and primaryOrg into role and orgs; legal names stay First/Middle/Last, preferred names are not read', () => {
    expect(read()).toEqual({
      sourcedId: 'u1',
      status: 'active',
      dateLastModified: '2026-03-01T18:14:45.000Z',
      enabledUser: true,
      role: 'student',
      orgSourcedIds: ['s2', 's9'],
      username: 'ada.l',
      userIds: [{ type: 'SIS', identifier: '18125' }],
      givenName: 'Augusta',
      familyName: 'King',
      middleName: 'Ada',
      identifier: 'S-18125',
      email: 'ada@example.edu',
      sms: '',
      phone: '555-0100',
      agentSourcedIds: ['p1'],
      grades: ['11'],
    });
  });

  it('the primary role at primaryOrg decides, not the order of roles[]', () => {
    const u = read({
      roles: [
        { roleType: 'primary', role: 'teacher', org: orgRef('s1') },
        { roleType: 'primary', role: 'principal', org: orgRef('s3') },
      ],
      primaryOrg: orgRef('s3'),
    });
    expect(u.role).toBe('principal');
    expect(u.orgSourcedIds).toEqual(['s3', 's1']);
  });

  it('without primaryOrg the first primary role and its org come first', () => {
    const u = read({
      roles: [
        { roleType: 'secondary', role: 'aide', org: orgRef('s1') },
        { roleType: 'primary', role: 'teacher', org: orgRef('s4') },
      ],
      primaryOrg: null,
    });
    expect(u).toMatchObject({ role: 'teacher', orgSourcedIds: ['s4', 's1'] });
  });

  it('1.2 staff roles, in any case, are Staff (admin scope); aide, proctor and parents are not patrons', () => {
    const staff = ['districtAdministrator', 'siteAdministrator', 'systemAdministrator', 'principal', 'counselor'];
    for (const r of staff) {
      const u = read({ roles: [{ roleType: 'primary', role: r, org: orgRef('s2') }] });
      expect(u.role).toBe(r.toLowerCase());
      expect(syncRoleOf(u.role)).toBe('admin');
    }
    for (const r of ['aide', 'proctor', 'guardian', 'parent', 'relative', 'ext:librarian']) {
      expect(syncRoleOf(read({ roles: [{ roleType: 'primary', role: r, org: orgRef('s2') }] }).role)).toBeNull();
    }
  });

  it('enabledUser as the string 1.2 requires, or a boolean; status inactive reads as tobedeleted', () => {
    expect(read({ enabledUser: 'false' }).enabledUser).toBe(false);
    expect(read({ enabledUser: true }).enabledUser).toBe(true);
    expect(read({ status: 'tobedeleted' }).status).toBe('tobedeleted');
    expect(read({ status: 'inactive' }).status).toBe('tobedeleted');
  });

  it('a user with no roles, or roles without a role, is malformed ("missing roles"); a 1.1 role field does not stand in', () => {
    for (const patch of [
      { roles: [] },
      { roles: undefined },
      { roles: [{ roleType: 'primary', org: orgRef('s2') }] },
      { roles: undefined, role: 'student', orgs: [orgRef('s2')] },
    ]) {
      const r = parseRecord('users', user12(patch), undefined, V1P2_COLLECTION_SPECS);
      expect(r).toMatchObject({ ok: false, sourcedId: 'u1', message: 'missing roles' });
    }
  });

  it('a wrong type inside roles[] is malformed, naming the field and never the value', () => {
    const r = parseRecord(
      'users',
      user12({ roles: [{ roleType: 'primary', role: { x: 'secret' }, org: orgRef('s2') }] }),
      undefined,
      V1P2_COLLECTION_SPECS,
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(/^roles\.0\.role/);
      expect(r.message).not.toContain('secret');
    }
  });

  it('a page keeps its good users and reports the bad one by position', () => {
    const page = parsePage(
      'users',
      [user12(), user12({ sourcedId: 'u2', roles: [] }), user12({ sourcedId: 'u3' })],
      200,
      undefined,
      V1P2_COLLECTION_SPECS,
    );
    expect(page.records.map((u) => u.sourcedId)).toEqual(['u1', 'u3']);
    expect(page.malformed).toEqual([
      { collection: 'users', sourcedId: 'u2', where: 'page offset 200, record 2', message: 'missing roles' },
    ]);
  });

  it('the other collections read as in 1.1 (string booleans, periods as a list, sex other)', () => {
    const e = parseRecord(
      'enrollments',
      {
        sourcedId: 'e1',
        status: 'active',
        dateLastModified: '',
        user: { sourcedId: 'u1' },
        class: { sourcedId: 'c1' },
        school: orgRef('s2'),
        role: 'teacher',
        primary: 'true',
      },
      undefined,
      V1P2_COLLECTION_SPECS,
    );
    expect(e).toMatchObject({ ok: true, record: { role: 'teacher', primary: true, userSourcedId: 'u1' } });
    const c = parseRecord(
      'classes',
      {
        sourcedId: 'c1',
        status: 'active',
        dateLastModified: '',
        title: 'HR 9',
        classType: 'homeroom',
        school: orgRef('s2'),
        course: { sourcedId: 'k' },
        terms: [{ sourcedId: 't' }],
        periods: ['1', '2'],
      },
      undefined,
      V1P2_COLLECTION_SPECS,
    );
    expect(c).toMatchObject({ ok: true, record: { classType: 'homeroom', schoolSourcedId: 's2' } });
    const d = parseRecord(
      'demographics',
      { sourcedId: 'u1', status: 'active', dateLastModified: '', birthDate: '2010-01-02', sex: 'other', white: 'true' },
      undefined,
      V1P2_COLLECTION_SPECS,
    );
    expect(d).toMatchObject({ ok: true, record: { sex: 'other', birthDate: '2010-01-02' } });
  });
});
