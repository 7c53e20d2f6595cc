/**
 * The migrations, in code (no files to find at run time), run by Kysely's Migrator on every
 * open: a new database is created, an old one brought up to date, a current one left alone.
 */
import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { initialMigration } from './0001-initial.ts';
import type { StoreDialect } from '../dialect.ts';
import type { Tables } from '../tables.ts';

/** Every migration by name; names sort in the order they run. Never edit one that shipped. */
function migrations(dialect: StoreDialect): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(dialect),
  };
}

/**
 * Brings the database up to date; throws the first migration's failure. `schema` (PostgreSQL)
 * is where the Migrator keeps its own tables, beside ours.
 */
export async function migrateToLatest(db: Kysely<Tables>, dialect: StoreDialect, schema: string): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const { error } = await new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) }).migrateToLatest();
  if (error) throw error;
}
