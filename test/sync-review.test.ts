/**
 * Safety thresholds and review (SPEC §3.5) and one sync per library at a time (§3.7), through
 * the store on SQLite and PostgreSQL against the emulator.
 */
import { describe, expect, it } from 'vitest';
import { isRollcallError } from '../src/domain/errors.ts';
import { STATUS_ACTIVE, STATUS_TRANSFERRED } from '../src/domain/fields.ts';
import { approveOperation, rejectOperation } from '../src/sync/review.ts';
import { OPERATION_TYPES } from '../src/domain/operation.ts';
import { STALE_AFTER_MS } from '../src/sync/run.ts';
import { describeEachDatabase } from './support/db.ts';
import { addLocalPatrons, syncFixtures, type SyncFixture } from './support/sync-fixture.ts';

/** Renames the first `n` in-scope users in the roster; returns their sourcedIds. */
function renameMany(f: SyncFixture, n: number): string[] {
  const ids = f
    .expectedInScope()
    .slice(0, n)
    .map((u) => u.sourcedId);
  for (const id of ids) f.emulator.mutate.changeUser(id, { familyName: `Renamed-${id}` });
  return ids;
}

/** More than the default 50% of the fixture's in-scope patrons. */
function overHalf(f: SyncFixture): number {
  return Math.floor(f.expectedInScope().length / 2) + 1;
}

