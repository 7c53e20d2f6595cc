/**
 * The change feed on PostgreSQL when two transactions write one library at once. Identity
 * values are handed out at insert, not at commit: without care, a transaction that inserted
 * first (a smaller id) could commit after one that inserted later, and a consumer that read the
 * later one in between would save a cursor past the earlier and never see it. The journal's
 * append holds the library's row lock until commit (store/journal.ts), so the second writer
 * waits, and ids follow commit order. Here T1 appends and stays open, T2 tries to append and
 * commit, a consumer reads in between, then T1 commits: each change arrives once, T1's first.
 * (Without the lock T2 commits first, the consumer's cursor passes T1's row, and T1's change is
 * never delivered: this test fails.)
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import { readChanges } from '../src/services/feed/read-changes.ts';
import type { PatronWrite } from '../src/store/store.ts';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { describeEachDatabase } from './support/db.ts';

describeEachDatabase(
  'change feed: transactions committing out of order',
  (db) => {
    it('a change committed after a later-started one is still delivered once, in commit order', async () => {
      const store = db.store();
      const lib = await db.newLibrary();
      const row = (lastName: string): PatronWrite => ({ ...emptyPatronValues(), lastName, status: 1, guidSource: null, matchedBy: null });
      const [a, b] = await store.patrons.insertMany(lib.id, [row('First'), row('Second')]);
      const seen: string[] = [];
      let cursor: string | undefined;
      const follow = async () => {
        for (;;) {
          const page = await readChanges(store, lib.id, { after: cursor, limit: 10 });
          for (const e of page.changes) seen.push(`${e.patron}:${String(e.values.lastName)}`);
          cursor = page.next;
          if (!page.more) return;
        }
      };
      await follow();
      seen.length = 0;

      let releaseT1!: () => void;
      const t1Holds = new Promise<void>((resolve) => {
        releaseT1 = resolve;
      });
      let t1Appended!: () => void;
      const t1Ready = new Promise<void>((resolve) => {
        t1Appended = resolve;
      });
      const t1 = store.transaction(async (tx) => {
        await tx.journal.append(lib.id, { actor: 'T1' }, [
          { patronId: a!, field: 'lastName', oldValue: 'First', newValue: 'T1', kind: 'edit' },
        ]);
        t1Appended();
        await t1Holds;
      });
      await t1Ready;

      const t2 = store.transaction(async (tx) => {
        await tx.journal.append(lib.id, { actor: 'T2' }, [
          { patronId: b!, field: 'lastName', oldValue: 'Second', newValue: 'T2', kind: 'edit' },
        ]);
      });
      // T2 either waits for T1's lock (the design) or gets through and commits (the bug): wait
      // for whichever happens, by asking the server, never by sleeping.
      const done = { flag: false };
      const t2Ended = t2.finally(() => {
        done.flag = true;
      });
      await Promise.race([t2Ended, waitsForALock(db.url(), done)]);
      done.flag = true;

      // A consumer reads while T1 is open: nothing of either transaction may be passed over.
      await follow();
      releaseT1();
      await t1;
      await t2;
      await follow();
      expect(seen).toEqual([`${a}:T1`, `${b}:T2`]);
    });
  },
  { only: 'postgres' },
);

/**
 * Resolves once a connection of this suite's schema waits for a lock on the journal's library
 * row lock (the append's `select … for update`), or when `done` is set (T2 got through).
 */
async function waitsForALock(url: string, done: { flag: boolean }): Promise<void> {
  const schema = /search_path=([A-Za-z0-9_]+)/.exec(decodeURIComponent(url))?.[1];
  if (!schema) throw new Error(`no schema in ${url}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    while (!done.flag) {
      const r = await client.query(
        `select count(*)::int as n from pg_stat_activity a
          where a.wait_event_type = 'Lock' and a.query like '%from libraries where id = $1 for update%'
            and exists (select 1 from pg_locks l join pg_class c on c.oid = l.relation
                          join pg_namespace s on s.oid = c.relnamespace
                         where l.pid = a.pid and s.nspname = $1)`,
        [schema],
      );
      if ((r.rows[0] as { n: number }).n > 0) return;
      await new Promise((res) => setImmediate(res));
    }
  } finally {
    await client.end();
  }
}
