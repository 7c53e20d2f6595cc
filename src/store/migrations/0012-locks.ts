/**
 * Field locks (SPEC §3.8): `patron_locks`, one row per library, patron and locked field, with
 * who locked it and when. A sync reads them as plan input (src/sync/core/locks.ts) and never
 * writes a locked field.
 *
 * `patron_id` references the patron with ON DELETE CASCADE: a deleted patron drops its locks
 * with it (a lock on nobody would promise nothing, and would block nothing either).
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import { idColumn, type StoreDialect } from '../dialect.ts';

/** The migration, for the given engine. */
export function locksMigration(dialect: StoreDialect): Migration {
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('patron_locks')
        .addColumn('id', 'integer', idColumn(dialect))
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('patron_id', 'integer', (c) => c.notNull().references('patrons.id').onDelete('cascade'))
        // a PatronFieldKey (firstName, phone, …)
        .addColumn('field', 'text', (c) => c.notNull())
        // the staff account's name, or `cli`
        .addColumn('locked_by', 'text', (c) => c.notNull())
        .addColumn('locked_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('patron_locks_identity', ['library_id', 'patron_id', 'field'])
        .execute();
      // The cascade looks rows up by patron.
      await sql.raw('create index patron_locks_patron on patron_locks (patron_id)').execute(db);
    },
  };
}
