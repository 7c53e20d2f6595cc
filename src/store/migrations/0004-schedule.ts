/**
 * Daily Operations (SPEC §3.7) and alerts: `schedules`, one row per library (its Daily Operations
 * settings and the last slot handled), and `alerts` (what was raised, resolved and sent).
 *
 * Why a table of its own and not columns on `libraries`: the schedule changes on every run
 * (`last_run_at`, written by whichever worker claims the slot), and a compare-and-set on a row
 * of its own never touches the library row that patron writes bump (`patron_revision`). The
 * time zone stays on `libraries.timezone` (it is the library's, and was there from the start).
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import { idColumn, type StoreDialect } from '../dialect.ts';

/** The migration, for the given engine. */
export function scheduleMigration(dialect: StoreDialect): Migration {
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('schedules')
        .addColumn('library_id', 'integer', (c) => c.primaryKey().references('libraries.id').onDelete('cascade'))
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('run_time', 'text', (c) => c.notNull().defaultTo('02:00'))
        .addColumn('full_sync_day', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_run_at', 'text')
        .addColumn('last_run_kind', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('last_run_note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('changed_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('alerts')
        .addColumn('id', 'integer', idColumn(dialect))
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('operation_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('raised_at', 'text', (c) => c.notNull())
        .addColumn('resolved_at', 'text')
        .addColumn('webhook_sent_at', 'text')
        .addColumn('email_sent_at', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text', (c) => c.notNull().defaultTo(''))
        .addUniqueConstraint('alerts_library_kind_operation', ['library_id', 'kind', 'operation_id'])
        .execute();
      await sql.raw('create index alerts_open on alerts (library_id, resolved_at)').execute(db);

      // Libraries that exist already start their schedule now: an upgrade does not count the
      // days before it as missed runs (which would sync every library at the first start).
      const now = new Date().toISOString();
      const libraries = await db.selectFrom('libraries').select('id').execute();
      for (const { id } of libraries as { id: number }[]) {
        await db.insertInto('schedules').values({ library_id: id, changed_at: now }).execute();
      }
    },
  };
}
