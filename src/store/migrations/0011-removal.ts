/**
 * End of year (SPEC §3.10: "a removal of patrons by rule (status, site, policy, Transferred for
 * more than N days, no sync since a date): previewed with counts and a list, exported to a CSV
 * archive first, then deleted in one transaction, journaled as an operation").
 *
 * - `patrons.status_changed_at`: when the patron's Status last changed (ISO 8601 UTC), or NULL
 *   when unknown. Filled here for the patrons already Transferred from what is known: the
 *   journal's last Status change (0008), else the last sync log line that set them Transferred
 *   (matched by GUID). Anything else stays unknown, and the rule's preview says so.
 * - `patron_removals`: one row per Patron Removal operation — the rule (as given and in words),
 *   how many were removed, and the archive (the field-number CSV `patrons import` reads) kept
 *   until `archive_expires_at`, then emptied by the reaper (`archive_pruned_at`).
 * - `removed_guids`: the GUIDs of removed patrons and when, so a roster user who returns is
 *   created again with a log line saying a patron with this GUID was removed (issue: "created (a
 *   patron with this GUID was removed on …)"). One row per library and GUID (the latest removal).
 *
 * No foreign keys to patrons (they are gone) nor to operations (the journal's reasoning, 0008).
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';

/** The migration (the same statements on both engines: UPDATE … FROM is SQLite ≥ 3.33 and PostgreSQL). */
export function removalMigration(): Migration {
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('patrons').addColumn('status_changed_at', 'text').execute();
      await db.schema
        .createTable('patron_removals')
        .addColumn('operation_id', 'integer', (c) => c.primaryKey())
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('rule_text', 'text', (c) => c.notNull())
        .addColumn('removed', 'integer', (c) => c.notNull())
        .addColumn('archive', 'text', (c) => c.notNull())
        .addColumn('archive_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('archive_expires_at', 'text', (c) => c.notNull())
        .addColumn('archive_pruned_at', 'text')
        .execute();
      await db.schema
        .createTable('removed_guids')
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('guid', 'text', (c) => c.notNull())
        .addColumn('removed_at', 'text', (c) => c.notNull())
        .addColumn('operation_id', 'integer')
        .addPrimaryKeyConstraint('removed_guids_key', ['library_id', 'guid'])
        .execute();
      for (const statement of [
        'create index patron_removals_library on patron_removals (library_id, operation_id)',
        'create index patron_removals_expiry on patron_removals (archive_expires_at) where archive_pruned_at is null',
        // The removal rule's usual filter: a library's patrons of one Status.
        'create index patrons_status on patrons (library_id, status, id)',
      ]) {
        await sql.raw(statement).execute(db);
      }
      await backfillStatusChangedAt(db);
    },
  };
}

/**
 * Fills `status_changed_at` of the Transferred patrons whose time is unknown, from what is known:
 * the last Status change journaled (0008), else the last sync log line that set their GUID
 * Transferred. The rest stay unknown (NULL). Run by the migration; exported for its test.
 */
export async function backfillStatusChangedAt(db: Kysely<any>): Promise<void> {
  for (const statement of [
    // Backfill, from the journal: the last Status change journaled for each Transferred patron.
    `update patrons set status_changed_at = j.at
           from (select library_id, patron_id, max(at) as at from patron_journal where field = 'status' group by library_id, patron_id) as j
          where patrons.status = 4 and patrons.status_changed_at is null
            and j.library_id = patrons.library_id and j.patron_id = patrons.id`,
    // … else from the sync logs: the last line that set the patron (by GUID) Transferred.
    `update patrons set status_changed_at = l.at
           from (select library_id, sourced_id, max(at) as at from operation_log
                  where sourced_id <> '' and message like '%set Transferred%' group by library_id, sourced_id) as l
          where patrons.status = 4 and patrons.status_changed_at is null and patrons.guid <> ''
            and l.library_id = patrons.library_id and l.sourced_id = patrons.guid`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}
