/**
 * The few places where SQLite and PostgreSQL differ (schema, SQL, storable text), boxed here
 * (after kysely's own dialect split) so migrations and repositories stay engine-neutral. The
 * bulk patron writes have one implementation per engine in patron-bulk.ts.
 */
import type { ColumnDefinitionBuilder } from 'kysely';

/** The two engines Rollcall runs on. */
export type StoreDialect = 'sqlite' | 'postgres';

/** Builds an auto-numbered integer primary key for the engine. */
export function idColumn(dialect: StoreDialect): (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return dialect === 'postgres'
    ? (column) => column.primaryKey().generatedByDefaultAsIdentity()
    : (column) => column.primaryKey().autoIncrement();
}

/**
 * The statement that opens a transaction. SQLite takes its write lock up front (see
 * guarded-dialect.ts); PostgreSQL keeps the driver's plain BEGIN.
 */
export function beginStatement(dialect: StoreDialect): string | undefined {
  return dialect === 'sqlite' ? 'begin immediate' : undefined;
}

/** A LIKE pattern matching `text` anywhere, case-insensitively (used with `lower(col) like ? escape '\'`). */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A LIMIT meaning "all": SQLite accepts OFFSET only after a LIMIT. */
export const NO_LIMIT = Number.MAX_SAFE_INTEGER;

const SUSPECT = /[\0\uD800-\uDFFF]/;
const NUL = /\0/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const REPLACEMENT = '\uFFFD';

/**
 * Text both engines store alike: PostgreSQL cannot hold NUL (SQLite can), and lone UTF-16
 * surrogates are not UTF-8 (they become U+FFFD, as Node's own encoder would make them).
 */
export function storable(text: string): string {
  if (!SUSPECT.test(text)) return text;
  return text.replace(NUL, '').replace(LONE_SURROGATE, REPLACEMENT);
}
