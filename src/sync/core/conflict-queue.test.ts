import { describe, expect, it } from 'vitest';
import type { Patron } from '../../domain/patron.ts';
import type { RosterUser } from '../../domain/roster.ts';
import { plan } from './plan.ts';
import { buildPatron, buildSettings, buildSnapshot, buildUser } from './test-builders.ts';
import type { Plan, QueueEvent, QueuedConflict, Snapshot } from './types.ts';

/** Two patrons sharing the user's email, neither holding a GUID: a key-shared conflict. */
const user = buildUser({ sourcedId: 'u1', email: 'kim@school.org', givenName: 'Kim' });
const twins = (): Patron[] => [
  buildPatron({ id: 1, email: 'kim@school.org', firstName: 'Kim', lastName: 'One' }),
  buildPatron({ id: 2, email: 'KIM@school.org', firstName: 'Kim', lastName: 'Two' }),
];

function run(users: RosterUser[], patrons: Patron[], queue: QueuedConflict[], snapshot: Partial<Snapshot> = {}): Plan {
  return plan(buildSnapshot({ users, ...snapshot }), patrons, buildSettings(), undefined, queue);
}

function item(overrides: Partial<QueuedConflict> = {}): QueuedConflict {
  return { id: 7, sourcedId: 'u1', cause: 'key-shared', action: 'none', patronId: null, fingerprint: '', seq: 1, ...overrides };
}

function seen(p: Plan): Extract<QueueEvent, { kind: 'seen' }> {
  const found = p.queue.filter((e) => e.kind === 'seen');
  expect(found).toHaveLength(1);
  return found[0] as Extract<QueueEvent, { kind: 'seen' }>;
}

describe('the conflict queue in the plan (SPEC §3.9)', () => {
  it('a conflict is seen with both sides and a fingerprint; a new one names no item', () => {
    const e = seen(run([user], twins(), []));
    expect(e).toMatchObject({ sourcedId: 'u1', cause: 'key-shared', quiet: false, item: null });
    expect(e.detail.keys).toEqual({ email: 'kim@school.org' });
    expect(e.detail.candidates.map((c) => c.patronId)).toEqual([1, 2]);
    expect(e.fingerprint).toMatch(/^[0-9a-f]{14}$/);
  });

  it('link: the user is matched to that patron as by GUID, written with the GUID, and the item closes', () => {
    const p = run([user], twins(), [item({ action: 'link', patronId: 2 })]);
    expect(p.counts.conflicts).toBe(0);
    const update = p.changes.find((c) => c.kind === 'update');
    expect(update).toMatchObject({ patronId: 2, matchedBy: 'linked', values: { guid: 'u1' } });
    expect(update?.kind === 'update' && update.diff.some((d) => d.field === 'guid' && d.to === 'u1')).toBe(true);
    expect(p.queue).toEqual([{ kind: 'closed', item: { id: 7, seq: 1 }, note: expect.stringContaining('linked to patron #2') }]);
  });

  it('link: refused by the plan when the patron now holds another GUID; the conflict is seen again with why', () => {
    const patrons = twins();
    patrons[1] = buildPatron({ ...patrons[1]!, guid: 'someone-else' });
    const p = run([user], patrons, [item({ action: 'link', patronId: 2 })]);
    expect(p.changes.filter((c) => c.kind === 'update' || c.kind === 'create')).toEqual([]);
    expect(p.counts.conflicts).toBe(1);
    expect(seen(p).note).toContain('holds another GUID');
    expect(p.warnings.some((w) => w.message.includes('was not applied'))).toBe(true);
  });

  it('link: a deleted patron is not linked', () => {
    const p = run([user], twins(), [item({ action: 'link', patronId: 99 })]);
    expect(seen(p).note).toContain('no longer exists');
  });

  it('create: a new patron despite the secondary key hits; the item closes', () => {
    const p = run([user], twins(), [item({ action: 'create' })]);
    expect(p.counts).toMatchObject({ created: 1, conflicts: 0 });
    expect(p.queue).toEqual([{ kind: 'closed', item: { id: 7, seq: 1 }, note: expect.stringContaining('new patron') }]);
  });

  it('create: never with a barcode another patron holds — the conflict stays and says why', () => {
    const settings = buildSettings({ mapping: { barcode: { kind: 'identifier' }, communityId: { kind: 'none' }, location: 'none' } });
    const u = buildUser({ sourcedId: 'u1', identifier: 'B1', email: 'kim@school.org' });
    const patrons = [buildPatron({ id: 1, barcode: 'B1' }), buildPatron({ id: 2, email: 'kim@school.org' })];
    const p = plan(buildSnapshot({ users: [u] }), patrons, settings, undefined, [item({ cause: 'keys-disagree', action: 'create' })]);
    expect(p.counts).toMatchObject({ created: 0, conflicts: 1 });
    expect(seen(p).note).toContain('barcode is never duplicated');
  });

  it('ignore: quiet (a skip, no conflict) while the fingerprint holds; seen loudly once either side changes', () => {
    const fingerprint = seen(run([user], twins(), [])).fingerprint;
    const quiet = run([user], twins(), [item({ action: 'ignore', fingerprint })]);
    expect(quiet.counts).toMatchObject({ conflicts: 0, skipped: 1 });
    expect(seen(quiet).quiet).toBe(true);

    const changed = twins();
    changed[1] = buildPatron({ ...changed[1]!, barcode: 'new' }); // a key value of the patron side
    const loud = run([user], [...changed, buildPatron({ id: 3, email: 'kim@school.org' })], [item({ action: 'ignore', fingerprint })]);
    expect(loud.counts.conflicts).toBe(1);
    expect(seen(loud).quiet).toBe(false);
  });

  it('a conflict no longer seen closes — but a delta closes only the items of users it read', () => {
    const solved = [buildPatron({ id: 1, email: 'kim@school.org' })];
    const full = run([user], solved, [item()]);
    expect(full.queue).toEqual([{ kind: 'closed', item: { id: 7, seq: 1 }, note: expect.stringContaining('no longer sees') }]);

    const other = buildUser({ sourcedId: 'u2' });
    expect(run([other], solved, [item()], { kind: 'delta' }).queue).toEqual([]);
    expect(run([other], solved, [item()], { complete: false }).queue).toEqual([]);
    // A complete full sync read everyone: a user absent from it left the roster.
    expect(run([other], solved, [item()]).queue).toEqual([
      { kind: 'closed', item: { id: 7, seq: 1 }, note: expect.stringContaining('no longer in the roster') },
    ]);
  });
});
