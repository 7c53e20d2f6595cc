import { describe, expect, it } from 'vitest';
import type { RosterUser } from '../domain/roster.ts';
import type { DistrictData } from '../domain/district.ts';
import { danglingReferenceWarnings } from './references.ts';

const user = (sourcedId: string, orgSourcedIds: string[], agentSourcedIds: string[] = []): RosterUser => ({
  sourcedId,
  status: 'active',
  dateLastModified: '',
  enabledUser: true,
  role: 'student',
  orgSourcedIds,
  username: '',
  userIds: [],
  givenName: 'G',
  familyName: 'F',
  middleName: '',
  identifier: '',
  email: '',
  sms: '',
  phone: '',
  agentSourcedIds,
  grades: [],
});

const empty = (): DistrictData => ({ orgs: [], users: [], classes: [], enrollments: [], demographics: [], academicSessions: [] });

describe('danglingReferenceWarnings', () => {
  it('says nothing when every reference resolves', () => {
    const data = empty();
    data.orgs.push({
      sourcedId: 's1',
      status: 'active',
      dateLastModified: '',
      name: 'S',
      type: 'school',
      identifier: '',
      parentSourcedId: '',
    });
    data.users.push(user('u1', ['s1'], ['u2']), user('u2', ['s1']));
    expect(danglingReferenceWarnings(data)).toEqual([]);
  });

  it('counts each kind once, naming the first record', () => {
    const data = empty();
    data.users.push(user('u1', ['s1', 's2'], ['p9']), user('u2', ['s1']));
    data.classes.push({
      sourcedId: 'c1',
      status: 'active',
      dateLastModified: '',
      title: 'T',
      classCode: '',
      classType: 'homeroom',
      location: '',
      schoolSourcedId: 's1',
      courseSourcedId: '',
      grades: [],
      termSourcedIds: [],
    });
    expect(danglingReferenceWarnings(data)).toEqual([
      'users.csv: 3 org references refer to an org missing from the package (first: u1).',
      'users.csv: 1 agent reference refers to a user missing from the package (first: u1).',
      'classes.csv: 1 class refers to a school missing from the package (first: c1).',
    ]);
  });
});
