/**
 * The Conflicts page and API (SPEC §3.9) over conflicts made by a real sync: the count in the
 * navigation, both sides side by side, a librarian's resolution (with CSRF, never without),
 * the second resolver told, the log line linking to its item, another library seeing nothing,
 * and the API in the OpenAPI document.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Library } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, type SyncFixture } from './support/sync-fixture.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

describeEachDatabase('web: conflicts', (db) => {
  const setUp = syncFixtures(db);
  let web: TestWeb;
  let f: SyncFixture;
  let lib: Library;
  let librarian: WebClient;
  let opId: number;
  let itemId: number;
  let twinIds: number[];
  let sourcedId: string;

  async function signedIn(library: Library, role: 'admin' | 'librarian', name: string): Promise<WebClient> {
    await makeStaff(web.store, library, role, name);
    const c = new WebClient(web.app);
    expect((await c.signIn(name)).statusCode).toBe(303);
    return c;
  }

  beforeAll(async () => {
    web = await openWeb(db);
    f = await setUp();
    lib = (await web.store.libraries.get(f.libraryId))!;
    const u = f.expectedInScope(['student']).find((x) => x.email !== '')!;
    sourcedId = u.sourcedId;
    const one = await f.addPatron({ email: u.email, firstName: 'Twin', lastName: 'One', barcode: 'W-1', policy: 'Student' });
    const two = await f.addPatron({ email: u.email, firstName: 'Twin', lastName: 'Two', barcode: 'W-2', policy: 'Student' });
    twinIds = [one.id, two.id];
    opId = (await f.sync('full')).operation.id;
    itemId = (await web.store.conflicts.list(f.libraryId)).items[0]!.id;
    librarian = await signedIn(lib, 'librarian', `lib-${lib.code}`);
  }, 60_000);

  afterAll(async () => {
    await web?.close();
  });

  it('the navigation counts the open conflicts; the page shows both sides side by side', async () => {
    const res = await librarian.get('/conflicts');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/Conflicts <span class="badge" data-test="nav-count"[^>]*>1<\/span>/);
    expect(res.body).toContain(`data-conflict-id="${itemId}"`);
    expect(res.body).toContain('data-test="roster-side"');
    for (const id of twinIds) expect(res.body).toContain(`data-test="patron-side" data-patron-id="${id}"`);
    expect(res.body).toContain('W-1');
    expect(res.body).toContain('W-2');
  });

  it('the log line of the conflict links to its item', async () => {
    const page = await librarian.get(`/operations/${opId}`);
    const href = /data-test="conflict-link" href="([^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBe(`/conflicts/for-log-line?operation=${opId}&user=${encodeURIComponent(sourcedId)}`);
    const res = await librarian.get(href!);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/conflicts/${itemId}`);
  });

  it('another library sees nothing of it', async () => {
    const other = await db.newLibrary('Other library');
    const stranger = await signedIn(other, 'admin', `admin-${other.code}`);
    expect((await stranger.get(`/conflicts/${itemId}`)).statusCode).toBe(404);
    expect((await stranger.api('GET', '/api/v1/conflicts')).json()).toEqual({ items: [], total: 0 });
    const post = await stranger.post(`/conflicts/${itemId}/resolve`, { action: 'ignore' });
    expect(post.statusCode).toBe(404);
    expect(await web.store.conflicts.get(f.libraryId, itemId)).toMatchObject({ state: 'open' });
  });

  it('a resolution without the CSRF token is refused; a bad link is refused with the reason', async () => {
    await librarian.get(`/conflicts/${itemId}`);
    expect((await librarian.post(`/conflicts/${itemId}/resolve`, { _csrf: '', action: 'ignore' })).statusCode).toBe(403);
    const bad = await librarian.post(`/conflicts/${itemId}/resolve`, { action: 'link', patron: '', barcode: 'NO-SUCH' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('No patron has the Barcode NO-SUCH.');
    expect(await web.store.conflicts.get(f.libraryId, itemId)).toMatchObject({ state: 'open' });
  });

  it('a librarian resolves by linking; the second resolver is told; the API shows it and its journal', async () => {
    await librarian.get(`/conflicts/${itemId}`);
    const res = await librarian.post(`/conflicts/${itemId}/resolve`, { action: 'link', patron: twinIds[1] });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/conflicts/${itemId}?notice=conflict-resolved`);

    const late = await librarian.api('POST', `/api/v1/conflicts/${itemId}/resolve`, { action: 'create' });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toContain(`already resolved by lib-${lib.code}`);

    const shown = (await librarian.api('GET', `/api/v1/conflicts/${itemId}`)).json();
    expect(shown).toMatchObject({
      id: itemId,
      operation: opId,
      sourcedId,
      state: 'resolved',
      resolution: { action: 'link', patronId: twinIds[1], by: `lib-${lib.code}` },
      journal: [{ action: 'link', patronId: twinIds[1], by: `lib-${lib.code}` }],
    });
    expect(shown.patrons.map((p: { barcode: string }) => p.barcode)).toEqual(['W-1', 'W-2']);
    // No longer open: the count is gone from the navigation.
    expect((await librarian.get('/conflicts')).body).not.toContain('data-test="nav-count"');
  });

  it('the API is in the OpenAPI document', async () => {
    const doc = (await librarian.get('/api/v1/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/conflicts', '/api/v1/conflicts/{id}', '/api/v1/conflicts/{id}/resolve']),
    );
  });
});
