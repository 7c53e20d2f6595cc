/**
 * A Kysely dialect wrapper that maps every low-level database failure (on connect, query,
 * begin, commit) to RollcallError('store_failed') in one place, and lets SQLite start its
 * transactions with BEGIN IMMEDIATE.
 */
import { CompiledQuery } from 'kysely';
import type { DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings } from 'kysely';
import { mapStoreError, type StoreWhere } from './store-errors.ts';

/** How to wrap a dialect. */
export interface GuardOptions {
  /** The database, for messages. */
  where: StoreWhere;
  /**
   * The statement that opens a transaction instead of the driver's own. SQLite uses
   * `begin immediate`: a deferred BEGIN that later needs to write fails with SQLITE_BUSY at
   * once when another process writes meanwhile, instead of waiting for busy_timeout.
   */
  beginSql?: string;
  /**
   * Whether a transaction is still open on the connection. SQLite rolls a transaction back by
   * itself on some errors (SQLITE_FULL, I/O errors); a second ROLLBACK would then fail and hide
   * the real error, so it is skipped.
   */
  inTransaction?: () => boolean;
}

/** The dialect, with its failures mapped (see the module comment). */
export function guardDialect(inner: Dialect, options: GuardOptions): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createDriver: () => new GuardedDriver(inner.createDriver(), options),
  };
}

class GuardedDriver implements Driver {
  readonly #inner: Driver;
  readonly #options: GuardOptions;
  readonly #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  readonly #unwrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(inner: Driver, options: GuardOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      throw mapStoreError(e, this.#options.where);
    }
  }

  #raw(connection: DatabaseConnection): DatabaseConnection {
    return this.#unwrapped.get(connection) ?? connection;
  }

  init(): Promise<void> {
    return this.#guard(() => this.#inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const raw = await this.#guard(() => this.#inner.acquireConnection());
    let wrapped = this.#wrapped.get(raw);
    if (!wrapped) {
      wrapped = guardConnection(raw, (work) => this.#guard(work));
      this.#wrapped.set(raw, wrapped);
      this.#unwrapped.set(wrapped, raw);
    }
    return wrapped;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const begin = this.#options.beginSql;
    if (begin) return this.#guard(async () => void (await this.#raw(connection).executeQuery(CompiledQuery.raw(begin))));
    return this.#guard(() => this.#inner.beginTransaction(this.#raw(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#guard(() => this.#inner.commitTransaction(this.#raw(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#options.inTransaction?.() === false) return Promise.resolve();
    return this.#guard(() => this.#inner.rollbackTransaction(this.#raw(connection)));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(this.#raw(connection));
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

function guardConnection(raw: DatabaseConnection, guard: <T>(work: () => Promise<T>) => Promise<T>): DatabaseConnection {
  return {
    executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      return guard(() => raw.executeQuery<R>(query));
    },
    streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
      return raw.streamQuery<R>(query, chunkSize);
    },
  };
}
