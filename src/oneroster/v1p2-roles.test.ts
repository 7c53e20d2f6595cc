import { describe, expect, it } from 'vitest';
import { resolveUserRole, type UserRole } from './v1p2-roles.ts';

const role = (roleType: string, r: string, org: string): UserRole => ({ roleType, role: r, org });

describe('resolveUserRole', () => {
  it('takes the one role and its org', () => {
    expect(resolveUserRole([role('primary', 'student', 's1')], '')).toEqual({ role: 'student', orgSourcedIds: ['s1'] });
  });

  it('takes the primary role held at primaryOrg, and puts primaryOrg first whatever the order of roles[]', () => {
    const roles = [role('primary', 'teacher', 's1'), role('primary', 'principal', 's2'), role('secondary', 'aide', 's3')];
    expect(resolveUserRole(roles, 's2')).toEqual({ role: 'principal', orgSourcedIds: ['s2', 's1', 's3'] });
  });

  it('without primaryOrg: the first primary role, its org first', () => {
    const roles = [role('secondary', 'aide', 's1'), role('primary', 'teacher', 's2')];
    expect(resolveUserRole(roles, '')).toEqual({ role: 'teacher', orgSourcedIds: ['s2', 's1'] });
  });

  it('primaryOrg with no primary role there: the first primary role, but primaryOrg is still the first org', () => {
    const roles = [role('secondary', 'teacher', 's1'), role('primary', 'siteadministrator', 's2')];
    expect(resolveUserRole(roles, 's1')).toEqual({ role: 'siteadministrator', orgSourcedIds: ['s1', 's2'] });
  });

  it('only secondary roles: the first one', () => {
    expect(resolveUserRole([role('secondary', 'counselor', 's1'), role('secondary', 'teacher', 's2')], '')).toEqual({
      role: 'counselor',
      orgSourcedIds: ['s1', 's2'],
    });
  });

  it('lists each org once and leaves blank orgs out; no role at all is undefined', () => {
    const roles = [role('primary', 'teacher', 's1'), role('secondary', 'aide', 's1'), role('secondary', 'proctor', '')];
    expect(resolveUserRole(roles, 's1')).toEqual({ role: 'teacher', orgSourcedIds: ['s1'] });
    expect(resolveUserRole([], 's1')).toBeUndefined();
    expect(resolveUserRole([role('primary', '', 's1')], 's1')).toBeUndefined();
  });
});
