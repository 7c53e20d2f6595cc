/** Leaving and returning (SPEC §3.4), delta syncs (§3.6) and idempotence, for plan.ts. */
import { describe, expect, it } from 'vitest';
import type { Patron } from '../../domain/patron.ts';
import type { RosterUser } from '../../domain/roster.ts';
import { plan } from './plan.ts';
import {
  applyPlanInMemory,
  buildPatron,
  buildSettings,
  buildSnapshot,
  buildSyncedPatron,
  buildUser,
  ORG_EHS,
  ORG_MHS,
  ORG_UNMATCHED,
} from './test-builders.ts';
import type { Change, Plan, Snapshot, SyncSettings } from './types.ts';

function run(users: RosterUser[], patrons: Patron[], snapshot: Partial<Snapshot> = {}, settings: Partial<SyncSettings> = {}): Plan {
  return plan(buildSnapshot({ users, ...snapshot }), patrons, buildSettings(settings));
}

function only<K extends Change['kind']>(p: Plan, kind: K): Extract<Change, { kind: K }> {
  expect(p.changes.map((c) => c.kind)).toEqual([kind]);
  return p.changes[0] as Extract<Change, { kind: K }>;
}

const stays = buildUser({ sourcedId: 'stays' });
const staysPatron = buildSyncedPatron(stays, { id: 100 });
/** A patron of this integration whose user is gone from the roster. */
const gone = (overrides: Partial<Patron> = {}): Patron =>
  buildPatron({ id: 1, guid: 'gone', guidSource: 'classlink', matchedBy: 'guid', ...overrides });

describe('tobedeleted (SPEC §3.4)', () => {
  it('a roster user with status tobedeleted is set to Transferred; its other fields are left', () => {
    const user = buildUser({ sourcedId: 's1', status: 'tobedeleted', givenName: 'Stripped' });
    const change = only(run([user], [buildSyncedPatron(buildUser({ sourcedId: 's1' }), { id: 4 })]), 'transfer');
    expect(change).toMatchObject({ cause: 'tobedeleted', patronId: 4, reason: 'Marked tobedeleted in the roster; set Transferred.' });
    expect(change.diff).toEqual([{ field: 'status', from: '1', to: '4' }]);
  });

  it('an already Transferred patron of a tobedeleted user is unchanged', () => {
    const user = buildUser({ sourcedId: 's1', status: 'tobedeleted' });
    const p = run([user], [buildSyncedPatron(user, { id: 4, status: 4 })]);
    expect(p.changes).toEqual([]);
    expect(p.counts.unchanged).toBe(1);
  });

  it('a hand-set status (2) of a tobedeleted user becomes 4', () => {
    const user = buildUser({ sourcedId: 's1', status: 'tobedeleted' });
    expect(only(run([user], [buildSyncedPatron(user, { id: 4, status: 2 })]), 'transfer').values.status).toBe(4);
  });
});

describe('absence in a complete full sync (SPEC §3.4)', () => {
  it('a patron of this integration, synced Policy, matched site, absent from the snapshot: Transferred', () => {
    const p = run([stays], [staysPatron, gone()]);
    const change = only(p, 'transfer');
    expect(change).toMatchObject({ sourcedId: 'gone', cause: 'absent', patronId: 1, reason: 'No longer in the roster; set Transferred.' });
    expect(change.values.status).toBe(4);
    expect(p.counts).toMatchObject({ transferred: 1, unchanged: 1 });
  });

  it.each([
    ['its GUID came from a file import (belongs to no integration)', { guidSource: null }],
    ['its GUID belongs to another integration', { guidSource: 'csv' as const }],
    ['its Policy is not of a synced role', { policy: 'Staff' }],
    ['its Site is not a matched site', { site: 'ELEM' }],
    ['it is already Transferred', { status: 4 }],
    ['it holds no GUID', { guid: '' }],
  ])('is not transferred when %s', (_why, overrides) => {
    expect(run([stays], [staysPatron, gone(overrides as Partial<Patron>)]).changes).toEqual([]);
  });

  it('is not transferred when its user record arrived unreadable', () => {
    expect(run([stays], [staysPatron, gone()], { unreadableUserIds: new Set(['gone']) }).changes).toEqual([]);
  });

  it('is not transferred while it is a candidate in a conflict (a person resolves it)', () => {
    const newcomer = buildUser({ sourcedId: 'new', identifier: 'B7', email: 'same@x.org' });
    const p = run(
      [newcomer],
      [gone({ barcode: 'B7', email: 'same@x.org' })],
      {},
      { mapping: { ...buildSettings().mapping, barcode: { kind: 'identifier' } } },
    );
    expect(only(p, 'conflict').cause).toBe('identity-drift');
  });

  it('patrons are never deleted: every change that touches an absent patron is a transfer', () => {
    const p = run([], [gone({ id: 1, guid: 'g1' }), gone({ id: 2, guid: 'g2' })]);
    expect(p.changes.map((c) => c.kind)).toEqual(['transfer', 'transfer']);
  });

  it('never from a delta snapshot', () => {
    const p = run([stays], [staysPatron, gone()], { kind: 'delta' });
    expect(p.changes).toEqual([]);
    expect(p.transfersHeld).toBe(false);
  });
});

