/**
 * Journal retention (SPEC §3.9's journal is kept ROLLCALL_JOURNAL_RETENTION_DAYS, default 400):
 * the reaper deletes older rows, in every library, and keeps the rest — on SQLite and PostgreSQL.
 */
import { expect, it } from 'vitest';
import { testConfig } from '../src/config/load.ts';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { LocalQueue } from '../src/jobs/local-queue.ts';
import { reapStale } from '../src/jobs/reap-stale.ts';
import type { JobDeps } from '../src/jobs/types.ts';
import type { Store } from '../src/store/store.ts';
import type { SyncDeps } from '../src/sync/ports.ts';
import { describeEachDatabase } from './support/db.ts';

const DAY_MS = 86_400_000;

describeEachDatabase(
  'journal retention',
  (db) => {
    /** A store whose clock the test sets, a patron in each of two libraries, and reaper deps on the same clock. */
    async function setUp(retentionDays?: number) {
      let clock = new Date('2026-06-01T00:00:00.000Z');
      const store: Store = await db.open({ now: () => clock });
      const libs = [await db.newLibrary(), await db.newLibrary()];
      const ids = await Promise.all(
        libs.map(
          async (lib) => (await store.patrons.insertMany(lib.id, [{ ...emptyPatronValues(), guidSource: null, matchedBy: null }]))[0]!,
        ),
      );
      const queue = new LocalQueue({});
      const deps: JobDeps = {
        store,
        // The reaper reads only the clock of the sync dependencies.
        syncDeps: { now: () => clock } as unknown as SyncDeps,
        queue,
        staleAfterMs: 600_000,
        ...(retentionDays === undefined ? {} : { journalRetentionDays: retentionDays }),
      };
      const journalAt = async (at: Date, value: string) => {
        clock = at;
        for (const [i, lib] of libs.entries())
          await store.journal.append(lib.id, {}, [{ patronId: ids[i]!, field: 'level', oldValue: null, newValue: value, kind: 'edit' }]);
      };
      const values = async () =>
        Promise.all(libs.map(async (lib, i) => (await store.journal.history(lib.id, ids[i]!)).items.map((e) => e.newValue)));
      return { deps, queue, journalAt, values, setNow: (d: Date) => void (clock = d) };
    }

    it('keeps 400 days by default: the reaper prunes what is older, in every library', async () => {
      expect(testConfig({}).jobs.journalRetentionDays).toBe(400);
      const s = await setUp();
      const now = new Date('2027-01-01T00:00:00.000Z');
      await s.journalAt(new Date(now.getTime() - 401 * DAY_MS), 'old');
      await s.journalAt(new Date(now.getTime() - 399 * DAY_MS), 'kept');
      s.setNow(now);
      const outcome = await reapStale(s.deps);
      expect(outcome).toMatchObject({ ok: true, detail: '2 journal rows older than 400 days pruned' });
      expect(await s.values()).toEqual([['kept'], ['kept']]);
      // Nothing left to prune: the reaper's quiet outcome.
      expect(await reapStale(s.deps)).toEqual({ ok: true, detail: 'nothing stale', idle: true });
      await s.queue.stop();
    });

    it('follows the configured retention', async () => {
      const s = await setUp(30);
      const now = new Date('2027-01-01T00:00:00.000Z');
      await s.journalAt(new Date(now.getTime() - 31 * DAY_MS), 'old');
      await s.journalAt(new Date(now.getTime() - 29 * DAY_MS), 'kept');
      s.setNow(now);
      await reapStale(s.deps);
      expect(await s.values()).toEqual([['kept'], ['kept']]);
      await s.queue.stop();
    });
  },
  { isolation: 'test' },
);
