/**
 * Sign in with ClassLink (SPEC §4) over real HTTP to the emulator's LaunchPad: the
 * app-initiated flow (state, nonce, PKCE) and a LaunchPad launch (code, no state) let an
 * Active patron in and show their own record; a Teacher linked to a staff account reaches the
 * staff pages; every way it can go wrong is refused with its reason, and nothing is created.
 */
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_SSO_REDIRECT_URI } from '../src/emulator/sso.ts';
import type { SsoFaults } from '../src/emulator/types.ts';
import { saveClassLink, loadClassLink } from '../src/sources/classlink/state.ts';
import { dbEnv, rollcallHere } from './cli-support.ts';
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
  async function launch(f: SyncFixture, sourcedId: string, tile: { clientId?: string; redirectUri?: string } = {}): Promise<string> {
    const res = await fetch(f.emulator.sso.launchUrl(sourcedId, tile), { redirect: 'manual' });
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
    const back = await launch(f, student.guid);
    // The deployment's client comes back to the server's address, as before libraries had their own.
    expect(back).toMatch(/^\/sso\/classlink\/callback\?code=/);
    const done = await c.get(back);
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

  /** The emulated ClassLink's two apps: the server's (the deployment's client) and the library's own. */
  const SERVER_CLIENT = { clientId: 'server-client', clientSecret: 'server-client-secret', redirectUris: [DEFAULT_SSO_REDIRECT_URI] };
  const LIBRARY_CLIENT = { clientId: 'library-client', clientSecret: 'library-client-secret', redirectUris: [DEFAULT_SSO_REDIRECT_URI] };

  /**
   * A synced library signing in with its own ClassLink client (registered with the library's
   * own redirect URI, and — the mistake the old instructions led to — the server's), on a
   * server with or without a client of its own.
   */
  async function readyOwnClient(serverClient: boolean): Promise<{ f: SyncFixture; web: TestWeb; code: string; own: string }> {
    const f = await setUp({ sso: { clients: [SERVER_CLIENT, LIBRARY_CLIENT] } });
    await f.configure((s) => {
      s.sso = true;
      s.ssoTenantId = f.emulator.sso.tenantId;
      s.ssoClientId = LIBRARY_CLIENT.clientId;
    });
    const cl = await loadClassLink(f.store, f.libraryId);
    await saveClassLink(f.store, f.libraryId, {
      settings: cl.settings,
      secrets: { ...cl.secrets, ssoClientSecret: LIBRARY_CLIENT.clientSecret },
    });
    const outcome = await f.sync('full');
    expect(outcome.operation.state).toMatch(/^succeeded/);
    web = await openWeb(db, {
      ROLLCALL_CLASSLINK_LAUNCHPAD_URL: f.emulator.sso.issuer,
      ROLLCALL_CLASSLINK_API_URL: f.emulator.sso.apiUrl,
      ...(serverClient ? { ROLLCALL_SSO_CLIENT_ID: SERVER_CLIENT.clientId, ROLLCALL_SSO_CLIENT_SECRET: SERVER_CLIENT.clientSecret } : {}),
    });
    const code = (await web.store.libraries.get(f.libraryId))!.code;
    const own = `http://localhost:3000/sso/classlink/callback/${code}`;
    f.emulator.sso.addRedirectUri(own, LIBRARY_CLIENT.clientId);
    return { f, web, code, own };
  }

  it("a LaunchPad launch for a library with its own client comes back to the library's address and signs in", async () => {
    const { f, web, code, own } = await readyOwnClient(false);
    const student = await activeStudent(f);
    const back = await launch(f, student.guid, { clientId: LIBRARY_CLIENT.clientId, redirectUri: own });
    expect(back).toMatch(new RegExp(`^/sso/classlink/callback/${code}\\?code=`));
    const c = new WebClient(web.app);
    const done = await c.get(back);
    expect(done.statusCode, done.body).toBe(303);
    expect(done.headers.location).toBe('/me');
    expect((await c.get('/me')).body).toContain(student.name);

    // The sign-in page's button for the library asks ClassLink to come back to the same address,
    // which the token request then sends again.
    const d = new WebClient(web.app);
    const start = await d.get(`/sso/classlink/start?library=${code}`);
    expect(new URL(String(start.headers.location)).searchParams.get('redirect_uri')).toBe(own);
    const path = await throughClassLink(d, f, student.guid, code);
    expect(path).toMatch(new RegExp(`^/sso/classlink/callback/${code}\\?`));
    expect((await d.get(path)).headers.location).toBe('/me');
  });

  it('refuses a callback naming a library that does not exist, and never echoes a crafted one', async () => {
    const { f, web, own } = await readyOwnClient(false);
    const student = await activeStudent(f);
    const before = (await f.patrons()).length;
    const wrong = 'http://localhost:3000/sso/classlink/callback/no-such-library';
    f.emulator.sso.addRedirectUri(wrong, LIBRARY_CLIENT.clientId);
    const c = new WebClient(web.app);
    const path = await launch(f, student.guid, { clientId: LIBRARY_CLIENT.clientId, redirectUri: wrong });
    const res = await c.get(path);
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('There is no library &quot;no-such-library&quot; here');
    expect(await refusedWith(new WebClient(web.app), path)).toBe('not_found');
    const crafted = await new WebClient(web.app).get('/sso/classlink/callback/Call%20555-0100%20now?code=x');
    expect(crafted.statusCode).toBe(404);
    expect(crafted.body).not.toContain('555-0100');
    expect(crafted.body).toContain('There is no library named in this address here');
    // A flow started for the library cannot come back to another library's address.
    const d = new WebClient(web.app);
    const started = await throughClassLink(d, f, student.guid, own.split('/').at(-1));
    expect(await refusedWith(d, started.replace(/^\/sso\/classlink\/callback\/[^?]+/, '/sso/classlink/callback/other-library'))).toBe(
      'credentials_refused',
    );
    expect((await f.patrons()).length).toBe(before);
  });

  it("keeps the server's address working for the deployment's client beside a library's own", async () => {
    const { f, web, own } = await readyOwnClient(true);
    const student = await activeStudent(f);
    const back = await launch(f, student.guid, { clientId: SERVER_CLIENT.clientId });
    expect(back).toMatch(/^\/sso\/classlink\/callback\?code=/);
    const c = new WebClient(web.app);
    expect((await c.get(back)).headers.location).toBe('/me');
    // And the library's own address with its own client, on the same server.
    const d = new WebClient(web.app);
    expect((await d.get(await launch(f, student.guid, { clientId: LIBRARY_CLIENT.clientId, redirectUri: own }))).headers.location).toBe(
      '/me',
    );
  });

  it("refuses a library's own client reached through the server's address, naming the library's address", async () => {
    // No server client: nothing can take the code; the refusal names where the tile must point.
    const { f, web } = await readyOwnClient(false);
    const student = await activeStudent(f);
    const tile = { clientId: LIBRARY_CLIENT.clientId, redirectUri: DEFAULT_SSO_REDIRECT_URI };
    const c = new WebClient(web.app);
    const res = await c.get(await launch(f, student.guid, tile));
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('http://localhost:3000/sso/classlink/callback/&lt;library code&gt;');
    expect(await refusedWith(new WebClient(web.app), await launch(f, student.guid, tile))).toBe('not_configured');
  });

  it("refuses a library's own client's code at the server's address when the server has a client, naming the library's address", async () => {
    // The code is the library client's; exchanged as the server's client, ClassLink refuses it.
    const { f, web } = await readyOwnClient(true);
    const student = await activeStudent(f);
    const c = new WebClient(web.app);
    const res = await c.get(await launch(f, student.guid, { clientId: LIBRARY_CLIENT.clientId, redirectUri: DEFAULT_SSO_REDIRECT_URI }));
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain(
      'its LaunchPad tile must use its own redirect URI, http://localhost:3000/sso/classlink/callback/&lt;library code&gt;',
    );
    expect((await c.get('/me')).statusCode).toBe(302);
  });

  it("`classlink sso` prints the library's own redirect URI to register, or the server's while the library uses that one", async () => {
    const { f } = await ready();
    const code = (await f.store.libraries.get(f.libraryId))!.code;
    const withServer = { ...dbEnv(db), ROLLCALL_SSO_CLIENT_ID: 'server-client', ROLLCALL_SSO_CLIENT_SECRET: 'server-secret' };
    const shared = await rollcallHere(['classlink', 'sso', '--library', code], withServer);
    expect(shared.code, shared.stderr).toBe(0);
    expect(shared.stdout).toContain(
      "Redirect URI: http://localhost:3000/sso/classlink/callback (the server's client; whoever runs this server registers it)",
    );
    expect(shared.stdout).toContain(
      `This library's own redirect URI (for a client of its own): http://localhost:3000/sso/classlink/callback/${code}`,
    );
    const own = await rollcallHere(['classlink', 'sso', '--library', code, '--client-id', 'lib-client'], {
      ...withServer,
      ROLLCALL_NEW_SSO_CLIENT_SECRET: 'lib-secret',
    });
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toContain(
      `Register this redirect URI with this library's ClassLink client: http://localhost:3000/sso/classlink/callback/${code}\n`,
    );
    expect(own.stdout).not.toContain('callback (');
    const json = await rollcallHere(['classlink', 'sso', '--library', code, '--json'], dbEnv(db));
    expect(JSON.parse(json.stdout)).toMatchObject({
      redirectUri: `http://localhost:3000/sso/classlink/callback/${code}`,
      serverRedirectUri: null,
    });
  });

  it("keeps the library's sign-in settings on the ClassLink page and API, the secret write-only", async () => {
    const { f, web } = await ready();
    const lib = (await web.store.libraries.get(f.libraryId))!;
    await makeStaff(web.store, lib, 'admin', `sso-page-admin-${lib.code}`);
    const c = new WebClient(web.app);
    await c.signIn(`sso-page-admin-${lib.code}`);
    const page = await c.get('/preferences/integrations/classlink/sign-in');
    expect(page.statusCode).toBe(200);
    // The library uses the server's client so far: its address, and the library's own for later.
    expect(page.body).toContain('id="sso-server-redirect-uri">http://localhost:3000/sso/classlink/callback<');
    expect(page.body).toContain(`id="sso-redirect-uri">http://localhost:3000/sso/classlink/callback/${lib.code}<`);
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
    expect(api.json()).toMatchObject({
      enabled: true,
      clientId: 'lib-client',
      clientSecretSet: true,
      redirectUri: `http://localhost:3000/sso/classlink/callback/${lib.code}`,
      serverRedirectUri: 'http://localhost:3000/sso/classlink/callback',
    });
    // With a client of its own, the page shows the library's address as the one to register.
    const own = await c.get('/preferences/integrations/classlink/sign-in');
    expect(own.body).toContain(`id="sso-redirect-uri">http://localhost:3000/sso/classlink/callback/${lib.code}<`);
    expect(own.body).not.toContain('id="sso-server-redirect-uri"');
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
