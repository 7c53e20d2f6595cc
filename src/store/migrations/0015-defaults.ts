/**
 * Creation defaults (SPEC §3.3, §3.8): one row per library, `creation_defaults`, holding the
 * defaults of every role (Policy, Status, barcode assignment, fixed values) as JSON, and a
 * revision that every admin save bumps (a compare-and-set: of two admins saving at once one
 * wins and the other is told).
 *
 * Why per library and not per integration (where they lived until now): the defaults describe
 * the library's patrons, not a roster source. The Policy names decide which existing patrons a
 * sync is responsible for (SPEC §3.8), and only one source syncs at a time (§1.3): a second set
 * per source would re-scope the library's patrons the day it switches, and two barcode
 * sequences would race for the same numbers.
 *
 * Each library's existing defaults are carried over from its enabled integration (else the one
 * saved last that has any), and removed from every integration's settings.
 */
import type { Kysely, Migration } from 'kysely';

/** The migration (the same on both engines). */
export function defaultsMigration(): Migration {
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('creation_defaults')
        .addColumn('library_id', 'integer', (c) => c.primaryKey().references('libraries.id').onDelete('cascade'))
        .addColumn('defaults', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull().defaultTo(''))
        .execute();

      const rows = (await db
        .selectFrom('integration_settings')
        .select(['library_id', 'kind', 'enabled', 'settings', 'updated_at'])
        .orderBy('library_id')
        .orderBy('updated_at', 'desc')
        .execute()) as { library_id: number; kind: string; enabled: number; settings: string; updated_at: string }[];
      const chosen = new Map<number, { defaults: unknown; enabled: boolean; at: string }>();
      for (const row of rows) {
        const settings = parse(row.settings);
        if (!settings || settings.defaults === undefined) continue;
        const mine = chosen.get(row.library_id);
        const enabled = row.enabled === 1;
        if (!mine || (enabled && !mine.enabled)) chosen.set(row.library_id, { defaults: settings.defaults, enabled, at: row.updated_at });
        const { defaults: _moved, ...rest } = settings;
        await db
          .updateTable('integration_settings')
          .set({ settings: JSON.stringify(rest) })
          .where('library_id', '=', row.library_id)
          .where('kind', '=', row.kind)
          .execute();
      }
      for (const [libraryId, { defaults, at }] of chosen) {
        await db
          .insertInto('creation_defaults')
          .values({ library_id: libraryId, defaults: JSON.stringify(defaults), revision: 1, updated_at: at, updated_by: '' })
          .execute();
      }
    },
  };
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