describeEachDatabase('sync: review and one at a time', (db) => {
  const setUp = syncFixtures(db);

  describe('thresholds (SPEC §3.5)', () => {
    it('stops a plan updating more than 50% in needs review: plan stored, nothing written', async () => {
      const f = await setUp();
      await f.sync('full');
      const before = await f.patrons();
      const revision = await f.revision();
      const renamed = renameMany(f, overHalf(f));

      const { operation } = await f.sync('full');
      expect(operation.state).toBe('needs_review');
      expect(operation.counts.updated).toBe(renamed.length);
      expect(operation.summary).toMatch(/^Stopped for review: .*would be updated; the limit is 50%/);
      expect(operation.summary).not.toMatch(/rollcall/);
      expect(await f.patrons()).toEqual(before);
      expect(await f.revision()).toBe(revision);
      const updates = await f.store.operations.changes(f.libraryId, operation.id, { kind: 'update' });
      expect(updates.items.map((c) => c.sourcedId).sort()).toEqual([...renamed].sort());
      const log = await f.log(operation.id);
      expect(log.some((l) => l.level === 'warning' && /would be updated; the limit is 50%/.test(l.message))).toBe(true);
    });

    it('stops a plan transferring more than 10% in needs review', async () => {
      const f = await setUp();
      await f.sync('full');
      const n = Math.floor(f.expectedInScope().length / 10) + 1;
      const gone = f
        .expectedInScope(['student'])
        .slice(0, n)
        .map((u) => u.sourcedId);
      for (const id of gone) f.emulator.mutate.removeUser(id);

      const { operation } = await f.sync('full');
      expect(operation.state).toBe('needs_review');
      expect(operation.counts.transferred).toBe(n);
      for (const id of gone) expect((await f.patronByGuid(id))!.status).toBe(STATUS_ACTIVE);
    });

    it('local patrons never dilute the transfer threshold: a full sync losing 10%+ of the synced ones stops, said in words', async () => {
      const f = await setUp();
      await f.sync('full');
      const synced = f.expectedInScope().length;
      // Many more patrons no sync owns, of the same Policies and sites: in scope, but not the sync's to transfer.
      const local = 20 * synced;
      await addLocalPatrons(f, local);
      const n = Math.floor(synced / 10) + 1;
      // Against every in-scope patron (the old measure) it would be far under 10%.
      expect(n * 100).toBeLessThan(10 * (synced + local));
      const gone = f
        .expectedInScope(['student'])
        .slice(0, n)
        .map((u) => u.sourcedId);
      for (const id of gone) f.emulator.mutate.removeUser(id);

      const { operation } = await f.sync('full');
      expect(operation.state).toBe('needs_review');
      expect(operation.counts.transferred).toBe(n);
      const words = `${n} of ${synced} patrons synced from ClassLink`;
      expect(operation.summary).toContain(`${words} (`);
      expect(operation.summary).toMatch(/would be transferred; the limit is 10%\./);
      expect(
        (await f.log(operation.id)).filter((l) => l.level === 'warning' && l.message.startsWith(`Needs review: ${words} (`)),
      ).toHaveLength(1);
      for (const id of gone) expect((await f.patronByGuid(id))!.status).toBe(STATUS_ACTIVE);

      // Approved as stored: the synced leavers are transferred; no local patron is touched.
      const locals = (await f.patrons()).filter((p) => p.firstName === 'Local');
      const done = await approveOperation(f.deps, f.libraryId, operation.id, 'librarian');
      expect(done.state).toMatch(/^succeeded/);
      for (const id of gone) expect((await f.patronByGuid(id))!.status).toBe(STATUS_TRANSFERRED);
      expect((await f.patrons()).filter((p) => p.firstName === 'Local')).toEqual(locals);
    });

    it('a delta whose tobedeleted users are past 10% of the synced patrons stops too, among many local patrons', async () => {
      const f = await setUp();
      await f.sync('full');
      const synced = f.expectedInScope().length;
      await addLocalPatrons(f, 20 * synced);
      const n = Math.floor(synced / 10) + 1;
      const leaving = f
        .expectedInScope(['student'])
        .slice(0, n)
        .map((u) => u.sourcedId);
      for (const id of leaving) f.emulator.mutate.markToBeDeleted(id);

      const { operation } = await f.sync('delta');
      expect(operation.type).toBe(OPERATION_TYPES.delta);
      expect(operation.state).toBe('needs_review');
      expect(operation.counts.transferred).toBe(n);
      expect(operation.summary).toContain(`${n} of ${synced} patrons synced from ClassLink (`);
      for (const id of leaving) expect((await f.patronByGuid(id))!.status).toBe(STATUS_ACTIVE);

      // A librarian edits a patron meanwhile: approval reads and plans again (past the threshold
      // again, but no bigger than what was approved), then applies.
      const local = (await f.patrons()).find((p) => p.firstName === 'Local')!;
      await f.editPatron(local.id, { nickname: 'Edited meanwhile' });
      const done = await approveOperation(f.deps, f.libraryId, operation.id, 'librarian');
      expect(done.state).toMatch(/^succeeded/);
      expect(done.counts.transferred).toBe(n);
      for (const id of leaving) expect((await f.patronByGuid(id))!.status).toBe(STATUS_TRANSFERRED);
      expect((await f.log(operation.id)).some((l) => /planning again/i.test(l.message))).toBe(true);
      expect(
        (await f.log(operation.id)).some(
          (l) => l.message.includes(`${n} of ${synced} patrons synced from ClassLink (`) && /within what was approved/.test(l.message),
        ),
      ).toBe(true);
    });

    it('thresholds are settings: a higher limit lets the same plan through', async () => {
      const f = await setUp();
      await f.sync('full');
      renameMany(f, overHalf(f));
      await f.configure((s) => void (s.thresholds.maxUpdatePct = 100));
      const { operation } = await f.sync('full');
      expect(operation.state).toMatch(/^succeeded/);
    });
  });

  describe('approve and reject', () => {
    it('approving applies the held plan', async () => {
      const f = await setUp();
      await f.sync('full');
      const renamed = renameMany(f, overHalf(f));
      const held = (await f.sync('full')).operation;

      const done = await approveOperation(f.deps, f.libraryId, held.id, 'librarian');
      expect(done.state).toMatch(/^succeeded/);
      expect(done.id).toBe(held.id);
      for (const id of renamed) expect((await f.patronByGuid(id))!.lastName).toBe(`Renamed-${id}`);
      expect((await f.log(held.id)).some((l) => l.message.includes('Approved by librarian'))).toBe(true);
      // Applied means it counts as the last success: the next full sync has nothing to do.
      const next = await f.sync('full');
      expect(next.operation.counts).toMatchObject({ updated: 0, created: 0, transferred: 0 });
    });

    it('approving after patrons changed re-reads and re-plans, then applies', async () => {
      const f = await setUp();
      await f.sync('full');
      const renamed = renameMany(f, overHalf(f));
      const held = (await f.sync('full')).operation;
      // A librarian edits a patron while the plan waits: the stored plan is stale.
      const edited = (await f.patronByGuid(renamed[0]!))!;
      await f.editPatron(edited.id, { nickname: 'Edited meanwhile', lastName: 'Typed by hand' });

      const done = await approveOperation(f.deps, f.libraryId, held.id, 'librarian');
      expect(done.state).toMatch(/^succeeded/);
      expect((await f.log(held.id)).some((l) => /planning again/i.test(l.message))).toBe(true);
      expect(await f.patronByGuid(renamed[0]!)).toMatchObject({ lastName: `Renamed-${renamed[0]}`, nickname: 'Edited meanwhile' });
      for (const id of renamed) expect((await f.patronByGuid(id))!.lastName).toBe(`Renamed-${id}`);
    });

    it('approving a stale plan that has grown since stops for review again', async () => {
      const f = await setUp();
      await f.sync('full');
      const renamed = renameMany(f, overHalf(f));
      const held = (await f.sync('full')).operation;
      const extra = f.expectedInScope()[renamed.length]!.sourcedId;
      f.emulator.mutate.changeUser(extra, { familyName: 'One-More' });
      const edited = (await f.patronByGuid(renamed[0]!))!;
      await f.editPatron(edited.id, { nickname: 'Bump' });
      const before = await f.patrons();

      const again = await approveOperation(f.deps, f.libraryId, held.id, 'librarian');
      expect(again.state).toBe('needs_review');
      expect(again.counts.updated).toBe(renamed.length + 1);
      expect(await f.patrons()).toEqual(before);
    });

    it('rejecting discards the plan: nothing written, the operation failed with the reason', async () => {
      const f = await setUp();
      await f.sync('full');
      renameMany(f, overHalf(f));
      const held = (await f.sync('full')).operation;
      const before = await f.patrons();

      const done = await rejectOperation(f.deps, f.libraryId, held.id, 'librarian');
      expect(done.state).toBe('rejected');
      expect(done.error).toBe('');
      expect(done.summary).toBe('Rejected by librarian: the plan was discarded and nothing was written.');
      expect(done.finishedAt).not.toBeNull();
      expect(await f.patrons()).toEqual(before);
      expect((await f.store.operations.changes(f.libraryId, held.id)).total).toBe(0);
      await expect(approveOperation(f.deps, f.libraryId, held.id, 'librarian')).rejects.toSatisfy((e) => isRollcallError(e, 'conflict'));
    });

    it('a dry run cannot be approved', async () => {
      const f = await setUp();
      const dry = (await f.sync('full', { dryRun: true })).operation;
      await expect(approveOperation(f.deps, f.libraryId, dry.id, 'librarian')).rejects.toSatisfy((e) => isRollcallError(e, 'conflict'));
    });
  });

  describe('one sync per library at a time (SPEC §3.7)', () => {
    it('returns the operation already queued instead of starting another', async () => {
      const f = await setUp();
      const queued = await f.store.operations.create(f.libraryId, {
        type: OPERATION_TYPES.full,
        source: 'classlink',
        requestedBy: 'schedule',
      });
      const outcome = await f.sync('full');
      expect(outcome.alreadyRunning).toBe(true);
      expect(outcome.operation.id).toBe(queued.operation.id);
      expect(await f.patrons()).toEqual([]);
    });

    it('a sync whose process died (no sign of life for STALE_AFTER_MS) is marked failed, and the new one runs', async () => {
      const f = await setUp();
      const dead = (await f.store.operations.create(f.libraryId, { type: OPERATION_TYPES.full, source: 'classlink', requestedBy: 'cli' }))
        .operation;
      await f.store.operations.start(f.libraryId, dead.id);
      // Still alive a moment later: it is returned, not replaced.
      expect((await f.sync('full')).alreadyRunning).toBe(true);
      f.advance(STALE_AFTER_MS + 60_000);
      const outcome = await f.sync('full');
      expect(outcome.alreadyRunning).toBe(false);
      expect(outcome.operation.id).not.toBe(dead.id);
      expect(outcome.operation.state).toBe('succeeded');
      const ended = await f.operation(dead.id);
      expect(ended.state).toBe('failed');
      expect(ended.error).toMatch(/^The process running this sync stopped \(no sign of life since .+\); nothing was applied\.$/);
      expect(await f.patrons()).toHaveLength(f.expectedInScope().length);
    });

    it('an approval waits its turn: refused while another sync of the library is active', async () => {
      const f = await setUp();
      await f.sync('full');
      renameMany(f, overHalf(f));
      const held = (await f.sync('full')).operation;
      await f.store.operations.create(f.libraryId, { type: OPERATION_TYPES.delta, source: 'classlink', requestedBy: 'schedule' });
      await expect(approveOperation(f.deps, f.libraryId, held.id, 'librarian')).rejects.toSatisfy((e) => isRollcallError(e, 'conflict'));
      expect((await f.operation(held.id)).state).toBe('needs_review');
    });

    it('two syncs asked for at once, from two store connections (two workers), run once', async () => {
      const f = await setUp();
      const worker2 = { ...f.deps, store: await db.open() };
      const [a, b] = await Promise.all([f.sync('full'), f.sync('full', { deps: worker2 })]);
      expect([a.alreadyRunning, b.alreadyRunning].sort()).toEqual([false, true]);
      expect(a.operation.id).toBe(b.operation.id);
      expect(await f.patrons()).toHaveLength(f.expectedInScope().length);
      expect(await f.store.operations.list(f.libraryId)).toHaveLength(1);
    });
  });
});
