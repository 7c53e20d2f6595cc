import { describe, expect, it } from 'vitest';
import type { RosterUser } from '../domain/roster.ts';
import { roleV1p2, toWireV1p2, type V1p2Context } from './v1p2-wire.ts';

const ctx: V1p2Context = {
  hrefBase: 'http://x/ims/oneroster/rostering/v1p2',
  mode: 'classlink',
  children: () => [],
  orgType: (id) => (id === 'd' ? 'district' : 'school'),
};

const user: RosterUser = {
  sourcedId: 'u1',
  status: 'active',
  dateLastModified: '2026-01-01T00:00:00.000Z',
  enabledUser: false,
  role: 'student',
  orgSourcedIds: ['s1', 's2'],
  username: 'ada',
  userIds: [{ type: 'FED', identifier: '1' }],
  givenName: 'Ada',
  familyName: 'King',
  middleName: '',
  identifier: '123',
  email: 'a@x.org',
  sms: '',
  phone: '',
  agentSourcedIds: ['p1'],
  grades: ['09'],
};

describe('1.2 wire', () => {
  it('a user has roles[] (last org first), primaryOrg, a string enabledUser, and no role or orgs', () => {
    const w = toWireV1p2('users', user, ctx);
    expect(w).not.toHaveProperty('role');
    expect(w).not.toHaveProperty('orgs');
    expect(w).toMatchObject({
      enabledUser: 'false',
      primaryOrg: { sourcedId: 's1', type: 'org', href: 'http://x/ims/oneroster/rostering/v1p2/orgs/s1' },
      roles: [
        { roleType: 'primary', role: 'student', org: { sourcedId: 's2', type: 'org' } },
        { roleType: 'primary', role: 'student', org: { sourcedId: 's1', type: 'org' } },
      ],
      agents: [{ sourcedId: 'p1', type: 'user' }],
    });
  });

  it("1.1's administrator becomes a 1.2 staff role by where it is held; 1.2 roles keep the spec's spelling", () => {
    expect(roleV1p2('administrator', 'district')).toBe('districtAdministrator');
    expect(roleV1p2('administrator', 'school')).toBe('siteAdministrator');
    expect(roleV1p2('administrator', undefined)).toBe('siteAdministrator');
    expect(roleV1p2('systemadministrator', 'school')).toBe('systemAdministrator');
    expect(roleV1p2('teacher', 'school')).toBe('teacher');
  });

  it('other collections: 1.1 fields with string booleans', () => {
    const e = toWireV1p2(
      'enrollments',
      {
        sourcedId: 'e',
        status: 'active',
        dateLastModified: '',
        userSourcedId: 'u',
        classSourcedId: 'c',
        schoolSourcedId: 's',
        role: 'teacher',
        primary: true,
        beginDate: '',
        endDate: '',
      },
      ctx,
    );
    expect(e).toMatchObject({ primary: 'true', role: 'teacher', user: { sourcedId: 'u' } });
  });
});
