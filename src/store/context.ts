/**
 * What every repository works with: the database (or the transaction it is bound to), the
 * engine, the SQLite handle for prepared-statement bulk work, secrets and the clock.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { StoreDialect } from './dialect.ts';
import type { SecretBox } from './secret-box.ts';
import { mapStoreError, type StoreWhere } from './store-errors.ts';
import type { Tables } from './tables.ts';

/** A repository's view of the store. */
export interface RepoContext {
  /** The database, or the transaction the repositories are bound to. */
  db: Kysely<Tables>;
  /** Which engine. */
  dialect: StoreDialect;
  /** The database, for messages. */
  where: StoreWhere;
  /** The SQLite handle (SQLite only). */
  sqlite: BetterSqlite3.Database | undefined;
  /** The box for secrets at rest (its key is found on first use). */
  secrets: () => SecretBox;
  /** Now, as ISO 8601 UTC text. */
  now: () => string;
}

/**
 * Runs `work` in a transaction: the caller's when the context is already bound to one, else a
 * new one, so a repository's multi-statement write is atomic either way.
 */
export async function atomically<T>(ctx: RepoContext, work: (tx: RepoContext) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return work(ctx);
  return ctx.db.transaction().execute((trx) => work({ ...ctx, db: trx }));
}

/**
 * Runs synchronous work on the raw SQLite handle while holding Kysely's one connection, so it
 * never lands inside somebody else's open transaction. Inside a transaction the connection is
 * already ours. Writes should come through `atomically` first.
 */
export async function onSqlite<T>(ctx: RepoContext, work: (handle: BetterSqlite3.Database) => T): Promise<T> {
  const handle = ctx.sqlite;
  if (!handle) throw new Error('onSqlite called on a PostgreSQL store');
  const run = (): T => {
    try {
      return work(handle);
    } catch (e) {
      throw mapStoreError(e, ctx.where);
    }
  };
  if (ctx.db.isTransaction) return run();
  return ctx.db.connection().execute(async () => run());
}
