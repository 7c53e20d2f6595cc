/**
 * A patron's history (SPEC §3.9: "A patron's page shows its history"), on SQLite and
 * PostgreSQL: the patron page's History section (newest first, paged, who or what made each
 * change, linked to its operation), GET /api/v1/patrons/{id}/history (paged by a cursor, in the
 * OpenAPI document, librarians only, one library never sees another's), and
 * `rollcall patrons history (--guid G | --barcode B) [--json]` (SPEC §8).
 */
import { expect, it } from 'vitest';
import { emptyPatronValues } from '../src/domain/patron.ts';
import type { Library, Store } from '../src/store/store.ts';
import { dbEnv, rollcallHere } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';
import { WebClient, makeStaff, openWeb, type TestWeb } from './support/web.ts';

/** A library with one patron created by a sync operation, then edited by hand through the API. */
async function historyLibrary(web: TestWeb, lib: Library) {
  const store: Store = web.store;
  await store.sites.add(lib.id, { code: 'MHS', name: 'Maple High' });
  const values = {
    ...emptyPatronValues(),
    guid: `stu-${lib.code}`,
    barcode: `B-${lib.code}`,
    firstName: 'Ada',
    lastName: 'Byron',
    site: 'MHS',
  };
  const { operation: op } = await store.operations.create(lib.id, {
    type: 'classlink_full_sync',
    source: 'classlink',
    requestedBy: 'schedule',
  });
  const [id] = await store.patrons.insertMany(lib.id, [
    { ...values, guidSource: 'classlink', matchedBy: 'created', lastSyncOperationId: op.id },
  ]);
  await store.journal.append(lib.id, { operationId: op.id }, [
    {
      patronId: id!,
      field: '*',
      oldValue: null,
      newValue: JSON.stringify({ guid: values.guid, firstName: 'Ada', lastName: 'Byron' }),
      kind: 'create',
    },
  ]);
  const lena = await makeStaff(store, lib, 'librarian', `lena-${lib.code}`);
  const c = new WebClient(web.app);
  await c.signIn(lena.username);
  expect((await c.api('PATCH', `/api/v1/patrons/${id}`, { lastName: 'Lovelace' })).statusCode).toBe(200);
  expect((await c.api('PATCH', `/api/v1/patrons/${id}`, { phone: '555-0100' })).statusCode).toBe(200);
  return { id: id!, op, lena, c, guid: values.guid, barcode: values.barcode };
}

