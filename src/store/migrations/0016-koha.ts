/**
 * A library's Koha codes (the Koha patron import CSV, docs/koha.md): which Koha library
 * (`branchcode`) each site is, and which Koha patron category (`categorycode`) each policy is.
 * A site's row follows the site (keyed by its id, so renaming its code keeps the mapping) and
 * goes with it; a policy is free text on the patrons, so it is keyed by its text.
 */
import type { Kysely, Migration } from 'kysely';

/** The migration (the same on both engines). */
export function kohaMigration(): Migration {
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('koha_branch_codes')
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id').onDelete('cascade'))
        .addColumn('branchcode', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('koha_branch_codes_pk', ['library_id', 'site_id'])
        .execute();
      await db.schema
        .createTable('koha_category_codes')
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('categorycode', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('koha_category_codes_pk', ['library_id', 'policy'])
        .execute();
    },
  };
}
