/**
 * The web's security rules, checked on EVERY registered route (the list comes from the server
 * itself, so a route added later is covered without touching this file):
 *  - a route that is not public refuses an anonymous visitor (401, or a redirect to sign-in);
 *  - an admin route refuses a librarian (403); a patron route refuses staff, a staff route a patron;
 *  - every state-changing route refuses a missing or a wrong CSRF token (403) when the request
 *    comes with a session cookie — and API tokens (no cookies) need none;
 *  - safety headers on pages.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Library } from '../src/store/store.ts';
import type { RouteEntry } from '../src/web/server.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A concrete URL for a route pattern (`:id` → 1, `*` → x). */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z_]+/g, '1').replace(/\*/g, 'x');
}

describeEachDatabase('web security: every route', (db) => {
  let web: TestWeb;
  let lib: Library;
  let admin: WebClient;
  let librarian: WebClient;
  let routes: RouteEntry[];

  beforeAll(async () => {
    web = await openWeb(db);
    lib = await db.newLibrary();
    await makeStaff(web.store, lib, 'admin', 'sec-admin');
    await makeStaff(web.store, lib, 'librarian', 'sec-librarian');
    admin = new WebClient(web.app);
    await admin.signIn('sec-admin');
    librarian = new WebClient(web.app);
    await librarian.signIn('sec-librarian');
    routes = web.app.rollcallRoutes.filter((r) => r.method !== 'HEAD');
  });
  afterAll(async () => web?.close());

  it('knows the routes (the walk below is not empty)', () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.some((r) => r.access === 'admin' && !SAFE.has(r.method))).toBe(true);
  });

  it('refuses anonymous visitors on every route that is not public', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.access !== 'public')) {
      const res = await web.app.inject({ method: r.method as 'GET', url: concrete(r.url), headers: { accept: 'application/json' } });
      const refused = res.statusCode === 401 || (res.statusCode === 302 && String(res.headers.location).startsWith('/login'));
      if (!refused) failures.push(`${r.method} ${r.url} → ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses librarians on every admin route, and staff on patron routes', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.access === 'admin' || x.access === 'patron')) {
      const res = await librarian.api(r.method, concrete(r.url));
      if (res.statusCode !== 403) failures.push(`${r.method} ${r.url} → ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses a missing or wrong CSRF token on every state-changing route', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => !SAFE.has(x.method))) {
      for (const token of ['', 'wrong-token-value']) {
        const res = r.url.startsWith('/api/')
          ? await admin.api(r.method, concrete(r.url), {}, { 'x-csrf-token': token })
          : await admin.post(concrete(r.url), { _csrf: token });
        if (res.statusCode !== 403) failures.push(`${r.method} ${r.url} with ${token ? 'a wrong' : 'no'} token → ${res.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('a refused request has no effect (the handler never runs after a refusal)', async () => {
    // A complete, valid form with a good CSRF token, from a librarian: 403 and no account made.
    await librarian.get('/');
    const res = await librarian.post('/admin/users', { username: 'made-by-librarian', role: 'admin', password: 'a long enough password' });
    expect(res.statusCode).toBe(403);
    expect(await web.store.staff.byUsername('made-by-librarian')).toBeUndefined();
    // Anonymous, through the API: 401 and nothing made.
    const anon = await web.app.inject({
      method: 'POST',
      url: '/api/v1/staff',
      payload: { username: 'made-by-nobody', role: 'admin', password: 'a long enough password' },
    });
    expect(anon.statusCode).toBe(401);
    expect(await web.store.staff.byUsername('made-by-nobody')).toBeUndefined();
  });

  it('a librarian session cannot use another library through an id (scoping is by the session)', async () => {
    const other = await db.newLibrary();
    await makeStaff(web.store, other, 'admin', 'sec-other-admin');
    const them = new WebClient(web.app);
    await them.signIn('sec-other-admin');
    const made = await them.api('POST', '/api/v1/tokens', { name: 'theirs' });
    const { record } = made.json() as { record: { id: number } };
    // Our admin revoking their token id: not found, and their token still listed as live.
    expect((await admin.api('DELETE', `/api/v1/tokens/${record.id}`)).statusCode).toBe(404);
    const theirs = (await them.api('GET', '/api/v1/tokens')).json() as { id: number; revokedAt: string | null }[];
    expect(theirs.find((t) => t.id === record.id)?.revokedAt).toBeNull();
  });

  it('sends safety headers with pages and no-store for signed-in pages', async () => {
    const res = await admin.get('/');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
  });
});
