import { describe, expect, it } from 'vitest';
import { RoleIndex } from './roles.ts';

describe('RoleIndex', () => {
  it('gives a user with one primary role that role and org', () => {
    const index = new RoleIndex();
    index.add('u1', true, 'student', 'sch-1');
    expect(index.resolve('u1', '')).toEqual({ role: 'student', orgSourcedIds: ['sch-1'], fromSecondary: false });
    expect(index.users).toBe(1);
  });

  it('picks the primary role at the primary org, and puts that org first', () => {
    const index = new RoleIndex();
    index.add('u1', true, 'teacher', 'sch-1');
    index.add('u1', false, 'parent', 'sch-3');
    index.add('u1', true, 'principal', 'sch-2');
    expect(index.resolve('u1', 'sch-2')).toEqual({ role: 'principal', orgSourcedIds: ['sch-2', 'sch-1', 'sch-3'], fromSecondary: false });
  });

  it('takes the first primary role when the primary org is blank or has no primary role', () => {
    const index = new RoleIndex();
    index.add('u1', false, 'guardian', 'sch-9');
    index.add('u1', true, 'teacher', 'sch-1');
    expect(index.resolve('u1', '')).toEqual({ role: 'teacher', orgSourcedIds: ['sch-1', 'sch-9'], fromSecondary: false });
    expect(index.resolve('u1', 'sch-9')?.role).toBe('teacher');
    expect(index.resolve('u1', 'sch-9')?.orgSourcedIds).toEqual(['sch-9', 'sch-1']);
  });

  it('falls back to the first role, saying so, when a user has no primary role', () => {
    const index = new RoleIndex();
    index.add('u1', false, 'siteadministrator', 'sch-1');
    index.add('u1', false, 'parent', 'sch-2');
    expect(index.resolve('u1', '')).toEqual({ role: 'siteadministrator', orgSourcedIds: ['sch-1', 'sch-2'], fromSecondary: true });
  });

  it('lists each org once', () => {
    const index = new RoleIndex();
    index.add('u1', true, 'teacher', 'sch-1');
    index.add('u1', false, 'parent', 'sch-1');
    expect(index.resolve('u1', 'sch-1')?.orgSourcedIds).toEqual(['sch-1']);
  });

  it('leaves ended roles out, unless the user has no other', () => {
    const index = new RoleIndex();
    index.add('u1', true, 'teacher', 'sch-1', true);
    index.add('u1', true, 'principal', 'sch-2');
    index.add('u2', true, 'student', 'sch-1', true);
    expect(index.resolve('u1', '')).toEqual({ role: 'principal', orgSourcedIds: ['sch-2'], fromSecondary: false });
    expect(index.resolve('u2', '')).toEqual({ role: 'student', orgSourcedIds: ['sch-1'], fromSecondary: false });
  });

  it('refuses more distinct role names than it can hold', () => {
    const index = new RoleIndex();
    for (let i = 0; i < 1024; i++) index.add(`u${i}`, true, `ext:role${i}`, 'sch-1');
    expect(() => index.add('u', true, 'ext:one-too-many', 'sch-1')).toThrow(
      'roles.csv has more than 1024 different roles; check the export.',
    );
  });

  it('knows nothing of a user without roles', () => {
    expect(new RoleIndex().resolve('nobody', '')).toBeUndefined();
  });

  it('keeps users apart when they share roles and orgs', () => {
    const index = new RoleIndex();
    for (let i = 0; i < 1000; i++) index.add(`u${i}`, true, i % 2 === 0 ? 'student' : 'teacher', `sch-${i % 7}`);
    expect(index.resolve('u501', '')).toEqual({ role: 'teacher', orgSourcedIds: ['sch-4'], fromSecondary: false });
    expect(index.users).toBe(1000);
  });
});
