/**
 * More roster sources (SPEC §1.3): which integration each site's match belongs to, and the
 * OneRoster CSV packages already processed.
 *
 * `sites.org_guid_source`: one integration at a time (SPEC §1.3) — enabling one clears the
 * identifiers that belonged to the others, so a site's match must say whose it is. Every match
 * made before this migration was ClassLink's (the only integration there was).
 *
 * `csv_packages`: a package dropped in the watched folder is processed once; it is known by
 * name, size, modification time and sha256. A sync from a package also records it here, so
 * approving a held plan can read the same package again (and tell when it has changed since).
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import { idColumn, type StoreDialect } from '../dialect.ts';

/** The migration, for the given engine. */
export function sourcesMigration(dialect: StoreDialect): Migration {
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('sites').addColumn('org_guid_source', 'text').execute();
      await db.updateTable('sites').set({ org_guid_source: 'classlink' }).where('org_guid', '<>', '').execute();

      await db.schema
        .createTable('csv_packages')
        .addColumn('id', 'integer', idColumn(dialect))
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        // Bytes; a double holds any file size exactly up to 2^53 on both engines.
        .addColumn('size', 'double precision', (c) => c.notNull())
        .addColumn('mtime', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('operation_id', 'integer')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('processed_at', 'text', (c) => c.notNull())
        .execute();
      await sql.raw('create index csv_packages_seen on csv_packages (library_id, name, size, mtime)').execute(db);
      await sql.raw('create index csv_packages_operation on csv_packages (library_id, operation_id)').execute(db);
    },
  };
}
