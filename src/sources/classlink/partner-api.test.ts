import { describe, expect, it } from 'vitest';
import { chooseApplication, isApproved, type PartnerApplication } from './partner-api.ts';

function app(patch: Partial<PartnerApplication>): PartnerApplication {
  return {
    id: '1176',
    tenantId: '2',
    tenantName: 'ClassLink Demo',
    applicationId: '57',
    appId: 'MoYPlyQWmG0%3D',
    bearer: '',
    name: 'Rollcall',
    enabled: true,
    tenantStatus: 'Active',
    ...patch,
  };
}

describe('chooseApplication', () => {
  it('finds the district by Tenant ID, given as a number or text', () => {
    const apps = [app({ id: 'a', tenantId: '1' }), app({ id: 'b', tenantId: '2' })];
    expect(chooseApplication(apps, 2).id).toBe('b');
    expect(chooseApplication(apps, ' 2 ').id).toBe('b');
  });

  it('prefers an approved record when a district is listed twice', () => {
    const apps = [app({ id: 'old', enabled: false }), app({ id: 'new' })];
    expect(chooseApplication(apps, 2).id).toBe('new');
  });

  it('refuses an unknown Tenant ID with unknown_tenant', () => {
    expect(() => chooseApplication([app({})], 99)).toThrow(
      expect.objectContaining({
        kind: 'unknown_tenant',
        message:
          'ClassLink Tenant ID 99 is not among the districts that have approved this app; check the Tenant ID, or ask the district to approve the app in ClassLink.',
      }),
    );
  });

  it('refuses a district that has not enabled the app with app_not_approved', () => {
    expect(() => chooseApplication([app({ enabled: false })], 2)).toThrow(
      expect.objectContaining({
        kind: 'app_not_approved',
        message:
          'The district "ClassLink Demo" (Tenant ID 2) has the app but has not approved it yet (not enabled); ask the district\'s ClassLink administrator to enable it.',
      }),
    );
  });

  it('refuses a district whose tenant is not Active with app_not_approved', () => {
    expect(() => chooseApplication([app({ tenantStatus: 'Suspended' })], 2)).toThrow(
      expect.objectContaining({ kind: 'app_not_approved', message: expect.stringContaining('(status Suspended)') }),
    );
  });
});

describe('isApproved', () => {
  it("accepts enabled and Active, in any case, and missing fields as ClassLink's own sample omits them", () => {
    expect(isApproved(app({}))).toBe(true);
    expect(isApproved(app({ tenantStatus: 'active' }))).toBe(true);
    expect(isApproved(app({ tenantStatus: '' }))).toBe(true);
    expect(isApproved(app({ enabled: false }))).toBe(false);
    expect(isApproved(app({ tenantStatus: 'Inactive' }))).toBe(false);
  });
});
