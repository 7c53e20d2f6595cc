import { describe, expect, it } from 'vitest';
import type { RosterUser } from '../domain/roster.ts';
import type { PullOutcome, RosterReader } from './ports.ts';
import { fetchSnapshot, slimmer } from './fetch.ts';
import { buildUser } from './core/test-builders.ts';

const FULL: Partial<RosterUser> = {
  dateLastModified: '2026-01-02T03:04:05Z',
  username: 'jdoe',
  identifier: 'S123',
  sms: '555-0100',
  userIds: [
    { type: 'SIS', identifier: 'E1' },
    { type: 'LDAP', identifier: 'jdoe' },
  ],
};

/** A reader that serves these users and nothing else, keeping of each what the pull asks (as every reader must). */
function readerOf(users: RosterUser[]): RosterReader {
  const done: PullOutcome = { complete: true, incompleteReason: '', malformed: [], malformedCount: 0, notes: [] };
  return {
    async pull(collection, request, onRecords) {
      const keep = request.keepUser ?? ((u: RosterUser) => u);
      if (collection === 'users') await onRecords(users.map(keep) as never);
      return done;
    },
  };
}

describe('slimmer', () => {
  const user = buildUser({ sourcedId: 'stu-1', ...FULL });

  it('keeps one copy of each distinct org and grade list, and copies agent lists, all with their contents', () => {
    const slim = slimmer([]);
    const a = slim(buildUser({ sourcedId: 'a', orgSourcedIds: ['o1', 'o2'], grades: ['09'], agentSourcedIds: ['p1'] }));
    const b = slim(buildUser({ sourcedId: 'b', orgSourcedIds: ['o1', 'o2'], grades: ['09'], agentSourcedIds: ['p1'] }));
    const c = slim(buildUser({ sourcedId: 'c', orgSourcedIds: ['o1'], grades: ['09', '10'], agentSourcedIds: [] }));
    expect(a.orgSourcedIds).toBe(b.orgSourcedIds);
    expect(a.grades).toBe(b.grades);
    expect(a.agentSourcedIds).not.toBe(b.agentSourcedIds);
    expect([a.orgSourcedIds, a.grades, a.agentSourcedIds]).toEqual([['o1', 'o2'], ['09'], ['p1']]);
    expect([c.orgSourcedIds, c.grades, c.agentSourcedIds]).toEqual([['o1'], ['09', '10'], []]);
    // No two different lists share a copy, whatever characters they hold.
    const d = slim(buildUser({ sourcedId: 'd', orgSourcedIds: ['o1\u0000o2'], grades: ['["09"]'] }));
    const e = slim(buildUser({ sourcedId: 'e', orgSourcedIds: ['o1,o2'], grades: ['09'] }));
    expect([d.orgSourcedIds, d.grades, e.orgSourcedIds, e.grades]).toEqual([['o1\u0000o2'], ['["09"]'], ['o1,o2'], ['09']]);
  });

  it('keeps what a plan reads and drops modification time, SMS and unmapped identifiers', () => {
    const slim = slimmer([{ kind: 'none' }, { kind: 'none' }])(user);
    expect(slim).toEqual({ ...user, dateLastModified: '', sms: '', username: '', identifier: '', userIds: [] });
  });

  it('keeps the mapped identifier, username and userIds of the mapped types (any case)', () => {
    expect(slimmer([{ kind: 'identifier' }, { kind: 'none' }])(user).identifier).toBe('S123');
    expect(slimmer([{ kind: 'none' }, { kind: 'username' }])(user).username).toBe('jdoe');
    expect(slimmer([{ kind: 'userid', type: ' sis ' }, { kind: 'none' }])(user).userIds).toEqual([{ type: 'SIS', identifier: 'E1' }]);
  });
});

describe('fetchSnapshot keeping users', () => {
  const users = [buildUser({ sourcedId: 'stu-1', role: 'student', ...FULL })];
  const base = { kind: 'full', roles: ['student'], location: 'none', log: () => {} } as const;

  it('slims in-scope users when given the identifier mappings', async () => {
    const snapshot = await fetchSnapshot(readerOf(users), { ...base, identifiers: [{ kind: 'username' }] });
    expect(snapshot.users[0]).toMatchObject({ sourcedId: 'stu-1', username: 'jdoe', identifier: '', sms: '', dateLastModified: '' });
  });

  it('keeps users as read without them', async () => {
    const snapshot = await fetchSnapshot(readerOf(users), base);
    expect(snapshot.users[0]).toEqual(users[0]);
  });
});
