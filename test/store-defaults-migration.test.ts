/**
 * Migration 0015 carries each library's creation defaults over from its integration settings
 * (the enabled integration's, else the one saved last) into `creation_defaults`, and takes them
 * out of every integration's settings; on SQLite and PostgreSQL. Played by dropping the table
 * the migration made, putting the old shape back, and running the migration again.
 */
import { expect, it } from 'vitest';
import { loadCreationDefaults } from '../src/sources/creation-defaults.ts';
import { openDatabase } from '../src/store/db.ts';
import { defaultsMigration } from '../src/store/migrations/0015-defaults.ts';
import { describeEachDatabase } from './support/db.ts';

describeEachDatabase(
  'store: migration 0015 moves the creation defaults',
  (db) => {
    it('takes the enabled integration’s defaults, else the latest, and removes them from every integration', async () => {
      const store = db.store();
      const a = await db.newLibrary('Enabled one');
      const b = await db.newLibrary('None enabled');
      const raw = (await openDatabase({ url: db.url(), migrate: false })).kysely;
      try {
        const row = (library: number, kind: string, enabled: number, policy: string, at: string) => ({
          library_id: library,
          kind,
          enabled,
          settings: JSON.stringify({
            roles: ['student'],
            defaults: { student: { policy, barcode: { kind: 'sequence', prefix: 'S', next: 7 } } },
          }),
          secrets: '',
          updated_at: at,
        });
        await raw
          .insertInto('integration_settings')
          .values([
            row(a.id, 'csv', 0, 'Newer but off', '2026-02-01T00:00:00.000Z'),
            row(a.id, 'classlink', 1, 'Students', '2026-01-01T00:00:00.000Z'),
            row(b.id, 'csv', 0, 'Older', '2026-01-01T00:00:00.000Z'),
            row(b.id, 'oneroster', 0, 'Pupils', '2026-03-01T00:00:00.000Z'),
          ])
          .execute();
        await raw.schema.dropTable('creation_defaults').execute();
        await defaultsMigration().up(raw);

        const da = await loadCreationDefaults(store, a.id);
        expect(da.revision).toBe(1);
        expect(da.defaults.student).toEqual({
          policy: 'Students',
          status: 1,
          barcode: { kind: 'sequence', prefix: 'S', next: 7, width: 6 },
          fixed: {},
        });
        expect((await loadCreationDefaults(store, b.id)).defaults.student.policy).toBe('Pupils');
        for (const r of [...(await store.integrations.list(a.id)), ...(await store.integrations.list(b.id))]) {
          expect(r.settings).toEqual({ roles: ['student'] });
        }
      } finally {
        await raw.destroy();
      }
    });
  },
  { isolation: 'test' },
);
