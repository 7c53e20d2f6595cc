/**
 * Optional collections a district may decline to share (fetch.ts `ifShared`): refused
 * demographics or homerooms are a choice, not a fault — the sync goes on and says so; any other
 * failure still fails the fetch (a half-read roster writes nothing).
 */
import { describe, expect, it } from 'vitest';
import { RollcallError, type ErrorKind } from '../domain/errors.ts';
import type { RosterCollection, RosterUser } from '../domain/roster.ts';
import type { PullOutcome, RosterReader } from './ports.ts';
import { fetchSnapshot, type FetchRequest } from './fetch.ts';
import { buildUser } from './core/test-builders.ts';

const done: PullOutcome = { complete: true, incompleteReason: '', malformed: [], malformedCount: 0, notes: [] };

/** Serves one student; the named collections fail with the given kind. */
function reader(failing: Partial<Record<RosterCollection, ErrorKind>>): RosterReader {
  return {
    async pull(collection, _request, onRecords) {
      const kind = failing[collection];
      if (kind) throw new RollcallError(kind, `the roster server answered ${collection} with an error`);
      if (collection === 'users') await onRecords([buildUser({ sourcedId: 'stu-1' })] as never);
      if (collection === 'demographics')
        await onRecords([{ sourcedId: 'stu-1', status: 'active', dateLastModified: '', birthDate: '2012-03-04', sex: 'female' }] as never);
      return done;
    },
  };
}

function request(lines: string[], location: FetchRequest['location'] = 'none'): FetchRequest {
  return { kind: 'full', roles: ['student'], location, log: (level, message) => lines.push(`${level}: ${message}`) };
}

describe('optional collections the district does not share', () => {
  it('refused demographics: the snapshot is whole, has no demographics, and a warning says so', async () => {
    for (const kind of ['credentials_refused', 'not_found'] as const) {
      const lines: string[] = [];
      const snapshot = await fetchSnapshot(reader({ demographics: kind }), request(lines));
      expect(snapshot.complete).toBe(true);
      expect(snapshot.users.map((u) => u.sourcedId)).toEqual(['stu-1']);
      expect(snapshot.demographics.size).toBe(0);
      expect(snapshot.notShared).toEqual(['demographics']);
      expect(lines).toEqual([
        expect.stringMatching(
          /^warning: The district does not share demographics with this app .*; Birthdate and Sex are left as they are\.$/,
        ),
      ]);
    }
  });

  it('refused classes or enrollments: no homerooms, Location is left as it is', async () => {
    const lines: string[] = [];
    const snapshot = await fetchSnapshot(reader({ enrollments: 'credentials_refused' }), request(lines, 'homeroom-code'));
    expect(snapshot.homerooms.size).toBe(0);
    expect(snapshot.notShared).toEqual(['homerooms']);
    expect(snapshot.demographics.size).toBe(1);
    expect(lines.join('\n')).toContain('Location is left as it is');
  });

  it('any other failure of an optional collection still fails the fetch', async () => {
    await expect(fetchSnapshot(reader({ demographics: 'source_unavailable' }), request([]))).rejects.toThrow(/demographics with an error/);
  });

  it('refused users are never "not shared": the fetch fails', async () => {
    await expect(fetchSnapshot(reader({ users: 'credentials_refused' }), request([]))).rejects.toThrow(/users with an error/);
  });

  it('everything shared: notShared is empty', async () => {
    expect((await fetchSnapshot(reader({}), request([]))).notShared).toEqual([]);
  });
});

describe('parents not shared (no collection of their own: ClassLink sends only enrolled users unless the district says otherwise)', () => {
  /** Serves these users and nothing else. */
  const serving = (users: RosterUser[]): RosterReader => ({
    async pull(collection, _request, onRecords) {
      if (collection === 'users') await onRecords(users as never);
      return done;
    },
  });
  const student = buildUser({ sourcedId: 'stu-1', agentSourcedIds: ['par-1'] });
  const parent = buildUser({ sourcedId: 'par-1', role: 'parent', agentSourcedIds: ['stu-1'] });

  it('a full read in which students name agents but not one arrives: agents not shared, and a warning says so', async () => {
    const lines: string[] = [];
    const snapshot = await fetchSnapshot(serving([student, buildUser({ sourcedId: 'stu-2' })]), request(lines));
    expect(snapshot.notShared).toEqual(['agents']);
    expect(lines).toEqual([
      'warning: The district shares no parents or guardians with this app (students name them, but none arrived); Additional Contact and Other Emails are left as they are.',
    ]);
  });

  it('one parent arrived: parents are shared (a student whose own are missing has none)', async () => {
    const lines: string[] = [];
    const other = buildUser({ sourcedId: 'stu-2', agentSourcedIds: ['par-gone'] });
    expect((await fetchSnapshot(serving([student, other, parent]), request(lines))).notShared).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('nobody names an agent, or the read is a delta: nothing is said', async () => {
    expect((await fetchSnapshot(serving([buildUser({ sourcedId: 'stu-2' })]), request([]))).notShared).toEqual([]);
    const lines: string[] = [];
    expect((await fetchSnapshot(serving([student]), { ...request(lines), kind: 'delta' })).notShared).toEqual([]);
    expect(lines.filter((l) => l.startsWith('warning'))).toEqual([]);
  });
});
