/**
 * Missing demographics and agents (SPEC §3.3 "a blank roster value blanks the field", §3.6):
 * a complete full read of shared records that holds none for a user blanks the fields they
 * fill, one warning line per patron that loses values; a delta, an incomplete read, or a
 * collection the district does not share leaves them as they are.
 */
import { describe, expect, it } from 'vitest';
import type { Patron } from '../../domain/patron.ts';
import type { RosterUser } from '../../domain/roster.ts';
import { plan } from './plan.ts';
import { buildSettings, buildSnapshot, buildSyncedPatron, buildUser } from './test-builders.ts';
import type { AgentInfo, Change, Plan, Snapshot } from './types.ts';

/** A student naming a parent the read does not hold; another family's parent did arrive (parents are shared). */
const student = buildUser({ sourcedId: 'stu-1', agentSourcedIds: ['par-gone'] });
const agents = new Map<string, AgentInfo>([['par-other', { givenName: 'Other', familyName: 'Parent', phone: '', email: 'o@x.org' }]]);
/** Its patron as earlier syncs left it: Birthdate, Sex and contacts filled. */
const filled = (overrides: Partial<Patron> = {}): Patron =>
  buildSyncedPatron(student, {
    id: 1,
    birthdate: '2012-03-04',
    sex: 'Female',
    additionalContact: 'Ana Cruz (555-0101)',
    otherEmails: 'ana@x.org',
    ...overrides,
  });

function run(users: RosterUser[], patrons: Patron[], read: Partial<Snapshot> = {}): Plan {
  return plan(buildSnapshot({ users, agents, ...read }), patrons, buildSettings());
}

function only<K extends Change['kind']>(p: Plan, kind: K): Extract<Change, { kind: K }> {
  expect(p.changes.map((c) => c.kind)).toEqual([kind]);
  return p.changes[0] as Extract<Change, { kind: K }>;
}

describe('missing demographics and agents in a complete full read', () => {
  it('blank Birthdate, Sex, Additional Contact and Other Emails, with one warning line for each record', () => {
    const p = run([student], [filled()]);
    const change = only(p, 'update');
    expect(change.diff).toEqual([
      { field: 'birthdate', from: '2012-03-04', to: '' },
      { field: 'sex', from: 'Female', to: '' },
      { field: 'additionalContact', from: 'Ana Cruz (555-0101)', to: '' },
      { field: 'otherEmails', from: 'ana@x.org', to: '' },
    ]);
    expect(p.warnings).toEqual([
      { sourcedId: 'stu-1', message: 'No demographics record in the roster; Birthdate and Sex blanked.' },
      {
        sourcedId: 'stu-1',
        message: 'None of its parents or guardians (agents) is in the roster; Additional Contact and Other Emails blanked.',
      },
    ]);
    expect(p.counts).toMatchObject({ updated: 1, warnings: 2 });
  });

  it('name only the fields that held a value; say nothing when they were blank already, nor for a new patron', () => {
    const p = run([student], [filled({ sex: '', additionalContact: '', otherEmails: '' })]);
    expect(p.warnings).toEqual([{ sourcedId: 'stu-1', message: 'No demographics record in the roster; Birthdate blanked.' }]);
    expect(run([student], [filled({ birthdate: '', sex: '', additionalContact: '', otherEmails: '' })]).counts).toMatchObject({
      updated: 0,
      unchanged: 1,
      warnings: 0,
    });
    const created = run([student], []);
    expect(only(created, 'create').values).toMatchObject({ birthdate: '', sex: '', additionalContact: '', otherEmails: '' });
    expect(created.warnings).toEqual([]);
  });

  it('a tobedeleted user’s fields are left as they are (only its Status is written)', () => {
    const p = run([{ ...student, status: 'tobedeleted' }], [filled()]);
    expect(only(p, 'transfer').diff).toEqual([{ field: 'status', from: '1', to: '4' }]);
    expect(p.warnings).toEqual([]);
  });

  it('many such patrons: one summary line heads the per-patron lines', () => {
    const users = Array.from({ length: 12 }, (_, i) => buildUser({ sourcedId: `stu-${i}` }));
    const patrons = users.map((u, i) => buildSyncedPatron(u, { id: i + 1, birthdate: '2012-03-04' }));
    const p = run(users, patrons);
    expect(p.warnings).toHaveLength(13);
    expect(p.warnings[0]).toEqual({
      sourcedId: '',
      message:
        '12 patrons had Birthdate and Sex, or Additional Contact and Other Emails, blanked: the roster holds no demographics or parent record for them (each is listed).',
    });
    expect(run(users.slice(0, 9), patrons.slice(0, 9)).warnings).toHaveLength(9);
  });
});

describe('missing demographics and agents elsewhere leave the fields as they are', () => {
  for (const [title, read] of [
    ['a delta (absence there means unchanged)', { kind: 'delta' }],
    ['an incomplete full read', { complete: false, incompleteReasons: ['users: short'] }],
  ] as [string, Partial<Snapshot>][]) {
    it(title, () => {
      const p = run([student], [filled()], read);
      expect(p.changes.filter((c) => c.kind !== 'skip')).toEqual([]);
      expect(p.warnings.filter((w) => w.sourcedId !== '')).toEqual([]);
    });
  }

  it('demographics not shared: Birthdate and Sex kept, contacts still blanked', () => {
    const p = run([student], [filled()], { notShared: ['demographics'] });
    expect(only(p, 'update').diff.map((d) => d.field)).toEqual(['additionalContact', 'otherEmails']);
    expect(p.warnings.map((w) => w.message)).toEqual([
      'None of its parents or guardians (agents) is in the roster; Additional Contact and Other Emails blanked.',
    ]);
  });

  it('parents not shared: contacts kept, Birthdate and Sex still blanked', () => {
    const p = run([student], [filled()], { notShared: ['agents'] });
    expect(only(p, 'update').diff.map((d) => d.field)).toEqual(['birthdate', 'sex']);
  });

  it('a delta’s demographics-only change still updates Birthdate and Sex of an unchanged user', () => {
    const demographics = new Map([['stu-1', { birthDate: '2012-05-06', sex: 'female' }]]);
    const p = run([], [filled()], { kind: 'delta', demographics });
    expect(only(p, 'update').diff).toEqual([{ field: 'birthdate', from: '2012-03-04', to: '2012-05-06' }]);
  });
});
