import { describe, expect, it } from 'vitest';
import type { Patron } from '../../domain/patron.ts';
import type { RosterUser } from '../../domain/roster.ts';
import { plan } from './plan.ts';
import { changeLogLine } from '../stored-plan.ts';
import { copyValues, diffValues, rosterValues } from './patron-values.ts';
import {
  buildPatron,
  buildSettings,
  buildSnapshot,
  buildSyncedPatron,
  buildUser,
  ORG_EHS,
  ORG_MHS,
  ORG_UNMATCHED,
} from './test-builders.ts';
import type { Change, CreateChange, Plan, Snapshot, SyncSettings } from './types.ts';

function run(users: RosterUser[], patrons: Patron[], settings: Partial<SyncSettings> = {}, snapshot: Partial<Snapshot> = {}): Plan {
  return plan(buildSnapshot({ users, ...snapshot }), patrons, buildSettings(settings));
}

function only<K extends Change['kind']>(p: Plan, kind: K): Extract<Change, { kind: K }> {
  expect(p.changes.map((c) => c.kind)).toEqual([kind]);
  return p.changes[0] as Extract<Change, { kind: K }>;
}

const nothing = { created: 0, updated: 0, unchanged: 0, transferred: 0, reactivated: 0, skipped: 0, conflicts: 0, warnings: 0 };

describe('scope (SPEC §3.1)', () => {
  it('users whose role is not selected are out of scope: nothing changes, nothing is counted', () => {
    const p = run([buildUser({ sourcedId: 'a1', role: 'administrator' })], []);
    expect(p.changes).toEqual([]);
    expect(p.counts).toEqual(nothing);
  });

  it('parents and guardians are never patrons, even when a patron holds their GUID', () => {
    const parent = buildUser({ sourcedId: 'p1', role: 'parent', givenName: 'New' });
    const p = run(
      [parent, buildUser({ sourcedId: 'g1', role: 'guardian' })],
      [buildPatron({ id: 1, guid: 'p1', guidSource: 'classlink' })],
    );
    expect(p.changes).toEqual([]);
  });

  it('a selected admin role creates a Staff patron (1.1 administrator and 1.2 staff roles)', () => {
    const p = run([buildUser({ sourcedId: 'a1', role: 'administrator' }), buildUser({ sourcedId: 'a2', role: 'principal' })], [], {
      roles: ['admin'],
    });
    expect(p.changes.map((c) => [c.kind, (c as CreateChange).values.policy])).toEqual([
      ['create', 'Staff'],
      ['create', 'Staff'],
    ]);
  });

  it('a user whose first org is a matched site is in scope even if later orgs are not', () => {
    const p = run([buildUser({ sourcedId: 's1', orgSourcedIds: [ORG_EHS, ORG_UNMATCHED] })], []);
    expect(only(p, 'create').values.site).toBe('EHS');
  });

  it('a user none of whose orgs is matched is out of scope and counted nowhere', () => {
    const p = run([buildUser({ sourcedId: 's1', orgSourcedIds: [ORG_UNMATCHED] })], []);
    expect(p.counts).toEqual(nothing);
  });

  it('a user at a matched school whose first org is not matched is skipped, with why', () => {
    const p = run([buildUser({ sourcedId: 's1', orgSourcedIds: [ORG_UNMATCHED, ORG_MHS] })], []);
    expect(only(p, 'skip')).toMatchObject({ cause: 'school-not-matched', reason: expect.stringContaining('first school') });
    expect(p.counts.skipped).toBe(1);
  });

  it('an unmatched user in scope is never matched by a secondary key outside the matched sites', () => {
    const user = buildUser({ sourcedId: 's1', email: 'a@x.org', orgSourcedIds: [ORG_UNMATCHED] });
    const p = run([user], [buildPatron({ id: 1, email: 'a@x.org' })]);
    expect(p.changes).toEqual([]);
  });
});

