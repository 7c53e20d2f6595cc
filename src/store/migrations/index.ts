/**
 * The migrations, in code (no files to find at run time), run by Kysely's Migrator on every
 * open: a new database is created, an old one brought up to date, a current one left alone.
 */
import { Migrator, sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { initialMigration } from './0001-initial.ts';
import { webMigration } from './0002-web.ts';
import { jobsMigration } from './0003-jobs.ts';
import { scheduleMigration } from './0004-schedule.ts';
import { sourcesMigration } from './0005-sources.ts';
import { patronSearchMigration } from './0006-patron-search.ts';
import { patronLibraryMigration } from './0007-patron-library.ts';
import { journalMigration } from './0008-journal.ts';
import { conflictsMigration } from './0009-conflicts.ts';
import { undoMigration } from './0010-undo.ts';
import { removalMigration } from './0011-removal.ts';
import { locksMigration } from './0012-locks.ts';
import { feedMigration } from './0013-feed.ts';
import { scheduleZoneMigration } from './0014-schedule-zone.ts';
import { defaultsMigration } from './0015-defaults.ts';
import { kohaMigration } from './0016-koha.ts';
import { searchFoldMigration } from './0017-search-fold.ts';
import { rejectedMigration } from './0018-rejected.ts';
import type { StoreDialect } from '../dialect.ts';
import type { Tables } from '../tables.ts';

/**
 * Every migration by name; names sort in the order they run. Never edit one that shipped.
 * Exported for the tests that bring a database to an older migration first.
 */
export function migrations(dialect: StoreDialect): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(dialect),
    '0002-web': webMigration(dialect),
    '0003-jobs': jobsMigration(),
    '0004-schedule': scheduleMigration(dialect),
    '0005-sources': sourcesMigration(dialect),
    '0006-patron-search': patronSearchMigration(dialect),
    '0007-patron-library': patronLibraryMigration(),
    '0008-journal': journalMigration(dialect),
    '0009-conflicts': conflictsMigration(dialect),
    '0010-undo': undoMigration(),
    '0011-removal': removalMigration(),
    '0012-locks': locksMigration(dialect),
    '0013-feed': feedMigration(dialect),
    '0014-schedule-zone': scheduleZoneMigration(),
    '0015-defaults': defaultsMigration(),
    '0016-koha': kohaMigration(),
    '0017-search-fold': searchFoldMigration(dialect),
    '0018-rejected': rejectedMigration(),
  };
}

/**
 * Brings the database up to date; throws the first migration's failure. `schema` (PostgreSQL)
 * is where the Migrator keeps its own tables, beside ours.
 */
export async function migrateToLatest(db: Kysely<Tables>, dialect: StoreDialect, schema: string): Promise<void> {
  const all = migrations(dialect);
  if (await isCurrent(db, dialect, schema, Object.keys(all))) return;
  const provider: MigrationProvider = { getMigrations: async () => all };
  for (let attempt = 1; ; attempt++) {
    const { error } = await new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) }).migrateToLatest();
    if (!error) return;
    // The Migrator's scan of every schema trips over another schema dropped meanwhile (see
    // isCurrent); that schema is gone, so a second scan passes. Our own failures are thrown.
    if (attempt >= MIGRATE_ATTEMPTS || !isOtherSchemaGone(error, schema)) throw error;
  }
}

/** Migrator runs tried when another schema vanishes under its scan. */
const MIGRATE_ATTEMPTS = 3;

/**
 * What PostgreSQL says when something of another schema vanishes under the Migrator's scan of
 * every schema: the schema itself (3F000, "schema … does not exist"), or one of its tables or
 * columns, which the scan's per-column `pg_get_serial_sequence` looks up again after reading the
 * catalogue (42P01 "relation … does not exist", 42703 "column … of relation … does not exist").
 * Not about our schema when it names one. Retrying is safe: a failure of our own migrations
 * comes back every time and is thrown after the last attempt.
 */
const VANISHED = new Set(['3F000', '42P01', '42703']);

/** Whether the Migrator failed on another schema's objects vanishing mid-scan (see VANISHED). */
function isOtherSchemaGone(error: unknown, schema: string): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return (
    typeof e.code === 'string' && VANISHED.has(e.code) && typeof e.message === 'string' && !(schema && e.message.includes(`"${schema}"`))
  );
}

/**
 * Whether every migration has already run, read straight from the Migrator's own table. Why
 * not just run the Migrator: before anything else it introspects the tables of *every* schema
 * of the database, which costs every command a catalogue scan, and on a PostgreSQL shared with
 * others fails outright ("schema … does not exist") when another schema is dropped during the
 * scan. A database that is not current (or new) still goes through the Migrator.
 */
async function isCurrent(db: Kysely<Tables>, dialect: StoreDialect, schema: string, names: readonly string[]): Promise<boolean> {
  const table = dialect === 'postgres' && schema ? sql`${sql.id(schema)}.kysely_migration` : sql`kysely_migration`;
  try {
    const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(db);
    const done = new Set(rows.map((r) => r.name));
    return names.every((n) => done.has(n));
  } catch {
    return false; // no migration table yet: a new database
  }
}