describe('incomplete snapshot (SPEC §3.4 "No transfer ever comes from an incomplete snapshot")', () => {
  const incomplete = { complete: false, incompleteReasons: ['users page at offset 10000 failed'] };

  it('no absence transfers; creates and updates still planned; removals held, loudly', () => {
    const changed = buildUser({ sourcedId: 'stays', grades: ['10'] });
    const p = run([changed, buildUser({ sourcedId: 'new' })], [staysPatron, gone()], incomplete);
    expect(p.changes.map((c) => [c.kind, c.sourcedId])).toEqual([
      ['create', 'new'],
      ['update', 'stays'],
    ]);
    expect(p.transfersHeld).toBe(true);
    expect(p.warnings[0]!.message).toMatch(/^THE ROSTER WAS INCOMPLETE \(users page at offset 10000 failed\): removals were held back/);
  });

  it('a tobedeleted transfer is held back too, listed as a skip', () => {
    const user = buildUser({ sourcedId: 's1', status: 'tobedeleted' });
    const p = run([user], [buildSyncedPatron(user, { id: 4 })], incomplete);
    expect(only(p, 'skip')).toMatchObject({ cause: 'transfer-held', patronId: 4 });
    expect(p.counts.transferred).toBe(0);
    expect(p.warnings[0]!.message).toContain('1 transfer was held back');
  });

  it('an incomplete delta holds tobedeleted transfers as well', () => {
    const user = buildUser({ sourcedId: 's1', status: 'tobedeleted' });
    const p = run([user], [buildSyncedPatron(user, { id: 4 })], { ...incomplete, kind: 'delta' });
    expect(only(p, 'skip').cause).toBe('transfer-held');
    expect(p.transfersHeld).toBe(true);
  });
});

describe('moving (SPEC §3.4)', () => {
  it('a user whose first org moves to another matched site has its Site changed', () => {
    const before = buildUser({ sourcedId: 's1' });
    const moved = buildUser({ sourcedId: 's1', orgSourcedIds: [ORG_EHS, ORG_MHS] });
    const change = only(run([moved], [buildSyncedPatron(before, { id: 2 })]), 'update');
    expect(change.diff).toEqual([{ field: 'site', from: 'MHS', to: 'EHS' }]);
  });

  it('a user whose first org moves to an unmatched school is Transferred', () => {
    const moved = buildUser({ sourcedId: 's1', orgSourcedIds: [ORG_UNMATCHED] });
    const change = only(run([moved], [buildSyncedPatron(buildUser({ sourcedId: 's1' }), { id: 2 })]), 'transfer');
    expect(change).toMatchObject({ cause: 'unmatched-school', values: { status: 4, site: 'MHS' } });
  });

  it('a user at an unmatched school whose patron is not at a matched site is left alone', () => {
    const user = buildUser({ sourcedId: 's1', orgSourcedIds: [ORG_UNMATCHED] });
    expect(run([user], [buildSyncedPatron(user, { id: 2, site: 'ELEM' })]).changes).toEqual([]);
  });
});

describe('returning (SPEC §3.4)', () => {
  it('a Transferred patron who reappears as active is set Active again (reactivated)', () => {
    const user = buildUser({ sourcedId: 's1', grades: ['11'] });
    const p = run([user], [buildSyncedPatron(user, { id: 2, status: 4, level: '10' })]);
    const change = only(p, 'reactivate');
    expect(change.diff).toEqual([
      { field: 'level', from: '10', to: '11' },
      { field: 'status', from: '4', to: '1' },
    ]);
    expect(change.reason).toBe('Back in the roster as active, set Active again; updated Level.');
    expect(p.counts).toMatchObject({ reactivated: 1, updated: 0 });
  });

  it('a returning student finds their old record by a secondary key, whatever its status', () => {
    const user = buildUser({ sourcedId: 'new-guid', email: 'ana@x.org' });
    const old = buildPatron({ id: 3, status: 4, email: 'ana@x.org', firstName: 'Given', lastName: 'new-guid', level: '09' });
    const change = only(run([user], [old]), 'reactivate');
    expect(change).toMatchObject({ matchedBy: 'email', values: { guid: 'new-guid', status: 1 } });
  });

  it('other status codes set by hand are kept while the user is active (2 stays 2)', () => {
    const user = buildUser({ sourcedId: 's1' });
    const p = run([user], [buildSyncedPatron(user, { id: 2, status: 2 })]);
    expect(p.changes).toEqual([]);
  });
});

