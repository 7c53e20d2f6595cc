import { describe, expect, it } from 'vitest';
import type { PatronFieldKey } from '../../domain/fields.ts';
import type { Patron } from '../../domain/patron.ts';
import type { RosterUser } from '../../domain/roster.ts';
import { LOCKABLE_FIELDS, lockedLine, recheckLocks, type FieldLocks } from './locks.ts';
import { plan } from './plan.ts';
import {
  applyPlanInMemory,
  buildPatron,
  buildSettings,
  buildSnapshot,
  buildSyncedPatron,
  buildUser,
  ORG_UNMATCHED,
} from './test-builders.ts';
import type { Plan, Snapshot, SyncSettings } from './types.ts';

function locksOf(entries: [number, PatronFieldKey[]][]): FieldLocks {
  return new Map(entries.map(([id, fields]) => [id, new Set(fields)]));
}

function run(
  users: RosterUser[],
  patrons: Patron[],
  locks: FieldLocks,
  snapshot: Partial<Snapshot> = {},
  settings: Partial<SyncSettings> = {},
): Plan {
  return plan(buildSnapshot({ users, ...snapshot }), patrons, buildSettings(settings), undefined, [], locks);
}

const robert = buildUser({ sourcedId: 'u1', givenName: 'Robert', familyName: 'Smith', phone: '555-0100' });

describe('field locks in the plan (SPEC §3.8: a sync never writes a locked field and its plan says so)', () => {
  it('a locked First Name is kept, the other fields are written, and the plan says so', () => {
    const bobby = buildSyncedPatron(robert, { id: 1, firstName: 'Bobby', phone: '555-9999' });
    const p = run([robert], [bobby], locksOf([[1, ['firstName']]]));
    expect(p.changes).toHaveLength(1);
    const c = p.changes[0]!;
    expect(c.kind).toBe('update');
    if (c.kind !== 'update') return;
    expect(c.values.firstName).toBe('Bobby');
    expect(c.diff.map((d) => d.field)).toEqual(['phone']);
    expect(p.locked).toEqual([
      {
        sourcedId: 'u1',
        patronId: 1,
        name: 'Bobby Smith',
        fields: [{ field: 'firstName', kept: 'Bobby', roster: 'Robert' }],
        reason: "First Name locked, kept 'Bobby' (roster: 'Robert')",
      },
    ]);
  });

  it('a patron whose only difference is locked is unchanged, yet the plan still lists the kept field', () => {
    const bobby = buildSyncedPatron(robert, { id: 1, firstName: 'Bobby' });
    const p = run([robert], [bobby], locksOf([[1, ['firstName']]]));
    expect(p.changes).toEqual([]);
    expect(p.counts.unchanged).toBe(1);
    expect(p.locked.map((l) => l.reason)).toEqual(["First Name locked, kept 'Bobby' (roster: 'Robert')"]);
    // Applying the plan leaves the field as it is, so the next sync plans the same.
    expect(applyPlanInMemory([bobby], p)[0]!.firstName).toBe('Bobby');
  });

  it('without the lock the same patron is written (the test above depends on the lock)', () => {
    const bobby = buildSyncedPatron(robert, { id: 1, firstName: 'Bobby' });
    const p = run([robert], [bobby], new Map());
    expect(p.changes.map((c) => c.kind)).toEqual(['update']);
    expect(p.locked).toEqual([]);
  });

  it('a locked field equal to the roster says nothing', () => {
    const same = buildSyncedPatron(robert, { id: 1, phone: '555-9999' });
    const p = run([robert], [same], locksOf([[1, ['firstName']]]));
    expect(p.locked).toEqual([]);
    expect(p.changes.map((c) => c.kind)).toEqual(['update']);
  });

  it('a locked key field is still used for matching: a patron with a locked Student # is matched by it', () => {
    const user = buildUser({ sourcedId: 'u2', identifier: 'S-77', givenName: 'Ana' });
    const patron = buildPatron({ id: 5, communityId: 'S-77', firstName: 'Anna', lastName: 'u2', level: '09' });
    const p = run(
      [user],
      [patron],
      locksOf([[5, ['communityId', 'firstName']]]),
      {},
      {
        mapping: { barcode: { kind: 'none' }, communityId: { kind: 'identifier' }, location: 'none' },
      },
    );
    const c = p.changes[0]!;
    expect(c.kind).toBe('update');
    if (c.kind !== 'update') return;
    expect(c.patronId).toBe(5);
    expect(c.matchedBy).toBe('communityId');
    expect(c.diff.map((d) => d.field)).toEqual(['guid']);
    expect(p.locked[0]!.reason).toBe("First Name locked, kept 'Anna' (roster: 'Ana')");
  });

  it('a locked GUID is never set by a match, and the patron is not claimed by the integration', () => {
    const user = buildUser({ sourcedId: 'u3', identifier: 'S-1' });
    const patron = buildPatron({ id: 6, communityId: 'S-1', firstName: 'Given', lastName: 'u3', level: '09' });
    const p = run(
      [user],
      [patron],
      locksOf([[6, ['guid']]]),
      {},
      {
        mapping: { barcode: { kind: 'none' }, communityId: { kind: 'identifier' }, location: 'none' },
      },
    );
    expect(p.changes).toEqual([]);
    expect(p.claims).toEqual([]);
    expect(p.locked[0]!.reason).toBe("GUID locked, kept blank (roster: 'u3')");
  });

  it('a locked Status keeps an absent patron Active (no transfer) and says so', () => {
    const gone = buildSyncedPatron(buildUser({ sourcedId: 'gone' }), { id: 7 });
    const p = run([], [gone], locksOf([[7, ['status']]]));
    expect(p.changes).toEqual([]);
    expect(p.locked.map((l) => l.reason)).toEqual(["Status locked, kept '1' (roster: '4')"]);
  });

  it('a locked Status keeps a tobedeleted user Active; a move to an unmatched school keeps the Site locked too', () => {
    const leaving = buildUser({ sourcedId: 'l1', status: 'tobedeleted' });
    const moved = buildUser({ sourcedId: 'm1', orgSourcedIds: [ORG_UNMATCHED] });
    const p = run(
      [leaving, moved],
      [buildSyncedPatron(leaving, { id: 8 }), buildSyncedPatron(moved, { id: 9, site: 'MHS' })],
      locksOf([
        [8, ['status']],
        [9, ['status']],
      ]),
    );
    expect(p.changes).toEqual([]);
    expect(p.counts.transferred).toBe(0);
    expect(p.locked.map((l) => l.patronId)).toEqual([8, 9]);
  });

  it("a delta's demographics of an unchanged user leave a locked Birthdate alone", () => {
    const u = buildUser({ sourcedId: 'd1' });
    const patron = buildSyncedPatron(u, { id: 10, birthdate: '2010-01-01', sex: 'Male' });
    const p = run([], [patron], locksOf([[10, ['birthdate']]]), {
      kind: 'delta',
      demographics: new Map([['d1', { birthDate: '2010-02-02', sex: 'female' }]]),
    });
    const c = p.changes[0]!;
    expect(c.kind).toBe('update');
    if (c.kind !== 'update') return;
    expect(c.diff.map((d) => d.field)).toEqual(['sex']);
    expect(c.values.birthdate).toBe('2010-01-01');
    expect(p.locked[0]!.reason).toBe("Birthdate locked, kept '2010-01-01' (roster: '2010-02-02')");
  });

  it('a Transferred patron back in the roster with a locked Status is updated, not reactivated', () => {
    const back = buildSyncedPatron(robert, { id: 11, status: 4, phone: '' });
    const p = run([robert], [back], locksOf([[11, ['status']]]));
    expect(p.changes.map((c) => c.kind)).toEqual(['update']);
    expect(p.counts.reactivated).toBe(0);
  });

  it('only fields a sync writes can be locked', () => {
    expect(LOCKABLE_FIELDS).toContain('firstName');
    expect(LOCKABLE_FIELDS).not.toContain('policy');
    expect(LOCKABLE_FIELDS).not.toContain('nickname');
  });

  it('words a blank value as blank and joins several fields', () => {
    expect(
      lockedLine([
        { field: 'phone', kept: '', roster: '555' },
        { field: 'email', kept: 'a@b.org', roster: '' },
      ]),
    ).toBe("Phone Number locked, kept blank (roster: '555'); Email locked, kept 'a@b.org' (roster: blank)");
  });
});

