/**
 * Findings of the security review, each kept fixed by a test: a Tenant ID belongs to one
 * library; `next` after sign-in cannot leave the site; a patron's session ends when they may no
 * longer sign in; unlinking a staff account ends its sessions; expired sessions are cleaned by
 * the reaper; a body over 1 MB is refused before anything reads it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { loadClassLink, saveClassLink } from '../src/sources/classlink/state.ts';
import { reapStale } from '../src/jobs/reap-stale.ts';
import { safeNext } from '../src/web/routes/auth.ts';
import { hashToken } from '../src/web/auth/tokens.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';
import { SYNC_SOURCES } from '../src/app.ts';

it('safeNext keeps only paths of this site', () => {
  for (const ok of ['/operations', '/patrons?q=smith&page=2', '/']) expect(safeNext(ok)).toBe(ok);
  for (const bad of ['//evil.example', '/\t/evil.example', '/\\evil.example', '/\n/evil', 'https://evil.example', 'evil', '/a b', 42])
    expect(safeNext(bad)).toBe('');
});

describeEachDatabase('web hardening', (db) => {
  let emulator: RunningEmulator;
  let web: TestWeb;
  beforeAll(async () => {
    emulator = await startEmulator({ district: { students: 20, seed: 'hardening' } });
    web = await openWeb(db, {
      ROLLCALL_CLASSLINK_PARTNER_URL: emulator.url,
      ROLLCALL_CLASSLINK_PARTNER_KEY: emulator.credentials.partnerKey,
    });
  });
  afterAll(async () => {
    await web?.close();
    await emulator?.close();
  });

  it('refuses a Tenant ID another library already uses (connection and sign-in)', async () => {
    const a = await db.newLibrary();
    const b = await db.newLibrary();
    await makeStaff(web.store, a, 'admin', `tenant-a-${a.code}`);
    await makeStaff(web.store, b, 'admin', `tenant-b-${b.code}`);
    const ca = new WebClient(web.app);
    await ca.signIn(`tenant-a-${a.code}`);
    const tenantId = emulator.credentials.tenantId;
    expect((await ca.api('PUT', '/api/v1/integrations/classlink/connection', { mode: 'partner', tenantId })).statusCode).toBe(200);
    const cb = new WebClient(web.app);
    await cb.signIn(`tenant-b-${b.code}`);
    const taken = await cb.api('PUT', '/api/v1/integrations/classlink/connection', { mode: 'partner', tenantId });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({
      error: { kind: 'conflict', message: expect.stringContaining('already used by another library') },
    });
    expect((await loadClassLink(web.store, b.id)).settings.connection).toBeNull();
    expect((await cb.api('PATCH', '/api/v1/integrations/classlink/sso', { tenantId })).statusCode).toBe(409);
  });

  it("ends a patron's session when sign-in is turned off, and a staff account's when its link changes", async () => {
    const lib = await db.newLibrary();
    const [patronId] = await web.store.patrons.insertMany(lib.id, [
      {
        ...emptyPatronValues(),
        guid: 'stu-x',
        firstName: 'Pat',
        lastName: 'Ron',
        status: 1,
        policy: 'Student',
        guidSource: 'classlink',
        matchedBy: null,
      },
    ]);
    const settings = (await loadClassLink(web.store, lib.id)).settings;
    await saveClassLink(web.store, lib.id, { settings: { ...settings, sso: true }, enabled: true });
    // A patron session as ClassLink sign-in makes it.
    const token = 'patron-session-token-value';
    await web.store.staff.createSession({
      idHash: hashToken(token),
      libraryId: lib.id,
      staffUserId: null,
      patronId: patronId!,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const c = new WebClient(web.app);
    c.cookies.set('rollcall_session', token);
    expect((await c.get('/me')).statusCode).toBe(200);
    await saveClassLink(web.store, lib.id, { settings: { ...settings, sso: false } });
    expect((await c.get('/me')).statusCode).toBe(302);
    expect(await web.store.staff.session(hashToken(token))).toBeUndefined();

    const admin = await makeStaff(web.store, lib, 'admin', `link-admin-${lib.code}`);
    const teacher = await makeStaff(web.store, lib, 'librarian', `link-teacher-${lib.code}`);
    const t = new WebClient(web.app);
    await t.signIn(`link-teacher-${lib.code}`);
    const a = new WebClient(web.app);
    await a.signIn(admin.username);
    expect((await a.api('PATCH', `/api/v1/staff/${teacher.id}`, { patronGuid: '' })).statusCode).toBe(200);
    expect((await t.api('GET', '/api/v1/me')).statusCode).toBe(401);
  });

  it("ClassLink's error on the callback is shown only as an OAuth error code, never free text", async () => {
    const c = new WebClient(web.app);
    const crafted = await c.get('/sso/classlink/callback?error=Your+account+is+locked%2C+call+555-0100');
    expect(crafted.statusCode).toBe(403);
    expect(crafted.body).not.toContain('locked');
    expect(crafted.body).toContain('ClassLink did not sign you in (an error)');
    expect((await c.get('/sso/classlink/callback?error=access_denied')).body).toContain('the sign-in was cancelled');
  });

  it('refuses a body over 1 MB', async () => {
    const c = new WebClient(web.app);
    await c.get('/login');
    const res = await c.post('/login', { username: 'x', password: 'y'.repeat(1_100_000) });
    expect(res.statusCode).toBe(413);
  });

  it('answers the favicon every browser asks for, with no session', async () => {
    const c = new WebClient(web.app);
    const ico = await c.get('/favicon.ico');
    expect(ico.statusCode).toBe(301);
    expect(ico.headers.location).toBe('/static/favicon.svg');
    const svg = await c.get('/static/favicon.svg');
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect((await c.get('/login')).body).toContain('<link rel="icon" href="/static/favicon.svg"');
  });

  it('the reaper removes expired sessions and keeps live ones', async () => {
    const lib = await db.newLibrary();
    const u = await makeStaff(web.store, lib, 'librarian', `expiry-${lib.code}`);
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    await web.store.staff.createSession({
      idHash: hashToken('old-one'),
      libraryId: lib.id,
      staffUserId: u.id,
      patronId: null,
      expiresAt: past,
    });
    await web.store.staff.createSession({
      idHash: hashToken('live-one'),
      libraryId: lib.id,
      staffUserId: u.id,
      patronId: null,
      expiresAt: future,
    });
    const queue = { send: async () => null, work: async () => {}, stop: async () => {} };
    const outcome = await reapStale({
      store: web.store,
      syncDeps: {
        store: web.store,
        sources: SYNC_SOURCES,
        now: () => new Date(),
        openReader: async () => {
          throw new Error('unused');
        },
      },
      queue,
      staleAfterMs: 600_000,
    });
    expect(outcome.ok).toBe(true);
    expect(await web.store.staff.session(hashToken('live-one'))).toBeDefined();
    // Gone from the table, not only filtered out by expiry: a fresh expiry cannot revive it.
    await web.store.staff.touchSession(hashToken('old-one'), future);
    expect(await web.store.staff.session(hashToken('old-one'))).toBeUndefined();
  });
});
