/**
 * Patron import in the web admin and the API (`/patrons/import`), on SQLite and PostgreSQL: an
 * uploaded file is an operation ("Patron Import", requested by the staff account, its journal
 * rows carrying its id) that lands on its page with the undo button; a refused file lists its
 * rejected lines and is a failed operation that wrote nothing; CSRF and librarians refused.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Library } from '../src/store/store.ts';
import { tempDirs } from './support/csv-fixture.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

const tempDir = tempDirs();

/** A multipart body: fields, and one file part named `file`. */
function multipart(fields: Record<string, string>, file: { name: string; text: string }): { payload: Buffer; type: string } {
  const boundary = `----rollcall${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: text/csv\r\n\r\n`),
    Buffer.from(file.text),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

const GOOD = 'GUID,First Name,Last Name,Site,Status\nw-1,Ada,Byron,MAIN,1\nw-2,Bea,Cole,,1\n';
const BAD = 'GUID,First Name,Last Name,Site,Status\nw-3,Cy,Dee,MAIN,1\nw-4,Di,Eve,NOPE,1\n';

describeEachDatabase('web: patron import', (db) => {
  let web: TestWeb;
  beforeAll(async () => {
    // Uploads go under the data directory: a temporary one, not the repository's.
    web = await openWeb(db, { ROLLCALL_DATA_DIR: await tempDir() });
  });
  afterAll(async () => web?.close());

  async function signedIn(role: 'admin' | 'librarian', lib: Library): Promise<{ c: WebClient; username: string }> {
    const username = `${role}-${lib.code}-${Math.random().toString(36).slice(2, 7)}`;
    await makeStaff(web.store, lib, role, username);
    const c = new WebClient(web.app);
    expect((await c.signIn(username)).statusCode).toBe(303);
    return { c, username };
  }

  async function upload(c: WebClient, url: string, fields: Record<string, string>, file: { name: string; text: string }) {
    const { payload, type } = multipart(fields, file);
    const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return web.app.inject({ method: 'POST', url, payload, headers: { cookie, 'content-type': type } });
  }

  async function library(): Promise<Library> {
    const lib = await db.newLibrary();
    await web.store.sites.add(lib.id, { code: 'MAIN', name: 'Main library' });
    return lib;
  }

  it('an uploaded file is a Patron Import operation by the staff account, landing on its page with the undo button', async () => {
    const lib = await library();
    const { c, username } = await signedIn('admin', lib);
    expect((await c.get('/patrons')).body).toContain('href="/patrons/import"');
    expect((await c.get('/patrons/import')).body).toContain('id="import-file"');

    const res: LightMyRequestResponse = await upload(c, '/patrons/import', { _csrf: c.csrf }, { name: 'good.csv', text: GOOD });
    expect(res.statusCode, res.body).toBe(303);
    const id = Number(/^\/operations\/(\d+)\?notice=patrons-imported$/.exec(res.headers.location as string)?.[1]);
    const op = (await web.store.operations.get(lib.id, id))!;
    expect(op).toMatchObject({ type: 'patron_import', requestedBy: username, state: 'succeeded', counts: { created: 2 } });
    const patrons = await web.store.patrons.loadAll(lib.id);
    expect(patrons.map((p) => p.guid).sort()).toEqual(['w-1', 'w-2']);
    const journal = await web.store.journal.ofOperation(lib.id, id);
    expect(journal.map((r) => [r.kind, r.operationId, r.actor])).toEqual([
      ['import', id, 'import of good.csv'],
      ['import', id, 'import of good.csv'],
    ]);
    const page = await c.get(`/operations/${id}`);
    expect(page.body).toContain('Patron Import');
    expect(page.body).toContain('<dt>Source</dt><dd>Patron file</dd>');
    expect(page.body).toContain(`href="/operations/${id}/undo"`);
    expect((await c.get(`/operations/${id}/undo`)).body).toContain('Patron Import');
  });

  it('a refused file lists its rejected lines, imports nothing, and is a failed operation; through the API, 422 with the report', async () => {
    const lib = await library();
    const { c } = await signedIn('admin', lib);
    await c.get('/patrons/import');
    const res = await upload(c, '/patrons/import', { _csrf: c.csrf }, { name: 'bad.csv', text: BAD });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('there is no site with code &quot;NOPE&quot;');
    const [failed] = await web.store.operations.list(lib.id);
    expect(failed).toMatchObject({ type: 'patron_import', state: 'failed', counts: { skipped: 1 } });
    expect(res.body).toContain(`href="/operations/${failed!.id}"`);
    expect(await web.store.patrons.count(lib.id)).toBe(0);

    const api = await upload(c, '/api/v1/patrons/import', { _csrf: c.csrf }, { name: 'bad.csv', text: BAD });
    expect(api.statusCode).toBe(422);
    expect(api.json()).toMatchObject({ imported: 0, rejected: [{ line: 3 }], operation: expect.any(Number) });
    const ok = await upload(c, '/api/v1/patrons/import', { _csrf: c.csrf }, { name: 'good.csv', text: GOOD });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ imported: 2, rejected: [] });
    expect((await web.store.operations.get(lib.id, ok.json<{ operation: number }>().operation))?.state).toBe('succeeded');
  });

  it('never without CSRF, and never by a librarian: nothing imported, no operation', async () => {
    const lib = await library();
    const { c } = await signedIn('admin', lib);
    await c.get('/patrons/import');
    expect((await upload(c, '/patrons/import', {}, { name: 'good.csv', text: GOOD })).statusCode).toBe(403);
    const { c: librarian } = await signedIn('librarian', lib);
    expect((await librarian.get('/patrons')).body).not.toContain('href="/patrons/import"');
    expect((await librarian.get('/patrons/import')).statusCode).toBe(403);
    await librarian.get('/patrons');
    expect((await upload(librarian, '/patrons/import', { _csrf: librarian.csrf }, { name: 'good.csv', text: GOOD })).statusCode).toBe(403);
    expect(await web.store.patrons.count(lib.id)).toBe(0);
    expect(await web.store.operations.list(lib.id)).toEqual([]);
  });
});
