/**
 * Opens the database behind a Kysely instance: an SQLite file (folder created, WAL, foreign
 * keys, busy timeout) or a PostgreSQL pool (optionally confined to one schema), with every
 * low-level failure mapped to store_failed, then migrates it to the latest schema.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { RollcallError } from '../domain/errors.ts';
import { beginStatement, type StoreDialect } from './dialect.ts';
import { guardDialect } from './guarded-dialect.ts';
import { migrateToLatest } from './migrations/index.ts';
import { isUniqueViolation, mapStoreError, type StoreWhere } from './store-errors.ts';
import type { Tables } from './tables.ts';
import { parseDatabaseUrl } from './url.ts';

/** An open database. */
export interface Database {
  /** The query builder over the schema. */
  kysely: Kysely<Tables>;
  /** Which engine. */
  dialect: StoreDialect;
  /** The database, for messages. */
  where: StoreWhere;
  /** The SQLite handle (the one connection Kysely also uses), for prepared-statement bulk work. */
  sqlite: BetterSqlite3.Database | undefined;
  /** PostgreSQL: the schema the tables live in; '' on SQLite. */
  schema: string;
}

/** How to open a database. */
export interface OpenDatabaseOptions {
  /** `sqlite:<path>` or `postgres://…`. */
  url: string;
  /** PostgreSQL only: keep every table in this schema (created if missing); for test isolation. */
  pgSchema?: string | undefined;
  /** Whether to migrate (default true). */
  migrate?: boolean;
}

/** Milliseconds SQLite waits for another process's write lock before giving up. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;
/** Connections per process: a web server plus one sync rarely need more; PostgreSQL's default cap is 100. */
const PG_POOL_MAX = 10;
/** Milliseconds to wait for a PostgreSQL connection before saying the server cannot be reached. */
const PG_CONNECT_TIMEOUT_MS = 10_000;
/** PostgreSQL's OID for int8 (count(*) and bigint columns), parsed as a JS number. */
const PG_INT8_OID = 20;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Opens (and by default migrates) the database at `url`. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const location = parseDatabaseUrl(options.url);
  const database =
    location.kind === 'sqlite'
      ? openSqlite(location.path)
      : await openPostgres(location.url, options.pgSchema || location.schema, location.display);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(database.kysely, database.dialect, database.schema);
    } catch (e) {
      await database.kysely.destroy().catch(() => {});
      throw mapStoreError(e, database.where);
    }
  }
  return database;
}

/**
 * SQLite's page cache per connection, in KiB (negative cache_size means KiB). The default 2 MB
 * thrashes once the patron indexes of a large library outgrow it: at 100,000 patrons, 32 MB
 * halved loadAll and updateMany wall time (bench/store-bulk.ts, docs/benchmarks.md).
 */
const SQLITE_CACHE_KIB = 32 * 1024;

function openSqlite(path: string): Database {
  const where: StoreWhere = { kind: 'sqlite', display: path };
  let handle: BetterSqlite3.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    handle = new BetterSqlite3(path);
    handle.pragma('journal_mode = WAL');
    handle.pragma('foreign_keys = ON');
    handle.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    // NORMAL is durable in WAL mode except for the last commits on power loss, and much faster.
    handle.pragma('synchronous = NORMAL');
    handle.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  } catch (e) {
    throw mapStoreError(e, where);
  }
  const dialect = guardDialect(new SqliteDialect({ database: handle }), {
    where,
    beginSql: beginStatement('sqlite'),
    inTransaction: () => handle.inTransaction,
  });
  return { kysely: new Kysely<Tables>({ dialect }), dialect: 'sqlite', where, sqlite: handle, schema: '' };
}

async function openPostgres(url: string, schema: string, display: string): Promise<Database> {
  const where: StoreWhere = { kind: 'postgres', display };
  if (schema && !SCHEMA_NAME.test(schema)) {
    throw new RollcallError('config_invalid', `The PostgreSQL schema name "${schema}" must be lower-case letters, digits and _.`);
  }
  const pool = new pg.Pool({
    connectionString: schema ? withSearchPath(url, schema) : url,
    max: PG_POOL_MAX,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8_OID ? Number : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server drops emits 'error' on the pool; unhandled, it would end the
  // process. The next query fails and is reported instead.
  pool.on('error', () => {});
  const kysely = new Kysely<Tables>({ dialect: guardDialect(new PostgresDialect({ pool }), { where }) });
  if (schema) {
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(kysely);
    } catch (e) {
      // Two processes creating the schema at once: the loser sees a unique violation, harmlessly.
      if (!isUniqueViolation(e)) {
        await kysely.destroy().catch(() => {});
        throw e;
      }
    }
  }
  // Kysely's Migrator finds its bookkeeping tables in *any* schema unless told which: another
  // schema's (another Rollcall, another app) would make it skip creating ours.
  const current = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(kysely).catch(async (e) => {
    await kysely.destroy().catch(() => {});
    throw e;
  });
  return { kysely, dialect: 'postgres', where, sqlite: undefined, schema: schema || current.rows[0]?.schema || 'public' };
}

/** The URL with `options=-c search_path=<schema>` (the URL's own options would win over the pool's). */
function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}
