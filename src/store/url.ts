/**
 * Reads `ROLLCALL_DATABASE_URL` (SPEC §8): `sqlite:<path>` or `postgres://…`. Pure: no I/O.
 */
import { resolve } from 'node:path';
import { RollcallError } from '../domain/errors.ts';

/** Where the data lives, as parsed from the database URL. */
export type DatabaseLocation =
  | {
      /** An SQLite file. */
      kind: 'sqlite';
      /** Absolute path of the file, or `:memory:`. */
      path: string;
    }
  | {
      /** A PostgreSQL database. */
      kind: 'postgres';
      /** The connection string as given. */
      url: string;
      /** The schema named by `?options=-c search_path=…` in the URL, or ''. */
      schema: string;
      /** `user@host:port/database` without the password, for messages. */
      display: string;
    };

const SQLITE_PREFIX = 'sqlite:';
const POSTGRES_URL = /^postgres(ql)?:\/\//;
const SEARCH_PATH = /search_path\s*=\s*"?([A-Za-z_][A-Za-z0-9_]*)"?/;
const DEFAULT_PG_PORT = '5432';

/** Parses a database URL; relative SQLite paths resolve against `cwd`. */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseLocation {
  if (url.startsWith(SQLITE_PREFIX)) {
    // `sqlite:///abs/path` and `sqlite://rel` are accepted too, as other tools write them.
    const rest = url
      .slice(SQLITE_PREFIX.length)
      .replace(/^\/\/(?=\/)/, '')
      .replace(/^\/\//, '');
    if (rest === '') throw invalidUrl();
    if (rest === ':memory:') return { kind: 'sqlite', path: ':memory:' };
    return { kind: 'sqlite', path: resolve(cwd, rest) };
  }
  if (POSTGRES_URL.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalidUrl();
    }
    const options = parsed.searchParams.get('options') ?? '';
    const user = decodeURIComponent(parsed.username) || 'postgres';
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user;
    const display = `${user}@${parsed.hostname || 'localhost'}:${parsed.port || DEFAULT_PG_PORT}/${database}`;
    return { kind: 'postgres', url, schema: SEARCH_PATH.exec(options)?.[1] ?? '', display };
  }
  throw invalidUrl();
}

function invalidUrl(): RollcallError {
  return new RollcallError(
    'config_invalid',
    'The database URL must be sqlite:<path> or postgres://user@host/database; check ROLLCALL_DATABASE_URL.',
  );
}
