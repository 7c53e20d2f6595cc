/**
 * The change feed and signed webhooks (issue "Patrons reach the circulation system").
 *
 * - `patron_journal_library (library_id, id)`: the feed reads one library's journal rows after a
 *   cursor in id order; the patron index (library_id, patron_id, id) cannot serve that range.
 * - `journal_horizons`: per library, the highest journal id the retention reaper deleted. A
 *   cursor below it has missed rows for good (410: "read a full export, then follow from …").
 *   A table of its own: the reaper never touches the `libraries` row every patron write locks.
 * - `api_tokens.scope`: `all` (the token's role) or `feed` (the change feed and nothing else).
 * - `webhook_endpoints`: an admin's endpoints per library (the secret encrypted by the store's
 *   SecretBox, never shown after saving), and whether the endpoint is failing and why.
 * - `webhook_deliveries`: one notice per endpoint and applied operation (unique, so the scan that
 *   finds applied operations may run on several workers at once), its attempts and outcome.
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import { idColumn, type StoreDialect } from '../dialect.ts';

/** The migration, for the given engine. */
export function feedMigration(dialect: StoreDialect): Migration {
  const id = idColumn(dialect);
  // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
  return {
    async up(db: Kysely<any>): Promise<void> {
      await sql.raw('create index patron_journal_library on patron_journal (library_id, id)').execute(db);
      await db.schema
        .createTable('journal_horizons')
        .addColumn('library_id', 'integer', (c) => c.primaryKey())
        .addColumn('pruned_through', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .alterTable('api_tokens')
        .addColumn('scope', 'text', (c) => c.notNull().defaultTo('all'))
        .execute();
      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'integer', id)
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('failing_since', 'text')
        .addColumn('failing_reason', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'integer', id)
        .addColumn('library_id', 'integer', (c) => c.notNull())
        .addColumn('endpoint_id', 'integer', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
        .addColumn('operation_id', 'integer', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull().unique())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      for (const statement of [
        'create index webhook_endpoints_library on webhook_endpoints (library_id, id)',
        'create unique index webhook_deliveries_once on webhook_deliveries (endpoint_id, operation_id)',
        "create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where state = 'pending'",
        'create index webhook_deliveries_library on webhook_deliveries (library_id, id)',
      ]) {
        await sql.raw(statement).execute(db);
      }
    },
  };
}
