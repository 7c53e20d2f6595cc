/**
 * The patron search ignores accents and case (SPEC §5; staff type "adebayo" for "Adébáyọ̀").
 * Each name gets a folded copy (`first_name_fold`, `last_name_fold`: src/domain/name-fold.ts),
 * written by every patron write in the same row and statement (patron-rows.ts `writeValues`,
 * patron-search.ts `edit`), and the search folds the typed text the same way, so a name start is
 * still one range scan over a plain index — `last_name_fold >= 'adeb' and < 'adeb\u{10FFFF}'` —
 * on both engines. Why a stored copy rather than an index on an expression: neither engine can
 * fold like this in SQL alike (SQLite's lower() changes only A–Z; PostgreSQL's unaccent is an
 * extension, not immutable, and leaves ø, ł, ß… to its rules), and one definition in code
 * keeps the two databases finding the same patrons.
 *
 * PostgreSQL keeps the columns in the "C" collation for the reason 0006 gave: a range over a
 * natural-language collation does not hold exactly the strings with that start. The 0006
 * indexes on lower(name) are dropped: nothing reads them any more, and every insert paid for them.
 *
 * Existing patrons are folded here, in batches by id, with today's foldName: if that function
 * ever changes, a later migration must fold again.
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import { foldName } from '../../domain/name-fold.ts';
import type { StoreDialect } from '../dialect.ts';

/** Patrons folded per statement. */
const BATCH = 5000;

/** The migration, for the given engine. */
export function searchFoldMigration(dialect: StoreDialect): Migration {
  const type = dialect === 'postgres' ? 'text collate "C"' : 'text';
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      for (const column of ['first_name_fold', 'last_name_fold']) {
        await sql.raw(`alter table patrons add column ${column} ${type} not null default ''`).execute(db);
      }
      await foldExisting(db, dialect);
      for (const statement of [
        'drop index patrons_last_name_prefix',
        'drop index patrons_first_name_prefix',
        'create index patrons_last_name_fold on patrons (library_id, last_name_fold)',
        'create index patrons_first_name_fold on patrons (library_id, first_name_fold)',
      ]) {
        await sql.raw(statement).execute(db);
      }
    },
  };
}

/** Folds every patron's names into the new columns, BATCH patrons per read and per write. */
async function foldExisting(db: Kysely<any>, dialect: StoreDialect): Promise<void> {
  // One JSON array per batch, unpacked by the engine: one statement for BATCH rows.
  const update =
    dialect === 'postgres'
      ? (json: string) =>
          sql`update patrons as p set first_name_fold = v.f, last_name_fold = v.l
              from jsonb_to_recordset(${json}::jsonb) as v(id integer, f text, l text) where p.id = v.id`
      : (json: string) =>
          sql`update patrons set first_name_fold = v.f, last_name_fold = v.l
              from (select value ->> 'id' as id, value ->> 'f' as f, value ->> 'l' as l from json_each(${json})) as v
              where patrons.id = v.id`;
  let after = 0;
  for (;;) {
    const rows: { id: number; first_name: string; last_name: string }[] = await db
      .selectFrom('patrons')
      .select(['id', 'first_name', 'last_name'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) return;
    const folded = rows.map((r) => ({ id: r.id, f: foldName(r.first_name), l: foldName(r.last_name) }));
    await update(JSON.stringify(folded)).execute(db);
    after = rows[rows.length - 1]!.id;
  }
}