describe('delta sync (SPEC §3.6)', () => {
  it('a demographics record of an unchanged user updates just Birthdate and Sex of the patron holding that GUID', () => {
    const holder = buildSyncedPatron(buildUser({ sourcedId: 's9' }), { id: 9, firstName: 'Kept', birthdate: '2010-01-01' });
    const p = run([], [holder], { kind: 'delta', demographics: new Map([['s9', { birthDate: '2010-01-02', sex: 'female' }]]) });
    const change = only(p, 'update');
    expect(change.diff).toEqual([
      { field: 'birthdate', from: '2010-01-01', to: '2010-01-02' },
      { field: 'sex', from: '', to: 'Female' },
    ]);
    expect(change.values.firstName).toBe('Kept');
  });

  it('a demographics-only record does not touch a patron whose GUID belongs to no integration', () => {
    const holder = buildPatron({ id: 9, guid: 's9', guidSource: null });
    const p = run([], [holder], { kind: 'delta', demographics: new Map([['s9', { birthDate: '2010-01-02', sex: 'female' }]]) });
    expect(p.changes).toEqual([]);
  });
});

describe('idempotence (SPEC §3.6 "Running the same sync twice in a row changes nothing the second time")', () => {
  it('applying the plan and planning again gives no change and no claim', () => {
    const settings = buildSettings({
      roles: ['student', 'teacher'],
      mapping: { barcode: { kind: 'none' }, communityId: { kind: 'userid', type: 'SIS' }, location: 'homeroom-teacher' },
    });
    settings.defaults.student.barcode = { kind: 'sequence', prefix: 'S', next: 1, width: 5 };
    settings.defaults.teacher.fixed = { location: 'Staff room' };
    const users = [
      buildUser({ sourcedId: 'new', userIds: [{ type: 'SIS', identifier: '1' }], agentSourcedIds: ['p1'], email: 'NEW@x.org' }),
      buildUser({ sourcedId: 'by-email', email: 'e@x.org', grades: ['KG'] }),
      buildUser({ sourcedId: 'by-sis', userIds: [{ type: 'sis', identifier: '77' }], orgSourcedIds: [ORG_EHS] }),
      buildUser({ sourcedId: 'back', email: 'bad email' }),
      buildUser({ sourcedId: 'leaving', status: 'tobedeleted' }),
      buildUser({ sourcedId: 'moved-out', orgSourcedIds: [ORG_UNMATCHED] }),
      buildUser({ sourcedId: 'teacher', role: 'teacher', givenName: '  Spaced  ' }),
      buildUser({ sourcedId: 'import', middleName: 'M' }),
    ];
    const patrons = [
      buildPatron({ id: 1, email: 'E@X.org' }),
      buildPatron({ id: 2, communityId: '77', firstName: 'Hand' }),
      buildSyncedPatron(buildUser({ sourcedId: 'back' }), { id: 3, status: 4 }),
      buildSyncedPatron(buildUser({ sourcedId: 'leaving' }), { id: 4 }),
      buildSyncedPatron(buildUser({ sourcedId: 'moved-out' }), { id: 5 }),
      buildSyncedPatron(buildUser({ sourcedId: 'absent' }), { id: 6 }),
      buildSyncedPatron(buildUser({ sourcedId: 'import' }), { id: 7, guidSource: null, matchedBy: null }),
      buildPatron({ id: 8, barcode: 'S00001' }),
    ];
    const snapshot = buildSnapshot({
      users,
      agents: new Map([['p1', { givenName: 'Mum', familyName: 'New', phone: '1', email: 'mum@x.org' }]]),
      demographics: new Map([
        ['new', { birthDate: '2011-05-06', sex: 'MALE' }],
        ['by-email', { birthDate: 'garbage', sex: '' }],
      ]),
      homerooms: new Map([['new', { classCode: 'H', location: 'R1', teacherName: 'Ada Byron' }]]),
    });

    const first = plan(snapshot, patrons, settings);
    expect(first.counts).toMatchObject({ created: 2, updated: 3, transferred: 3, reactivated: 1, conflicts: 0 });
    const after = applyPlanInMemory(patrons, first);
    settings.defaults.student.barcode = { kind: 'sequence', prefix: 'S', next: first.nextBarcode.student!, width: 5 };

    const second = plan(snapshot, after, settings);
    expect(second.changes).toEqual([]);
    expect(second.claims).toEqual([]);
    expect(second.counts).toMatchObject({ created: 0, updated: 0, transferred: 0, reactivated: 0, unchanged: 7 });
  });
});
