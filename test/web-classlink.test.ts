/**
 * Preferences › SIS Integrations › ClassLink in the web admin (SPEC §2), against the
 * emulator's partner API and Roster Server on loopback: the Tenant ID and each plain failure,
 * direct and proxy modes, site mapping (Match, ×, suggestions, Save), roles and the "Unenrolled
 * Users" note, field mapping, the ON switch's preview, Sync Now landing on its operation — and
 * that secrets never appear in a page or API response, librarians are refused, CSRF is required.
 */
import { createServer } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { loadClassLink, saveClassLink } from '../src/sources/classlink/state.ts';
import type { Library } from '../src/store/store.ts';
import { noAdminsWarning } from '../src/sync/core/reasons.ts';
import { OPERATION_TYPES } from '../src/domain/operation.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

const BASE = '/preferences/integrations/classlink';

let emulator: RunningEmulator;
let closedPort = 0;

beforeAll(async () => {
  emulator = await startEmulator({ district: { students: 30, seed: 'web-classlink' } });
  closedPort = await freePort();
});
afterAll(async () => {
  await emulator?.close();
});

/** A port nothing listens on (taken and released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Every secret the emulator knows: none may ever appear in a response. */
function secrets(): string[] {
  const c = emulator.credentials;
  return [c.clientSecret, c.bearerToken, c.partnerKey, ...emulator.tenants.flatMap((t) => [t.clientSecret, t.bearerToken])];
}

/** A WebClient that keeps every response body, for the secrets check. */
class RecordingClient extends WebClient {
  constructor(
    app: WebClient['app'],
    readonly bodies: string[],
  ) {
    super(app);
  }
  override async get(url: string, headers: Record<string, string> = {}) {
    return this.keep(await super.get(url, headers));
  }
  override async post(url: string, form: Parameters<WebClient['post']>[1] = {}, headers: Record<string, string> = {}) {
    return this.keep(await super.post(url, form, headers));
  }
  override async api(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
    return this.keep(await super.api(method, url, body, headers));
  }
  /** POSTs a form with repeated fields (`roles=student&roles=admin`), with the page's CSRF token. */
  async postPairs(url: string, pairs: [string, string][]): Promise<LightMyRequestResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const payload = new URLSearchParams([['_csrf', this.csrf], ...pairs]).toString();
    return this.keep(
      await this.app.inject({ method: 'POST', url, payload, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } }),
    );
  }
  private keep(res: LightMyRequestResponse): LightMyRequestResponse {
    this.bodies.push(res.body, JSON.stringify(res.headers));
    return res;
  }
}

