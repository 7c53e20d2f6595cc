/**
 * Patrons and Sites in the web admin and the API (SPEC §1.1, §5): the search by each key,
 * its filters and pages; the patron page with every field by number and where it came from;
 * a librarian's edit (saved, checked, refused when stale); another library's patron is not
 * found; sites listed, added and changed by admins only; CSRF on every form.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emptyPatronValues } from '../src/domain/patron.ts';
import type { Library, PatronWrite, Store } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

/** A patron row with the values given (the rest blank, Active). */
function patron(values: Partial<PatronWrite>): PatronWrite {
  return { ...emptyPatronValues(), guidSource: null, matchedBy: null, ...values };
}

interface Library1 {
  lib: Library;
  ids: number[];
  librarian: WebClient;
  admin: WebClient;
}

/** A library with two sites, a few patrons, a librarian and an admin signed in. */
async function setUp(web: TestWeb, newLibrary: () => Promise<Library>): Promise<Library1> {
  const store = web.store;
  const lib = await newLibrary();
  await store.sites.add(lib.id, { code: 'MHS', name: 'Maple High' });
  await store.sites.add(lib.id, { code: 'ELM', name: 'Elm Elementary' });
  const op = await store.operations.create(lib.id, { type: 'classlink_full_sync', source: 'classlink', requestedBy: 'schedule' });
  const ids = await store.patrons.insertMany(lib.id, [
    patron({
      guid: 'stu-1',
      barcode: 'B1001',
      communityId: 'S-77',
      firstName: 'Olivia',
      lastName: 'Smith',
      email: 'Olivia.Smith@district.example.org',
      site: 'MHS',
      level: '09',
      policy: 'Student',
      guidSource: 'classlink',
      matchedBy: 'communityId',
      lastSyncOperationId: op.operation.id,
    }),
    patron({
      guid: 'stu-2',
      barcode: 'B1002',
      firstName: 'Liam',
      lastName: 'Smithers',
      site: 'MHS',
      status: 4,
      policy: 'Student',
      guidSource: 'classlink',
      matchedBy: 'guid',
    }),
    patron({ barcode: 'B1003', firstName: 'Ava', lastName: "O'Brien", site: 'ELM', policy: 'Teacher', nickname: 'Avi' }),
    patron({ guid: 'imported-9', firstName: 'Noah', lastName: 'Müller', middleName: 'José', site: '', status: 7 }),
    patron({ firstName: 'Mateo', lastName: 'Garcia', site: 'ELM', email: 'mateo@district.example.org' }),
  ]);
  await makeStaff(store, lib, 'librarian', `lena-${lib.code}`);
  await makeStaff(store, lib, 'admin', `ada-${lib.code}`);
  const librarian = new WebClient(web.app);
  await librarian.signIn(`lena-${lib.code}`);
  const admin = new WebClient(web.app);
  await admin.signIn(`ada-${lib.code}`);
  return { lib, ids, librarian, admin };
}

/** The patron ids of the search page's result rows, in order. */
function rowIds(html: string): number[] {
  return [...html.matchAll(/data-test="patron-link" href="\/patrons\/(\d+)"/g)].map((m) => Number(m[1]));
}

async function apiIds(c: WebClient, query: string): Promise<number[]> {
  const res = await c.api('GET', `/api/v1/patrons?${query}`);
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: { id: number }[] }).items.map((p) => p.id);
}

