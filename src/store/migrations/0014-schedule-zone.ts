/**
 * The schedule in the web admin (SPEC §3.7: "in the library's time zone, which is asked for when
 * a library is set up (never a silent UTC)"):
 *
 * - `libraries.timezone_confirmed`: whether a person chose or confirmed the library's zone. A
 *   library that existed before this migration on UTC never had its zone asked for, so it starts
 *   unconfirmed (the home page says so until an admin confirms or changes it); one on another
 *   zone was set by someone on purpose (`libraries add --timezone`, `schedule set --timezone`).
 * - `schedules.revision`: bumped by every change of the settings, so a form (or an API call)
 *   that carries the revision it showed is refused when another admin saved in between, instead
 *   of silently writing over their change. `changed_at` cannot serve: two saves within one
 *   clock tick would carry the same time.
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';

/** The migration (the same on both engines). */
export function scheduleZoneMigration(): Migration {
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('libraries')
        .addColumn('timezone_confirmed', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`update libraries set timezone_confirmed = 1 where timezone <> 'UTC'`.execute(db);
      await db.schema
        .alterTable('schedules')
        .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
