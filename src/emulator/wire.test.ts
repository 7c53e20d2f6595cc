import { describe, expect, it } from 'vitest';
import type { RosterDemographics, RosterEnrollment, RosterUser } from '../domain/roster.ts';
import { project, toWire, valueAt, type WireContext } from './wire.ts';

const user: RosterUser = {
  sourcedId: 'u 1',
  status: 'active',
  dateLastModified: '2026-07-01T00:00:00.000Z',
  enabledUser: false,
  role: 'student',
  orgSourcedIds: ['s1', 's2'],
  username: 'ab',
  userIds: [{ type: 'FED', identifier: '9' }],
  givenName: 'Zoë',
  familyName: "O'Brien",
  middleName: '',
  identifier: '',
  email: '',
  sms: '',
  phone: '',
  agentSourcedIds: ['p1'],
  grades: ['09'],
};
const ctx = (mode: 'classlink' | 'strict'): WireContext => ({ hrefBase: 'http://h/ims/oneroster/v1p1', mode, children: () => [] });

describe('toWire', () => {
  it('sends booleans as strings and every field in classlink mode', () => {
    const wire = toWire('users', user, ctx('classlink'));
    expect(wire).toMatchObject({ enabledUser: 'false', password: '', email: '', givenName: 'Zoë' });
    expect(wire.orgs).toEqual([
      { href: 'http://h/ims/oneroster/v1p1/orgs/s1', sourcedId: 's1', type: 'org' },
      { href: 'http://h/ims/oneroster/v1p1/orgs/s2', sourcedId: 's2', type: 'org' },
    ]);
    expect(wire.agents).toEqual([{ href: 'http://h/ims/oneroster/v1p1/users/p1', sourcedId: 'p1', type: 'user' }]);
  });

  it('sends JSON booleans and nothing non-spec in strict mode', () => {
    const wire = toWire('users', user, ctx('strict'));
    expect(wire.enabledUser).toBe(false);
    expect(wire).not.toHaveProperty('password');
    const e: RosterEnrollment = {
      sourcedId: 'e',
      status: 'active',
      dateLastModified: '2026-07-01T00:00:00.000Z',
      userSourcedId: 'u',
      classSourcedId: 'c',
      schoolSourcedId: 's',
      role: 'teacher',
      primary: true,
      beginDate: '',
      endDate: '2027-06-12',
    };
    expect(toWire('enrollments', e, ctx('strict'))).toMatchObject({ primary: true, endDate: '2027-06-12' });
    expect(toWire('enrollments', e, ctx('strict'))).not.toHaveProperty('beginDate');
    expect(toWire('enrollments', e, ctx('classlink'))).toMatchObject({ primary: 'true', beginDate: '' });
  });

  it('leaves out of strict demographics what 1.1 does not allow', () => {
    const d: RosterDemographics = {
      sourcedId: 'u',
      status: 'active',
      dateLastModified: '2026-07-01T00:00:00.000Z',
      birthDate: '',
      sex: 'other',
    };
    expect(toWire('demographics', d, ctx('strict'))).toEqual({ sourcedId: 'u', status: 'active', dateLastModified: d.dateLastModified });
    expect(toWire('demographics', d, ctx('classlink'))).toMatchObject({ birthDate: '', sex: 'other' });
  });

  it('percent-encodes sourcedIds in hrefs', () => {
    const wire = toWire('users', { ...user, agentSourcedIds: ['a/b c'] }, ctx('strict'));
    expect((wire.agents as { href: string }[])[0]!.href).toBe('http://h/ims/oneroster/v1p1/users/a%2Fb%20c');
  });
});

describe('valueAt and project', () => {
  const wire = toWire('users', user, ctx('classlink'));

  it('reads top-level values and every element of a dotted list path', () => {
    expect(valueAt(wire, 'familyName')).toBe("O'Brien");
    expect(valueAt(wire, 'orgs.sourcedId')).toEqual(['s1', 's2']);
    expect(valueAt(wire, 'userIds.type')).toEqual(['FED']);
    expect(valueAt(wire, 'grades')).toEqual(['09']);
    expect(valueAt(wire, 'metadata')).toBeUndefined();
  });

  it('keeps only the named fields', () => {
    expect(project(wire, ['sourcedId', 'email', 'nope'])).toEqual({ sourcedId: 'u 1', email: '' });
  });
});
