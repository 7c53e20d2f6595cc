/**
 * The conflict queue (SPEC §3.9): `conflicts`, one item per library, source, roster user and
 * kind of conflict — "the same user and the same reason is one item, seen N times" — with what a
 * person decided and both sides as last seen; and `conflict_journal`, who resolved which item
 * how and when (and when a sync opened or closed it again).
 *
 * `patron_id` (a link's patron) has no foreign key on purpose: a patron may be deleted after a
 * link was chosen, and the next sync then says the link could not be applied.
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import { idColumn, type StoreDialect } from '../dialect.ts';

/** The migration, for the given engine. */
export function conflictsMigration(dialect: StoreDialect): Migration {
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('conflicts')
        .addColumn('id', 'integer', idColumn(dialect))
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('sourced_id', 'text', (c) => c.notNull())
        .addColumn('cause', 'text', (c) => c.notNull())
        // open, ignored, resolved (link/create chosen, for the next sync), closed
        .addColumn('state', 'text', (c) => c.notNull())
        // none, ignore, link, create
        .addColumn('action', 'text', (c) => c.notNull().defaultTo('none'))
        .addColumn('patron_id', 'integer')
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('seen_count', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('first_seen_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('first_operation_id', 'integer', (c) => c.notNull())
        .addColumn('last_operation_id', 'integer', (c) => c.notNull())
        .addColumn('resolved_by', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('resolved_at', 'text')
        .addColumn('closed_at', 'text')
        .addColumn('closed_operation_id', 'integer')
        .addUniqueConstraint('conflicts_identity', ['library_id', 'source', 'sourced_id', 'cause'])
        .execute();
      await sql.raw('create index conflicts_state on conflicts (library_id, state, id)').execute(db);

      await db.schema
        .createTable('conflict_journal')
        .addColumn('id', 'integer', idColumn(dialect))
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('conflict_id', 'integer', (c) => c.notNull().references('conflicts.id').onDelete('cascade'))
        .addColumn('at', 'text', (c) => c.notNull())
        // a staff user's name, or `sync #N`
        .addColumn('by', 'text', (c) => c.notNull())
        // link, create, ignore (a person); reopened, closed (a sync)
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('patron_id', 'integer')
        .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await sql.raw('create index conflict_journal_item on conflict_journal (library_id, conflict_id, id)').execute(db);
    },
  };
}
