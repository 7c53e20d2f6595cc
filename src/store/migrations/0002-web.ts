/**
 * The web admin's tables (SPEC §4, §5): staff accounts, server-side sessions, API tokens.
 * Staff belong to one library (a vendor hosting many districts gives each its own staff);
 * sessions serve staff (`staff_user_id`) and patrons signed in with ClassLink (`patron_id`).
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import { idColumn, type StoreDialect } from '../dialect.ts';

/** The migration, for the given engine. */
export function webMigration(dialect: StoreDialect): Migration {
  const id = idColumn(dialect);
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('staff_users')
        .addColumn('id', 'integer', id)
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull().defaultTo(''))
        // A Teacher/Staff patron whose ClassLink sign-in reaches the staff pages (SPEC §4).
        .addColumn('patron_id', 'integer')
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_login_at', 'text')
        .execute();

      await db.schema
        .createTable('web_sessions')
        // sha256 of the cookie's random token: a stolen database holds no usable session.
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('staff_user_id', 'integer', (c) => c.references('staff_users.id').onDelete('cascade'))
        .addColumn('patron_id', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'integer', id)
        .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
        .addColumn('staff_user_id', 'integer', (c) => c.notNull().references('staff_users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        // The token's first characters, shown in lists so a person can tell tokens apart.
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();

      for (const statement of [
        // Usernames are unique across the deployment: sign-in needs no library picker.
        'create unique index staff_users_username on staff_users (lower(username))',
        'create index staff_users_library on staff_users (library_id, id)',
        'create index web_sessions_expiry on web_sessions (expires_at)',
        'create index api_tokens_library on api_tokens (library_id, id)',
      ]) {
        await sql.raw(statement).execute(db);
      }
    },
  };
}