describe('writing (SPEC §3.3)', () => {
  const user = buildUser({ sourcedId: 's1', givenName: 'Ana', familyName: 'Cruz', email: 'ana@x.org', grades: ['10'] });

  it('a matched patron has its mapped fields overwritten; nothing else changes', () => {
    const patron = buildSyncedPatron(user, {
      id: 7,
      level: '09',
      barcode: 'LIB-1',
      communityId: 'hand',
      location: 'Shelf',
      nickname: 'Annie',
      policy: 'Student Plus',
      birthdate: '2010-01-01',
    });
    const demographics = new Map([[user.sourcedId, { birthDate: '2010-01-01', sex: '' }]]);
    const change = only(run([user], [patron], {}, { demographics }), 'update');
    expect(change.diff).toEqual([{ field: 'level', from: '09', to: '10' }]);
    expect(change.values).toMatchObject({
      barcode: 'LIB-1',
      communityId: 'hand',
      location: 'Shelf',
      nickname: 'Annie',
      policy: 'Student Plus',
      birthdate: '2010-01-01',
    });
    expect(change).toMatchObject({ patronId: 7, reason: 'Updated Level.', guidSource: 'classlink', matchedBy: 'guid' });
  });

  it('a blank roster value blanks the field', () => {
    const change = only(run([user], [buildSyncedPatron(user, { id: 1, middleName: 'Beatriz' })]), 'update');
    expect(change.diff).toEqual([{ field: 'middleName', from: 'Beatriz', to: '' }]);
  });

  it('an unchanged patron is not written at all (counted unchanged)', () => {
    const p = run([user], [buildSyncedPatron(user, { id: 1 })]);
    expect(p.changes).toEqual([]);
    expect(p.claims).toEqual([]);
    expect(p.counts).toEqual({ ...nothing, unchanged: 1 });
  });

  it('a GUID from a file import now belongs to the integration: an ownership claim, still unchanged', () => {
    const p = run([user], [buildSyncedPatron(user, { id: 1, guidSource: null, matchedBy: null })]);
    expect(p.changes).toEqual([]);
    expect(p.claims).toEqual([{ patronId: 1, guidSource: 'classlink', matchedBy: 'guid' }]);
    expect(p.counts.unchanged).toBe(1);
  });

  it('after a secondary-key match the GUID is set to the sourcedId and the match recorded', () => {
    const patron = buildSyncedPatron(user, { id: 3, guid: '', guidSource: null, matchedBy: null });
    const change = only(run([user], [patron]), 'update');
    expect(change).toMatchObject({ matchedBy: 'email', guidSource: 'classlink', reason: 'Matched by Email; updated GUID.' });
    expect(change.diff).toEqual([{ field: 'guid', from: '', to: 's1' }]);
  });

  it('an unmatched user in scope becomes a new patron: mapped fields, Policy from role, Status Active', () => {
    const teacher = buildUser({ sourcedId: 't1', role: 'teacher', givenName: 'Ada', familyName: 'Byron', orgSourcedIds: [ORG_EHS] });
    const change = only(run([teacher], []), 'create');
    expect(change).toMatchObject({ role: 'teacher', guidSource: 'classlink', matchedBy: 'created', reason: 'New teacher at EHS.' });
    expect(change.values).toMatchObject({
      guid: 't1',
      firstName: 'Ada',
      lastName: 'Byron',
      site: 'EHS',
      status: 1,
      policy: 'Teacher',
      barcode: '',
    });
    // Its diff is worked out when the plan is stored (stored-plan.test.ts).
  });

  it("creation applies the role's fixed values to fields the roster does not fill, never to rule fields", () => {
    const settings = buildSettings();
    settings.defaults.student.fixed = {
      nickname: 'Kid',
      location: 'Library',
      firstName: 'Ignored',
      middleName: 'Ignored too',
      guid: 'x',
      status: 9,
      site: 'X',
      policy: 'X',
    };
    settings.defaults.student.policy = 'Pupil';
    const change = only(plan(buildSnapshot({ users: [user] }), [], settings), 'create');
    expect(change.values).toMatchObject({
      nickname: 'Kid',
      location: 'Library',
      firstName: 'Ana',
      middleName: '',
      guid: 's1',
      status: 1,
      site: 'MHS',
      policy: 'Pupil',
    });
  });

  it('barcode assignment: next free number of the prefix sequence, skipping barcodes in use', () => {
    const settings = buildSettings();
    settings.defaults.student.barcode = { kind: 'sequence', prefix: 'S', next: 41, width: 4 };
    const users = ['s1', 's2', 's3'].map((id) => buildUser({ sourcedId: id }));
    const p = plan(buildSnapshot({ users }), [buildPatron({ id: 1, barcode: 's0042', policy: 'Other' })], settings);
    expect(p.changes.map((c) => (c as CreateChange).values.barcode)).toEqual(['S0041', 'S0043', 'S0044']);
    expect(p.nextBarcode).toEqual({ student: 45 });
  });

  it("a new patron gets the role's default Status and fixed values, and its create line says what it gets (SPEC §3.8)", () => {
    const settings = buildSettings();
    settings.defaults.student = {
      policy: 'Students',
      status: 2,
      barcode: { kind: 'sequence', prefix: 'S', next: 7, width: 3 },
      fixed: { nickname: 'Kid', firstName: 'never: the roster fills it' },
    };
    const p = plan(buildSnapshot({ users: [buildUser({ sourcedId: 's1', givenName: 'Ana' })] }), [], settings);
    const c = only(p, 'create');
    expect(c.values).toMatchObject({ policy: 'Students', status: 2, barcode: 'S007', nickname: 'Kid', firstName: 'Ana' });
    expect(c.defaulted).toEqual(['nickname']);
    expect(changeLogLine(c)?.message).toMatch(/\(Policy: Students; Status: 2; Barcode: S007; Nickname: Kid\)$/);
  });

  it('no sequence barcode when Barcode is mapped: the roster owns it', () => {
    const settings = buildSettings({ mapping: { barcode: { kind: 'identifier' }, communityId: { kind: 'none' }, location: 'none' } });
    settings.defaults.student.barcode = { kind: 'sequence', prefix: 'S', next: 1, width: 4 };
    const p = plan(buildSnapshot({ users: [buildUser({ sourcedId: 's1', identifier: 'ID-9' })] }), [], settings);
    expect(only(p, 'create').values.barcode).toBe('ID-9');
    expect(p.nextBarcode).toEqual({});
  });

  it('a tobedeleted user that matches no patron is skipped, not created', () => {
    const p = run([buildUser({ sourcedId: 's1', status: 'tobedeleted' })], []);
    expect(only(p, 'skip')).toMatchObject({ cause: 'tobedeleted-unmatched' });
    expect(p.counts).toEqual({ ...nothing, skipped: 1 });
  });

  it('value warnings reach the plan, naming the user and field', () => {
    const p = run([buildUser({ sourcedId: 's1', email: 'nope' })], []);
    expect(p.warnings).toEqual([{ sourcedId: 's1', field: 'email', message: expect.any(String) }]);
    expect(p.counts.warnings).toBe(1);
  });
});

