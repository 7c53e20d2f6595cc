/**
 * Length limits on the text a person types, and deleting a site (web admin and API, both
 * databases): each form says its limit and carries maxlength; a value over it is refused with a
 * sentence beside the field and what was typed kept; a value exactly at it is saved whole,
 * never cut. A site no patron uses can be deleted; a used one is refused with how many patrons
 * use it and a link to them, a matched one with where to clear its match; another library's
 * site is not found; a form without the CSRF token is refused.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { TEXT_LIMITS } from '../src/domain/text-limits.ts';
import type { Library, PatronWrite, Store } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

function patron(values: Partial<PatronWrite>): PatronWrite {
  return { ...emptyPatronValues(), guidSource: null, matchedBy: null, ...values };
}

/** `n` characters, counted as a person counts them (the é is one). */
function text(n: number): string {
  return 'é'.repeat(n);
}

describeEachDatabase('web: text limits and deleting sites', (db) => {
  let web: TestWeb;
  let store: Store;
  let lib: Library;
  let other: Library;
  let ada: WebClient;
  let lena: WebClient;
  beforeAll(async () => {
    web = await openWeb(db);
    store = web.store;
    lib = await db.newLibrary('Limits District');
    other = await db.newLibrary('Other District');
    await store.sites.add(lib.id, { code: 'MHS', name: 'Maple High' });
    await store.patrons.insertMany(lib.id, [
      patron({ firstName: 'Olivia', lastName: 'Smith', site: 'MHS' }),
      patron({ firstName: 'Liam', lastName: 'Jones', site: 'MHS' }),
    ]);
    await makeStaff(store, lib, 'admin', `ada-${lib.code}`);
    await makeStaff(store, lib, 'librarian', `lena-${lib.code}`);
    ada = new WebClient(web.app);
    await ada.signIn(`ada-${lib.code}`);
    lena = new WebClient(web.app);
    await lena.signIn(`lena-${lib.code}`);
  });
  afterAll(async () => web?.close());

  it('a site name: the limit said before saving, over it refused beside the field with the input kept, at it saved whole', async () => {
    const page = await ada.get('/sites');
    expect(page.body).toContain(`Name (up to ${TEXT_LIMITS.siteName} characters)`);
    expect(page.body).toMatch(new RegExp(`id="site-name"[^>]*maxlength="${TEXT_LIMITS.siteName}"`));

    const long = text(TEXT_LIMITS.siteName + 1);
    const refused = await ada.post('/sites', { code: 'LONG', name: long });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(
      /id="site-name"[^>]*aria-invalid="true"[^>]*>\s*<span id="site-name-error" class="field-error" role="alert">The site name is 101 characters long; it can hold at most 100.<\/span>/,
    );
    expect(refused.body).toContain(`value="${long}"`);
    expect(refused.body).toContain('value="LONG"');
    expect(await store.sites.byCode(lib.id, 'LONG')).toBeUndefined();

    const exact = text(TEXT_LIMITS.siteName);
    expect((await ada.post('/sites', { code: 'EXACT', name: exact })).statusCode).toBe(303);
    expect((await store.sites.byCode(lib.id, 'EXACT'))?.name).toBe(exact);

    // The edit form: the same limit, the same sentence, the typed name kept.
    const edit = await ada.get('/sites/EXACT/edit');
    expect(edit.body).toMatch(new RegExp(`id="edit-site-name"[^>]*maxlength="${TEXT_LIMITS.siteName}"`));
    const editRefused = await ada.post('/sites/EXACT/edit', { code: 'EXACT', name: long });
    expect(editRefused.statusCode).toBe(400);
    expect(editRefused.body).toContain(
      '<span id="edit-site-name-error" class="field-error" role="alert">The site name is 101 characters long',
    );
    expect(editRefused.body).toContain(`value="${long}"`);
    expect((await store.sites.byCode(lib.id, 'EXACT'))?.name).toBe(exact);

    // A name stored before the limit (longer than it) still shows, and may be kept unchanged
    // while the code changes; changing it asks for a shorter one.
    await store.sites.add(lib.id, { code: 'OLD', name: 'Old' });
    const stored = text(408);
    await store.sites.update(lib.id, 'OLD', { name: stored });
    expect((await ada.get('/sites')).body).toContain(stored);
    expect((await ada.post('/sites/OLD/edit', { code: 'OLD2', name: stored })).statusCode).toBe(303);
    expect((await store.sites.byCode(lib.id, 'OLD2'))?.name).toBe(stored);
    expect((await ada.post('/sites/OLD2/edit', { code: 'OLD2', name: `${stored}x` })).statusCode).toBe(400);

    // The API: its schema says the limit, and refuses over it.
    const api = await ada.api('POST', '/api/v1/sites', { code: 'APILONG', name: long });
    expect(api.statusCode).toBe(400);
    expect(api.json()).toMatchObject({ error: { kind: 'invalid_input' } });
    expect((await ada.api('PATCH', '/api/v1/sites/EXACT', { name: long })).statusCode).toBe(400);
    expect(await store.sites.byCode(lib.id, 'APILONG')).toBeUndefined();
  });

  it('a staff account: username and name limits said, over them refused beside the field with the input kept', async () => {
    const page = await ada.get('/admin/users');
    expect(page.body).toMatch(new RegExp(`id="new-display"[^>]*maxlength="${TEXT_LIMITS.staffDisplayName}"`));
    expect(page.body).toMatch(new RegExp(`id="new-username"[^>]*maxlength="${TEXT_LIMITS.username}"`));
    expect(page.body).toContain(`Name (up to ${TEXT_LIMITS.staffDisplayName} characters)`);

    const long = text(TEXT_LIMITS.staffDisplayName + 1);
    const refused = await ada.post('/admin/users', {
      username: `sam-${lib.code}`,
      displayName: long,
      role: 'admin',
      password: 'a long enough password',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain(
      '<span id="new-display-error" class="field-error" role="alert">The name is 101 characters long; it can hold at most 100.</span>',
    );
    expect(refused.body).toContain(`value="${long}"`);
    expect(refused.body).toContain(`value="sam-${lib.code}"`);
    expect(refused.body).toMatch(/<option value="admin" selected>/);
    expect(refused.body).not.toContain('a long enough password');
    expect(await store.staff.byUsername(`sam-${lib.code}`)).toBeUndefined();

    const longUser = `u${'x'.repeat(TEXT_LIMITS.username)}`;
    const userRefused = await ada.post('/admin/users', {
      username: longUser,
      displayName: 'Sam',
      role: 'librarian',
      password: 'a long enough password',
    });
    expect(userRefused.statusCode).toBe(400);
    expect(userRefused.body).toContain(
      '<span id="new-username-error" class="field-error" role="alert">The username is 101 characters long',
    );

    const exact = text(TEXT_LIMITS.staffDisplayName);
    expect(
      (
        await ada.post('/admin/users', {
          username: `sam-${lib.code}`,
          displayName: exact,
          role: 'librarian',
          password: 'a long enough password',
        })
      ).statusCode,
    ).toBe(303);
    const sam = await store.staff.byUsername(`sam-${lib.code}`);
    expect(sam?.displayName).toBe(exact);

    // The API: add and change refuse a name over the limit.
    expect(
      (
        await ada.api('POST', '/api/v1/staff', {
          username: `kim-${lib.code}`,
          displayName: long,
          password: 'a long enough password',
          role: 'librarian',
        })
      ).statusCode,
    ).toBe(400);
    expect((await ada.api('PATCH', `/api/v1/staff/${sam!.id}`, { displayName: long })).statusCode).toBe(400);
    expect((await store.staff.get(lib.id, sam!.id))?.displayName).toBe(exact);
  });

  it('a token name is refused over its limit (never cut to 100), kept in the form; at the limit it is saved whole', async () => {
    const page = await ada.get('/admin/tokens');
    expect(page.body).toMatch(new RegExp(`id="token-name"[^>]*maxlength="${TEXT_LIMITS.tokenName}"`));
    expect(page.body).toContain(`up to ${TEXT_LIMITS.tokenName} characters`);
    const long = text(TEXT_LIMITS.tokenName + 1);
    const refused = await ada.post('/admin/tokens', { name: long, role: 'librarian' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain(
      '<span id="token-name-error" class="field-error" role="alert">The token name is 101 characters long; it can hold at most 100.</span>',
    );
    expect(refused.body).toContain(`value="${long}"`);
    expect(refused.body).not.toContain('id="new-token"');
    expect((await store.staff.listTokens(lib.id)).some((t) => t.name.startsWith('éé'))).toBe(false);

    const exact = text(TEXT_LIMITS.tokenName);
    expect((await ada.post('/admin/tokens', { name: exact, role: 'librarian' })).statusCode).toBe(201);
    expect((await store.staff.listTokens(lib.id)).map((t) => t.name)).toContain(exact);
    expect((await ada.api('POST', '/api/v1/tokens', { name: long })).statusCode).toBe(400);
  });

  it('a webhook description is refused over its limit (never cut to 200), with the input kept', async () => {
    const page = await ada.get('/admin/webhooks');
    expect(page.body).toMatch(new RegExp(`id="webhook-description"[^>]*maxlength="${TEXT_LIMITS.webhookDescription}"`));
    const long = text(TEXT_LIMITS.webhookDescription + 1);
    const refused = await ada.post('/admin/webhooks', { url: 'https://ils.example.org/hook', description: long });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain(
      '<span id="webhook-description-error" class="field-error" role="alert">The description is 201 characters long; it can hold at most 200.</span>',
    );
    expect(refused.body).toContain(`value="${long}"`);
    expect(await store.webhooks.endpoints(lib.id)).toHaveLength(0);
    const exact = text(TEXT_LIMITS.webhookDescription);
    expect((await ada.post('/admin/webhooks', { url: 'https://ils.example.org/hook', description: exact })).statusCode).toBe(201);
    expect((await store.webhooks.endpoints(lib.id)).map((e) => e.description)).toEqual([exact]);
  });

  it('deletes a site no patron uses (its Koha branchcode with it), on the page and in the API', async () => {
    await store.sites.add(lib.id, { code: 'OAK', name: 'Oak' });
    await store.sites.add(lib.id, { code: 'PINE', name: 'Pine' });
    const oak = await store.sites.byCode(lib.id, 'OAK');
    await store.kohaCodes.setBranch(lib.id, oak!.id, 'OAKB');
    const page = await ada.get('/sites');
    expect(page.body).toMatch(/data-site="OAK">[\s\S]*?data-test="delete-site"/);
    // A used site offers no delete button.
    expect(page.body).not.toMatch(/action="\/sites\/MHS\/delete"/);

    const deleted = await ada.post('/sites/OAK/delete');
    expect(deleted.statusCode).toBe(303);
    expect(deleted.headers.location).toBe('/sites?notice=site-deleted');
    expect((await ada.get('/sites?notice=site-deleted')).body).toContain('The site was deleted.');
    expect(await store.sites.byCode(lib.id, 'OAK')).toBeUndefined();
    expect((await store.kohaCodes.branches(lib.id)).map((b) => b.siteCode)).not.toContain('OAK');

    const api = await ada.api('DELETE', '/api/v1/sites/PINE');
    expect(api.statusCode).toBe(200);
    expect(api.json()).toEqual({ code: 'PINE', name: 'Pine', orgSourcedId: '' });
    expect(await store.sites.byCode(lib.id, 'PINE')).toBeUndefined();
    expect((await ada.api('DELETE', '/api/v1/sites/PINE')).statusCode).toBe(404);
  });

  it('refuses to delete a site patrons use, with the count and a link to them; and a matched site, naming its Site Mapping', async () => {
    const refused = await ada.post('/sites/MHS/delete');
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Site MHS cannot be deleted: 2 patrons use it. Give them another site (or remove them) first.');
    expect(refused.body).toContain('<a data-test="site-patrons" href="/patrons?site=MHS">See the 2 patrons of site MHS</a>');
    const api = await ada.api('DELETE', '/api/v1/sites/MHS');
    expect(api.statusCode).toBe(409);
    expect(api.json()).toMatchObject({ error: { kind: 'conflict', message: expect.stringContaining('2 patrons use it') } });
    expect(await store.sites.byCode(lib.id, 'MHS')).toBeDefined();

    await store.sites.add(lib.id, { code: 'BIRCH', name: 'Birch' });
    await store.sites.setOrgGuid(lib.id, 'BIRCH', 'org-birch', 'classlink');
    const matched = await ada.api('DELETE', '/api/v1/sites/BIRCH');
    expect(matched.statusCode).toBe(409);
    expect(matched.json()).toMatchObject({
      error: { message: "Site BIRCH is matched to a school of ClassLink (org-birch); clear its match in ClassLink's Site Mapping first." },
    });
    expect(await store.sites.byCode(lib.id, 'BIRCH')).toBeDefined();
  });

  it("another library's site is not found; a librarian and a form without the CSRF token are refused", async () => {
    await store.sites.add(other.id, { code: 'ELSE', name: 'Elsewhere' });
    expect((await ada.post('/sites/ELSE/delete')).statusCode).toBe(404);
    expect((await ada.api('DELETE', '/api/v1/sites/ELSE')).statusCode).toBe(404);
    expect(await store.sites.byCode(other.id, 'ELSE')).toBeDefined();

    await store.sites.add(lib.id, { code: 'ASH', name: 'Ash' });
    expect((await lena.post('/sites/ASH/delete')).statusCode).toBe(403);
    expect((await lena.api('DELETE', '/api/v1/sites/ASH')).statusCode).toBe(403);
    await ada.get('/sites');
    expect((await ada.post('/sites/ASH/delete', { _csrf: '' })).statusCode).toBe(403);
    expect((await ada.api('DELETE', '/api/v1/sites/ASH', undefined, { 'x-csrf-token': '' })).statusCode).toBe(403);
    expect(await store.sites.byCode(lib.id, 'ASH')).toBeDefined();
  });

  it('integration settings: over-long values are refused with a sentence that never repeats a secret, and nothing is saved', async () => {
    const base = '/preferences/integrations/classlink';
    const page = await ada.get(base);
    expect(page.body).toMatch(new RegExp(`id="client-id"[^>]*maxlength="${TEXT_LIMITS.identifier}"`));
    expect(page.body).toMatch(new RegExp(`id="roster-url"[^>]*maxlength="${TEXT_LIMITS.url}"`));
    const secret = `s${'e'.repeat(TEXT_LIMITS.secret)}`;
    const tooLongSecret = await ada.post(`${base}/connection`, {
      mode: 'direct',
      rosterUrl: 'https://roster.example.org',
      clientId: 'key',
      clientSecret: secret,
    });
    expect(tooLongSecret.statusCode).toBe(400);
    expect(tooLongSecret.body).toContain('The OAuth secret is 2001 characters long; it can hold at most 2000.');
    expect(tooLongSecret.body).not.toContain(secret);
    const longKey = 'k'.repeat(TEXT_LIMITS.identifier + 1);
    const tooLongKey = await ada.api('PUT', '/api/v1/integrations/classlink/connection', {
      mode: 'direct',
      rosterUrl: 'https://roster.example.org',
      clientId: longKey,
      clientSecret: 'x',
    });
    expect(tooLongKey.statusCode).toBe(400);
    expect(tooLongKey.json()).toMatchObject({
      error: { kind: 'invalid_input', message: 'The OAuth key is 201 characters long; it can hold at most 200.' },
    });
    expect((await ada.get(base)).body).not.toContain('OAuth key k');

    const csv = await ada.api('PATCH', '/api/v1/integrations/csv/settings', { watchDir: `/${'d'.repeat(TEXT_LIMITS.path)}` });
    expect(csv.statusCode).toBe(400);
    expect(csv.json()).toMatchObject({ error: { message: 'The watched folder is 1001 characters long; it can hold at most 1000.' } });
  });
});
