/**
 * PostgreSQL-only suites of the job tests: a fresh schema per test (the store's, and pg-boss's
 * `<schema>_jobs` beside it), both dropped afterwards; registered with describe.skip and
 * "(skipped: no PostgreSQL)" in the title when the tests have no PostgreSQL (see
 * test/support/global-setup.ts), so a skip is never silent.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, inject } from 'vitest';
import { openStore, type Store } from '../src/store/store.ts';

/** One test's PostgreSQL. */
export interface PgTestDatabase {
  /** The database URL with the schema as search_path (what a child process is given). */
  url: string;
  /** The store's schema. */
  schema: string;
  /** pg-boss's schema (the default for this URL: `<schema>_jobs`). */
  jobsSchema: string;
  /** The secret key (64 hex). */
  secretKey: string;
  /** A data folder (temporary). */
  dataDir: string;
  /** The store, open on it. */
  store: Store;
  /** ROLLCALL_* variables reaching it from a child process. */
  env: Record<string, string>;
}

/** Registers a PostgreSQL-only suite; `db()` is the current test's database. */
export function describePostgres(title: string, body: (db: () => PgTestDatabase) => void): void {
  const pgUrl = inject('pgUrl');
  if (!pgUrl) {
    describe.skip(`${title} [postgres] (skipped: no PostgreSQL)`, () => body(() => undefined as never));
    return;
  }
  let current: PgTestDatabase | undefined;
  beforeEach(async () => {
    const schema = `rc_jobs_${process.pid}_${randomBytes(4).toString('hex')}`;
    const u = new URL(pgUrl);
    u.searchParams.set('options', `-c search_path=${schema}`);
    const url = u.toString();
    const secretKey = randomBytes(32).toString('hex');
    const dataDir = mkdtempSync(join(tmpdir(), 'rollcall-jobs-'));
    const store = await openStore({ url, dataDir, secretKey, pgSchema: schema });
    current = {
      url,
      schema,
      jobsSchema: `${schema}_jobs`,
      secretKey,
      dataDir,
      store,
      env: { ROLLCALL_DATABASE_URL: url, ROLLCALL_SECRET_KEY: secretKey, ROLLCALL_DATA_DIR: dataDir },
    };
  });
  afterEach(async () => {
    const db = current;
    current = undefined;
    if (!db) return;
    await db.store.close().catch(() => {});
    const client = new pg.Client({ connectionString: pgUrl });
    try {
      await client.connect();
      for (const s of [db.schema, db.jobsSchema]) await client.query(`drop schema if exists "${s}" cascade`);
    } finally {
      await client.end().catch(() => {});
    }
    rmSync(db.dataDir, { recursive: true, force: true });
  });
  describe(`${title} [postgres]`, () =>
    body(() => {
      if (!current) throw new Error('the database is open only inside tests');
      return current;
    }));
}

/** Polls until `check` holds (a bounded wait for other processes, never a timing assertion). */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
