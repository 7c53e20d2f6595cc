/**
 * Every patron write is journaled (SPEC §3.9: "Each applied change is journaled per patron and
 * field (operation, old value, new value, when, who or which sync)"), in the same transaction,
 * on SQLite and PostgreSQL: a sync's creates, updates, transfers and reactivations; a held plan
 * once approved; a hand edit on the page and through the API; a patron file import; the GUIDs
 * cleared when another integration is turned on.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { STATUS_ACTIVE } from '../src/domain/fields.ts';
import { emptyPatronValues, type Patron } from '../src/domain/patron.ts';
import { importPatrons } from '../src/services/patrons/import-patrons.ts';
import { saveClassLink } from '../src/sources/classlink/state.ts';
import { readClassLinkSettings } from '../src/sources/settings.ts';
import { turnOn } from '../src/sources/switch.ts';
import type { JournalEntry, Store } from '../src/store/store.ts';
import { approveOperation } from '../src/sync/review.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, usersAt, type SyncFixture } from './support/sync-fixture.ts';
import { WebClient, makeStaff, openWeb } from './support/web.ts';

/** Every journal row of a patron, oldest first. */
async function journalOf(store: Store, libraryId: number, patronId: number): Promise<JournalEntry[]> {
  const rows: JournalEntry[] = [];
  for (let page = await store.journal.history(libraryId, patronId, { limit: 2 }); ; ) {
    rows.push(...page.items);
    if (page.next === null) break;
    page = await store.journal.history(libraryId, patronId, { limit: 2, before: page.next });
  }
  return rows.reverse();
}

/** The non-blank values of a patron, as a create row records them. */
function nonBlank(p: Patron): Record<string, string | number> {
  const { id: _id, guidSource: _g, matchedBy: _m, ...values } = p;
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
}

function studentOfES(f: SyncFixture, k: number): string {
  return usersAt(f, 'student', f.schoolIds[0]!)[k]!.sourcedId;
}

