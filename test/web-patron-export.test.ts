/**
 * Patron exports in the web admin and the API, on SQLite and PostgreSQL: the Export page and its
 * download (a CSV a spreadsheet opens: byte-order mark, formula-looking values as text), the Koha
 * codes page (admins change them, with CSRF; librarians only read), the Koha download refused
 * with a 400 naming what is unmapped, then written with the codes; the API's download and codes;
 * one library never sees another's.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATUS_ACTIVE } from '../src/domain/fields.ts';
import { emptyPatronValues } from '../src/domain/patron.ts';
import type { Library } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

describeEachDatabase('web: patron export and Koha codes', (db) => {
  let web: TestWeb;
  beforeAll(async () => {
    web = await openWeb(db);
  });
  afterAll(async () => web?.close());

  async function signedIn(role: 'admin' | 'librarian', lib: Library): Promise<WebClient> {
    const username = `${role}-${lib.code}-${Math.random().toString(36).slice(2, 7)}`;
    await makeStaff(web.store, lib, role, username);
    const c = new WebClient(web.app);
    expect((await c.signIn(username)).statusCode).toBe(303);
    return c;
  }

  async function library(): Promise<Library> {
    const lib = await db.newLibrary();
    await web.store.sites.add(lib.id, { code: 'MAIN', name: 'Main library' });
    await web.store.patrons.insertMany(lib.id, [
      {
        ...emptyPatronValues(),
        guid: 'x-1',
        barcode: 'C1',
        firstName: 'Adébáyọ̀',
        lastName: '=HYPERLINK("http://evil.example/","x")',
        site: 'MAIN',
        status: STATUS_ACTIVE,
        policy: 'Student',
        guidSource: null,
        matchedBy: null,
      },
    ]);
    return lib;
  }

  it('downloads a CSV a spreadsheet opens as UTF-8 with the formula-looking name kept as text', async () => {
    const lib = await library();
    const c = await signedIn('librarian', lib);
    expect((await c.get('/patrons')).body).toContain('href="/patrons/export"');
    const page = await c.get('/patrons/export');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('action="/patrons/export/download"');

    const res = await c.get('/patrons/export/download?format=csv&site=MAIN&status=1');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="patrons.csv"');
    const bytes = res.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(bytes.subarray(3).toString('utf8')) as string[][];
    const header = rows[0]!;
    expect(rows[1]![header.indexOf('1007')]).toBe('Adébáyọ̀');
    // A spreadsheet runs a cell starting with = as a formula; the quote makes it text.
    expect(rows[1]![header.indexOf('1006')]).toBe(`'=HYPERLINK("http://evil.example/","x")`);

    // A bad filter is an answer, not a cut download.
    const bad = await c.get('/patrons/export/download?format=csv&status=any');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('A status is a number (1 Active, 4 Transferred, …), not &quot;any&quot;.');
  });

  it('Koha: admins map codes (CSRF), librarians read them; the download is refused naming what is unmapped, then has the codes', async () => {
    const lib = await library();
    const librarian = await signedIn('librarian', lib);
    const admin = await signedIn('admin', lib);

    const refused = await librarian.get('/patrons/export/download?format=koha');
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('not mapped: site &quot;MAIN&quot;, policy &quot;Student&quot;.');

    const codesPage = await librarian.get('/patrons/koha-codes');
    expect(codesPage.statusCode).toBe(200);
    expect(codesPage.body).not.toContain('name="branch:MAIN"');
    expect((await librarian.post('/patrons/koha-codes', { 'branch:MAIN': 'X' })).statusCode).toBe(403);

    expect((await admin.get('/patrons/koha-codes')).body).toContain('name="branch:MAIN"');
    const saved = await admin.post('/patrons/koha-codes', { 'branch:MAIN': 'MPL', 'category:Student': 'ST' });
    expect([saved.statusCode, saved.headers.location]).toEqual([303, '/patrons/koha-codes?notice=koha-codes-saved']);
    // Without the CSRF token the form is refused and nothing changes.
    const noCsrf = await admin.post('/patrons/koha-codes', { _csrf: '', 'branch:MAIN': 'OTHER' });
    expect(noCsrf.statusCode).toBe(403);
    // A code Koha could not hold: the page says so, keeps what was typed, saves nothing.
    const tooLong = await admin.post('/patrons/koha-codes', { 'branch:MAIN': 'FAR-TOO-LONG-CODE', 'category:Student': 'PT' });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('The Koha library code (branchcode) of site MAIN is 1 to 10 letters');
    expect(tooLong.body).toContain('value="FAR-TOO-LONG-CODE"');
    expect((await librarian.get('/patrons/koha-codes')).body).toContain('<code>MPL</code>');

    const koha = await librarian.get('/patrons/export/download?format=koha');
    expect(koha.statusCode, koha.body).toBe(200);
    expect(koha.headers['content-disposition']).toBe('attachment; filename="patrons-koha.csv"');
    const [header, row] = parse(koha.rawPayload.subarray(3).toString('utf8')) as string[][];
    expect(header!.slice(0, 3)).toEqual(['cardnumber', 'surname', 'firstname']);
    expect(row![header!.indexOf('branchcode')]).toBe('MPL');
    expect(row![header!.indexOf('categorycode')]).toBe('ST');
  });

  it('the API: the download and the codes, admins only to change them, one library never reading another', async () => {
    const lib = await library();
    const other = await library();
    const admin = await signedIn('admin', lib);
    const librarian = await signedIn('librarian', lib);
    const outsider = await signedIn('admin', other);

    const put = await admin.api('PUT', '/api/v1/koha-codes', { branches: { MAIN: 'MPL' }, categories: { Student: 'ST' } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({
      branches: [{ siteCode: 'MAIN', siteName: 'Main library', branchcode: 'MPL' }],
      categories: [{ policy: 'Student', patrons: 1, categorycode: 'ST' }],
    });
    expect((await librarian.api('PUT', '/api/v1/koha-codes', { branches: { MAIN: 'X' } })).statusCode).toBe(403);
    const unknownSite = await admin.api('PUT', '/api/v1/koha-codes', { branches: { NOPE: 'X' } });
    expect(unknownSite.statusCode).toBe(404);
    expect((await outsider.api('GET', '/api/v1/koha-codes')).json().branches[0].branchcode).toBe('');

    const koha = await librarian.api('GET', '/api/v1/patrons/export?format=koha');
    expect(koha.statusCode, koha.body).toBe(200);
    expect(koha.body).toContain(',MPL,ST,');
    const json = await librarian.api('GET', '/api/v1/patrons/export?format=json');
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((json.json() as { guid: string }[]).map((p) => p.guid)).toEqual(['x-1']);
    // The other library's export holds only its own patron, with its own (unmapped) codes refused.
    expect((await outsider.api('GET', '/api/v1/patrons/export?format=koha')).statusCode).toBe(400);
    const cursorOfOther = Buffer.from(`v1.${other.id}.0`).toString('base64url');
    const foreign = await librarian.api('GET', `/api/v1/patrons/export?changedSince=${cursorOfOther}`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual({ error: { kind: 'not_found', message: 'That change cursor belongs to another library.' } });
    const malformed = await librarian.api('GET', '/api/v1/patrons/export?changedSince=%21%21');
    expect(malformed.statusCode).toBe(400);
  });
});
