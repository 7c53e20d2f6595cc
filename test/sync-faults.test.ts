/**
 * Syncs that go wrong (SPEC §3, §3.4, §3.7), through the store on SQLite and PostgreSQL against
 * the emulator's faults: a pull that dies half-way writes nothing and transfers nobody; an
 * incomplete read applies creates and updates but holds removals back; a sync dying inside its
 * apply transaction leaves patrons as they were; the log names sourcedIds and never a secret.
 */
import { describe, expect, it } from 'vitest';
import { RollcallError } from '../src/domain/errors.ts';
import { STATUS_ACTIVE } from '../src/domain/fields.ts';
import { loadClassLink, saveClassLink } from '../src/sources/classlink/state.ts';
import type { Store } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, usersAt, type SyncFixture } from './support/sync-fixture.ts';

/** The changes of a second sync: one of each kind, all within the default thresholds. */
function mutateOneOfEach(f: SyncFixture): { created: string; updated: string; removed: string; leaving: string } {
  const [updated, removed, leaving] = usersAt(f, 'student', f.schoolIds[0]!).map((u) => u.sourcedId);
  f.emulator.mutate.changeUser(updated!, { familyName: 'Changed' });
  f.emulator.mutate.removeUser(removed!);
  f.emulator.mutate.markToBeDeleted(leaving!);
  f.emulator.mutate.addUser({
    sourcedId: 'stu-new-1',
    role: 'student',
    orgSourcedIds: [f.schoolIds[1]!],
    givenName: 'New',
    familyName: 'Comer',
  });
  return { created: 'stu-new-1', updated: updated!, removed: removed!, leaving: leaving! };
}

/**
 * A store whose apply transaction dies at its second write: patrons.insertMany runs (inside
 * the transaction), then patrons.updateMany throws as a database dropping mid-apply would.
 */
function dyingMidApply(store: Store, calls: string[]): Store {
  return {
    ...store,
    transaction: (work) =>
      store.transaction((tx) =>
        work({
          ...tx,
          patrons: {
            ...tx.patrons,
            insertMany: async (lib, rows) => {
              calls.push('insertMany');
              return tx.patrons.insertMany(lib, rows);
            },
            updateMany: async () => {
              calls.push('updateMany');
              throw new RollcallError('store_failed', 'The database connection was lost while writing patrons.');
            },
          },
        }),
      ),
  };
}

