/**
 * Undo of an operation in the web admin and the API (SPEC §3.9), on operations made by real
 * syncs against the emulator: the operation page's button (admins only), the preview, a
 * confirmation whose counts no longer hold (previewed again, nothing written), the apply and its
 * redirect to the new operation, refusals in one line, CSRF, and another library's operation.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Library, Operation } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, usersAt, type SyncFixture } from './support/sync-fixture.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

describeEachDatabase('web: undo of an operation', (db) => {
  const setUp = syncFixtures(db);
  let web: TestWeb;
  let f: SyncFixture;
  let lib: Library;
  let first: Operation;
  let bad: Operation;
  let admin: WebClient;
  let librarian: WebClient;

  async function signedIn(role: 'admin' | 'librarian', name: string): Promise<WebClient> {
    await makeStaff(web.store, lib, role, name);
    const c = new WebClient(web.app);
    expect((await c.signIn(name)).statusCode).toBe(303);
    return c;
  }

  beforeAll(async () => {
    web = await openWeb(db);
    f = await setUp();
    lib = (await web.store.libraries.get(f.libraryId))!;
    first = (await f.sync('full')).operation;
    for (const u of usersAt(f, 'student', f.schoolIds[0]!).slice(0, 2)) f.emulator.mutate.changeUser(u.sourcedId, { familyName: 'ZZBAD' });
    bad = (await f.sync('full')).operation;
    admin = await signedIn('admin', `adm-${lib.code}`);
    librarian = await signedIn('librarian', `lib-${lib.code}`);
  });
  afterAll(async () => web?.close());

  it('admins only: a librarian sees no button and is refused the preview, the apply and the API', async () => {
    expect((await librarian.get(`/operations/${bad.id}`)).body).not.toContain('id="undo"');
    expect((await librarian.get(`/operations/${bad.id}/undo`)).statusCode).toBe(403);
    expect((await librarian.post(`/operations/${bad.id}/undo`, { reverted: 4, kept: 0 })).statusCode).toBe(403);
    expect((await librarian.api('GET', `/api/v1/operations/${bad.id}/undo`)).statusCode).toBe(403);
    expect((await librarian.api('POST', `/api/v1/operations/${bad.id}/undo`, { reverted: 4, kept: 0 })).statusCode).toBe(403);
  });

  it('never without CSRF, and never another library’s operation', async () => {
    await admin.get(`/operations/${bad.id}/undo`);
    expect((await admin.post(`/operations/${bad.id}/undo`, { _csrf: '', reverted: 4, kept: 0 })).statusCode).toBe(403);
    const other = await db.newLibrary('Other library');
    await makeStaff(web.store, other, 'admin', `adm-${other.code}`);
    const stranger = new WebClient(web.app);
    await stranger.signIn(`adm-${other.code}`);
    expect((await stranger.get(`/operations/${bad.id}/undo`)).statusCode).toBe(404);
    expect((await stranger.api('POST', `/api/v1/operations/${bad.id}/undo`, { reverted: 4, kept: 0 })).statusCode).toBe(404);
    expect((await f.operation(bad.id)).undoneBy).toBeNull();
  });

  it('the API previews; a confirmation with other counts gets the new preview (409) and nothing is written', async () => {
    const preview = await admin.api('GET', `/api/v1/operations/${bad.id}/undo`);
    expect(preview.statusCode).toBe(200);
    const body = preview.json() as { operation: number; reverted: number; kept: number; reverts: { label: string; from: string }[] };
    expect(body).toMatchObject({ operation: bad.id, reverted: 2, kept: 0 });
    expect(body.reverts.map((r) => [r.label, r.from])).toEqual([
      ['Last Name', 'ZZBAD'],
      ['Last Name', 'ZZBAD'],
    ]);
    const revision = await f.revision();
    const stale = await admin.api('POST', `/api/v1/operations/${bad.id}/undo`, { reverted: 3, kept: 0 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ error: { kind: 'conflict' }, preview: { reverted: 2, kept: 0 } });
    expect(await f.revision()).toBe(revision);
    expect((await admin.api('POST', `/api/v1/operations/${bad.id}/undo`, { reverted: 'two' })).statusCode).toBe(400);
    const doc = (await admin.get('/api/v1/openapi.json')).json() as { paths: Record<string, Record<string, { summary?: string }>> };
    expect(Object.keys(doc.paths['/api/v1/operations/{id}/undo'] ?? {}).sort()).toEqual(['get', 'post']);
  });

  it('the page: Undo → preview → a stale confirmation is previewed again → Undo → the new operation’s page; then refused in one line', async () => {
    const page = await admin.get(`/operations/${bad.id}`);
    expect(page.body).toContain(`href="/operations/${bad.id}/undo" class="button secondary" id="undo"`);
    const preview = await admin.get(`/operations/${bad.id}/undo`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toMatch(/id="undo-reverted">2</);
    expect(preview.body).toContain('name="reverted" value="2"');
    expect(preview.body).toContain('ZZBAD');

    // A librarian fixes one of the two by hand meanwhile: the confirmation of "2, 0" no longer holds.
    const fixedUser = usersAt(f, 'student', f.schoolIds[0]!)[0]!;
    const fixed = (await f.patronByGuid(fixedUser.sourcedId))!;
    await f.editPatron(fixed.id, { lastName: 'Fixed' });
    const stale = await admin.post(`/operations/${bad.id}/undo`, { reverted: 2, kept: 0 });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('The patrons changed since that preview');
    expect(stale.body).toMatch(/id="undo-kept">1</);
    expect(stale.body).toContain('name="reverted" value="1"');

    const applied = await admin.post(`/operations/${bad.id}/undo`, { reverted: 1, kept: 1 });
    expect(applied.statusCode).toBe(303);
    const undoId = Number(/^\/operations\/(\d+)\?notice=undo-applied$/.exec(applied.headers.location as string)![1]);
    const undoPage = await admin.get(`/operations/${undoId}?notice=undo-applied`);
    expect(undoPage.body).toContain(`Undo of ClassLink Full Sync ${bad.id}`);
    expect(undoPage.body).toContain('The undo was applied');
    expect(undoPage.body).toContain(`href="/operations/${bad.id}">operation ${bad.id}</a>`);
    expect(undoPage.body).toContain('id="undo"'); // an undo can be undone
    expect((await f.patronByGuid(fixedUser.sourcedId))!.lastName).toBe('Fixed');
    expect((await f.patronByGuid(usersAt(f, 'student', f.schoolIds[0]!)[1]!.sourcedId))!.lastName).toBe(
      usersAt(f, 'student', f.schoolIds[0]!)[1]!.familyName,
    );

    // The patron's history names the undo by what it undid.
    const reverted = (await f.patronByGuid(usersAt(f, 'student', f.schoolIds[0]!)[1]!.sourcedId))!;
    const history = (await admin.get(`/patrons/${reverted.id}`)).body;
    expect(history).toContain(`#${undoId} Undo of ClassLink Full Sync ${bad.id}</a>`);

    const undone = await admin.get(`/operations/${bad.id}`);
    expect(undone.body).toContain(`Undone by <a href="/operations/${undoId}">`);
    expect(undone.body).not.toContain('id="undo"');
    const again = await admin.get(`/operations/${bad.id}/undo`);
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain(`was already undone by operation ${undoId}.`);
    expect(again.body).not.toContain('id="undo-apply"');
    const api = await admin.api('POST', `/api/v1/operations/${bad.id}/undo`, { reverted: 1, kept: 1 });
    expect(api.statusCode).toBe(409);
    expect(api.json()).toMatchObject({
      error: { kind: 'conflict', message: `Operation ${bad.id} (ClassLink Full Sync) was already undone by operation ${undoId}.` },
    });
    // The API's operation carries the links both ways.
    expect((await admin.api('GET', `/api/v1/operations/${undoId}`)).json()).toMatchObject({
      undoOf: bad.id,
      typeName: `Undo of ClassLink Full Sync ${bad.id}`,
    });
    expect((await admin.api('GET', `/api/v1/operations/${bad.id}`)).json()).toMatchObject({ undoneBy: undoId });
    expect(first.state).toBe('succeeded');
  });
});
