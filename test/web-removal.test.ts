/**
 * End of year in the web admin and the API (SPEC §3.10): the rule page's preview, the archive
 * download, a typed confirmation (a wrong or stale count removes nothing), the operation page with
 * its archive; admins only, CSRF, another library's data never seen; one patron deleted from
 * their page by typing the barcode or name; the API's preview, removal and delete.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emptyPatronValues } from '../src/domain/patron.ts';
import type { Library, PatronWrite } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

function row(n: number, status: number, site = 'MAIN'): PatronWrite {
  return {
    ...emptyPatronValues(),
    guid: `w-${n}`,
    barcode: `WB${n}`,
    firstName: `Ann${n}`,
    lastName: `Lee${n}`,
    site,
    status,
    policy: 'Student',
    guidSource: null,
    matchedBy: null,
  };
}

describeEachDatabase('web: end-of-year removal', (db) => {
  let web: TestWeb;
  let lib: Library;
  let admin: WebClient;
  let librarian: WebClient;
  let ids: number[];

  beforeAll(async () => {
    web = await openWeb(db);
    lib = await db.newLibrary();
    await web.store.sites.add(lib.id, { code: 'MAIN', name: 'Main' });
    await web.store.sites.add(lib.id, { code: 'WEST', name: 'West' });
    ids = await web.store.patrons.insertMany(lib.id, [
      row(1, 4),
      row(2, 4),
      row(3, 4, 'WEST'),
      row(4, 1),
      row(5, 1),
      row(6, 4),
      row(7, 1, 'WEST'),
    ]);
    await makeStaff(web.store, lib, 'admin', `adm-${lib.code}`);
    await makeStaff(web.store, lib, 'librarian', `lib-${lib.code}`);
    admin = new WebClient(web.app);
    await admin.signIn(`adm-${lib.code}`);
    librarian = new WebClient(web.app);
    await librarian.signIn(`lib-${lib.code}`);
  });
  afterAll(async () => web?.close());

  it('admins only; CSRF on the confirmation; another library sees none of it', async () => {
    expect((await librarian.get('/patrons/removal')).statusCode).toBe(403);
    expect((await librarian.get('/patrons/removal/archive.csv')).statusCode).toBe(403);
    expect((await librarian.post('/patrons/removal', { count: '3' })).statusCode).toBe(403);
    expect((await librarian.get(`/patrons/${ids[0]}`)).body).not.toContain('id="delete-patron"');
    expect((await librarian.post(`/patrons/${ids[0]}/delete`, { confirm: 'WB1' })).statusCode).toBe(403);
    expect((await librarian.api('DELETE', `/api/v1/patrons/${ids[0]}?confirm=WB1`)).statusCode).toBe(403);
    await admin.get('/patrons/removal');
    expect((await admin.post('/patrons/removal', { _csrf: '', count: '4', status: '4' })).statusCode).toBe(403);
    const other = await db.newLibrary('Other');
    await makeStaff(web.store, other, 'admin', `adm-${other.code}`);
    const stranger = new WebClient(web.app);
    await stranger.signIn(`adm-${other.code}`);
    const page = await stranger.get('/patrons/removal?preview=1&status=4');
    expect(page.body).toContain('No patron matches this rule');
    expect((await stranger.get(`/patrons/${ids[0]}/delete`)).statusCode).toBe(404);
    expect(await web.store.patrons.count(lib.id)).toBe(7);
  });

  it('previews the rule in words with exactly who would go; the archive download is the field-number CSV of them', async () => {
    const page = await admin.get('/patrons/removal?preview=1&status=4&site=MAIN');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Rule: patrons with Status Transferred (4), of site MAIN.');
    expect(page.body).toContain('<strong id="removal-count">3</strong>');
    for (const id of [ids[0], ids[1], ids[5]]) expect(page.body).toContain(`data-patron="${id}"`);
    for (const id of [ids[2], ids[3]]) expect(page.body).not.toContain(`data-patron="${id}"`);
    const csv = await admin.get('/patrons/removal/archive.csv?status=4&site=MAIN');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="removal-preview-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('1200,1000,1001,1007,1008,1006,1045,1032,1017,1019,1049,1054,1004,1010,1050,1026,1028');
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(['WB1', 'WB2', 'WB6']);
    // A rule that would take Active patrons asks for the explicit yes.
    expect((await admin.get('/patrons/removal?preview=1&status=1')).body).toContain('id="removal-include-active"');
    expect((await admin.get('/patrons/removal?preview=1&status=x')).body).toContain('A Status is a whole number');
  });

  it('removes only with the typed count; a stale count previews again; then shows the operation with its archive', async () => {
    const wrong = await admin.post('/patrons/removal', { status: '4', site: 'MAIN', count: '2' });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.body).toContain('This rule now selects 3 patrons, not the 2 previewed: nothing was removed. Preview it again.');
    const blank = await admin.post('/patrons/removal', { status: '4', site: 'MAIN', count: '' });
    expect(blank.statusCode).toBe(400);
    expect(await web.store.patrons.count(lib.id)).toBe(7);
    const active = await admin.post('/patrons/removal', { status: '1', site: 'WEST', count: '1' });
    expect(active.body).toContain('This rule removes Active patrons');
    const done = await admin.post('/patrons/removal', { status: '4', site: 'MAIN', count: '3' });
    expect(done.statusCode).toBe(303);
    const opUrl = done.headers.location as string;
    expect(opUrl).toMatch(/^\/operations\/\d+\?notice=removal-applied$/);
    const opPage = await admin.get(opUrl);
    expect(opPage.body).toContain('Patron Removal');
    expect(opPage.body).toContain('data-test="removal-count">3<');
    expect(opPage.body).not.toContain('id="undo"');
    const id = Number(/\/operations\/(\d+)/.exec(opUrl)![1]);
    const archive = await admin.get(`/operations/${id}/archive.csv`);
    expect(archive.body.trim().split('\n')).toHaveLength(4);
    expect((await librarian.get(`/operations/${id}/archive.csv`)).statusCode).toBe(403);
    expect((await librarian.get(opUrl)).body).not.toContain('id="removal-archive-download"');
    expect(await web.store.patrons.count(lib.id)).toBe(4);
  });

  it('deletes one patron from their page by typing the barcode or name', async () => {
    expect((await admin.get(`/patrons/${ids[3]}`)).body).toContain('id="delete-patron"');
    await admin.get(`/patrons/${ids[3]}/delete`);
    const wrong = await admin.post(`/patrons/${ids[3]}/delete`, { confirm: 'WB5' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Type the patron&#39;s barcode or name exactly to confirm; nothing was deleted.');
    const done = await admin.post(`/patrons/${ids[3]}/delete`, { confirm: 'ann4 lee4' });
    expect(done.statusCode).toBe(303);
    expect(await web.store.patrons.get(lib.id, ids[3]!)).toBeUndefined();
  });

  it('the API previews, removes with the count, serves the archive and deletes one patron', async () => {
    const preview = await admin.api('GET', '/api/v1/patrons/removal?status=4');
    expect(preview.statusCode).toBe(200);
    const body = preview.json() as { total: number; ruleText: string; items: { id: number }[] };
    expect(body).toMatchObject({ total: 1, ruleText: 'patrons with Status Transferred (4)' });
    expect(body.items.map((i) => i.id)).toEqual([ids[2]]);
    expect((await admin.api('POST', '/api/v1/patrons/removal', { status: '4', count: 5 })).statusCode).toBe(409);
    const removed = await admin.api('POST', '/api/v1/patrons/removal', { status: '4', count: 1 });
    expect(removed.statusCode).toBe(200);
    const r = removed.json() as { operation: number; removed: number; archive: string };
    expect(r.removed).toBe(1);
    expect((await admin.api('GET', r.archive)).body).toContain('WB3');
    expect((await admin.api('DELETE', `/api/v1/patrons/${ids[4]}?confirm=nobody`)).statusCode).toBe(400);
    const gone = await admin.api('DELETE', `/api/v1/patrons/${ids[4]}?confirm=WB5`);
    expect(gone.json()).toEqual({ deleted: ids[4] });
    const doc = (await admin.api('GET', '/api/v1/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/patrons/removal', '/api/v1/operations/{id}/archive']));
  });
});
