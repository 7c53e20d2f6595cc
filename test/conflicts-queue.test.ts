/**
 * The conflict queue (SPEC §3.9) through real syncs against the emulator, on SQLite and
 * PostgreSQL: each conflict becomes one item however often it is seen; a link is matched by the
 * next sync and the item closes; an ignored conflict stays quiet until its data changes; a
 * conflict that disappears closes; bad resolutions are refused with the reason; of two people
 * resolving one item, one wins and the other is told.
 */
import { expect, it } from 'vitest';
import type { RosterUser } from '../src/domain/roster.ts';
import { conflictList } from '../src/presenters/conflict-pages.ts';
import { resolveConflict } from '../src/services/conflicts/resolve-conflict.ts';
import { approveOperation } from '../src/sync/review.ts';
import { caught } from './support/caught.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, type SyncFixture } from './support/sync-fixture.ts';

/** A student of a matched school with an email. */
function student(f: SyncFixture, skip = 0): RosterUser {
  return f.expectedInScope(['student']).filter((u) => u.email !== '')[skip]!;
}

/** Two imported patrons sharing the user's email (no GUID): "one key points at several patrons". */
async function twins(f: SyncFixture, u: RosterUser) {
  const one = await f.addPatron({ email: u.email, firstName: 'Twin', lastName: 'One', barcode: 'T-1', site: 'ES', policy: 'Student' });
  const two = await f.addPatron({
    email: u.email.toUpperCase(),
    firstName: 'Twin',
    lastName: 'Two',
    barcode: 'T-2',
    site: 'ES',
    policy: 'Student',
  });
  return { one, two };
}