describeEachDatabase('journal: every patron write', (db) => {
  const setUp = syncFixtures(db);

  describe('a sync', () => {
    it('journals each create as one row of its values, then updates, transfers and reactivations per field, by the operation', async () => {
      const f = await setUp();
      const first = await f.sync('full');
      const patrons = await f.patrons();
      expect(patrons.length).toBe(first.operation.counts.created);
      const created = await f.store.journal.ofOperation(f.libraryId, first.operation.id);
      expect(created).toHaveLength(patrons.length);
      for (const p of patrons) {
        const [row, ...more] = await journalOf(f.store, f.libraryId, p.id);
        expect(more).toEqual([]);
        expect(row).toMatchObject({ field: '*', oldValue: null, kind: 'create', operationId: first.operation.id, staffUserId: null });
        expect(JSON.parse(row!.newValue!)).toEqual(nonBlank(p));
      }

      const [renamed, leaving] = [studentOfES(f, 0), studentOfES(f, 1)];
      const before = (await f.patronByGuid(renamed))!;
      f.emulator.mutate.changeUser(renamed, { familyName: 'Journaled', phone: '' });
      f.emulator.mutate.markToBeDeleted(leaving);
      const second = await f.sync('full');
      expect(second.operation.counts).toMatchObject({ updated: 1, transferred: 1 });
      const rows = await f.store.journal.ofOperation(f.libraryId, second.operation.id);
      const leaver = (await f.patronByGuid(leaving))!;
      expect(rows.map((r) => [r.patronId, r.field, r.oldValue, r.newValue, r.kind]).sort()).toEqual(
        [
          [before.id, 'lastName', before.lastName, 'Journaled', 'update'],
          ...(before.phone === '' ? [] : [[before.id, 'phone', before.phone, null, 'update']]),
          [leaver.id, 'status', '1', '4', 'transfer'],
        ].sort(),
      );

      f.emulator.mutate.changeUser(leaving, { status: 'active' });
      const third = await f.sync('full');
      expect(third.operation.counts.reactivated).toBe(1);
      const back = await f.store.journal.ofOperation(f.libraryId, third.operation.id);
      expect(back.map((r) => [r.patronId, r.field, r.oldValue, r.newValue, r.kind])).toEqual([
        [leaver.id, 'status', '4', '1', 'reactivate'],
      ]);

      // Nothing changed: nothing written, nothing journaled.
      const fourth = await f.sync('full');
      expect(await f.store.journal.ofOperation(f.libraryId, fourth.operation.id)).toEqual([]);
    });

    it('journals a held plan only when it is approved, under the held operation', async () => {
      const f = await setUp();
      await f.sync('full');
      const renamed = f
        .expectedInScope()
        .slice(0, Math.floor(f.expectedInScope().length / 2) + 1)
        .map((u) => u.sourcedId);
      for (const id of renamed) f.emulator.mutate.changeUser(id, { familyName: `Renamed-${id}` });
      const before = new Map((await f.patrons()).map((p) => [p.guid, p]));

      const { operation: held } = await f.sync('full');
      expect(held.state).toBe('needs_review');
      expect(await f.store.journal.ofOperation(f.libraryId, held.id)).toEqual([]);

      const done = await approveOperation(f.deps, f.libraryId, held.id, 'librarian');
      expect(done.state).toMatch(/^succeeded/);
      const rows = await f.store.journal.ofOperation(f.libraryId, held.id);
      expect(rows.map((r) => [r.patronId, r.field, r.oldValue, r.newValue, r.kind]).sort()).toEqual(
        renamed.map((id) => [before.get(id)!.id, 'lastName', before.get(id)!.lastName, `Renamed-${id}`, 'update']).sort(),
      );
    });
  });

  describe('a hand edit', () => {
    it('journals each field changed on the patron page and through the API, with the staff account', async () => {
      const web = await openWeb(db);
      try {
        const store = web.store;
        const lib = await db.newLibrary();
        await store.sites.add(lib.id, { code: 'MHS', name: 'Maple High' });
        const [id] = await store.patrons.insertMany(lib.id, [
          {
            ...emptyPatronValues(),
            firstName: 'Olivia',
            lastName: 'Smith',
            phone: '555-0100',
            site: 'MHS',
            guidSource: null,
            matchedBy: null,
          },
        ]);
        const lena = await makeStaff(store, lib, 'librarian', `lena-${lib.code}`);
        const c = new WebClient(web.app);
        await c.signIn(lena.username);

        const saved = await c.post(`/patrons/${id}/edit`, { phone: '', nickname: 'Liv' });
        expect(saved.statusCode).toBe(303);
        const patched = await c.api('PATCH', `/api/v1/patrons/${id}`, { level: '10', phone: '555-0199' });
        expect(patched.statusCode).toBe(200);
        // The same value again changes nothing and journals nothing.
        expect((await c.api('PATCH', `/api/v1/patrons/${id}`, { level: '10' })).statusCode).toBe(200);

        const rows = await journalOf(store, lib.id, id!);
        expect(rows.map((r) => [r.field, r.oldValue, r.newValue, r.kind, r.staffUserId, r.actor, r.operationId])).toEqual([
          ['phone', '555-0100', null, 'edit', lena.id, lena.username, null],
          ['nickname', null, 'Liv', 'edit', lena.id, lena.username, null],
          ['phone', null, '555-0199', 'edit', lena.id, lena.username, null],
          ['level', null, '10', 'edit', lena.id, lena.username, null],
        ]);
      } finally {
        await web.close();
      }
    });
  });

  describe('an import', () => {
    it('journals each imported patron as one row of its values, by the import’s operation; a rejected file journals nothing', async () => {
      const store = db.store();
      const lib = await db.newLibrary();
      const good = 'guid,first name,last name,status\nimp-1,Ada,Byron,1\nimp-2,,Lovelace,4\n';
      const report = await importPatrons(store, lib.id, Readable.from([good]), { requestedBy: 'cli', fileName: 'good.csv' });
      expect(report.imported).toBe(2);
      for (const p of await store.patrons.loadAll(lib.id)) {
        const rows = await journalOf(store, lib.id, p.id);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          field: '*',
          oldValue: null,
          kind: 'import',
          actor: 'import of good.csv',
          operationId: report.operation,
        });
        expect(JSON.parse(rows[0]!.newValue!)).toEqual(nonBlank(p));
      }

      const other = await db.newLibrary();
      const bad = await importPatrons(store, other.id, Readable.from(['guid,status\nimp-3,1\nimp-4,not a number\n']), {
        requestedBy: 'cli',
        fileName: 'bad.csv',
      });
      expect(bad.imported).toBe(0);
      expect(await store.patrons.count(other.id)).toBe(0);
      const [someone] = await store.patrons.loadAll(lib.id);
      // Rolled back with the rows: the rejected file left no journal anywhere near.
      expect(await store.journal.changedAfter(other.id, [someone!.id, someone!.id + 1, someone!.id + 2, someone!.id + 3], 0)).toEqual([]);
    });
  });

  describe('turning another integration on', () => {
    it('journals each patron GUID it clears, by whoever turned it on', async () => {
      const store = db.store();
      const lib = await db.newLibrary();
      await store.sites.add(lib.id, { code: 'CL', name: 'CL' });
      const ids = await store.patrons.insertMany(lib.id, [
        {
          ...emptyPatronValues(),
          guid: 'cl-1',
          lastName: 'A',
          site: 'CL',
          status: STATUS_ACTIVE,
          guidSource: 'classlink',
          matchedBy: 'guid',
        },
        { ...emptyPatronValues(), guid: 'imported-1', lastName: 'B', site: 'CL', status: STATUS_ACTIVE, guidSource: null, matchedBy: null },
      ]);
      await saveClassLink(store, lib.id, {
        settings: readClassLinkSettings({
          connection: { mode: 'direct', rosterUrl: 'http://127.0.0.1:9/unused', auth: 'oauth1', clientId: 'key' },
        }),
        secrets: { clientSecret: 'secret' },
        enabled: true,
      });
      const r = await turnOn(store, lib.id, 'csv', 'cli', 1, { actor: 'command line' });
      expect(r.clearedPatronGuids).toBe(1);
      expect(await journalOf(store, lib.id, ids[0]!)).toMatchObject([
        { field: 'guid', oldValue: 'cl-1', newValue: null, kind: 'switch', actor: 'command line', operationId: null },
      ]);
      expect(await journalOf(store, lib.id, ids[1]!)).toEqual([]);
    });
  });
});
