/**
 * Sign in with ClassLink (SPEC §4) over real HTTP to the emulator's LaunchPad: the
 * app-initiated flow (state, nonce, PKCE) and a LaunchPad launch (code, no state) let an
 * Active patron in and show their own record; a Teacher linked to a staff account reaches the
 * staff pages; every way it can go wrong is refused with its reason, and nothing is created.
 */
import { afterEach, expect, it } from 'vitest';
import type { SsoFaults } from '../src/emulator/types.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, type SyncFixture } from './support/sync-fixture.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

describeEachDatabase('sign in with ClassLink', (db) => {
  const setUp = syncFixtures(db);
  let web: TestWeb | undefined;
  afterEach(async () => {
    await web?.close();
    web = undefined;
  });

  /** A synced library with sign-in allowed, and the web app configured for the fixture's emulator. */
  async function ready(): Promise<{ f: SyncFixture; web: TestWeb }> {
    const f = await setUp();
    await f.configure((s) => {
      s.sso = true;
      s.ssoTenantId = f.emulator.sso.tenantId;
    });
    const outcome = await f.sync('full');
    expect(outcome.operation.state).toMatch(/^succeeded/);
    web = await openWeb(db, {
      ROLLCALL_CLASSLINK_LAUNCHPAD_URL: f.emulator.sso.issuer,
      ROLLCALL_CLASSLINK_API_URL: f.emulator.sso.apiUrl,
      ROLLCALL_SSO_CLIENT_ID: f.emulator.sso.clientId,
      ROLLCALL_SSO_CLIENT_SECRET: f.emulator.sso.clientSecret,
    });
    return { f, web };
  }

  /** A student who is an Active patron after the sync. */
  async function activeStudent(f: SyncFixture): Promise<{ guid: string; name: string; id: number }> {
    const p = (await f.patrons()).find((x) => x.guid.startsWith('stu-') && x.status === 1)!;
    return { guid: p.guid, name: `${p.firstName}`, id: p.id };
  }

  /** Follows ClassLink's redirect for the app-initiated flow and returns our callback's path. */
  async function throughClassLink(c: WebClient, f: SyncFixture, sourcedId: string, library = ''): Promise<string> {
    const start = await c.get(`/sso/classlink/start${library ? `?library=${library}` : ''}`);
    expect(start.statusCode).toBe(302);
    const auth = new URL(String(start.headers.location));
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    f.emulator.sso.signInNextAs(sourcedId);
    const back = await fetch(auth, { redirect: 'manual' });
    expect(back.status).toBe(302);
    const callback = new URL(back.headers.get('location')!);
    return `${callback.pathname}${callback.search}`;
  }

  /** A LaunchPad tile's launch: our callback with a code and no state. */
  async function launch(f: SyncFixture, sourcedId: string): Promise<string> {
    const res = await fetch(f.emulator.sso.launchUrl(sourcedId), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const callback = new URL(res.headers.get('location')!);
    expect(callback.searchParams.has('state')).toBe(false);
    return `${callback.pathname}${callback.search}`;
  }

  /** The refusal page's reason, and that nobody is signed in afterwards. */
  async function refusedWith(c: WebClient, path: string): Promise<string> {
    const res = await c.get(path);
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
    expect(res.cookies.find((k) => k.name === 'rollcall_session' && k.value)).toBeUndefined();
    expect((await c.get('/me')).statusCode).toBe(302);
    return /data-reason="([^"]+)"/.exec(res.body)?.[1] ?? '';
  }

  it('a student signs in from the sign-in page and sees their own record, nothing of anyone else', async () => {
    const { f, web } = await ready();
    const student = await activeStudent(f);
    // (A fresh install with no staff sends /login to the setup page; this library has staff.)
    await makeStaff(web.store, (await web.store.libraries.get(f.libraryId))!, 'admin', `sso-admin-${f.libraryId}`);
    const c = new WebClient(web.app);
    expect((await c.get('/login')).body).toContain('Sign in with ClassLink');
    const done = await c.get(await throughClassLink(c, f, student.guid));
    expect(done.statusCode, done.body).toBe(303);
    expect(done.headers.location).toBe('/me');
    const me = await c.get('/me');
    expect(me.statusCode).toBe(200);
    expect(me.body).toContain(student.name);
    expect(me.body).toMatch(/id="my-status">Active/);
    // Nothing of anyone else, no staff page, no API.
    for (const path of [
      '/patrons',
      `/patrons/${student.id}`,
      '/operations',
      '/admin/users',
      '/preferences/integrations/classlink',
      '/sites',
    ]) {
      expect((await c.get(path)).statusCode, path).toBe(403);
    }
    for (const path of ['/api/v1/patrons', '/api/v1/me', '/api/v1/operations']) {
      expect((await c.api('GET', path)).statusCode, path).toBe(403);
    }
    expect((await c.get('/')).headers.location).toBe('/me');
    await c.post('/logout');
    expect((await c.get('/me')).statusCode).toBe(302);
  });

  it('a LaunchPad launch (a code without state) signs a student in', async () => {
    const { f, web } = await ready();
    const student = await activeStudent(f);
    const c = new WebClient(web.app);
    const done = await c.get(await launch(f, student.guid));
    expect(done.headers.location).toBe('/me');
    expect((await c.get('/me')).body).toContain(student.name);
  });

  it('a LaunchPad launch never replaces a session the browser already has', async () => {
    const { f, web } = await ready();
    const student = await activeStudent(f);
    const lib = (await web.store.libraries.get(f.libraryId))!;
    await makeStaff(web.store, lib, 'librarian', `busy-${lib.code}`);
    const c = new WebClient(web.app);
    await c.signIn(`busy-${lib.code}`);
    const before = c.cookies.get('rollcall_session');
    const res = await c.get(await launch(f, student.guid));
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('already signed in');
    expect(c.cookies.get('rollcall_session')).toBe(before);
    expect((await c.api('GET', '/api/v1/me')).json()).toMatchObject({ username: `busy-${lib.code}` });
  });

  it('a teacher linked to a staff account reaches the staff pages', async () => {
    const { f, web } = await ready();
    const teacher = (await f.patrons()).find((p) => p.guid.startsWith('tch-') && p.status === 1)!;
    const lib = (await web.store.libraries.get(f.libraryId))!;
    const account = await makeStaff(web.store, lib, 'librarian', `teacher-${lib.code}`);
    // An admin links the account to the teacher's patron (by GUID); a student's cannot be linked.
    await makeStaff(web.store, lib, 'admin', `linker-${lib.code}`);
    const admin = new WebClient(web.app);
    await admin.signIn(`linker-${lib.code}`);
    const student = await activeStudent(f);
    const refused = await admin.api('PATCH', `/api/v1/staff/${account.id}`, { patronGuid: student.guid });
    expect(refused.statusCode).toBe(400);
    const linked = await admin.api('PATCH', `/api/v1/staff/${account.id}`, { patronGuid: teacher.guid });
    expect(linked.json()).toMatchObject({ patronId: teacher.id });
    const c = new WebClient(web.app);
    const done = await c.get(await throughClassLink(c, f, teacher.guid));
    expect(done.headers.location).toBe('/');
    const home = await c.get('/');
    expect(home.body).toContain('(librarian)');
    expect((await c.api('GET', '/api/v1/me')).json()).toMatchObject({ username: `teacher-${lib.code}` });
  });

  it('refuses, with the reason, and creates nothing: wrong tenant, unknown user, Transferred, SSO off', async () => {
    const { f, web } = await ready();
    const student = await activeStudent(f);
    const before = (await f.patrons()).length;

    f.emulator.sso.setFaults({ tenantId: 999_999 });
    expect(await refusedWith(new WebClient(web.app), await launch(f, student.guid))).toBe('wrong_tenant');
    f.emulator.sso.setFaults({});

    // A student of the school no site is matched to: never synced.
    const outside = f.district.users.find((u) => u.role === 'student' && !f.siteByOrg.has(u.orgSourcedIds[0]!))!;
    expect(await refusedWith(new WebClient(web.app), await launch(f, outside.sourcedId))).toBe('not_synced');

    await f.editPatron(student.id, { status: 4 });
    expect(await refusedWith(new WebClient(web.app), await launch(f, student.guid))).toBe('transferred');
    await f.editPatron(student.id, { status: 1 });

    await f.configure((s) => {
      s.sso = false;
    });
    expect(await refusedWith(new WebClient(web.app), await launch(f, student.guid))).toBe('sso_off');
    expect((await f.patrons()).length).toBe(before);
  });

  it('refuses a replayed code, a wrong or missing state, and an expired code', async () => {
    const { f, web } = await ready();
    const student = await activeStudent(f);

    const first = await launch(f, student.guid);
    expect((await new WebClient(web.app).get(first)).headers.location).toBe('/me');
    expect(await refusedWith(new WebClient(web.app), first)).toBe('credentials_refused');

    const c = new WebClient(web.app);
    const path = await throughClassLink(c, f, student.guid);
    const wrong = path.replace(/state=[^&]+/, 'state=forged');
    expect(await refusedWith(c, wrong)).toBe('credentials_refused');

    const d = new WebClient(web.app);
    const noState = (await throughClassLink(d, f, student.guid)).replace(/&?state=[^&]+/, '');
    expect(await refusedWith(d, noState)).toBe('credentials_refused');

    f.emulator.sso.setFaults({ codeTtlSeconds: 0 });
    const e = new WebClient(web.app);
    expect(await refusedWith(e, await throughClassLink(e, f, student.guid))).toBe('credentials_refused');
  });

  it.each<[string, SsoFaults, string]>([
    ['an id_token for another audience', { idToken: 'wrongAudience' }, 'credentials_refused'],
    ['an id_token from another issuer', { idToken: 'wrongIssuer' }, 'credentials_refused'],
    ['an id_token with a bad signature', { idToken: 'badSignature' }, 'credentials_refused'],
    ['an expired id_token', { idToken: 'expired' }, 'credentials_refused'],
    ['a /v2/my/info error', { myInfoStatus: 500 }, 'bad_response'],
  ])('refuses %s', async (_what, faults, reason) => {
    const { f, web } = await ready();
    const student = await activeStudent(f);
    f.emulator.sso.setFaults(faults);
    const c = new WebClient(web.app);
    expect(await refusedWith(c, await throughClassLink(c, f, student.guid))).toBe(reason);
  });

  it("keeps the library's sign-in settings on the ClassLink page and API, the secret write-only", async () => {
    const { f, web } = await ready();
    const lib = (await web.store.libraries.get(f.libraryId))!;
    await makeStaff(web.store, lib, 'admin', `sso-page-admin-${lib.code}`);
    const c = new WebClient(web.app);
    await c.signIn(`sso-page-admin-${lib.code}`);
    const page = await c.get('/preferences/integrations/classlink/sign-in');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('http://localhost:3000/sso/classlink/callback');
    expect(page.body).toContain(`/sso/classlink/launch?library=${lib.code}`);
    const secret = 'library-own-sso-secret-value';
    const saved = await c.post('/preferences/integrations/classlink/sign-in', {
      sso: 'on',
      ssoTenantId: String(f.emulator.sso.tenantId),
      ssoClientId: 'lib-client',
      ssoClientSecret: secret,
    });
    expect(saved.statusCode).toBe(303);
    const after = await c.get('/preferences/integrations/classlink/sign-in?notice=sso-saved');
    expect(after.body).toContain('The sign-in settings were saved.');
    expect(after.body).not.toContain(secret);
    const api = await c.api('GET', '/api/v1/integrations/classlink/sso');
    expect(api.json()).toMatchObject({ enabled: true, clientId: 'lib-client', clientSecretSet: true });
    expect(api.body).not.toContain(secret);
    // The library's own sign-in page shows the button for its own client.
    const login = await new WebClient(web.app).get(`/login?library=${lib.code}`);
    expect(login.body).toContain(`href="/sso/classlink/start?library=${lib.code}"`);
    expect((await new WebClient(web.app).get('/login?library=no-such-library')).body).not.toContain('Sign in with ClassLink');
    // Stored encrypted: the raw settings row does not hold it in the clear either.
    const record = await web.store.integrations.list(f.libraryId);
    expect(JSON.stringify(record)).not.toContain(secret);
  });
});
