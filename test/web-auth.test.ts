/**
 * Staff sign-in (SPEC §4): first-run setup, sign-in and out, sessions in the database,
 * cookie flags, roles, API tokens (hashed, revocable), the JSON errors.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashToken } from '../src/web/auth/tokens.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, TEST_PASSWORD, WebClient, type TestWeb } from './support/web.ts';

describeEachDatabase('web: staff sign-in', (db) => {
  let web: TestWeb;
  beforeAll(async () => {
    web = await openWeb(db);
  });
  afterAll(async () => web?.close());

  it('asks for the first admin account on first visit, and only then', async () => {
    const c = new WebClient(web.app);
    const home = await c.get('/');
    expect(home.statusCode).toBe(302);
    expect(home.headers.location).toBe('/setup');
    const setup = await c.get('/setup');
    expect(setup.body).toContain('Create the first admin account');
    const bad = await c.post('/setup', { username: 'ada', password: 'short', confirm: 'short' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('at least 10 characters');
    const ok = await c.post('/setup', { username: 'ada', displayName: 'Ada L', password: TEST_PASSWORD, confirm: TEST_PASSWORD });
    expect(ok.statusCode).toBe(303);
    const cookie = ok.cookies.find((k) => k.name === 'rollcall_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    // The database holds the token's hash, never the token.
    expect(await web.store.staff.session(hashToken(cookie.value))).toBeDefined();
    const user = await web.store.staff.byUsername('ada');
    expect(user?.role).toBe('admin');
    expect(user?.passwordHash).toMatch(/^scrypt\$/);
    expect((await c.get('/')).body).toContain('Ada L (admin)');
    // Setup is closed once an account exists, even to a fresh visitor.
    const other = new WebClient(web.app);
    expect((await other.get('/setup')).headers.location).toBe('/login');
    await other.get('/login');
    const again = await other.post('/setup', { username: 'eve', password: TEST_PASSWORD, confirm: TEST_PASSWORD });
    expect(again.headers.location).toBe('/login');
    expect(await web.store.staff.byUsername('eve')).toBeUndefined();
  });

  it('signs in, keeps the session server-side, and signs out for good', async () => {
    const lib = await db.newLibrary();
    await makeStaff(web.store, lib, 'librarian', 'lena');
    const c = new WebClient(web.app);
    const wrong = await c.signIn('lena', 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('The username or password is wrong.');
    const unknown = await c.signIn('nobody', TEST_PASSWORD);
    expect(unknown.body).toContain('The username or password is wrong.');
    const ok = await c.signIn('LENA');
    expect(ok.statusCode).toBe(303);
    const page = await c.get('/');
    expect(page.body).toContain('(librarian)');
    expect(page.body).toContain(lib.name);
    const stolen = c.cookies.get('rollcall_session')!;
    const out = await c.post('/logout');
    expect(out.headers.location).toBe('/login?notice=signed-out');
    expect((await c.get('/login?notice=signed-out')).body).toContain('You have signed out.');
    // The old cookie opens nothing any more.
    const thief = new WebClient(web.app);
    thief.cookies.set('rollcall_session', stolen);
    expect((await thief.get('/admin/users')).headers.location).toBe('/login?next=%2Fadmin%2Fusers');
    expect((await thief.api('GET', '/api/v1/me')).statusCode).toBe(401);
  });

  it('only shows known notices (a crafted link cannot put words on the page)', async () => {
    const c = new WebClient(web.app);
    expect((await c.get('/login?notice=Your+password+expired')).body).not.toContain('Your password expired');
  });

  it('sends people back only to local pages after sign-in', async () => {
    const lib = await db.newLibrary();
    await makeStaff(web.store, lib, 'librarian', 'nextuser');
    const c = new WebClient(web.app);
    await c.get('/login');
    expect((await c.post('/login', { username: 'nextuser', password: TEST_PASSWORD, next: '//evil.example/x' })).headers.location).toBe(
      '/',
    );
    const d = new WebClient(web.app);
    await d.get('/login');
    expect((await d.post('/login', { username: 'nextuser', password: TEST_PASSWORD, next: '/operations?x=1' })).headers.location).toBe(
      '/operations?x=1',
    );
  });

  it('a disabled account cannot sign in, and its sessions end', async () => {
    const lib = await db.newLibrary();
    const u = await makeStaff(web.store, lib, 'librarian', 'gone');
    const c = new WebClient(web.app);
    await c.signIn('gone');
    expect((await c.api('GET', '/api/v1/me')).statusCode).toBe(200);
    await web.store.staff.update(lib.id, u.id, { disabled: true });
    expect((await c.api('GET', '/api/v1/me')).statusCode).toBe(401);
    const d = new WebClient(web.app);
    expect((await d.signIn('gone')).body).toContain('disabled');
  });

  it('API tokens: created by an admin, shown once, stored hashed, scoped, revocable', async () => {
    const lib = await db.newLibrary();
    await makeStaff(web.store, lib, 'admin', `boss-${lib.code}`);
    const c = new WebClient(web.app);
    await c.signIn(`boss-${lib.code}`);
    const made = await c.api('POST', '/api/v1/tokens', { name: 'nightly script', role: 'librarian' });
    expect(made.statusCode).toBe(201);
    const { token, record } = made.json() as { token: string; record: { id: number; prefix: string } };
    expect(token).toMatch(/^rc_/);
    expect(token.startsWith(record.prefix)).toBe(true);
    const listed = await c.api('GET', '/api/v1/tokens');
    expect(listed.body).not.toContain(token);
    expect(listed.body).not.toContain(hashToken(token));

    const script = new WebClient(web.app);
    script.bearer = token;
    const me = await script.api('GET', '/api/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ role: 'librarian', library: { code: lib.code } });
    // Its last use is recorded, but not rewritten on every call (no write per request).
    const used = (await web.store.staff.listTokens(lib.id)).find((t) => t.id === record.id)!.lastUsedAt;
    expect(used).not.toBeNull();
    await script.api('GET', '/api/v1/me');
    expect((await web.store.staff.listTokens(lib.id)).find((t) => t.id === record.id)!.lastUsedAt).toBe(used);
    // A librarian token cannot do admin work.
    expect((await script.api('GET', '/api/v1/tokens')).statusCode).toBe(403);

    expect((await c.api('DELETE', `/api/v1/tokens/${record.id}`)).statusCode).toBe(200);
    const after = await script.api('GET', '/api/v1/me');
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ error: { kind: 'unauthenticated' } });
  });

  it('serves an OpenAPI document of the API only', async () => {
    const c = new WebClient(web.app);
    const res = await c.get('/api/v1/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/api/v1/tokens');
    expect(Object.keys(doc.paths).every((p) => p.startsWith('/api/v1'))).toBe(true);
  });
});

describeEachDatabase(
  'web: first-run setup on an empty database',
  (db) => {
    it('makes one first admin when two first-run setups race', async () => {
      const lib = await db.newLibrary();
      // PostgreSQL: two stores, as two processes would have. (Two SQLite stores in one process
      // would block each other's synchronous driver; one process shares one connection.)
      const other = db.dialect === 'postgres' ? await db.open() : db.store();
      const made = await Promise.all([
        db.store().staff.createFirst(lib.id, { username: 'race-a', role: 'admin', passwordHash: 'x' }),
        other.staff.createFirst(lib.id, { username: 'race-b', role: 'admin', passwordHash: 'x' }),
      ]);
      expect(made.filter((u) => u !== undefined)).toHaveLength(1);
      expect(await db.store().staff.countAll()).toBe(1);
      // Once one exists, no more.
      expect(await db.store().staff.createFirst(lib.id, { username: 'race-c', role: 'admin', passwordHash: 'x' })).toBeUndefined();
    });
  },
  { isolation: 'test' },
);
