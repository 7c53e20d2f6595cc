/**
 * Field locks in the web admin and the API (SPEC §3.8): "keep my value" on the edit form (saved
 * with the edit, in one go; unticked unlocks), the patron page and the Locked fields page list
 * them with Unlock, the JSON API locks and unlocks by key or field number, bad names are refused
 * with a sentence, another library's patron is not found, and every form needs its CSRF token.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emptyPatronValues } from '../src/domain/patron.ts';
import type { Library, PatronWrite, Store } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

function patron(values: Partial<PatronWrite>): PatronWrite {
  return { ...emptyPatronValues(), guidSource: null, matchedBy: null, status: 1, ...values };
}

describeEachDatabase('web: field locks (SPEC §3.8)', (db) => {
  let web: TestWeb;
  let store: Store;
  let lib: Library;
  let kai: number;
  let c: WebClient;
  beforeAll(async () => {
    web = await openWeb(db);
    store = web.store;
    lib = await db.newLibrary();
    await store.sites.add(lib.id, { code: 'MHS', name: 'Maple High' });
    [kai] = (await store.patrons.insertMany(lib.id, [
      patron({
        guid: 'u1',
        firstName: 'Kai',
        lastName: 'Lee',
        phone: '555-0100',
        site: 'MHS',
        policy: 'Student',
        guidSource: 'classlink',
        matchedBy: 'guid',
      }),
    ])) as [number];
    await store.integrations.save(lib.id, 'classlink', { enabled: true });
    await makeStaff(store, lib, 'librarian', `lock-${lib.code}`);
    c = new WebClient(web.app);
    await c.signIn(`lock-${lib.code}`);
  });
  afterAll(async () => web?.close());

  it('the edit form marks synced fields, says a change lasts only until the next sync, and offers "keep my value"', async () => {
    const form = await c.get(`/patrons/${kai}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('a change you make to one lasts only until then');
    expect(form.body).toMatch(/for="field-1017">1017 Phone Number <span class="tag">synced<\/span>/);
    expect(form.body).toContain('id="lock-phone" name="lock" value="phone"');
    expect(form.body).toContain('id="lock-firstName"');
    // Fields no sync writes are not offered.
    expect(form.body).not.toContain('id="lock-policy"');
    expect(form.body).not.toContain('id="lock-nickname"');
  });

  it('saving the edit with "keep my value" ticked locks the field with the edit; unticking unlocks it', async () => {
    const form = await c.get(`/patrons/${kai}/edit`);
    const updatedAt = /name="updatedAt" value="([^"]+)"/.exec(form.body)![1]!;
    const saved = await c.post(`/patrons/${kai}/edit`, { updatedAt, phone: '555-7777', lockable: 'phone', lock: 'phone' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/patrons/${kai}?notice=patron-locks-saved`);
    expect((await store.patrons.get(lib.id, kai))!.phone).toBe('555-7777');
    expect((await store.locks.ofPatron(lib.id, kai)).map((l) => [l.field, l.lockedBy])).toEqual([['phone', `lock-${lib.code}`]]);

    const page = await c.get(`/patrons/${kai}`);
    expect(page.body).toContain('data-test="locked-tag"');
    expect(page.body).toContain('id="unlock-phone"');
    const again = await c.get(`/patrons/${kai}/edit`);
    expect(again.body).toContain('id="lock-phone" name="lock" value="phone" checked');

    // A refused edit locks nothing: the edit and its locks land together.
    const bad = await c.post(`/patrons/${kai}/edit`, { birthdate: '2020-02-30', lockable: 'firstName', lock: 'firstName' });
    expect(bad.statusCode).toBe(400);
    expect((await store.locks.ofPatron(lib.id, kai)).map((l) => l.field)).toEqual(['phone']);

    const fresh = /name="updatedAt" value="([^"]+)"/.exec((await c.get(`/patrons/${kai}/edit`)).body)![1]!;
    const unticked = await c.post(`/patrons/${kai}/edit`, { updatedAt: fresh, lockable: 'phone' });
    expect(unticked.headers.location).toBe(`/patrons/${kai}?notice=patron-locks-saved`);
    expect(await store.locks.ofPatron(lib.id, kai)).toEqual([]);
  });

  it('the Locked fields page lists every lock and unlocks one; the patron page unlocks too', async () => {
    await store.locks.lock(lib.id, kai, ['firstName', 'email'], 'someone');
    const page = await c.get('/patrons/locks');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`data-patron="${kai}" data-field="firstName"`);
    expect(page.body).toContain('1007 First Name');
    expect((await c.get('/patrons')).body).toContain('href="/patrons/locks"');

    expect((await c.post('/patrons/locks/unlock', { patronId: kai, field: 'firstName' })).statusCode).toBe(303);
    expect((await c.post(`/patrons/${kai}/unlock`, { field: 'email' })).statusCode).toBe(303);
    expect(await store.locks.ofPatron(lib.id, kai)).toEqual([]);
    expect((await c.get('/patrons/locks')).body).toContain('data-test="no-locks"');
  });

  it('every lock form needs its CSRF token', async () => {
    await store.locks.lock(lib.id, kai, ['level'], 'someone');
    expect((await c.post(`/patrons/${kai}/unlock`, { _csrf: '', field: 'level' })).statusCode).toBe(403);
    expect((await c.post('/patrons/locks/unlock', { _csrf: '', patronId: kai, field: 'level' })).statusCode).toBe(403);
    expect((await c.post(`/patrons/${kai}/edit`, { _csrf: '', lockable: 'level' })).statusCode).toBe(403);
    expect((await store.locks.ofPatron(lib.id, kai)).map((l) => l.field)).toEqual(['level']);
    await store.locks.unlock(lib.id, kai, ['level']);
  });

  it('the API locks by key or number, lists, unlocks; bad names are refused with a sentence and nothing is locked', async () => {
    const locked = await c.api('POST', `/api/v1/patrons/${kai}/locks`, { fields: ['1007', 'phone'] });
    expect(locked.statusCode).toBe(200);
    expect(locked.json()).toMatchObject({
      patronId: kai,
      name: 'Kai Lee',
      fields: ['firstName', 'phone'],
      changed: 2,
      locked: ['firstName', 'phone'],
    });
    const list = await c.api('GET', '/api/v1/patrons/locks');
    expect((list.json() as { field: string; fieldNumber: number }[]).map((l) => [l.field, l.fieldNumber])).toEqual([
      ['firstName', 1007],
      ['phone', 1017],
    ]);
    expect((await c.api('GET', `/api/v1/patrons/${kai}/locks`)).json()).toHaveLength(2);

    const unknown = await c.api('POST', `/api/v1/patrons/${kai}/locks`, { fields: ['email', 'shoeSize'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toContain('"shoeSize" is not a patron field');
    const policy = await c.api('POST', `/api/v1/patrons/${kai}/locks`, { fields: ['policy'] });
    expect(policy.statusCode).toBe(400);
    expect(policy.json().error.message).toBe('Policy (1028) is never written by a sync, so there is nothing to lock.');
    expect((await store.locks.ofPatron(lib.id, kai)).map((l) => l.field)).toEqual(['firstName', 'phone']);

    const unlocked = await c.api('DELETE', `/api/v1/patrons/${kai}/locks/1017`);
    expect(unlocked.statusCode).toBe(200);
    expect(unlocked.json()).toMatchObject({ changed: 1, locked: ['firstName'] });
    await c.api('DELETE', `/api/v1/patrons/${kai}/locks/firstName`);
    expect(await store.locks.ofPatron(lib.id, kai)).toEqual([]);
  });

  it("another library's patron is not found, and its locks are not listed", async () => {
    const other = await db.newLibrary();
    const [theirs] = (await store.patrons.insertMany(other.id, [patron({ firstName: 'Zed', lastName: 'Other' })])) as [number];
    await store.locks.lock(other.id, theirs, ['phone'], 'them');
    expect((await c.api('POST', `/api/v1/patrons/${theirs}/locks`, { fields: ['phone'] })).statusCode).toBe(404);
    expect((await c.api('DELETE', `/api/v1/patrons/${theirs}/locks/phone`)).statusCode).toBe(404);
    expect((await c.api('GET', `/api/v1/patrons/${theirs}/locks`)).statusCode).toBe(404);
    expect((await c.api('GET', '/api/v1/patrons/locks')).json()).toEqual([]);
    expect((await c.get('/patrons/locks')).body).not.toContain('Zed');
    expect((await store.locks.ofPatron(other.id, theirs)).map((l) => l.field)).toEqual(['phone']);
  });

  it('the OpenAPI document lists the lock routes', async () => {
    const doc = (await c.api('GET', '/api/v1/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/patrons/locks'] ?? {})).toContain('get');
    expect(Object.keys(doc.paths['/api/v1/patrons/{id}/locks'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/patrons/{id}/locks/{field}'] ?? {})).toEqual(['delete']);
  });
});