describeEachDatabase('web: ClassLink setup', (db) => {
  let web: TestWeb;
  const bodies: string[] = [];
  const extraWebs: TestWeb[] = [];
  const partnerEnv = () => ({
    ROLLCALL_CLASSLINK_PARTNER_URL: emulator.url,
    ROLLCALL_CLASSLINK_PARTNER_KEY: emulator.credentials.partnerKey,
  });

  beforeAll(async () => {
    web = await openWeb(db, partnerEnv());
  });
  afterAll(async () => {
    for (const w of extraWebs) await w.close();
    await web?.close();
  });

  /** A fresh library and a signed-in client of the role (on `on`, default the suite's app). */
  async function signedIn(
    role: 'admin' | 'librarian',
    on: TestWeb = web,
    lib?: Library,
  ): Promise<{ c: RecordingClient; lib: Library; username: string }> {
    const library = lib ?? (await db.newLibrary());
    const username = `${role}-${library.code}-${Math.random().toString(36).slice(2, 7)}`;
    await makeStaff(on.store, library, role, username);
    const c = new RecordingClient(on.app, bodies);
    expect((await c.signIn(username)).statusCode).toBe(303);
    return { c, lib: library, username };
  }

  /** Saves the direct connection through the API. */
  async function connectDirect(c: WebClient): Promise<void> {
    const res = await c.api('PUT', '/api/v1/integrations/classlink/connection', {
      mode: 'direct',
      rosterUrl: emulator.url,
      clientId: emulator.credentials.clientId,
      clientSecret: emulator.credentials.clientSecret,
    });
    expect(res.statusCode, res.body).toBe(200);
  }

  /** The emulator's schools, by name, as the API lists them. */
  async function schools(c: WebClient): Promise<{ sourcedId: string; name: string; siteCode: string; suggestedSiteCode: string }[]> {
    const res = await c.api('GET', '/api/v1/integrations/classlink/schools');
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  it('saves a Tenant ID once ClassLink validates it, and says in a plain sentence why one is refused', async () => {
    const { c, lib } = await signedIn('admin');
    const page = await c.get(BASE);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="tenant-id"');
    expect(page.body).toContain('id="save-tenant"');
    expect(page.body).toMatch(/<ul class="steps">[\s\S]*aria-current="step"[^>]*>1\. Settings/);
    expect(page.body).toContain('<details class="advanced"');

    const refused = async (tenantId: string, pattern: RegExp, on: RecordingClient = c) => {
      await on.get(BASE);
      const res = await on.post(`${BASE}/connection`, { mode: 'partner', tenantId });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.body).toMatch(/<p class="error" role="alert"[^>]*>/);
      expect(res.body).toMatch(pattern);
      // The typed Tenant ID is kept in the form.
      expect(res.body).toContain(`value="${tenantId}"`);
    };
    await refused('999999', /Tenant ID 999999 is not among the districts that have approved this app/);
    const pending = emulator.tenants.find((t) => !t.approved)!;
    await refused(String(pending.tenantId), /has the app but has not approved it yet/);
    await refused('12ab', /A ClassLink Tenant ID is a whole number/);

    // The partner API refuses a wrong partner key; a partner host that is down cannot be reached.
    const wrongKey = await openWeb(db, { ROLLCALL_CLASSLINK_PARTNER_URL: emulator.url, ROLLCALL_CLASSLINK_PARTNER_KEY: 'not-the-key' });
    const down = await openWeb(db, {
      ROLLCALL_CLASSLINK_PARTNER_URL: `http://127.0.0.1:${closedPort}`,
      ROLLCALL_CLASSLINK_PARTNER_KEY: 'k',
    });
    extraWebs.push(wrongKey, down);
    await refused(String(emulator.credentials.tenantId), /refused the credentials/i, (await signedIn('admin', wrongKey, lib)).c);
    await refused(String(emulator.credentials.tenantId), /Could not connect to/, (await signedIn('admin', down, lib)).c);
    expect((await loadClassLink(web.store, lib.id)).settings.connection).toBeNull();

    await c.get(BASE);
    const ok = await c.post(`${BASE}/connection`, { mode: 'partner', tenantId: String(emulator.credentials.tenantId) });
    expect(ok.statusCode, ok.body).toBe(303);
    expect(ok.headers.location).toBe(`${BASE}?notice=classlink-connected`);
    const saved = await c.get(ok.headers.location!);
    expect(saved.body).toContain('The ClassLink connection was validated and saved.');
    expect(saved.body).toContain(`Tenant ID ${emulator.credentials.tenantId}`);
    expect(saved.body).toMatch(/id="credentials-state">saved — validated with ClassLink \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\)/);
    const api = (await c.api('GET', '/api/v1/integrations/classlink')).json();
    expect(api).toMatchObject({
      enabled: false,
      credentialsSaved: true,
      connection: { mode: 'partner', tenantId: emulator.credentials.tenantId, auth: 'bearer' },
    });
    expect(api.connection.validatedAt).toMatch(/^\d{4}-/);
  });

  it('direct mode: a wrong secret is refused and nothing is saved; the right one is saved and never shown again', async () => {
    const { c, lib } = await signedIn('admin');
    await c.get(BASE);
    const wrong = await c.post(`${BASE}/connection`, {
      mode: 'direct',
      rosterUrl: emulator.url,
      clientId: emulator.credentials.clientId,
      clientSecret: 'wrong-secret-123',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toMatch(/refused the credentials/);
    expect(wrong.body).not.toContain('wrong-secret-123');
    // The advanced section is open again with the URL and key kept (never the secret).
    expect(wrong.body).toMatch(/<details class="advanced" open>/);
    expect(wrong.body).toContain(`value="${emulator.credentials.clientId}"`);
    expect((await loadClassLink(web.store, lib.id)).settings.connection).toBeNull();

    const missing = await c.post(`${BASE}/connection`, {
      mode: 'direct',
      rosterUrl: emulator.url,
      clientId: emulator.credentials.clientId,
      clientSecret: '',
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Direct mode needs the OAuth key and the OAuth secret');
    const badUrl = await c.post(`${BASE}/connection`, { mode: 'direct', rosterUrl: 'ftp://x', clientId: 'k', clientSecret: 's' });
    expect(badUrl.body).toContain('must start with https://');

    const ok = await c.post(`${BASE}/connection`, {
      mode: 'direct',
      rosterUrl: emulator.url,
      clientId: emulator.credentials.clientId,
      clientSecret: emulator.credentials.clientSecret,
    });
    expect(ok.statusCode, ok.body).toBe(303);
    const page = await c.get(BASE);
    expect(page.body).toContain(`OAuth key ${emulator.credentials.clientId}`);
    expect(page.body).toContain('id="credentials-state">saved');
    expect(page.body).not.toContain(emulator.credentials.clientSecret);
    expect((await loadClassLink(web.store, lib.id)).secrets.clientSecret).toBe(emulator.credentials.clientSecret);

    // Proxy mode through the API: the answer names the mode, never the token.
    const proxy = await c.api('PUT', '/api/v1/integrations/classlink/connection', {
      mode: 'proxy',
      rosterUrl: `${emulator.url}/${emulator.credentials.appId}`,
      bearer: emulator.credentials.bearerToken,
    });
    expect(proxy.statusCode, proxy.body).toBe(200);
    expect(proxy.json()).toMatchObject({ mode: 'proxy', auth: 'bearer', clientId: '', tenantId: null });
    expect(proxy.body).not.toContain(emulator.credentials.bearerToken);
    const refused = await c.api('PUT', '/api/v1/integrations/classlink/connection', {
      mode: 'proxy',
      rosterUrl: `${emulator.url}/${emulator.credentials.appId}`,
      bearer: 'nope',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { kind: 'credentials_refused' } });
    expect((await c.api('GET', '/api/v1/integrations/classlink')).json()).toMatchObject({
      connection: { mode: 'proxy' },
      credentialsSaved: true,
    });
  });

  it('maps sites: Match, × and suggestions by name with Save; a school is matched to one site only', async () => {
    const { c, lib } = await signedIn('admin');
    const other = await db.newLibrary();
    await web.store.sites.add(other.id, { code: 'ZZ', name: 'Elsewhere' });
    // Before a connection: the sites show, the schools say why they are missing.
    await web.store.sites.add(lib.id, { code: 'ES', name: 'St Marys Elementary Library' });
    await web.store.sites.add(lib.id, { code: 'MS', name: 'Ochoa Middle' });
    await web.store.sites.add(lib.id, { code: 'HS', name: 'Thurgood Marshall High School' });
    const early = await c.get(`${BASE}/sites`);
    expect(early.statusCode).toBe(200);
    expect(early.body).toContain('Connect to ClassLink first');
    expect((await c.api('GET', '/api/v1/integrations/classlink/schools')).statusCode).toBe(409);

    await connectDirect(c);
    const list = await schools(c);
    const byName = (re: RegExp) => list.find((s) => re.test(s.name))!;
    const elementary = byName(/Elementary/);
    const middle = byName(/Middle/);
    const high = byName(/High/);
    expect(elementary.suggestedSiteCode).toBe('ES');
    expect(high.suggestedSiteCode).toBe('HS');
    expect(middle.suggestedSiteCode).toBe('');

    const page = await c.get(`${BASE}/sites`);
    for (const code of ['ES', 'MS', 'HS'])
      expect(page.body).toMatch(new RegExp(`<input type="radio" name="site" id="site-${code}" value="${code}"`));
    for (const s of list) expect(page.body).toContain(`name="school" id="school-${list.indexOf(s)}" value="${s.sourcedId}"`);
    expect(page.body).toContain('Suggested: ');
    expect(page.body).toContain('id="match"');
    expect(page.body).toContain('id="save-mapping"');

    const matched = await c.post(`${BASE}/sites/match`, { site: 'MS', school: middle.sourcedId });
    expect(matched.headers.location).toBe(`${BASE}/sites?notice=site-matched`);
    expect(await web.store.sites.byCode(lib.id, 'MS')).toMatchObject({ orgGuid: middle.sourcedId, orgGuidSource: 'classlink' });
    const taken = await c.post(`${BASE}/sites/match`, { site: 'HS', school: middle.sourcedId });
    expect(taken.statusCode).toBe(400);
    expect(taken.body).toContain('That school is already matched to site MS; clear that match (×) first.');
    const none = await c.post(`${BASE}/sites/match`, { site: 'HS' });
    expect(none.body).toContain('Select a library site on the left and a ClassLink school on the right');

    // Save applies the ticked suggestion (ES), not the unticked one (HS).
    await c.get(`${BASE}/sites`);
    const saved = await c.post(`${BASE}/sites/save`, { accept: 'ES' });
    expect(saved.headers.location).toBe(`${BASE}/sites?notice=site-mapping-saved`);
    expect((await web.store.sites.byCode(lib.id, 'ES'))?.orgGuid).toBe(elementary.sourcedId);
    expect((await web.store.sites.byCode(lib.id, 'HS'))?.orgGuid).toBe('');
    const after = await c.get(`${BASE}/sites`);
    expect(after.body).toContain('data-test="unmatch-ES"');
    expect(after.body).toContain('data-test="unmatch-MS"');

    const cleared = await c.post(`${BASE}/sites/unmatch`, { site: 'MS' });
    expect(cleared.headers.location).toBe(`${BASE}/sites?notice=site-unmatched`);
    expect((await web.store.sites.byCode(lib.id, 'MS'))?.orgGuid).toBe('');

    // The API does the same.
    const put = await c.api('PUT', '/api/v1/sites/HS/match', { orgSourcedId: high.sourcedId });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ site: { code: 'HS', orgSourcedId: high.sourcedId }, school: { name: high.name, siteCode: 'HS' } });
    expect((await schools(c)).find((s) => s.sourcedId === high.sourcedId)?.siteCode).toBe('HS');
    expect((await c.api('PUT', '/api/v1/sites/MS/match', { orgSourcedId: 'no-such-org' })).statusCode).toBe(404);
    const del = await c.api('DELETE', '/api/v1/sites/HS/match');
    expect(del.json()).toMatchObject({ site: { code: 'HS', orgSourcedId: '' }, was: high.sourcedId });
    // Another library's site is not found here.
    expect((await c.api('PUT', '/api/v1/sites/ZZ/match', { orgSourcedId: high.sourcedId })).statusCode).toBe(404);
    expect((await c.api('DELETE', '/api/v1/sites/ZZ/match')).statusCode).toBe(404);
    expect((await c.post(`${BASE}/sites/unmatch`, { site: 'ZZ' })).statusCode).toBe(404);
    expect((await web.store.sites.byCode(other.id, 'ZZ'))?.orgGuid).toBe('');
  });

  it('roles: Student / Teacher / Admin, with the "Unenrolled Users" note', async () => {
    const { c, lib } = await signedIn('admin');
    const page = await c.get(`${BASE}/syncing`);
    expect(page.body).toMatch(/id="role-student"[^>]* checked/);
    expect(page.body).toMatch(/id="role-teacher"[^>]* checked/);
    expect(page.body).not.toMatch(/id="role-admin"[^>]* checked/);
    expect(page.body).toMatch(/id="admin-note"[^>]* hidden>/);

    const saved = await c.postPairs(`${BASE}/syncing`, [
      ['roles', 'student'],
      ['roles', 'admin'],
    ]);
    expect(saved.headers.location).toBe(`${BASE}/syncing?notice=classlink-roles-saved`);
    expect((await loadClassLink(web.store, lib.id)).settings.roles).toEqual(['student', 'admin']);
    const withAdmin = await c.get(saved.headers.location!);
    expect(withAdmin.body).toMatch(/id="role-admin"[^>]* checked/);
    expect(withAdmin.body).toMatch(
      /id="admin-note"[^>]*>ClassLink shares administrators only when the district turns on "Unenrolled Users"/,
    );
    expect(withAdmin.body).not.toContain('data-test="admins-missing"');

    const empty = await c.postPairs(`${BASE}/syncing`, []);
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Choose at least one role to sync');

    // The last full sync had Admin selected and no administrator arrived: the page says so.
    const { operation } = await web.store.operations.create(lib.id, {
      type: OPERATION_TYPES.full,
      source: 'classlink',
      requestedBy: 'test',
    });
    await web.store.operations.start(lib.id, operation.id);
    await web.store.operations.appendLog(lib.id, operation.id, [{ level: 'warning', message: noAdminsWarning(true).message }]);
    await web.store.operations.finish(lib.id, operation.id, { state: 'succeeded_with_warnings' });
    const missing = await c.get(`${BASE}/syncing`);
    expect(missing.body).toMatch(new RegExp(`data-test="admins-missing">The last full sync \\(<a href="/operations/${operation.id}">`));
  });

  it('field mapping: defaults shown with field numbers; Barcode, Community ID, Location, thresholds, sign-in', async () => {
    const { c, lib } = await signedIn('admin');
    const page = await c.get(`${BASE}/fields`);
    for (const [n, text] of [
      ['1200', 'user sourcedId'],
      ['1007', 'givenName'],
      ['1054', 'de-duplicated'],
      ['1000', 'not mapped'],
    ])
      expect(page.body).toMatch(new RegExp(`<td class="num">${n}</td><td>[^<]+</td><td[^>]*>[^<]*${text}`));
    expect(page.body).not.toMatch(/id="allow-sso"[^>]* checked/);

    const saved = await c.post(`${BASE}/fields`, {
      barcode: 'userid',
      barcodeType: 'FED',
      communityId: 'identifier',
      location: 'homeroom-teacher',
      maxTransferPct: '5',
      maxUpdatePct: '30.5',
      sso: 'on',
    });
    expect(saved.headers.location).toBe(`${BASE}/fields?notice=classlink-fields-saved`);
    const s = (await loadClassLink(web.store, lib.id)).settings;
    expect(s.mapping).toEqual({
      barcode: { kind: 'userid', type: 'FED' },
      communityId: { kind: 'identifier' },
      location: 'homeroom-teacher',
    });
    expect(s.thresholds).toEqual({ maxTransferPct: 5, maxUpdatePct: 30.5 });
    expect(s.sso).toBe(true);
    const shown = await c.get(`${BASE}/fields`);
    expect(shown.body).toMatch(/id="allow-sso"[^>]* checked/);
    expect(shown.body).toContain('userIds of type FED');

    const bad = await c.post(`${BASE}/fields`, {
      barcode: 'userid',
      barcodeType: '',
      communityId: 'none',
      location: 'none',
      maxTransferPct: '5',
      maxUpdatePct: '30',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Barcode from userIds needs the identifier type');
    const pct = await c.post(`${BASE}/fields`, {
      barcode: 'none',
      communityId: 'none',
      location: 'none',
      maxTransferPct: '150',
      maxUpdatePct: '30',
    });
    expect(pct.body).toContain('is a percentage from 0 to 100');

    // Unchecking the box turns sign-in off; the API changes only what it is given.
    await c.post(`${BASE}/fields`, { barcode: 'none', communityId: 'none', location: 'none', maxTransferPct: '5', maxUpdatePct: '30' });
    expect((await loadClassLink(web.store, lib.id)).settings.sso).toBe(false);
    const patched = await c.api('PATCH', '/api/v1/integrations/classlink/options', {
      roles: ['teacher'],
      thresholds: { maxUpdatePct: 20 },
      sso: true,
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toEqual({
      roles: ['teacher'],
      mapping: { barcode: { kind: 'none' }, communityId: { kind: 'none' }, location: 'none' },
      sso: true,
      thresholds: { maxTransferPct: 5, maxUpdatePct: 20 },
    });
    const wrong = await c.api('PATCH', '/api/v1/integrations/classlink/options', { mapping: { location: 'desk' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ error: { kind: 'invalid_input', message: expect.stringContaining('Location can come from') } });
  });

  it('turning ClassLink ON says first what it clears, then clears it; OFF keeps everything', async () => {
    const { c, lib } = await signedIn('admin');
    const off = await c.get(`${BASE}/enable`);
    expect(off.body).toContain('cannot be turned ON before it is connected');
    expect((await c.post(`${BASE}/enable`)).body).toContain('ClassLink cannot be turned ON before it is connected');

    await connectDirect(c);
    // Identifiers of another integration (a CSV import) and a plain file import's GUID.
    await web.store.sites.add(lib.id, { code: 'CSV', name: 'CSV site' });
    await web.store.sites.setOrgGuid(lib.id, 'CSV', 'csv-org-1', 'csv');
    const row = (guid: string, source: 'csv' | null) => ({
      ...emptyPatronValues(),
      guid,
      lastName: guid,
      status: 1,
      guidSource: source,
      matchedBy: null,
    });
    await web.store.patrons.insertMany(lib.id, [row('csv-1', 'csv'), row('csv-2', 'csv'), row('file-1', null)]);

    const preview = await c.api('GET', '/api/v1/integrations/classlink/enable-preview');
    expect(preview.json()).toMatchObject({
      patronGuids: { csv: 2 },
      patronGuidTotal: 2,
      siteGuids: 1,
      total: 3,
      alreadyEnabled: false,
      configured: true,
      message: expect.stringContaining('2 patron GUIDs of OneRoster CSV'),
    });
    const confirm = await c.get(`${BASE}/enable`);
    expect(confirm.body).toContain('Turn ClassLink ON?');
    expect(confirm.body).toContain('<td class="num" id="clear-patron-guids">2</td>');
    expect(confirm.body).toContain('<td class="num" id="clear-site-guids">1</td>');
    expect(confirm.body).toContain('id="enable"');
    expect(confirm.body).toContain('<input type="hidden" name="previewedTotal" value="3">');
    // Looking is not doing.
    expect(await web.store.patrons.count(lib.id, { guidSource: 'csv' })).toBe(2);

    const on = await c.post(`${BASE}/enable`, { previewedTotal: '3' });
    expect(on.headers.location).toBe(`${BASE}/enable?notice=classlink-on`);
    expect((await loadClassLink(web.store, lib.id)).enabled).toBe(true);
    expect(await web.store.patrons.count(lib.id, { guidSource: 'csv' })).toBe(0);
    expect((await web.store.sites.byCode(lib.id, 'CSV'))?.orgGuid).toBe('');
    const patrons = await web.store.patrons.list(lib.id, { limit: 10 });
    expect(patrons.items.find((p) => p.lastName === 'file-1')?.guid).toBe('file-1');
    const shown = await c.get(on.headers.location!);
    expect(shown.body).toContain('ClassLink is ON.');
    expect(shown.body).toContain('id="disable"');

    expect((await c.api('POST', '/api/v1/integrations/classlink/disable')).json()).toMatchObject({ enabled: false, unchanged: false });
    expect((await loadClassLink(web.store, lib.id)).enabled).toBe(false);
    expect((await c.api('POST', '/api/v1/integrations/classlink/enable')).json()).toMatchObject({
      enabled: true,
      unchanged: false,
      clearedPatronGuids: 0,
    });
    const disabled = await c.post(`${BASE}/disable`);
    expect(disabled.headers.location).toBe(`${BASE}/enable?notice=classlink-off`);
    expect((await loadClassLink(web.store, lib.id)).enabled).toBe(false);
  });

  it('Sync Now lands on the new operation and the sync finishes; a running sync is returned instead', async () => {
    const { c, lib, username } = await signedIn('admin');
    await c.get(BASE);
    await releaseTenant(web, emulator.credentials.tenantId);
    expect((await c.post(`${BASE}/connection`, { tenantId: String(emulator.credentials.tenantId) })).statusCode).toBe(303);
    await web.store.sites.add(lib.id, { code: 'ES', name: 'Elementary' });
    await web.store.sites.add(lib.id, { code: 'MS', name: 'Middle' });
    const list = await schools(c);
    expect((await c.api('PUT', '/api/v1/sites/ES/match', { orgSourcedId: list[0]!.sourcedId })).statusCode).toBe(200);
    expect((await c.api('PUT', '/api/v1/sites/MS/match', { orgSourcedId: list[1]!.sourcedId })).statusCode).toBe(200);

    await c.get(`${BASE}/sync`);
    const refused = await c.post(`${BASE}/sync`);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('ClassLink is OFF: turn it ON before Sync Now');
    expect((await web.store.operations.list(lib.id)).length).toBe(0);

    // A dry run needs no ON.
    const dry = await c.post(`${BASE}/sync`, { dryRun: 'true' });
    expect(dry.statusCode).toBe(303);
    const dryId = Number(/^\/operations\/(\d+)\?notice=sync-started$/.exec(dry.headers.location!)?.[1]);
    await web.idle();
    expect(await web.store.operations.get(lib.id, dryId)).toMatchObject({
      type: OPERATION_TYPES.dryRun,
      state: expect.stringMatching(/^succeeded/),
    });
    expect(await web.store.patrons.count(lib.id)).toBe(0);

    expect((await c.post(`${BASE}/enable`)).statusCode).toBe(303);
    const page = await c.get(`${BASE}/sync`);
    expect(page.body).toContain('id="sync-now"');
    const now = await c.post(`${BASE}/sync`);
    expect(now.statusCode).toBe(303);
    const m = /^\/operations\/(\d+)\?notice=sync-started$/.exec(now.headers.location!);
    expect(m, now.headers.location).not.toBeNull();
    const id = Number(m![1]);
    await web.idle();
    const op = await web.store.operations.get(lib.id, id);
    expect(op).toMatchObject({ type: OPERATION_TYPES.full, requestedBy: username, state: expect.stringMatching(/^succeeded/) });
    expect(op!.counts.created).toBeGreaterThan(0);
    expect(await web.store.patrons.count(lib.id)).toBe(op!.counts.created);
    expect((await c.get(`${BASE}/sync`)).body).toContain(`href="/operations/${id}"`);

    // One sync per library: asking while one runs lands on that one.
    const { operation: running } = await web.store.operations.create(lib.id, {
      type: OPERATION_TYPES.full,
      source: 'classlink',
      requestedBy: 'elsewhere',
    });
    const again = await c.post(`${BASE}/sync`);
    expect(again.headers.location).toBe(`/operations/${running.id}?notice=sync-already-running`);
    const api = await c.api('POST', '/api/v1/syncs', { kind: 'full' });
    expect(api.statusCode).toBe(202);
    expect(api.json()).toEqual({ operationId: running.id, alreadyRunning: true });
    // Those two asks end in the background (they find the running one); then it ends.
    await web.idle();
    expect((await web.store.operations.list(lib.id)).length).toBe(3);
    await web.store.operations.finish(lib.id, running.id, { state: 'failed', error: 'test' });

    const viaApi = await c.api('POST', '/api/v1/syncs', { dryRun: true });
    expect(viaApi.statusCode).toBe(202);
    expect(viaApi.json()).toMatchObject({ alreadyRunning: false, operationId: expect.any(Number) });
    await web.idle();
    expect((await web.store.operations.get(lib.id, viaApi.json().operationId))?.type).toBe(OPERATION_TYPES.dryRun);
  });

  it('refuses librarians and anonymous visitors on every route, and forms without a CSRF token', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', BASE],
      ['GET', `${BASE}/sites`],
      ['GET', `${BASE}/syncing`],
      ['GET', `${BASE}/fields`],
      ['GET', `${BASE}/enable`],
      ['GET', `${BASE}/sync`],
      ['POST', `${BASE}/connection`, { tenantId: '1' }],
      ['POST', `${BASE}/sites/match`, { site: 'ES', school: 'x' }],
      ['POST', `${BASE}/sites/unmatch`, { site: 'ES' }],
      ['POST', `${BASE}/sites/save`, {}],
      ['POST', `${BASE}/syncing`, { roles: 'student' }],
      ['POST', `${BASE}/fields`, { barcode: 'none' }],
      ['POST', `${BASE}/enable`, {}],
      ['POST', `${BASE}/disable`, {}],
      ['POST', `${BASE}/sync`, {}],
      ['GET', '/api/v1/integrations/classlink'],
      ['PUT', '/api/v1/integrations/classlink/connection', { tenantId: 1 }],
      ['GET', '/api/v1/integrations/classlink/schools'],
      ['PUT', '/api/v1/sites/ES/match', { orgSourcedId: 'x' }],
      ['DELETE', '/api/v1/sites/ES/match'],
      ['PATCH', '/api/v1/integrations/classlink/options', { sso: true }],
      ['GET', '/api/v1/integrations/classlink/enable-preview'],
      ['POST', '/api/v1/integrations/classlink/enable'],
      ['POST', '/api/v1/integrations/classlink/disable'],
      ['POST', '/api/v1/syncs', { kind: 'full' }],
    ];
    const { c: librarian, lib } = await signedIn('librarian');
    const anonymous = new RecordingClient(web.app, bodies);
    await anonymous.get('/login');
    await librarian.get('/');
    for (const [method, url, body] of routes) {
      const api = url.startsWith('/api/');
      const res = api
        ? await librarian.api(method, url, body)
        : method === 'GET'
          ? await librarian.get(url)
          : await librarian.post(url, body as Record<string, string>);
      expect(res.statusCode, `${method} ${url} as a librarian`).toBe(403);
      const anon = api
        ? await anonymous.api(method, url, body)
        : method === 'GET'
          ? await anonymous.get(url)
          : await anonymous.post(url, body as Record<string, string>);
      expect(anon.statusCode, `${method} ${url} anonymously`).toBe(api ? 401 : method === 'GET' ? 302 : 401);
    }
    expect((await loadClassLink(web.store, lib.id)).settings.roles).toEqual(['student', 'teacher']);

    // An admin's forms and API calls without the CSRF token are refused, and change nothing.
    const { c: admin, lib: adminLib } = await signedIn('admin');
    await admin.get(BASE);
    for (const [method, url, body] of routes) {
      if (method === 'GET') continue;
      const res = url.startsWith('/api/')
        ? await admin.api(method, url, body, { 'x-csrf-token': '' })
        : await admin.post(url, { ...(body as Record<string, string>), _csrf: '' });
      expect(res.statusCode, `${method} ${url} without CSRF`).toBe(403);
      const wrong = url.startsWith('/api/')
        ? await admin.api(method, url, body, { 'x-csrf-token': 'forged' })
        : await admin.post(url, { ...(body as Record<string, string>), _csrf: 'forged' });
      expect(wrong.statusCode, `${method} ${url} with a wrong CSRF token`).toBe(403);
    }
    expect(await web.store.operations.list(adminLib.id)).toEqual([]);
    expect((await loadClassLink(web.store, adminLib.id)).settings.sso).toBe(false);
  });

  it('never shows a secret: not in any page or API response of this suite', async () => {
    // Every page and API answer once more, with each mode saved in turn.
    const { c } = await signedIn('admin');
    await connectDirect(c);
    const pages = [BASE, `${BASE}/sites`, `${BASE}/syncing`, `${BASE}/fields`, `${BASE}/enable`, `${BASE}/sync`];
    const apis = [
      '/api/v1/integrations/classlink',
      '/api/v1/integrations/classlink/schools',
      '/api/v1/integrations/classlink/enable-preview',
      '/api/v1/openapi.json',
    ];
    for (const url of pages) expect((await c.get(url)).statusCode).toBe(200);
    for (const url of apis) expect((await c.api('GET', url)).statusCode).toBe(200);
    await c.get(BASE);
    await releaseTenant(web, emulator.credentials.tenantId);
    expect((await c.post(`${BASE}/connection`, { tenantId: String(emulator.credentials.tenantId) })).statusCode).toBe(303);
    for (const url of pages) await c.get(url);
    for (const url of apis) await c.api('GET', url);

    expect(bodies.length).toBeGreaterThan(100);
    const all = bodies.join('\n');
    for (const secret of secrets()) expect(all.includes(secret), 'a secret appeared in a response').toBe(false);
    // The check itself can fail: the secrets are what the emulator accepts, and were typed in.
    expect(secrets().every((s) => s.length >= 16)).toBe(true);
  });
});

/**
 * A Tenant ID belongs to one library (classlink-connect.ts): the suite's libraries share one
 * database and one emulator tenant, so a test connecting by Tenant ID first disconnects the
 * libraries of earlier tests, as their admins would.
 */
async function releaseTenant(web: TestWeb, tenantId: number): Promise<void> {
  for (const library of await web.store.libraries.list()) {
    const cl = await loadClassLink(web.store, library.id);
    if (cl.settings.connection?.tenantId === tenantId)
      await saveClassLink(web.store, library.id, { settings: { ...cl.settings, connection: null } });
  }
}
