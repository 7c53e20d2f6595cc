/**
 * The patron search of the web admin (SPEC §5): one box finds a patron by exact Barcode,
 * Student #, GUID or Email, or by the start of a last or first name, fast on a 100,000-patron
 * library. Exact keys use 0001's indexes; name prefixes need these, on the lowered names, so a
 * prefix is a range scan (`lower(last_name) >= 'smi' and < 'smi\u{10FFFF}'`) on both engines.
 * PostgreSQL keeps them in the "C" collation: a range over a natural-language collation does
 * not hold exactly the strings that start with the prefix (such collations skip punctuation).
 * The Status filter gets an index in page order too. Each index costs a sync's inserts about
 * 5–10% more time (measured: docs/benchmarks.md, "Patron search").
 *
 * `edited_by` / `edited_at`: who last changed the patron by hand (the patron page and API), and
 * when — the sync never writes them, so they show the last hand edit alongside the last sync.
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../dialect.ts';

/** The migration, for the given engine. */
export function patronSearchMigration(dialect: StoreDialect): Migration {
  const collate = dialect === 'postgres' ? ' collate "C"' : '';
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('patrons')
        .addColumn('edited_by', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.alterTable('patrons').addColumn('edited_at', 'text').execute();
      for (const statement of [
        `create index patrons_last_name_prefix on patrons (library_id, lower(last_name)${collate})`,
        `create index patrons_first_name_prefix on patrons (library_id, lower(first_name)${collate})`,
        // The Status filter (Transferred patrons are few: without it every page scans them all), in page order.
        'create index patrons_status_names on patrons (library_id, status, last_name, first_name)',
      ]) {
        await sql.raw(statement).execute(db);
      }
    },
  };
}