describeEachDatabase('conflicts: the queue', (db) => {
  const setUp = syncFixtures(db);

  it('a conflict is one item however often it is seen; resolved by linking, the next sync matches it and the item closes', async () => {
    const f = await setUp();
    const u = student(f);
    const { one, two } = await twins(f, u);

    const first = await f.sync('full');
    expect(first.operation.counts.conflicts).toBe(1);
    const second = await f.sync('full');
    const [item, ...more] = await f.store.conflicts.list(f.libraryId, { states: ['open'] }).then((p) => p.items);
    expect(more).toEqual([]);
    expect(item).toMatchObject({ sourcedId: u.sourcedId, cause: 'key-shared', state: 'open', seenCount: 2 });
    expect(item).toMatchObject({ firstOperationId: first.operation.id, lastOperationId: second.operation.id });
    expect(await f.store.conflicts.countOpen(f.libraryId)).toBe(1);

    // Both sides, side by side; SPEC §8's keys.
    const [shown] = (await conflictList(f.store, f.libraryId, 'open')).items;
    expect(shown).toMatchObject({ id: item!.id, operation: second.operation.id, sourcedId: u.sourcedId });
    expect(shown!.patrons.map((p) => [p.id, p.barcode, p.firstName, p.lastName])).toEqual([
      [one.id, 'T-1', 'Twin', 'One'],
      [two.id, 'T-2', 'Twin', 'Two'],
    ]);
    expect(shown!.user.keys).toEqual([{ label: 'Email', value: u.email.toLowerCase() }]);

    await resolveConflict(f.store, f.libraryId, item!.id, { action: 'link', barcode: 'T-2' }, 'alice');
    // Not before the next sync: "a resolution takes effect on the next sync".
    expect((await f.store.patrons.get(f.libraryId, two.id))!.guid).toBe('');

    const third = await f.sync('full');
    expect(third.operation.counts.conflicts).toBe(0);
    expect(await f.store.patrons.get(f.libraryId, two.id)).toMatchObject({
      guid: u.sourcedId,
      matchedBy: 'linked',
      guidSource: 'classlink',
    });
    expect(await f.store.patrons.get(f.libraryId, one.id)).toMatchObject({ guid: '' });
    const closed = (await f.store.conflicts.get(f.libraryId, item!.id))!;
    expect(closed).toMatchObject({ state: 'closed', closedOperationId: third.operation.id });
    expect(closed.note).toContain(`linked to patron #${two.id}`);
    const journal = await f.store.conflicts.journal(f.libraryId, item!.id);
    expect(journal.map((j) => [j.action, j.by, j.patronId])).toEqual([
      ['link', 'alice', two.id],
      ['closed', `sync #${third.operation.id}`, null],
    ]);

    // And after: matched by GUID, no conflict, no new item.
    const fourth = await f.sync('full');
    expect(fourth.operation.counts).toMatchObject({ conflicts: 0, created: 0, updated: 0 });
    expect(await f.store.conflicts.countOpen(f.libraryId)).toBe(0);
  });

  it('an ignored conflict stays quiet until its data changes, then it is open again', async () => {
    const f = await setUp();
    const u = student(f);
    await twins(f, u);
    await f.sync('full');
    const [item] = (await f.store.conflicts.list(f.libraryId)).items;
    await resolveConflict(f.store, f.libraryId, item!.id, { action: 'ignore' }, 'bob');

    const quiet = await f.sync('full');
    expect(quiet.operation.counts.conflicts).toBe(0);
    expect((await f.log(quiet.operation.id)).filter((l) => l.level === 'warning' && l.sourcedId === u.sourcedId)).toEqual([]);
    expect(await f.store.conflicts.get(f.libraryId, item!.id)).toMatchObject({ state: 'ignored', seenCount: 2 });
    expect(await f.store.conflicts.countOpen(f.libraryId)).toBe(0);

    // A third patron with the same email: the patron side changed.
    await f.addPatron({ email: u.email, firstName: 'Third', lastName: 'Twin', policy: 'Student' });
    const loud = await f.sync('full');
    expect(loud.operation.counts.conflicts).toBe(1);
    const reopened = (await f.store.conflicts.get(f.libraryId, item!.id))!;
    expect(reopened).toMatchObject({ state: 'open', action: 'none', seenCount: 3 });
    expect(reopened.note).toContain('data changed');
  });

  it('a conflict that disappears closes; an item of a user who left the roster closes and cannot be resolved', async () => {
    const f = await setUp();
    const u = student(f);
    const v = student(f, 1);
    const { one } = await twins(f, u);
    await twins(f, v);
    await f.sync('full');
    const items = (await f.store.conflicts.list(f.libraryId)).items;
    const itemOf = (id: string) => items.find((i) => i.sourcedId === id)!;

    // u's conflict goes away (one of the twins has another email now); v leaves the roster.
    await f.editPatron(one.id, { email: 'someone.else@example.org' });
    f.emulator.mutate.removeUser(v.sourcedId);
    const after = await f.sync('full');
    expect(after.operation.counts.conflicts).toBe(0);
    expect(await f.store.conflicts.get(f.libraryId, itemOf(u.sourcedId).id)).toMatchObject({
      state: 'closed',
      note: expect.stringContaining('no longer sees'),
    });
    const left = (await f.store.conflicts.get(f.libraryId, itemOf(v.sourcedId).id))!;
    expect(left).toMatchObject({ state: 'closed', note: expect.stringContaining('no longer in the roster') });

    const refused = await caught(resolveConflict(f.store, f.libraryId, left.id, { action: 'create' }, 'alice'));
    expect(refused).toMatchObject({ kind: 'conflict', message: expect.stringContaining('no longer in the roster') });
  });

  it('a dry run leaves the queue as it is; a plan held for review enters it when approved', async () => {
    const f = await setUp({ settings: (s) => void (s.thresholds.maxUpdatePct = 0) });
    const u = student(f);
    const w = student(f, 1);
    await twins(f, u);
    // One imported patron holding another student's GUID, with another name: an update, past 0%.
    await f.addPatron({ guid: w.sourcedId, firstName: 'Old', lastName: 'Name', site: 'ES', policy: 'Student' });

    const dry = await f.sync('full', { dryRun: true });
    expect(dry.operation.counts.conflicts).toBe(1);
    expect((await f.store.conflicts.list(f.libraryId)).total).toBe(0);

    const held = await f.sync('full');
    expect(held.operation.state).toBe('needs_review');
    expect((await f.store.conflicts.list(f.libraryId)).total).toBe(0);
    const approved = await approveOperation(f.deps, f.libraryId, held.operation.id, 'admin');
    expect(approved.state).toMatch(/^succeeded/);
    expect((await f.store.conflicts.list(f.libraryId)).items).toEqual([
      expect.objectContaining({ sourcedId: u.sourcedId, state: 'open', firstOperationId: held.operation.id }),
    ]);
  });

  it('a delta closes only the items of users it read', async () => {
    const f = await setUp();
    const u = student(f);
    const v = student(f, 1);
    const a = await twins(f, u);
    const b = await twins(f, v);
    await f.sync('full');
    // Both conflicts are gone from the patrons' side; only u changes in the roster.
    await f.editPatron(a.one.id, { email: 'other-1@example.org' });
    await f.editPatron(b.one.id, { email: 'other-2@example.org' });
    f.advance(60 * 60_000);
    f.emulator.mutate.changeUser(u.sourcedId, { familyName: 'Changed' });
    await f.sync('delta');
    const states = new Map((await f.store.conflicts.list(f.libraryId)).items.map((i) => [i.sourcedId, i.state]));
    expect(states.get(u.sourcedId)).toBe('closed');
    expect(states.get(v.sourcedId)).toBe('open');
  });

  it("create: the next sync creates a new patron despite the key hits; never with another patron's barcode", async () => {
    const f = await setUp({ settings: (s) => void (s.mapping.barcode = { kind: 'identifier' }) });
    const u = f.expectedInScope(['student']).filter((x) => x.email !== '' && x.identifier !== '')[0]!;
    const v = f.expectedInScope(['student']).filter((x) => x.email !== '' && x.identifier !== '')[1]!;
    await twins(f, u);
    // v's Barcode is one patron's and its Email another's: keys disagree.
    await f.addPatron({ barcode: v.identifier, firstName: 'Bar', policy: 'Student' });
    await f.addPatron({ email: v.email, firstName: 'Mail', policy: 'Student' });
    await f.sync('full');
    const items = (await f.store.conflicts.list(f.libraryId)).items;
    const ofU = items.find((i) => i.sourcedId === u.sourcedId)!;
    const ofV = items.find((i) => i.sourcedId === v.sourcedId)!;

    const refused = await caught(resolveConflict(f.store, f.libraryId, ofV.id, { action: 'create' }, 'alice'));
    expect(refused).toMatchObject({ kind: 'conflict', message: expect.stringContaining('would duplicate it') });
    expect(await f.store.conflicts.get(f.libraryId, ofV.id)).toMatchObject({ state: 'open' });

    await resolveConflict(f.store, f.libraryId, ofU.id, { action: 'create' }, 'alice');
    const next = await f.sync('full');
    expect(next.operation.counts).toMatchObject({ created: 1, conflicts: 1 });
    expect(await f.patronByGuid(u.sourcedId)).toMatchObject({ matchedBy: 'created', email: u.email });
    expect(await f.store.conflicts.get(f.libraryId, ofU.id)).toMatchObject({ state: 'closed' });
  });

  it('refuses a link to a patron that holds another GUID, or that does not exist, with the reason', async () => {
    const f = await setUp();
    const u = student(f);
    await twins(f, u);
    const taken = await f.addPatron({ guid: 'someone-else', barcode: 'HELD', policy: 'Student' });
    await f.sync('full');
    const [item] = (await f.store.conflicts.list(f.libraryId)).items;
    expect(await caught(resolveConflict(f.store, f.libraryId, item!.id, { action: 'link', barcode: 'HELD' }, 'a'))).toMatchObject({
      kind: 'conflict',
      message: expect.stringContaining(`#${taken.id} already holds another GUID`),
    });
    expect(await caught(resolveConflict(f.store, f.libraryId, item!.id, { action: 'link', patronId: 999_999 }, 'a'))).toMatchObject({
      kind: 'not_found',
    });
    expect(await caught(resolveConflict(f.store, f.libraryId, item!.id, { action: 'link', barcode: 'NOPE' }, 'a'))).toMatchObject({
      kind: 'not_found',
      message: 'No patron has the Barcode NOPE.',
    });
    expect(await f.store.conflicts.get(f.libraryId, item!.id)).toMatchObject({ state: 'open', seq: 0 });
  });

  it('refuses a new patron for a user whose GUID a patron took since (that is its record)', async () => {
    const f = await setUp();
    const u = student(f);
    await twins(f, u);
    await f.sync('full');
    const [item] = (await f.store.conflicts.list(f.libraryId)).items;
    // An admin typed the user's GUID on a patron of their own meanwhile.
    const own = await f.addPatron({ firstName: 'Typed', lastName: 'By Hand', policy: 'Student' });
    await f.editPatron(own.id, { guid: u.sourcedId });
    expect(await caught(resolveConflict(f.store, f.libraryId, item!.id, { action: 'create' }, 'a'))).toMatchObject({
      kind: 'conflict',
      message: expect.stringContaining(`#${own.id} already holds this user's GUID`),
    });
  });

  it('two people resolving one conflict at once: one wins, the other is told who did what', async () => {
    const f = await setUp();
    const u = student(f);
    const v = student(f, 1);
    const { two } = await twins(f, u);
    await twins(f, v);
    await f.sync('full');
    const [item] = (await f.store.conflicts.list(f.libraryId, { sourcedId: u.sourcedId })).items;
    const results = await Promise.allSettled([
      resolveConflict(f.store, f.libraryId, item!.id, { action: 'link', patronId: two.id }, 'alice'),
      resolveConflict(f.store, f.libraryId, item!.id, { action: 'ignore' }, 'bob'),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const stored = (await f.store.conflicts.get(f.libraryId, item!.id))!;
    expect(lost[0]!.reason).toMatchObject({
      kind: 'conflict',
      message: expect.stringContaining(`already resolved by ${stored.resolvedBy}`),
    });
    expect(await f.store.conflicts.journal(f.libraryId, item!.id)).toHaveLength(1);

    // The store's compare-and-set alone (no check before it): still exactly one.
    const again = (await f.store.conflicts.list(f.libraryId, { sourcedId: v.sourcedId })).items[0]!;
    const outcomes = await Promise.all([
      f.store.conflicts.resolve(f.libraryId, again.id, { action: 'create', patronId: null, by: 'carol' }),
      f.store.conflicts.resolve(f.libraryId, again.id, { action: 'ignore', patronId: null, by: 'dan' }),
    ]);
    expect(outcomes.map((o) => o.ok).sort()).toEqual([false, true]);
    expect(outcomes.every((o) => o.item.resolvedBy === outcomes.find((x) => x.ok)!.item.resolvedBy)).toBe(true);
  });

  it('a resolution made while a sync runs is not undone by that sync', async () => {
    const f = await setUp();
    const u = student(f);
    await twins(f, u);
    await f.sync('full');
    const [item] = (await f.store.conflicts.list(f.libraryId)).items;
    // What a sync planned before the resolution records afterwards: it saw the item open (seq 0).
    await resolveConflict(f.store, f.libraryId, item!.id, { action: 'ignore' }, 'bob');
    const stale = { id: item!.id, seq: 0 };
    await f.store.conflicts.recordSync(f.libraryId, 'classlink', 999, [
      {
        kind: 'seen',
        sourcedId: u.sourcedId,
        cause: 'key-shared',
        fingerprint: 'x',
        quiet: false,
        detail: item!.detail,
        item: stale,
        note: '',
      },
      { kind: 'closed', item: stale, note: 'gone' },
    ]);
    expect(await f.store.conflicts.get(f.libraryId, item!.id)).toMatchObject({ state: 'ignored', seenCount: 2 });
    // A plan made before the item existed (held for review, approved late) does not reopen it either.
    await f.store.conflicts.recordSync(f.libraryId, 'classlink', 1000, [
      {
        kind: 'seen',
        sourcedId: u.sourcedId,
        cause: 'key-shared',
        fingerprint: 'y',
        quiet: false,
        detail: item!.detail,
        item: null,
        note: '',
      },
    ]);
    expect(await f.store.conflicts.get(f.libraryId, item!.id)).toMatchObject({ state: 'ignored', seenCount: 3 });
  });
});
