/**
 * The field-level journal (SPEC §3.9: "Each applied change is journaled per patron and field
 * (operation, old value, new value, when, who or which sync)"). One row per changed field of one
 * patron; a sync's create is one row per patron (field `*`, the created values as compact JSON),
 * which keeps a 100,000-student first sync within its benchmark (docs/benchmarks.md, "Journal").
 *
 * `id` is an auto-numbered integer on SQLite (one writer: commit order) and a bigint identity
 * on PostgreSQL, where the append holds the library's row lock until commit (journal.ts), so a
 * reader can follow "every change of the library in commit order" by id. No foreign keys: the journal
 * outlives what it names — a removed patron's history, a staff account deleted since, an
 * operation pruned by its own retention — and a write path never pays for the checks.
 *
 * Indexes: a patron's history newest first (library_id, patron_id, id); every row of one
 * operation (undo) by operation_id. The retention reaper walks the table in id order (rows are
 * appended in time order), so `at` needs no index of its own.
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../dialect.ts';

/** The migration, for the given engine. */
export function journalMigration(dialect: StoreDialect): Migration {
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('patron_journal')
        .addColumn(
          'id',
          dialect === 'postgres' ? 'bigint' : 'integer',
          dialect === 'postgres' ? (c) => c.primaryKey().generatedByDefaultAsIdentity() : (c) => c.primaryKey().autoIncrement(),
        )
        .addColumn('library_id', 'integer', (c) => c.notNull())
        .addColumn('patron_id', 'integer', (c) => c.notNull())
        .addColumn('field', 'text', (c) => c.notNull())
        .addColumn('old_value', 'text')
        .addColumn('new_value', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('operation_id', 'integer')
        .addColumn('staff_user_id', 'integer')
        .addColumn('actor', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      for (const statement of [
        'create index patron_journal_patron on patron_journal (library_id, patron_id, id)',
        'create index patron_journal_operation on patron_journal (operation_id, id) where operation_id is not null',
      ]) {
        await sql.raw(statement).execute(db);
      }
    },
  };
}