describe('a plan held to locks added after it was made (approved after review)', () => {
  const patrons = [
    buildSyncedPatron(robert, { id: 1, firstName: 'Bobby', phone: '555-9999' }),
    buildSyncedPatron(buildUser({ sourcedId: 'gone' }), { id: 2 }),
  ];
  const made = run([robert], patrons, new Map());

  it('drops the locked fields of each write and lists them; a write left empty becomes unchanged', () => {
    expect(made.counts).toMatchObject({ updated: 1, transferred: 1, unchanged: 0 });
    const r = recheckLocks(
      made.changes,
      made.counts,
      locksOf([
        [1, ['firstName']],
        [2, ['status']],
      ]),
    );
    expect(r.changes.map((c) => c.kind)).toEqual(['update']);
    const c = r.changes[0]!;
    if (c.kind !== 'update') return;
    expect(c.diff.map((d) => d.field)).toEqual(['phone']);
    expect(c.values.firstName).toBe('Bobby');
    expect(r.counts).toMatchObject({ updated: 1, transferred: 0, unchanged: 1 });
    expect(r.kept.map((k) => k.reason)).toEqual([
      "Status locked, kept '1' (roster: '4')",
      "First Name locked, kept 'Bobby' (roster: 'Robert')",
    ]);
  });

  it('changes nothing without locks on the patrons it writes', () => {
    const r = recheckLocks(made.changes, made.counts, locksOf([[99, ['firstName']]]));
    expect(r.changes).toEqual(made.changes);
    expect(r.counts).toEqual(made.counts);
    expect(r.kept).toEqual([]);
  });
});
