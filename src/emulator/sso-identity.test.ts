import { describe, expect, it } from 'vitest';
import type { RosterUser } from '../domain/roster.ts';
import { classLinkRole, classLinkUserId, ssoIdentity } from './sso-identity.ts';

const USER: RosterUser = {
  sourcedId: 'stu-7',
  status: 'active',
  dateLastModified: '',
  enabledUser: true,
  role: 'student',
  orgSourcedIds: ['org-1', 'org-2'],
  username: 'jdoe7',
  userIds: [],
  givenName: 'Jane',
  familyName: 'Doe',
  middleName: '',
  identifier: 'S7',
  email: 'jdoe7@example.org',
  sms: '',
  phone: '',
  agentSourcedIds: [],
  grades: ['05'],
};
const CTX = {
  tenantId: 12,
  tenantName: 'Example USD',
  orgName: (id: string) => (id === 'org-1' ? 'Oak School' : ''),
  now: new Date('2026-01-05T08:00:00Z'),
};

describe('classLinkRole', () => {
  it('maps OneRoster roles to ClassLink names', () => {
    expect(['student', 'teacher', 'administrator', 'siteAdministrator', 'guardian', 'aide'].map((r) => classLinkRole(r).name)).toEqual([
      'Student',
      'Teacher',
      'Tenant Administrator',
      'Tenant Administrator',
      'Parent',
      'Staff',
    ]);
    expect(classLinkRole('student').level).toBe(4);
  });
});

describe('ssoIdentity', () => {
  it('builds my/info with numeric ids and the roster SourcedId', () => {
    const id = ssoIdentity(USER, CTX);
    expect(id.userId).toBe(classLinkUserId('stu-7'));
    expect(id.userId).toBeGreaterThanOrEqual(1_000_000);
    expect(id.userId).toBeLessThan(10_000_000);
    expect(id.myInfo).toMatchObject({
      UserId: id.userId,
      TenantId: 12,
      SourcedId: 'stu-7',
      Role: 'Student',
      Role_Level: 4,
      FirstName: 'Jane',
      LastName: 'Doe',
      DisplayName: 'Jane Doe',
      Email: 'jdoe7@example.org',
      LoginId: 'jdoe7',
      Building: 'Oak School',
      Tenant: 'Example USD',
      OrgId: 'org-1',
      LastAccessTime: '2026-01-05T08:00:00.000Z',
    });
    expect(typeof id.myInfo.BuildingId).toBe('number');
  });

  it('builds OpenID claims with the ClassLink ones', () => {
    const { claims, userId } = ssoIdentity(USER, CTX);
    expect(claims).toMatchObject({
      sub: String(userId),
      name: 'Jane Doe',
      email_verified: true,
      classLink_tenant_id: 12,
      classLink_tenant_id_string: '12',
      classLink_sourcedId: 'stu-7',
      classLink_org_sourcedids: ['org-1', 'org-2'],
    });
    expect(claims.middle_name).toBeUndefined();
    expect(ssoIdentity({ ...USER, email: '' }, CTX).claims.email_verified).toBe(false);
  });

  it('gives different users different ids, the same user always the same', () => {
    expect(classLinkUserId('stu-7')).toBe(classLinkUserId('stu-7'));
    expect(classLinkUserId('stu-7')).not.toBe(classLinkUserId('stu-8'));
  });
});
