import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { scheduleZoneMigration } from './0014-schedule-zone.ts';

describe('migration 0014: the time zone asked for', () => {
  it('leaves libraries already on UTC unconfirmed (nobody chose it) and confirms those set on purpose; revisions start at 0', async () => {
    // The two tables as they stood before 0014 (only the columns it touches and reads).
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      await db.schema
        .createTable('libraries')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('timezone', 'text')
        .execute();
      await db.schema
        .createTable('schedules')
        .addColumn('library_id', 'integer', (c) => c.primaryKey())
        .execute();
      await db
        .insertInto('libraries')
        .values([
          { id: 1, timezone: 'UTC' },
          { id: 2, timezone: 'America/Chicago' },
        ])
        .execute();
      await db.insertInto('schedules').values({ library_id: 1 }).execute();

      await scheduleZoneMigration().up(db);

      expect(await db.selectFrom('libraries').select(['id', 'timezone_confirmed']).orderBy('id').execute()).toEqual([
        { id: 1, timezone_confirmed: 0 },
        { id: 2, timezone_confirmed: 1 },
      ]);
      expect(await db.selectFrom('schedules').select(['library_id', 'revision']).execute()).toEqual([{ library_id: 1, revision: 0 }]);
    } finally {
      await db.destroy();
    }
  });
});