describe('conflicts (SPEC §3.2)', () => {
  it('a conflict changes nothing and creates nothing; both sides are described', () => {
    const user = buildUser({ sourcedId: 's1', givenName: 'Ana', familyName: 'Cruz', email: 'ana@x.org' });
    // The GUID came from a file import: it belongs to no sync yet, so Email finding it is identity drift.
    const patron = buildPatron({ id: 5, guid: 'old', guidSource: null, firstName: 'Ana', lastName: 'Cruz', email: 'ana@x.org' });
    const p = run([user], [patron]);
    const c = only(p, 'conflict');
    expect(c).toMatchObject({
      cause: 'identity-drift',
      user: { name: 'Ana Cruz', role: 'student' },
      candidates: [{ patronId: 5, guid: 'old', name: 'Ana Cruz' }],
    });
    expect(c.reason).toBe('Roster student Ana Cruz: Email matches patron #5 (Ana Cruz), who holds another GUID (old); not taken over.');
    expect(p.counts).toEqual({ ...nothing, conflicts: 1 });
  });

  it("a patron holding this integration's GUID is another user's: found by Email the user is created beside it, by Barcode it is a conflict", () => {
    const sibling = buildPatron({ id: 5, guid: 'sib', guidSource: 'classlink', barcode: 'B1', email: 'family@x.org' });
    const byEmail = run([buildUser({ sourcedId: 's1', email: 'family@x.org' })], [sibling]);
    expect(byEmail.changes.map((c) => [c.kind, c.sourcedId])).toEqual([
      ['create', 's1'],
      ['transfer', 'sib'],
    ]);
    const barcodeMapped = { mapping: { ...buildSettings().mapping, barcode: { kind: 'identifier' as const } } };
    const byBarcode = run([buildUser({ sourcedId: 's1', identifier: 'B1', email: 'family@x.org' })], [sibling], barcodeMapped);
    // Never a second patron with barcode B1; the sibling's patron is a candidate, so not transferred as absent.
    expect(only(byBarcode, 'conflict')).toMatchObject({ cause: 'identity-drift', candidates: [{ patronId: 5, matchedOn: ['barcode'] }] });
  });

  it('a GUID-matched user whose email finds another patron logs a possible duplicate and leaves it alone', () => {
    const user = buildUser({ sourcedId: 's1', email: 'ana@x.org' });
    const other = buildPatron({ id: 9, firstName: 'Ana', lastName: 'Old', email: 'ANA@x.org' });
    const p = run([user], [buildSyncedPatron(user, { id: 1 }), other]);
    expect(p.changes).toEqual([]);
    expect(p.warnings).toEqual([
      { sourcedId: 's1', field: 'email', message: 'Possible duplicate: patron #9 (Ana Old) has the same Email; left alone.' },
    ]);
  });
});

