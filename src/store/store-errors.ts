/**
 * Turns the low-level failures of SQLite and PostgreSQL (disk full, read-only, server down,
 * password refused) into one plain sentence: RollcallError('store_failed'). Everything else —
 * constraint violations the repositories expect, and bugs — passes through unchanged.
 */
import { RollcallError } from '../domain/errors.ts';

/** What the failing database was, for messages: a file path or `user@host:port/db` (no password). */
export interface StoreWhere {
  /** Which engine. */
  kind: 'sqlite' | 'postgres';
  /** The file path or the password-free PostgreSQL address. */
  display: string;
}

interface CodedError {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
}

/** The `code` of an error, or of the first error inside an AggregateError (Node's connect). */
function codeOf(e: unknown): string {
  const err = e as CodedError | null;
  if (!err || typeof err !== 'object') return '';
  if (typeof err.code === 'string' && err.code) return err.code;
  if (Array.isArray(err.errors)) {
    for (const inner of err.errors) {
      const c = codeOf(inner);
      if (c) return c;
    }
  }
  return '';
}

function messageOf(e: unknown): string {
  const m = (e as CodedError | null)?.message;
  return typeof m === 'string' ? m : '';
}

/** Whether an error is a unique-constraint violation (either engine). */
export function isUniqueViolation(e: unknown): boolean {
  const code = codeOf(e);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The store_failed error for a low-level failure, or the error itself when it is not one. */
export function mapStoreError(e: unknown, where: StoreWhere): unknown {
  if (e instanceof RollcallError) return e;
  const sentence = where.kind === 'sqlite' ? sqliteSentence(e, where.display) : postgresSentence(e, where.display);
  return sentence === undefined ? e : new RollcallError('store_failed', sentence, { cause: e });
}

function sqliteSentence(e: unknown, file: string): string | undefined {
  const code = codeOf(e);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return `The disk holding the database ${file} is full; free some space and try again.`;
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') {
    return `The database ${file} is read-only; make it and its folder writable for the user running Rollcall.`;
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code === 'EACCES' || code === 'EPERM') {
    return `Cannot open the database ${file}; check that its folder exists and is writable for the user running Rollcall.`;
  }
  // mkdir(recursive) says EEXIST when a part of the path is an existing file.
  if (code === 'ENOTDIR' || code === 'EEXIST') return `Cannot create the database ${file}: part of its path is a file, not a folder.`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `The database ${file} stayed locked by another process; try again when that process has finished.`;
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return `The file ${file} is not a Rollcall database or is damaged; restore it from a backup or point ROLLCALL_DATABASE_URL elsewhere.`;
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return `Reading or writing the database ${file} failed (disk I/O error); check the disk and try again.`;
  }
  return undefined;
}

/** PostgreSQL SQLSTATE classes and Node socket codes that mean "the database is not usable now". */
const PG_UNREACHABLE = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE']);
const PG_HOST_UNKNOWN = new Set(['ENOTFOUND', 'EAI_AGAIN']);

function postgresSentence(e: unknown, address: string): string | undefined {
  const code = codeOf(e);
  const message = messageOf(e);
  if (PG_UNREACHABLE.has(code) || /timeout expired|timeout exceeded when trying to connect/i.test(message)) {
    return `Cannot reach the PostgreSQL server for ${address}; check that it is running and that ROLLCALL_DATABASE_URL is right.`;
  }
  if (PG_HOST_UNKNOWN.has(code)) {
    return `Cannot find the PostgreSQL host of ${address}; check the host name in ROLLCALL_DATABASE_URL.`;
  }
  if (/Connection terminated/i.test(message) || code === '57P01' || code === '57P02' || code === '57P03' || code.startsWith('08')) {
    return `The PostgreSQL server for ${address} closed the connection or is not ready; try again in a moment.`;
  }
  if (code === '28P01' || code === '28000') {
    return `PostgreSQL refused the user name or password for ${address}; check ROLLCALL_DATABASE_URL.`;
  }
  if (code === '3D000') return `The PostgreSQL database of ${address} does not exist; create it first.`;
  if (code === '53100') return `The disk of the PostgreSQL server for ${address} is full; free some space and try again.`;
  if (code === '53300') {
    return `The PostgreSQL server for ${address} has no free connections; try again later or raise max_connections.`;
  }
  if (code === '25006') return `The PostgreSQL database ${address} is read-only (a standby?); point Rollcall at the primary.`;
  if (code === '42501') {
    return `The PostgreSQL user of ${address} lacks a permission Rollcall needs (create tables in its schema); grant it.`;
  }
  return undefined;
}