describeEachDatabase('web: patrons and sites', (db) => {
  let web: TestWeb;
  let store: Store;
  let a: Library1;
  beforeAll(async () => {
    web = await openWeb(db);
    store = web.store;
    a = await setUp(web, () => db.newLibrary('Maple District'));
  });
  afterAll(async () => web?.close());

  it('finds a patron by each key: barcode, Student #, GUID, email (any case), name start, "Last, First", "First Last"', async () => {
    const [olivia, liam, ava, noah, mateo] = a.ids as [number, number, number, number, number];
    const c = a.librarian;
    expect(rowIds((await c.get('/patrons?q=B1003')).body)).toEqual([ava]);
    expect(rowIds((await c.get('/patrons?q=S-77')).body)).toEqual([olivia]);
    expect(rowIds((await c.get('/patrons?q=stu-2')).body)).toEqual([liam]);
    expect(rowIds((await c.get(`/patrons?q=${encodeURIComponent('OLIVIA.smith@District.Example.org')}`)).body)).toEqual([olivia]);
    // Name starts, any case, in name order (Smith before Smithers).
    expect(rowIds((await c.get('/patrons?q=smi')).body)).toEqual([olivia, liam]);
    expect(rowIds((await c.get('/patrons?q=MAT')).body)).toEqual([mateo]);
    expect(rowIds((await c.get(`/patrons?q=${encodeURIComponent('Smith, Li')}`)).body)).toEqual([liam]);
    expect(rowIds((await c.get(`/patrons?q=${encodeURIComponent('Olivia Smith')}`)).body)).toEqual([olivia]);
    expect(rowIds((await c.get(`/patrons?q=${encodeURIComponent("o'b")}`)).body)).toEqual([ava]);
    expect(rowIds((await c.get('/patrons?q=M%C3%BCller')).body)).toEqual([noah]);
    // Keys are exact: a part of a barcode or an email finds nobody (no slow "contains" scan).
    const part = await c.get('/patrons?q=B100');
    expect(rowIds(part.body)).toEqual([]);
    expect(part.body).toContain('No patron matches');
    expect(rowIds((await c.get('/patrons?q=district.example.org')).body)).toEqual([]);
    // The search box keeps what was typed; the rows link to the patron.
    const page = await c.get('/patrons?q=smi');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="patron-search" name="q" type="search" value="smi"');
    expect(page.body).toContain('data-test="patron-count">2 patrons<');
    // The API finds the same.
    expect(await apiIds(c, 'q=smi')).toEqual([olivia, liam]);
    expect(await apiIds(c, 'q=B1001')).toEqual([olivia]);
    const one = (await c.api('GET', '/api/v1/patrons?q=B1001')).json() as { items: Record<string, unknown>[]; total: number };
    expect(one.total).toBe(1);
    expect(one.items[0]).toEqual({
      id: olivia,
      guid: 'stu-1',
      barcode: 'B1001',
      communityId: 'S-77',
      firstName: 'Olivia',
      middleName: '',
      lastName: 'Smith',
      birthdate: '',
      sex: '',
      phone: '',
      email: 'Olivia.Smith@district.example.org',
      additionalContact: '',
      otherEmails: '',
      location: '',
      level: '09',
      site: 'MHS',
      status: 1,
      policy: 'Student',
      nickname: '',
    });
  });

  it('filters by site and status, and pages in name order', async () => {
    const [olivia, liam, ava, noah, mateo] = a.ids as [number, number, number, number, number];
    const c = a.librarian;
    // Everyone, by last name: Garcia, Müller, O'Brien, Smith, Smithers.
    expect(await apiIds(c, '')).toEqual([mateo, noah, ava, olivia, liam]);
    expect(rowIds((await c.get('/patrons?site=ELM')).body)).toEqual([mateo, ava]);
    expect(rowIds((await c.get('/patrons?site=-')).body)).toEqual([noah]);
    expect(rowIds((await c.get('/patrons?status=4')).body)).toEqual([liam]);
    expect(rowIds((await c.get('/patrons?status=7')).body)).toEqual([noah]);
    expect(rowIds((await c.get('/patrons?q=smi&site=MHS&status=1')).body)).toEqual([olivia]);
    expect(rowIds((await c.get('/patrons?q=smi&site=ELM')).body)).toEqual([]);
    expect(await apiIds(c, 'site=MHS&status=4')).toEqual([liam]);
    // Pages of two.
    const first = (await c.api('GET', '/api/v1/patrons?pageSize=2')).json() as {
      items: { id: number }[];
      total: number;
      page: number;
      pages: number;
      perPage: number;
    };
    expect(first).toMatchObject({ total: 5, page: 1, pages: 3, perPage: 2 });
    expect(first.items.map((p) => p.id)).toEqual([mateo, noah]);
    expect(await apiIds(c, 'pageSize=2&page=3')).toEqual([liam]);
    expect(await apiIds(c, 'perPage=2&page=2')).toEqual([ava, olivia]);
    // The page shows 50 a page, with links that keep the filters.
    const many = Array.from({ length: 52 }, (_, i) =>
      patron({ firstName: `Kid${i}`, lastName: `Zed${String(i).padStart(2, '0')}`, site: 'ELM' }),
    );
    const lib2 = await db.newLibrary();
    await store.sites.add(lib2.id, { code: 'ELM', name: 'Elm' });
    await store.patrons.insertMany(lib2.id, many);
    await makeStaff(store, lib2, 'librarian', `pager-${lib2.code}`);
    const d = new WebClient(web.app);
    await d.signIn(`pager-${lib2.code}`);
    const p1 = await d.get('/patrons?site=ELM');
    expect(rowIds(p1.body)).toHaveLength(50);
    expect(p1.body).toContain('href="/patrons?site=ELM&amp;page=2"');
    const p2 = await d.get('/patrons?site=ELM&page=2');
    expect(rowIds(p2.body)).toHaveLength(2);
    expect(p2.body).toContain('Patrons 51–52 of 52');
    // A status that is not a number is a sentence, not a crash.
    const bad = await c.get('/patrons?status=active');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('The status filter must be a Status number');
    expect((await c.api('GET', '/api/v1/patrons?status=x')).statusCode).toBe(400);
  });

  it('shows every field with its number, and where the patron came from', async () => {
    const [olivia, , , noah] = a.ids as [number, number, number, number];
    const page = await a.librarian.get(`/patrons/${olivia}`);
    expect(page.statusCode).toBe(200);
    // Every field of SPEC §1.2's table in order, then Policy, Nickname and Notes.
    const numbers = [...page.body.matchAll(/<tr data-field="([^"]+)">/g)].map((m) => m[1]);
    expect(numbers).toEqual([
      '1200',
      '1000',
      '1001',
      '1007',
      '1008',
      '1006',
      '1045',
      '1032',
      '1017',
      '1019',
      '1049',
      '1054',
      '1004',
      '1010',
      '1050',
      '1026',
      '1028',
      '1070',
      'notes',
    ]);
    expect(page.body).toContain('B1001');
    expect(page.body).toContain('Active (1)');
    expect(page.body).toMatch(/data-test="matched-by">Student #</);
    expect(page.body).toMatch(/data-test="guid-source">ClassLink</);
    const op = (await store.operations.list(a.lib.id))[0]!;
    expect(page.body).toContain(`href="/operations/${op.id}">#${op.id} ClassLink Full Sync</a>`);
    expect(page.body).toContain(`id="edit-patron" href="/patrons/${olivia}/edit"`);
    // An imported GUID belongs to no integration; a library's own status code shows as it is.
    const other = await a.librarian.get(`/patrons/${noah}`);
    expect(other.body).toMatch(/data-test="guid-source">None: the GUID was imported/);
    expect(other.body).toMatch(/data-test="matched-by">Never matched by a sync</);
    expect(other.body).toMatch(/data-field="1026">\s*<td class="num">1026<\/td>\s*<th scope="row">Status<\/th>\s*<td class="">7<\/td>/);
    expect(other.body).toContain('None: no sync has written this patron.');
    // The API gives the same, with provenance.
    const json = (await a.librarian.api('GET', `/api/v1/patrons/${olivia}`)).json() as Record<string, unknown>;
    expect(json).toMatchObject({
      id: olivia,
      guid: 'stu-1',
      communityId: 'S-77',
      guidSource: 'classlink',
      matchedBy: 'communityId',
      lastSyncOperationId: op.id,
      notes: '',
      editedBy: '',
      editedAt: null,
    });
    expect(typeof json.createdAt).toBe('string');
  });

  it('says which fields the next sync overwrites, once an integration is enabled', async () => {
    const [olivia] = a.ids as [number];
    expect((await a.librarian.get(`/patrons/${olivia}`)).body).not.toContain('data-test="sync-note"');
    const lib = await db.newLibrary();
    await store.sites.add(lib.id, { code: 'MHS', name: 'Maple High' });
    const [id] = await store.patrons.insertMany(lib.id, [
      patron({ guid: 'u1', firstName: 'Kai', lastName: 'Lee', site: 'MHS', guidSource: 'classlink', matchedBy: 'guid' }),
    ]);
    await store.integrations.save(lib.id, 'classlink', {
      enabled: true,
      settings: { mapping: { barcode: { kind: 'identifier' }, communityId: { kind: 'none' }, location: 'none' } },
    });
    await makeStaff(store, lib, 'librarian', `note-${lib.code}`);
    const c = new WebClient(web.app);
    await c.signIn(`note-${lib.code}`);
    const page = await c.get(`/patrons/${id}`);
    expect(page.body).toContain('This patron is synced from ClassLink.');
    expect(page.body).toContain(
      'overwrites these fields of every patron it matches: Barcode, First Name, Middle Name, Last Name, Birthdate, Sex, Phone Number, Email, Additional Contact, Other Emails, Level, Site, Status.',
    );
    const form = await c.get(`/patrons/${id}/edit`);
    expect(form.body).toMatch(/for="field-1000">1000 Barcode <span class="tag">synced<\/span>/);
    expect(form.body).not.toMatch(/for="field-1001">1001 Community ID <span class="tag">/);
  });

  it('a librarian edits a patron: saved, revision bumped, checked with sentences, refused when stale', async () => {
    const [, , ava] = a.ids as [number, number, number];
    const c = a.librarian;
    const form = await c.get(`/patrons/${ava}/edit`);
    expect(form.statusCode).toBe(200);
    for (const n of [1000, 1001, 1007, 1008, 1006, 1045, 1032, 1017, 1019, 1049, 1054, 1004, 1010, 1050, 1026, 1028, 1070])
      expect(form.body).toContain(`id="field-${n}"`);
    expect(form.body).toContain('id="field-notes"');
    expect(form.body).toContain('id="save-patron"');
    // The GUID is shown, not editable, for a librarian.
    expect(form.body).toMatch(/<input id="field-1200" value="" readonly/);
    const updatedAt = /name="updatedAt" value="([^"]+)"/.exec(form.body)![1]!;
    const revision = await store.libraries.revision(a.lib.id);
    const fields = {
      updatedAt,
      firstName: 'Ava',
      lastName: "O'Brien",
      phone: ' 555-0100 ',
      birthdate: '2011-02-28',
      sex: 'female',
      site: 'MHS',
      status: '1',
      policy: 'Teacher',
      nickname: 'Avi',
      notes: 'Prefers\r\nemail.',
    };
    const saved = await c.post(`/patrons/${ava}/edit`, fields);
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/patrons/${ava}?notice=patron-saved`);
    const after = await store.patrons.detail(a.lib.id, ava);
    expect(after).toMatchObject({
      phone: '555-0100',
      birthdate: '2011-02-28',
      sex: 'Female',
      site: 'MHS',
      notes: 'Prefers\nemail.',
      editedBy: `lena-${a.lib.code}`,
    });
    expect(await store.libraries.revision(a.lib.id)).toBe(revision + 1);
    const shown = await c.get(saved.headers.location as string);
    expect(shown.body).toContain('The patron was saved.');
    expect(shown.body).toContain('555-0100');
    expect(shown.body).toMatch(/data-test="edited">lena-/);

    // The old form is stale now: refused, and shown again with the saved values.
    const stale = await c.post(`/patrons/${ava}/edit`, { ...fields, updatedAt, phone: '555-9999' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('changed (by a sync or another person) after the form was opened');
    expect((await store.patrons.get(a.lib.id, ava))?.phone).toBe('555-0100');

    // Bad values: one sentence each, nothing saved, the typed values kept.
    const fresh = /name="updatedAt" value="([^"]+)"/.exec((await c.get(`/patrons/${ava}/edit`)).body)![1]!;
    const bad = await c.post(`/patrons/${ava}/edit`, {
      updatedAt: fresh,
      birthdate: '2011-02-30',
      email: 'not-an-email',
      status: 'gone',
      site: 'NOPE',
      phone: '555-1234',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Birthdate must be a date written YYYY-MM-DD');
    expect(bad.body).toContain('Email &quot;not-an-email&quot; does not look like an email address');
    expect(bad.body).toContain('Status must be a whole number');
    expect(bad.body).toContain('There is no site with code &quot;NOPE&quot;');
    expect(bad.body).toContain('value="555-1234"');
    expect(bad.body).toContain('aria-invalid=true');
    expect((await store.patrons.get(a.lib.id, ava))?.phone).toBe('555-0100');

    // Nothing changed: nothing written.
    const same = await c.post(`/patrons/${ava}/edit`, { updatedAt: fresh, phone: '555-0100' });
    expect(same.headers.location).toBe(`/patrons/${ava}?notice=patron-unchanged`);
    expect(await store.libraries.revision(a.lib.id)).toBe(revision + 1);
  });

  it('the API edits too: the GUID only by an admin (then it belongs to no integration); checked values; stale updatedAt refused', async () => {
    const [olivia, liam] = a.ids as [number, number];
    const lena = a.librarian;
    const res = await lena.api('PATCH', `/api/v1/patrons/${olivia}`, { level: '10', otherEmails: 'mum@example.org; dad@example.org' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      level: '10',
      otherEmails: 'mum@example.org, dad@example.org',
      guid: 'stu-1',
      guidSource: 'classlink',
      lastSyncOperationId: expect.any(Number),
    });
    const refused = await lena.api('PATCH', `/api/v1/patrons/${olivia}`, { guid: 'someone-else' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({
      error: { kind: 'invalid_input', message: expect.stringContaining("Only an admin can change a patron's GUID") },
    });
    const unknown = await lena.api('PATCH', `/api/v1/patrons/${olivia}`, { firstname: 'x' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ error: { message: expect.stringContaining('There is no patron field "firstname"') } });
    // A GET's body sent back whole is fine: read-only keys are ignored.
    const got = (await lena.api('GET', `/api/v1/patrons/${olivia}`)).json() as Record<string, unknown>;
    expect((await lena.api('PATCH', `/api/v1/patrons/${olivia}`, { ...got, phone: '555-2222' })).statusCode).toBe(200);
    expect((await lena.api('PATCH', `/api/v1/patrons/${olivia}`, { ...got, phone: '555-3333' })).statusCode).toBe(409);

    const ada = a.admin;
    const taken = await ada.api('PATCH', `/api/v1/patrons/${olivia}`, { guid: 'stu-2' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ error: { kind: 'conflict' } });
    const moved = await ada.api('PATCH', `/api/v1/patrons/${liam}`, { guid: 'stu-2b' });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ guid: 'stu-2b', guidSource: null, matchedBy: null });
    // The admin's form offers the GUID as an input.
    expect((await ada.get(`/patrons/${liam}/edit`)).body).toMatch(/<input id="field-1200" name="guid" value="stu-2b"/);
  });

  it("another library's patron is not found, on the pages and in the API", async () => {
    const [olivia] = a.ids as [number];
    const lib = await db.newLibrary();
    await makeStaff(store, lib, 'admin', `other-${lib.code}`);
    const c = new WebClient(web.app);
    await c.signIn(`other-${lib.code}`);
    for (const path of [`/patrons/${olivia}`, `/patrons/${olivia}/edit`, '/patrons/abc', '/patrons/99999999999']) {
      const page = await c.get(path);
      expect(page.statusCode).toBe(404);
      expect(page.body).toContain('Not found');
    }
    expect((await c.post(`/patrons/${olivia}/edit`, { phone: '1' })).statusCode).toBe(404);
    const api = await c.api('GET', `/api/v1/patrons/${olivia}`);
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { kind: 'not_found' } });
    expect((await c.api('PATCH', `/api/v1/patrons/${olivia}`, { phone: '1' })).statusCode).toBe(404);
    expect((await store.patrons.get(a.lib.id, olivia))?.phone).not.toBe('1');
    // Its search never shows another library's patrons.
    expect((await c.api('GET', '/api/v1/patrons?q=B1001')).json()).toMatchObject({ total: 0 });
  });

  it('lists sites with their match and patron counts; an admin adds and changes one; a librarian may not', async () => {
    const lena = a.librarian;
    await store.sites.setOrgGuid(a.lib.id, 'MHS', 'org-mhs', 'classlink');
    const list = await lena.get('/sites');
    expect(list.statusCode).toBe(200);
    expect(list.body).toMatch(/data-site="MHS">[\s\S]*org-mhs[\s\S]*\(ClassLink\)/);
    expect(list.body).not.toContain('id="add-site"');
    const rows = (await lena.api('GET', '/api/v1/sites')).json() as { code: string; patronCount: number; orgSourcedId: string }[];
    expect(rows.map((r) => [r.code, r.patronCount])).toEqual([
      ['ELM', 1],
      ['MHS', 3],
    ]);
    expect(rows.find((r) => r.code === 'MHS')?.orgSourcedId).toBe('org-mhs');

    // A librarian is refused the admin routes (403), page and API.
    expect((await lena.post('/sites', { code: 'OAK', name: 'Oak' })).statusCode).toBe(403);
    expect((await lena.api('POST', '/api/v1/sites', { code: 'OAK', name: 'Oak' })).statusCode).toBe(403);
    expect((await lena.get('/sites/ELM/edit')).statusCode).toBe(403);
    expect((await lena.api('PATCH', '/api/v1/sites/ELM', { name: 'x' })).statusCode).toBe(403);
    expect(await store.sites.byCode(a.lib.id, 'OAK')).toBeUndefined();

    const ada = a.admin;
    const page = await ada.get('/sites');
    expect(page.body).toContain('id="site-code"');
    expect(page.body).toContain('id="site-name"');
    const added = await ada.post('/sites', { code: 'OAK', name: 'Oak Middle' });
    expect(added.headers.location).toBe('/sites?notice=site-added');
    expect((await ada.get('/sites?notice=site-added')).body).toContain('The site was added.');
    const dup = await ada.post('/sites', { code: 'OAK', name: 'Again' });
    expect(dup.statusCode).toBe(400);
    expect(dup.body).toContain('A site with code &quot;OAK&quot; already exists');
    const badCode = await ada.post('/sites', { code: 'no spaces', name: 'X' });
    expect(badCode.statusCode).toBe(400);
    expect(badCode.body).toContain('is not a usable site code');

    // Change a code: its patrons follow it.
    const form = await ada.get('/sites/ELM/edit');
    expect(form.body).toContain('id="edit-site-code"');
    const changed = await ada.post('/sites/ELM/edit', { code: 'ELM2', name: 'Elm Elementary School' });
    expect(changed.headers.location).toBe('/sites?notice=site-changed');
    expect(await store.sites.byCode(a.lib.id, 'ELM2')).toMatchObject({ name: 'Elm Elementary School' });
    expect(rowIds((await lena.get('/patrons?site=ELM2')).body)).toHaveLength(1);
    const clash = await ada.post('/sites/ELM2/edit', { code: 'MHS', name: 'x' });
    expect(clash.statusCode).toBe(400);
    expect(clash.body).toContain('A site with code &quot;MHS&quot; already exists');
    expect((await ada.get('/sites/NOPE/edit')).statusCode).toBe(404);

    // The API: add (201), change (200), the same sentences.
    const made = await ada.api('POST', '/api/v1/sites', { code: 'PINE', name: 'Pine' });
    expect(made.statusCode).toBe(201);
    expect(made.json()).toEqual({ code: 'PINE', name: 'Pine', orgSourcedId: '' });
    const patched = await ada.api('PATCH', '/api/v1/sites/PINE', { name: 'Pine Valley' });
    expect(patched.json()).toEqual({ code: 'PINE', name: 'Pine Valley', orgSourcedId: '' });
    expect((await ada.api('PATCH', '/api/v1/sites/PINE', { name: ' ' })).json()).toMatchObject({ error: { kind: 'invalid_input' } });
    expect((await ada.api('PATCH', '/api/v1/sites/GONE', { name: 'x' })).statusCode).toBe(404);
  });

  it('refuses forms without the CSRF token (403)', async () => {
    const [olivia] = a.ids as [number];
    const ada = a.admin;
    await ada.get('/sites');
    expect((await ada.post('/sites', { code: 'CSRF', name: 'x', _csrf: '' })).statusCode).toBe(403);
    expect((await ada.post('/sites/MHS/edit', { code: 'MHS', name: 'x', _csrf: 'wrong' })).statusCode).toBe(403);
    expect((await ada.post(`/patrons/${olivia}/edit`, { phone: '000', _csrf: '' })).statusCode).toBe(403);
    expect((await ada.api('PATCH', `/api/v1/patrons/${olivia}`, { phone: '000' }, { 'x-csrf-token': '' })).statusCode).toBe(403);
    expect(await store.sites.byCode(a.lib.id, 'CSRF')).toBeUndefined();
    expect((await store.patrons.get(a.lib.id, olivia))?.phone).not.toBe('000');
  });

  it('anonymous visitors are sent to sign in; the API wants a token', async () => {
    const anon = new WebClient(web.app);
    expect((await anon.get('/patrons')).headers.location).toBe('/login?next=%2Fpatrons');
    expect((await anon.get('/sites')).headers.location).toBe('/login?next=%2Fsites');
    expect((await anon.api('GET', '/api/v1/patrons')).statusCode).toBe(401);
    expect((await anon.api('GET', '/api/v1/sites')).statusCode).toBe(401);
  });
});
