/**
 * Waiting, without sleeping, for a statement of this test's to block on a lock held by another
 * of its transactions (PostgreSQL): then the blocked side has done everything it does before
 * the lock, and the holder can let go. On SQLite a process's store has one connection, so the
 * other side simply queues behind the transaction: there is nothing to wait for.
 */
import pg from 'pg';
import type { DatabaseTestContext } from './db.ts';

/** Resolves once a connection working in this suite's schema waits for a lock (PostgreSQL). */
export async function somethingWaitsForALock(db: DatabaseTestContext): Promise<void> {
  if (db.dialect !== 'postgres') return;
  const schema = /search_path=([A-Za-z0-9_]+)/.exec(decodeURIComponent(db.url()))?.[1];
  if (!schema) throw new Error(`no schema in ${db.url()}`);
  const client = new pg.Client({ connectionString: db.url() });
  await client.connect();
  try {
    for (;;) {
      // Waiting on a lock, and holding one on a table of this schema (so not another suite's).
      const r = await client.query(
        `select count(*)::int as n from pg_stat_activity a
          where a.wait_event_type = 'Lock'
            and exists (select 1 from pg_locks l join pg_class c on c.oid = l.relation
                          join pg_namespace s on s.oid = c.relnamespace
                         where l.pid = a.pid and s.nspname = $1)`,
        [schema],
      );
      if ((r.rows[0] as { n: number }).n > 0) return;
      await new Promise((res) => setTimeout(res, 20));
    }
  } finally {
    await client.end();
  }
}
