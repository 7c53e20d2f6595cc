/**
 * A library's patrons in id order, without a detour through another index. The sync
 * reads a whole library (`loadAll`) or every patron's keys (`scanKeys`) with `where library_id =
 * ? order by id`; without this index SQLite (which keeps no statistics) chose 0006's first-name
 * index for the `library_id` prefix, fetched each row from the table in name order and sorted
 * the lot by id in a temporary B-tree. With it the rows come in table order: measured on 100,000
 * patrons (`npx tsx bench/store-bulk.ts`), see docs/benchmarks.md.
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';

/** The migration (the same on both engines). */
export function patronLibraryMigration(): Migration {
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await sql.raw('create index patrons_library on patrons (library_id, id)').execute(db);
    },
  };
}