describeEachDatabase('sync: faults', (db) => {
  const setUp = syncFixtures(db);

  describe('a pull that dies half-way (SPEC §3 "Nothing is written to patrons before phase 3")', () => {
    it('transfers nobody, writes nothing and ends failed with a one-line reason', async () => {
      const f = await setUp();
      const start = f.emulator.requestCount();
      await f.sync('full');
      const requestsPerSync = f.emulator.requestCount() - start;
      expect(requestsPerSync).toBeGreaterThan(4);
      const watermark = (await loadClassLink(f.store, f.libraryId)).settings.lastSuccessAt;
      const before = await f.patrons();
      const revision = await f.revision();
      mutateOneOfEach(f);

      f.emulator.setFaults({ failAfter: { requests: Math.floor(requestsPerSync / 2), status: 503 } });
      const outcome = await f.sync('full');
      expect(outcome.alreadyRunning).toBe(false);
      expect(outcome.complete).toBe(false);
      expect(outcome.operation.state).toBe('failed');
      expect(outcome.operation.error).not.toBe('');
      expect(outcome.operation.error).not.toMatch(/\n/);
      expect(outcome.operation.error).toMatch(/503|unavailable|server/i);
      expect(outcome.operation.counts).toMatchObject({ created: 0, updated: 0, transferred: 0 });
      expect(await f.patrons()).toEqual(before);
      expect(await f.revision()).toBe(revision);
      expect((await loadClassLink(f.store, f.libraryId)).settings.lastSuccessAt).toBe(watermark);
      const errors = (await f.log(outcome.operation.id)).filter((l) => l.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toContain(outcome.operation.error);

      // Once the server is well again, the next sync does the work.
      f.emulator.setFaults({});
      const healed = await f.sync('full');
      expect(healed.operation.counts).toMatchObject({ created: 1, updated: 1, transferred: 2 });
    });
  });

  describe('an incomplete read (SPEC §3.4)', () => {
    it('applies creates and updates, transfers nobody, and says loudly that removals were held back', async () => {
      const f = await setUp();
      await f.sync('full');
      const m = mutateOneOfEach(f);

      // From the second request on, the declared totals are off: every page still arrives.
      f.emulator.setFaults({ driftTotals: { afterRequests: 2, by: 3 } });
      const outcome = await f.sync('full');
      expect(outcome.complete).toBe(false);
      expect(outcome.operation.complete).toBe(false);
      expect(outcome.operation.state).toBe('succeeded_with_warnings');
      expect(outcome.operation.counts).toMatchObject({ created: 1, updated: 1, transferred: 0 });
      expect(await f.patronByGuid(m.created)).toMatchObject({ status: STATUS_ACTIVE, lastName: 'Comer' });
      expect(await f.patronByGuid(m.updated)).toMatchObject({ lastName: 'Changed' });
      expect((await f.patronByGuid(m.removed))!.status).toBe(STATUS_ACTIVE);
      expect((await f.patronByGuid(m.leaving))!.status).toBe(STATUS_ACTIVE);
      expect(outcome.operation.summary).toMatch(/held back/i);
      const log = await f.log(outcome.operation.id);
      expect(log.some((l) => l.level === 'warning' && /removals held back/i.test(l.message))).toBe(true);
      expect(log.some((l) => l.sourcedId === m.leaving && /held back/i.test(l.message))).toBe(true);
    });
  });

  describe('a sync dying before commit (SPEC §3 "Apply the plan in one transaction")', () => {
    it('leaves patrons exactly as they were and the operation failed', async () => {
      const f = await setUp();
      await f.sync('full');
      const before = await f.patrons();
      const revision = await f.revision();
      const stamps = await f.stamps();
      const watermark = (await loadClassLink(f.store, f.libraryId)).settings.lastSuccessAt;
      const m = mutateOneOfEach(f);

      const calls: string[] = [];
      const outcome = await f.sync('full', { deps: { ...f.deps, store: dyingMidApply(f.store, calls) } });
      // The creates were written inside the transaction before it died: they must be gone.
      expect(calls).toEqual(['insertMany', 'updateMany']);
      expect(outcome.operation.state).toBe('failed');
      expect(outcome.operation.error).toMatch(/connection was lost/);
      expect(await f.patronByGuid(m.created)).toBeUndefined();
      expect(await f.patrons()).toEqual(before);
      expect(await f.revision()).toBe(revision);
      expect(await f.stamps()).toEqual(stamps);
      expect((await loadClassLink(f.store, f.libraryId)).settings.lastSuccessAt).toBe(watermark);
    });
  });

  describe('the operation log (SPEC §3.7)', () => {
    it('has lines naming the sourcedIds concerned and never the client secret', async () => {
      const f = await setUp();
      const { operation } = await f.sync('full');
      const log = await f.log(operation.id);
      const named = new Set(log.map((l) => l.sourcedId).filter((s) => s !== ''));
      for (const u of f.expectedInScope()) expect(named.has(u.sourcedId), u.sourcedId).toBe(true);
      const secret = f.emulator.credentials.clientSecret;
      expect(secret.length).toBeGreaterThan(8);
      for (const l of log) expect(l.message).not.toContain(secret);
      expect(operation.summary).not.toContain(secret);
    });

    it('a refused secret fails the sync with a plain reason that does not quote it', async () => {
      const f = await setUp();
      const secret = 'wrong-secret-4f1c9a';
      const state = await loadClassLink(f.store, f.libraryId);
      await saveClassLink(f.store, f.libraryId, { settings: state.settings, secrets: { clientSecret: secret } });
      const { operation } = await f.sync('full');
      expect(operation.state).toBe('failed');
      expect(operation.error).toMatch(/refused|credentials|secret/i);
      expect(operation.error).not.toContain(secret);
      for (const l of await f.log(operation.id)) expect(l.message).not.toContain(secret);
      expect(await f.patrons()).toEqual([]);
    });
  });

  describe('faults the client rides out', () => {
    it('a pull with 429s and 503s along the way still reads everything', async () => {
      // Sparse enough that no request meets a fault on every one of its attempts.
      const f = await setUp({ faults: { rateLimit: { every: 5, retryAfterSeconds: 0 }, serverError: { every: 7, status: 503 } } });
      const start = f.emulator.requestCount();
      const outcome = await f.sync('full');
      expect(outcome.operation.error).toBe('');
      expect(f.emulator.requestCount() - start).toBeGreaterThan(7);
      expect(outcome.complete).toBe(true);
      expect(outcome.operation.state).toMatch(/^succeeded/);
      expect((await f.patrons()).map((p) => p.guid).sort()).toEqual(
        f
          .expectedInScope()
          .map((u) => u.sourcedId)
          .sort(),
      );
    });
  });
});