describeEachDatabase('patron history', (db) => {
  it('shows the history on the patron page, newest first, with who made each change and a link to the operation', async () => {
    const web = await openWeb(db);
    try {
      const lib = await db.newLibrary();
      const h = await historyLibrary(web, lib);
      const page = await h.c.get(`/patrons/${h.id}`);
      expect(page.statusCode).toBe(200);
      const rows = [...page.body.matchAll(/<tr data-change="\d+" data-kind="(\w+)">([\s\S]*?)<\/tr>/g)].map((m) => ({
        kind: m[1],
        cells: [...m[2]!.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim()),
        html: m[2]!,
      }));
      expect(rows.map((r) => r.kind)).toEqual(['edit', 'edit', 'create']);
      expect(rows[0]!.cells.slice(1)).toEqual(['1017 Phone Number', '—', '555-0100', 'Edited by hand', `librarian of ${lib.code}`]);
      expect(rows[1]!.cells.slice(1, 4)).toEqual(['1006 Last Name', 'Byron', 'Lovelace']);
      expect(rows[2]!.cells.slice(1, 5)).toEqual([
        'Every field (new patron)',
        '—',
        `GUID: ${h.guid}; First Name: Ada; Last Name: Byron`,
        'Created by a sync',
      ]);
      expect(rows[2]!.html).toContain(`href="/operations/${h.op.id}"`);
      expect(page.body).not.toContain('id="history-older"');
    } finally {
      await web.close();
    }
  });

  it('pages the history on the page: 50 at a time, older changes behind a link', async () => {
    const web = await openWeb(db);
    try {
      const lib = await db.newLibrary();
      const h = await historyLibrary(web, lib);
      await web.store.journal.append(
        lib.id,
        { actor: 'bulk' },
        Array.from({ length: 55 }, (_, i) => ({
          patronId: h.id,
          field: 'level' as const,
          oldValue: String(i),
          newValue: String(i + 1),
          kind: 'edit' as const,
        })),
      );
      const first = await h.c.get(`/patrons/${h.id}`);
      expect(first.body.match(/data-change=/g)).toHaveLength(50);
      const older = /id="history-older" href="([^"]+)"|href="([^"]+)" rel="next" id="history-older"/.exec(first.body);
      const link = (older?.[1] ?? older?.[2])!.replace(/&amp;/g, '&');
      const second = await h.c.get(link);
      // 58 changes: 50, then the last 8, the oldest being the create.
      expect(second.body.match(/data-change=/g)).toHaveLength(8);
      expect(second.body).toContain('data-kind="create"');
      expect(second.body).toContain('id="history-newest"');
      expect(second.body).not.toContain('id="history-older"');
    } finally {
      await web.close();
    }
  });

  it('answers GET /api/v1/patrons/{id}/history paged by its cursor, declared in the OpenAPI document, for this library only', async () => {
    const web = await openWeb(db);
    try {
      const lib = await db.newLibrary();
      const h = await historyLibrary(web, lib);
      const first = await h.c.api('GET', `/api/v1/patrons/${h.id}/history?limit=2`);
      expect(first.statusCode).toBe(200);
      const body = first.json();
      expect(body.items.map((i: { field: string }) => i.field)).toEqual(['phone', 'lastName']);
      expect(body.items[0]).toMatchObject({
        kind: 'edit',
        field: 'phone',
        fieldNumber: 1017,
        oldValue: null,
        newValue: '555-0100',
        operation: null,
        by: `librarian of ${lib.code}`,
      });
      const rest = (await h.c.api('GET', `/api/v1/patrons/${h.id}/history?limit=2&before=${body.next}`)).json();
      expect(rest.next).toBeNull();
      expect(rest.items).toHaveLength(1);
      expect(rest.items[0]).toMatchObject({
        kind: 'create',
        field: '*',
        fieldNumber: null,
        operation: { id: h.op.id, name: 'ClassLink Full Sync' },
      });
      expect(JSON.parse(rest.items[0].newValue)).toEqual({ guid: h.guid, firstName: 'Ada', lastName: 'Byron' });

      const doc = (await h.c.get('/api/v1/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
      expect(doc.paths['/api/v1/patrons/{id}/history']?.get).toBeDefined();

      // Another library's librarian cannot read it; nobody signed in gets 401.
      const other = await db.newLibrary();
      await makeStaff(web.store, other, 'librarian', `other-${other.code}`);
      const o = new WebClient(web.app);
      await o.signIn(`other-${other.code}`);
      expect((await o.api('GET', `/api/v1/patrons/${h.id}/history`)).statusCode).toBe(404);
      expect((await o.get(`/patrons/${h.id}`)).statusCode).toBe(404);
      expect((await new WebClient(web.app).api('GET', `/api/v1/patrons/${h.id}/history`)).statusCode).toBe(401);
    } finally {
      await web.close();
    }
  });

  it('prints it with `rollcall patrons history`, by GUID or Barcode, as a table or --json', async () => {
    const web = await openWeb(db);
    try {
      const lib = await db.newLibrary();
      const h = await historyLibrary(web, lib);
      const cli = (args: string[]) => rollcallHere([...args, '--library', lib.code], dbEnv(db));

      const json = await cli(['patrons', 'history', '--guid', h.guid, '--json']);
      expect(json.code).toBe(0);
      const items = JSON.parse(json.stdout) as { kind: string; field: string; oldValue: string | null; newValue: string | null }[];
      expect(items.map((i) => [i.kind, i.field, i.oldValue])).toEqual([
        ['edit', 'phone', null],
        ['edit', 'lastName', 'Byron'],
        ['create', '*', null],
      ]);

      const text = await cli(['patrons', 'history', '--barcode', h.barcode]);
      expect(text.code).toBe(0);
      const lines = text.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^WHEN \(UTC\)\s+FIELD\s+BEFORE\s+AFTER\s+KIND\s+BY$/);
      expect(lines[1]).toMatch(/1017 Phone Number\s+—\s+555-0100\s+edit\s+librarian of/);
      expect(lines[3]).toContain(`#${h.op.id} ClassLink Full Sync`);

      expect((await cli(['patrons', 'history'])).code).toBe(2);
      expect((await cli(['patrons', 'history', '--guid', 'x', '--barcode', 'y'])).code).toBe(2);
      const missing = await cli(['patrons', 'history', '--guid', 'nobody']);
      expect(missing.code).toBe(1);
      expect(missing.stderr.trim()).toBe('rollcall: No patron of this library has the GUID "nobody".');
    } finally {
      await web.close();
    }
  });
});
