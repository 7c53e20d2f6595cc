/**
 * The first schema (see tables.ts for the meaning of each column) and the `default` library.
 * One schema for both engines: only the id column differs (dialect.ts).
 */
import { sql } from 'kysely';
import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely, Migration } from 'kysely';
import { idColumn, type StoreDialect } from '../dialect.ts';

/** The code of the library every deployment starts with. */
export const DEFAULT_LIBRARY_CODE = 'default';

/** Indexes written as plain SQL: partial and expression indexes read the same on both engines. */
const INDEXES = [
  `create unique index patrons_guid on patrons (library_id, guid) where guid <> ''`,
  'create index patrons_barcode on patrons (library_id, barcode)',
  'create index patrons_community_id on patrons (library_id, community_id)',
  'create index patrons_email on patrons (library_id, lower(email))',
  'create index patrons_names on patrons (library_id, last_name, first_name)',
  'create index patrons_site on patrons (library_id, site_id, id)',
  // At most one queued or running operation per library: the queue's "one sync at a time".
  `create unique index operations_one_active on operations (library_id) where state in ('queued', 'running')`,
  'create index operations_library on operations (library_id, id)',
  'create index operations_heartbeat on operations (state, heartbeat_at)',
  'create index operation_log_operation on operation_log (operation_id, id)',
  'create index operation_changes_kind on operation_changes (operation_id, kind, seq)',
];

/** The patron text columns that come before `status`, in SPEC §1.2's order. */
const PATRON_TEXT_BEFORE_STATUS = [
  'guid',
  'barcode',
  'community_id',
  'first_name',
  'middle_name',
  'last_name',
  'birthdate',
  'sex',
  'phone',
  'email',
  'additional_contact',
  'other_emails',
  'location',
  'level',
];

/** Absent text is '' (never NULL), so comparisons need no NULL cases. */
const blankText = (c: ColumnDefinitionBuilder) => c.notNull().defaultTo('');

/** The migration, for the given engine. */
export function initialMigration(dialect: StoreDialect): Migration {
  const id = idColumn(dialect);
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('libraries')
        .addColumn('id', 'integer', id)
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
        .addColumn('patron_revision', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sites')
        .addColumn('id', 'integer', id)
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('org_guid', 'text', (c) => c.notNull().defaultTo(''))
        .addUniqueConstraint('sites_library_code', ['library_id', 'code'])
        .execute();

      let patrons: CreateTableBuilder<string, string> = db.schema
        .createTable('patrons')
        .addColumn('id', 'integer', id)
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('site_id', 'integer', (c) => c.references('sites.id'));
      for (const name of PATRON_TEXT_BEFORE_STATUS) patrons = patrons.addColumn(name, 'text', blankText);
      patrons = patrons.addColumn('status', 'integer', (c) => c.notNull().defaultTo(1));
      for (const name of ['policy', 'nickname', 'notes']) patrons = patrons.addColumn(name, 'text', blankText);
      await patrons
        .addColumn('guid_source', 'text')
        .addColumn('matched_by', 'text')
        .addColumn('last_sync_operation_id', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('integration_settings')
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('secrets', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('integration_settings_pk', ['library_id', 'kind'])
        .execute();

      let operations: CreateTableBuilder<string, string> = db.schema
        .createTable('operations')
        .addColumn('id', 'integer', id)
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('requested_by', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('heartbeat_at', 'text');
      const counters = ['progress_done', 'progress_total', 'created', 'updated', 'unchanged', 'transferred'];
      for (const name of [...counters, 'reactivated', 'skipped', 'conflicts', 'warnings']) {
        operations = operations.addColumn(name, 'integer', (c) => c.notNull().defaultTo(0));
      }
      await operations
        .addColumn('complete', 'integer')
        .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('error', 'text', (c) => c.notNull().defaultTo(''))
        .execute();

      await db.schema
        .createTable('operation_log')
        .addColumn('id', 'integer', id)
        .addColumn('operation_id', 'integer', (c) => c.notNull().references('operations.id').onDelete('cascade'))
        .addColumn('library_id', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('sourced_id', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('message', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('operation_changes')
        .addColumn('operation_id', 'integer', (c) => c.notNull().references('operations.id').onDelete('cascade'))
        .addColumn('library_id', 'integer', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('sourced_id', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('patron_id', 'integer')
        .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
        .addPrimaryKeyConstraint('operation_changes_pk', ['operation_id', 'seq'])
        .execute();

      for (const statement of INDEXES) await sql.raw(statement).execute(db);

      await db
        .insertInto('libraries')
        .values({ code: DEFAULT_LIBRARY_CODE, name: 'Default library', created_at: new Date().toISOString() })
        .execute();
    },
  };
}