describe('general warnings and counts', () => {
  it('admins selected but none arrived: says ClassLink shares them only with "Unenrolled Users"', () => {
    const p = run([buildUser({ sourcedId: 's1' })], [], { roles: ['student', 'admin'] });
    expect(p.warnings.map((w) => w.message)).toEqual([expect.stringContaining('Unenrolled Users')]);
  });

  it('no admin warning when an administrator arrived', () => {
    const p = run([buildUser({ sourcedId: 'a1', role: 'administrator' })], [], { roles: ['admin'] });
    expect(p.warnings).toEqual([]);
  });

  it('malformed records count as skipped, with one warning', () => {
    const p = run([], [], {}, { malformedCount: 3 });
    expect(p.counts).toEqual({ ...nothing, skipped: 3, warnings: 1 });
    expect(p.warnings[0]!.message).toBe('3 roster records could not be read and were skipped.');
  });

  it('a sourcedId that appears twice is planned once, with a warning', () => {
    const p = run([buildUser({ sourcedId: 's1', givenName: 'First' }), buildUser({ sourcedId: 's1', givenName: 'Second' })], []);
    expect(only(p, 'create').values.firstName).toBe('First');
    expect(p.warnings).toMatchObject([{ sourcedId: 's1' }]);
  });

  it('inScopePatronCount: synced Policy at a matched site, not Transferred', () => {
    const patrons = [
      buildPatron({ id: 1 }),
      buildPatron({ id: 2, policy: ' student ', site: 'ehs' }),
      buildPatron({ id: 3, status: 4 }),
      buildPatron({ id: 4, policy: 'Staff' }),
      buildPatron({ id: 5, site: 'OTHER' }),
      buildPatron({ id: 6, status: 2 }),
    ];
    expect(run([], patrons).inScopePatronCount).toBe(3);
  });

  it('ownedPatronCount: Active, holding a GUID of the running integration (SPEC §3.5), counted before the plan', () => {
    const patrons = [
      buildPatron({ id: 1, guid: 'a', guidSource: 'classlink' }),
      // Owned wherever it is: another Policy, an unmatched site.
      buildPatron({ id: 2, guid: 'b', guidSource: 'classlink', policy: 'Staff', site: 'OTHER' }),
      buildPatron({ id: 3, guid: 'c', guidSource: 'classlink', status: 4 }),
      buildPatron({ id: 4, guid: 'd', guidSource: 'classlink', status: 2 }),
      // Imported GUIDs belong to no one; another integration's are not this one's; a blank GUID is no one's.
      buildPatron({ id: 5, guid: 'e', guidSource: null }),
      buildPatron({ id: 6, guid: 'f', guidSource: 'oneroster' }),
      buildPatron({ id: 7, guid: ' ', guidSource: 'classlink' }),
      buildPatron({ id: 8 }),
    ];
    expect(run([], patrons).ownedPatronCount).toBe(2);
    // A first sync claiming the imported GUID does not count it yet: the count is of the library before the plan.
    expect(run([buildUser({ sourcedId: 'e' })], patrons).ownedPatronCount).toBe(2);
  });

  it('the plan is deterministic and ordered by sourcedId, whatever the input order', () => {
    const users = ['c', 'a', 'b'].map((id) => buildUser({ sourcedId: id, email: 'nope' }));
    const patrons = [
      buildPatron({ id: 2, guid: 'z', guidSource: 'classlink' }),
      buildPatron({ id: 1, guid: 'y', guidSource: 'classlink' }),
    ];
    const first = run(users, patrons);
    const second = run([...users].reverse(), [...patrons].reverse());
    expect(first.changes.map((c) => c.sourcedId)).toEqual(['a', 'b', 'c', 'y', 'z']);
    expect(second).toEqual(first);
  });
});

describe('an unchanged patron is told apart without a diff', () => {
  it('is kept exactly when writing the roster values would change no field (random patrons and users)', () => {
    const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;
    for (let i = 0; i < 400; i++) {
      const user = buildUser({
        sourcedId: 'u1',
        givenName: pick(['Ann', ' Ann ', 'Bo'], i),
        familyName: pick(['Ray', 'Ray', 'Roy'], i >> 1),
        phone: pick(['', '555'], i >> 2),
        grades: [pick(['09', '10'], i >> 3)],
      });
      const synced = buildSyncedPatron(buildUser({ sourcedId: 'u1', givenName: 'Ann', familyName: 'Ray' }), { id: 1 });
      const patron: Patron = {
        ...synced,
        guid: pick(['u1', 'u1', ' u1', ''], i >> 4),
        status: pick([1, 1, 4, 2], i >> 5),
        level: '09',
        phone: pick(['', '555'], i >> 6),
      };
      const result = run([user], [patron]);
      // The old way: build the patron after the write and diff it against the patron before.
      const values = rosterValues(user, buildSnapshot(), buildSettings()).values;
      const after = { ...copyValues(patron), ...values, guid: 'u1', status: patron.status === 4 ? 1 : patron.status };
      const expectUnchanged = diffValues(copyValues(patron), after).length === 0;
      expect(result.counts.unchanged, `case ${i}`).toBe(expectUnchanged && patron.guid.trim() === 'u1' ? 1 : 0);
    }
  });
});
