/**
 * "Rejected" becomes a state of its own (SPEC §3.7's list: … succeeded with warnings, rejected,
 * failed). Plans rejected before were stored as failed with the error "Rejected by NAME; nothing
 * was applied." (the only text that error ever had): they move to the new state, their error
 * becomes the summary, so every list and alert reads them as the decisions they were.
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';

/** The migration (the same on both engines). */
export function rejectedMigration(): Migration {
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await sql`update operations set state = 'rejected', summary = error, error = '' where state = 'failed' and error like 'Rejected by %; nothing was applied.'`.execute(
        db,
      );
    },
  };
}
