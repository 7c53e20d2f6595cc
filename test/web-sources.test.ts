/**
 * Preferences › SIS Integrations › OneRoster REST and OneRoster CSV in the web admin (SPEC §1.3):
 * a OneRoster 1.2 server with OAuth 2 client credentials (the emulator) saved through
 * the page, a wrong secret refused with a sentence, the secret never in a page or API body;
 * switching from ClassLink shows the counts and clears ClassLink's identifiers; a CSV package
 * uploaded through the form syncs and lands on its operation; CSRF, non-zip and librarians refused.
 */
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import type { Library } from '../src/store/store.ts';
import { generatedData, schoolIds, tempDirs, writePackage, zipFolder } from './support/csv-fixture.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

const OR = '/preferences/integrations/oneroster';
const CSV = '/preferences/integrations/csv';
let emulator: RunningEmulator;
const tempDir = tempDirs();
let zip = '';
let orgs: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ district: { students: 30, seed: 'web-sources' } });
  const data = generatedData(40, 'web-sources-csv');
  orgs = schoolIds(data);
  const dir = await tempDir();
  zip = await zipFolder(await writePackage(join(dir, 'pkg'), data), join(dir, 'roster.zip'));
});
afterAll(async () => emulator?.close());

/** A multipart body: fields, and one file part. */
async function multipart(
  fields: Record<string, string>,
  file?: { name: string; data: Buffer },
): Promise<{ payload: Buffer; type: string }> {
  const boundary = `----rollcall${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="package"; filename="${file.name}"\r\ncontent-type: application/zip\r\n\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

describeEachDatabase('web: OneRoster REST and OneRoster CSV setup', (db) => {
  let web: TestWeb;
  const bodies: string[] = [];
  beforeAll(async () => {
    // Uploads go under the data directory: a temporary one, not the repository's.
    web = await openWeb(db, { ROLLCALL_DATA_DIR: await tempDir() });
  });
  afterAll(async () => web?.close());

  async function signedIn(role: 'admin' | 'librarian', lib?: Library): Promise<{ c: WebClient; lib: Library }> {
    const library = lib ?? (await db.newLibrary());
    const username = `${role}-${library.code}-${Math.random().toString(36).slice(2, 7)}`;
    await makeStaff(web.store, library, role, username);
    const c = new WebClient(web.app);
    expect((await c.signIn(username)).statusCode).toBe(303);
    return { c, lib: library };
  }
  const keep = (r: LightMyRequestResponse) => {
    bodies.push(r.body);
    return r;
  };

  async function upload(c: WebClient, url: string, fields: Record<string, string>, file?: { name: string; data: Buffer }) {
    const { payload, type } = await multipart(fields, file);
    const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return keep(await web.app.inject({ method: 'POST', url, payload, headers: { cookie, 'content-type': type } }));
  }

  it('saves a OneRoster 1.2 server with OAuth 2 through the page; a wrong secret is refused with a sentence; the secret is never shown', async () => {
    const { c, lib } = await signedIn('admin');
    const o = emulator.oauth2;
    keep(await c.get(OR));
    const form = {
      baseUrl: emulator.url,
      version: '1.2',
      auth: 'oauth2',
      clientId: o.clientId,
      tokenUrl: o.tokenUrl,
      scopes: '',
      clientAuth: 'basic',
    };
    const wrong = keep(await c.post(`${OR}/connection`, { ...form, clientSecret: 'not-the-secret' }));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toMatch(/class="error"[^>]*>[^<]*client id and secret/);
    expect((await web.store.integrations.get(lib.id, 'oneroster'))?.settings ?? {}).not.toHaveProperty('connection');
    const saved = keep(await c.post(`${OR}/connection`, { ...form, clientSecret: o.clientSecret }));
    expect(saved.statusCode, saved.body).toBe(303);
    const page = keep(await c.get(OR));
    expect(page.body).toContain('validated');
    expect(page.body).toContain(`value="${o.clientId}"`);
    const api = keep(await c.api('GET', '/api/v1/integrations/oneroster'));
    expect(api.json()).toMatchObject({
      enabled: false,
      credentialsSaved: true,
      connection: { version: '1.2', auth: 'oauth2', clientId: o.clientId },
    });
    // Site Mapping lists the server's schools; the API matches one.
    const schools = keep(await c.api('GET', '/api/v1/integrations/oneroster/schools')).json() as { sourcedId: string }[];
    expect(schools.length).toBeGreaterThan(0);
    await web.store.sites.add(lib.id, { code: 'A1', name: 'Alpha' });
    const match = keep(await c.api('PUT', '/api/v1/integrations/oneroster/sites/A1/match', { orgSourcedId: schools[0]!.sourcedId }));
    expect(match.statusCode, match.body).toBe(200);
    expect((await web.store.sites.byCode(lib.id, 'A1'))?.orgGuidSource).toBe('oneroster');
    for (const step of ['/sites', '/syncing', '/fields', '/enable', '/sync'])
      expect(keep(await c.get(`${OR}${step}`)).statusCode).toBe(200);
    expect(bodies.join('\n')).not.toContain(o.clientSecret);
  });

  it("switching from ClassLink to OneRoster REST shows what it clears, then clears ClassLink's identifiers", async () => {
    const { c, lib } = await signedIn('admin');
    await web.store.sites.add(lib.id, { code: 'C1', name: 'ClassLink school' });
    await web.store.sites.setOrgGuid(lib.id, 'C1', 'cl-org-1', 'classlink');
    await web.store.integrations.save(lib.id, 'classlink', { enabled: true, settings: {} });
    const o = emulator.oauth2;
    const put = keep(
      await c.api('PUT', '/api/v1/integrations/oneroster/connection', {
        baseUrl: emulator.url,
        version: '1.2',
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        tokenUrl: o.tokenUrl,
      }),
    );
    expect(put.statusCode, put.body).toBe(200);
    expect(put.body).not.toContain(o.clientSecret);
    const preview = keep(await c.get(`${OR}/enable`));
    expect(preview.body).toMatch(/id="clear-site-guids">1</);
    expect(preview.body).toContain('turns ClassLink off');
    expect(keep(await c.api('GET', '/api/v1/integrations/oneroster/enable-preview')).json()).toMatchObject({
      siteGuids: 1,
      current: 'classlink',
    });
    expect(preview.body).toContain('<input type="hidden" name="previewedTotal" value="1">');
    const on = keep(await c.post(`${OR}/enable`, { previewedTotal: '1' }));
    expect(on.statusCode, on.body).toBe(303);
    expect((await web.store.sites.byCode(lib.id, 'C1'))?.orgGuid).toBe('');
    const list = keep(await c.get('/preferences/integrations'));
    expect(list.body).toMatch(/data-test="state-oneroster">ON</);
    expect(list.body).toMatch(/data-test="state-classlink">OFF</);
  });

  it('a CSV package uploaded through the form syncs and lands on its operation; no CSRF → 403; a non-zip is refused', async () => {
    const { c, lib } = await signedIn('admin');
    await web.store.sites.add(lib.id, { code: 'S1', name: 'School 1' });
    const data = await (await import('node:fs/promises')).readFile(zip);
    keep(await c.get(CSV));
    const noCsrf = await upload(c, `${CSV}/upload`, { purpose: 'sync' }, { name: 'roster.zip', data });
    expect(noCsrf.statusCode).toBe(403);
    const notZip = await upload(c, `${CSV}/upload`, { _csrf: c.csrf, purpose: 'sync' }, { name: 'roster.txt', data: Buffer.from('hello') });
    expect(notZip.statusCode).toBe(400);
    expect(notZip.body).toContain('roster.txt is not a .zip');
    // A CSV given a .zip name: one sentence with the admin's own file name, not the temporary
    // file it was stored as nor the zip reader's words.
    for (const purpose of ['sync', 'schools']) {
      const csvAsZip = await upload(
        c,
        `${CSV}/upload`,
        { _csrf: c.csrf, purpose },
        { name: 'students.zip', data: Buffer.from('1200,1007\nx,Ann\n') },
      );
      expect(csvAsZip.statusCode, purpose).toBe(400);
      expect(csvAsZip.body).toContain(
        'students.zip is not a zip file: upload the OneRoster CSV package as a .zip of its CSV files (manifest.csv, users.csv, …).',
      );
      expect(csvAsZip.body).not.toMatch(/upload-[0-9a-f-]{36}|end of central directory/i);
    }
    // A zip cut short: named by the upload's name too.
    const cut = await upload(c, `${CSV}/upload`, { _csrf: c.csrf, purpose: 'schools' }, { name: 'cut.zip', data: data.subarray(0, 200) });
    expect(cut.statusCode).toBe(400);
    expect(cut.body).toContain('cut.zip is not a readable zip file');
    expect(cut.body).not.toMatch(/upload-[0-9a-f-]{36}/);
    // Read its schools, match one, turn CSV ON, then sync the upload.
    const schools = await upload(c, `${CSV}/upload`, { _csrf: c.csrf, purpose: 'schools' }, { name: 'roster.zip', data });
    expect(schools.statusCode, schools.body).toBe(303);
    expect(keep(await c.api('PUT', '/api/v1/integrations/csv/sites/S1/match', { orgSourcedId: orgs[0] })).statusCode).toBe(200);
    expect(keep(await c.api('POST', '/api/v1/integrations/csv/enable')).statusCode).toBe(200);
    keep(await c.get(CSV));
    const res = await upload(c, `${CSV}/upload`, { _csrf: c.csrf, purpose: 'sync' }, { name: 'roster.zip', data });
    expect(res.statusCode, res.body).toBe(303);
    const m = /^\/operations\/(\d+)\?/.exec(String(res.headers.location));
    expect(m).not.toBeNull();
    let state = '';
    for (let i = 0; i < 200 && !['succeeded', 'failed', 'needs_review', 'completed_with_warnings'].includes(state); i++) {
      state = (await web.store.operations.get(lib.id, Number(m![1])))!.state;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toMatch(/succeeded|completed_with_warnings/);
    expect(await web.store.patrons.count(lib.id, {})).toBeGreaterThan(0);
    const packages = keep(await c.api('GET', '/api/v1/integrations/csv/packages')).json() as { name: string; operationId: number }[];
    expect(packages[0]).toMatchObject({ name: 'roster.zip', operationId: Number(m![1]) });
    expect(keep(await c.get(CSV)).body).toContain(`/operations/${m![1]}`);
  });

  it('refuses librarians (403) on the pages and the API', async () => {
    const { c } = await signedIn('librarian');
    for (const url of ['/preferences/integrations', OR, `${OR}/sites`, CSV, `${CSV}/enable`])
      expect((await c.get(url)).statusCode).toBe(403);
    for (const url of [
      '/api/v1/integrations',
      '/api/v1/integrations/oneroster',
      '/api/v1/integrations/csv',
      '/api/v1/integrations/csv/packages',
    ])
      expect((await c.api('GET', url)).statusCode).toBe(403);
  });
});
