/**
 * The two-database test harness: every database test runs on SQLite AND on PostgreSQL.
 *
 *     import { describeEachDatabase } from './support/db.ts';
 *
 *     describeEachDatabase('sites', (db) => {
 *       it('adds a site', async () => {
 *         const store = db.store();               // the suite's open Store
 *         const lib = await db.newLibrary();      // a fresh library: tests in a suite never collide
 *         await store.sites.add(lib.id, { code: 'MHS', name: 'Main High' });
 *       });
 *     });
 *
 * This registers `sites [sqlite]` and `sites [postgres]`. SQLite gets a temp folder with the
 * database file (and a data dir for secret.key); PostgreSQL gets a fresh schema on the server
 * that `inject('pgUrl')` names (test/support/global-setup.ts). When that is '' the PostgreSQL
 * suite is registered with `describe.skip` and its title says "(skipped: no PostgreSQL)".
 *
 * By default one database serves the whole suite (describe block); pass `{ isolation: 'test' }`
 * for a fresh database per test. Clean-up closes every store, drops the schema, deletes the
 * folder. `db.url()` reaches the same database from a child process (ROLLCALL_DATABASE_URL: for
 * PostgreSQL it carries `?options=-c search_path=<schema>`); pass `db.secretKey` as
 * ROLLCALL_SECRET_KEY and `db.dataDir()` as ROLLCALL_DATA_DIR with it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, inject } from 'vitest';
import { openStore, type Library, type OpenStoreOptions, type Store, type StoreDialect } from '../../src/store/store.ts';

/** What a database suite's tests can reach. */
export interface DatabaseTestContext {
  /** The engine of this suite. */
  readonly dialect: StoreDialect;
  /** The secret key the suite's stores use (64 hex digits). */
  readonly secretKey: string;
  /** The open Store of the current suite (or test, with isolation 'test'). */
  store(): Store;
  /** The database URL reaching the same database (for child processes). */
  url(): string;
  /** The suite's data folder (temporary). */
  dataDir(): string;
  /** A new library with a unique code, so tests sharing a database never see each other's rows. */
  newLibrary(name?: string): Promise<Library>;
  /** Another Store on the same database (closed at clean-up); options override the suite's. */
  open(options?: Partial<OpenStoreOptions>): Promise<Store>;
}

/** Options of a database suite. */
export interface DatabaseSuiteOptions {
  /** One database per suite (default) or a fresh one per test. */
  isolation?: 'suite' | 'test';
  /**
   * Only this engine (default: both). A long suite is split into one file per engine so the two
   * run side by side on CI's two cores instead of one after the other.
   */
  only?: StoreDialect;
}

/** Registers `body` once per engine (see the module comment). */
export function describeEachDatabase(title: string, body: (db: DatabaseTestContext) => void, options: DatabaseSuiteOptions = {}): void {
  if (options.only !== 'postgres') describe(`${title} [sqlite]`, () => body(harness('sqlite', '', options)));
  if (options.only === 'sqlite') return;
  const pgUrl = inject('pgUrl');
  if (pgUrl) describe(`${title} [postgres]`, () => body(harness('postgres', pgUrl, options)));
  else describe.skip(`${title} [postgres] (skipped: no PostgreSQL)`, () => body(harness('postgres', '', options)));
}

interface Opened {
  folder: string;
  url: string;
  schema: string;
  stores: Store[];
}

function harness(dialect: StoreDialect, pgUrl: string, options: DatabaseSuiteOptions): DatabaseTestContext {
  const secretKey = randomBytes(32).toString('hex');
  let current: Opened | undefined;
  let libraries = 0;

  const opened = (): Opened => {
    if (!current) throw new Error('the database is open only inside tests and their hooks');
    return current;
  };

  const openOn = async (target: Opened, overrides: Partial<OpenStoreOptions> = {}): Promise<Store> => {
    const store = await openStore({
      url: target.url,
      dataDir: join(target.folder, 'data'),
      secretKey,
      ...(target.schema ? { pgSchema: target.schema } : {}),
      ...overrides,
    });
    target.stores.push(store);
    return store;
  };

  const setUp = async () => {
    const folder = mkdtempSync(join(tmpdir(), 'rollcall-test-'));
    const schema = dialect === 'postgres' ? `rc_test_${process.pid}_${randomBytes(4).toString('hex')}` : '';
    const url = dialect === 'postgres' ? withSearchPath(pgUrl, schema) : `sqlite:${join(folder, 'rollcall.db')}`;
    current = { folder, url, schema, stores: [] };
    await openOn(current);
  };

  const tearDown = async () => {
    const target = current;
    current = undefined;
    if (!target) return;
    for (const store of target.stores) await store.close().catch(() => {});
    if (target.schema) await dropSchema(pgUrl, target.schema);
    rmSync(target.folder, { recursive: true, force: true });
  };

  if (options.isolation === 'test') {
    beforeEach(setUp);
    afterEach(tearDown);
  } else {
    beforeAll(setUp);
    afterAll(tearDown);
  }

  return {
    dialect,
    secretKey,
    store: () => opened().stores[0]!,
    url: () => opened().url,
    dataDir: () => join(opened().folder, 'data'),
    newLibrary: (name = 'Test library') =>
      opened().stores[0]!.libraries.ensure(`lib${++libraries}_${randomBytes(3).toString('hex')}`, name),
    open: (overrides) => openOn(opened(), overrides),
  };
}

/** The URL with the schema as search_path, so a bare ROLLCALL_DATABASE_URL reaches it. */
function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end().catch(() => {});
  }
}
