/**
 * The emulator's authentication over HTTP: OAuth 1.0a on the direct Roster Server (accepted
 * and refused variants) and Bearer on the proxy, including a tenant that has not approved the app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { oauthHeader, proxyGet, q, rosterGet, V1P1 } from './emulator-helpers.ts';

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ district: { students: 50, seed: 'auth' } });
});
afterAll(async () => {
  await emu?.close();
});

/** The imsx description of a refusal. */
async function refusal(res: Response): Promise<string> {
  expect(res.status).toBe(401);
  const body = (await res.json()) as { imsx_codeMajor: string; imsx_description: string };
  expect(body.imsx_codeMajor).toBe('failure');
  return body.imsx_description;
}

describe('OAuth 1.0a on the direct Roster Server', () => {
  const query = `/users?limit=5&offset=2&filter=${q("role='student' AND status='active'")}&sort=familyName`;

  it.each([
    ['HMAC-SHA256, with oauth_version (oauth-1.0a package)', { method: 'HMAC-SHA256' as const }],
    ['HMAC-SHA1, with oauth_version (oauth-1.0a package)', { method: 'HMAC-SHA1' as const }],
    ['HMAC-SHA256, without oauth_version (ClassLink style)', { method: 'HMAC-SHA256' as const, classlinkStyle: true }],
    ['HMAC-SHA1, without oauth_version (ClassLink style)', { method: 'HMAC-SHA1' as const, classlinkStyle: true }],
    ['the "OAuth, " header prefix of ClassLink\'s .NET library', { commaPrefix: true }],
  ])('accepts %s, query parameters signed', async (_name, opts) => {
    const res = await rosterGet(emu, query, opts);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { users: unknown[] }).users).toHaveLength(5);
  });

  it('refuses a request whose query differs from the one signed', async () => {
    const signedUrl = `${emu.url}${V1P1}/users?limit=5`;
    const header = oauthHeader(signedUrl, emu.credentials.clientId, emu.credentials.clientSecret);
    const res = await fetch(`${emu.url}${V1P1}/users?limit=6`, { headers: { Authorization: header } });
    expect(await refusal(res)).toMatch(/signature does not match/);
    expect(res.headers.get('www-authenticate')).toMatch(/^OAuth/);
  });

  it('refuses a wrong secret, an unknown key and a missing header', async () => {
    expect(await refusal(await rosterGet(emu, '/orgs', { secret: 'wrong' }))).toMatch(/signature/);
    expect(await refusal(await rosterGet(emu, '/orgs', { key: 'stranger' }))).toMatch(/consumer key/);
    expect(await refusal(await fetch(`${emu.url}${V1P1}/orgs`))).toMatch(/Authorization header/);
  });

  it('refuses a stale timestamp', async () => {
    const stale = Math.floor(Date.now() / 1000) - 3600;
    expect(await refusal(await rosterGet(emu, '/orgs', { classlinkStyle: true, timestamp: stale }))).toMatch(/timestamp/);
  });

  it('refuses a replayed nonce', async () => {
    const url = `${emu.url}${V1P1}/orgs`;
    const header = oauthHeader(url, emu.credentials.clientId, emu.credentials.clientSecret);
    expect((await fetch(url, { headers: { Authorization: header } })).status).toBe(200);
    expect(await refusal(await fetch(url, { headers: { Authorization: header } }))).toMatch(/nonce/);
  });

  it('judges timestamps by the emulator clock', async () => {
    const late = await startEmulator({ district: { students: 10, seed: 1 }, now: () => new Date(Date.now() + 3_600_000) });
    try {
      expect(await refusal(await rosterGet(late, '/orgs'))).toMatch(/timestamp/);
    } finally {
      await late.close();
    }
  });

  it('does not accept the proxy Bearer token on the direct server', async () => {
    const res = await fetch(`${emu.url}${V1P1}/orgs`, { headers: { Authorization: `Bearer ${emu.credentials.bearerToken}` } });
    expect(res.status).toBe(401);
  });
});

describe('Bearer on the OneRoster proxy', () => {
  it('serves /{appId}/ims/oneroster/v1p1/… with the app id as percent-encoded and the token', async () => {
    expect(emu.credentials.appId).toMatch(/%3D$/);
    const res = await proxyGet(emu, '/users?limit=3');
    expect(res.status).toBe(200);
    expect(res.headers.get('link')).toContain(`${emu.url}/${emu.credentials.appId}${V1P1}/users?limit=3&offset=3`);
  });

  it('also serves the /proxy/v1p0/{appId} prefix', async () => {
    const res = await fetch(`${emu.url}/proxy/v1p0/${emu.credentials.appId}${V1P1}/orgs`, {
      headers: { Authorization: `Bearer ${emu.credentials.bearerToken}` },
    });
    expect(res.status).toBe(200);
  });

  it('refuses a wrong or missing token', async () => {
    expect(await refusal(await proxyGet(emu, '/orgs', 'wrong'))).toMatch(/Bearer/);
    expect((await fetch(`${emu.url}/${emu.credentials.appId}${V1P1}/orgs`)).status).toBe(401);
  });

  it('answers 404 when the app id is re-encoded (%253D) or unknown', async () => {
    const reEncoded = encodeURIComponent(decodeURIComponent(emu.credentials.appId)).replace(/%/g, '%25');
    expect((await proxyGet(emu, '/orgs', emu.credentials.bearerToken, reEncoded)).status).toBe(404);
    expect((await proxyGet(emu, '/orgs', emu.credentials.bearerToken, 'nope')).status).toBe(404);
  });
});

describe('a tenant that has not approved the app', () => {
  it('is refused on the proxy and the direct server alike', async () => {
    const pending = emu.tenants.find((t) => !t.approved)!;
    expect(await refusal(await proxyGet(emu, '/orgs', pending.bearerToken, pending.appId))).toMatch(/not approved/);
    expect(await refusal(await rosterGet(emu, '/orgs', { key: pending.clientId, secret: pending.clientSecret }))).toMatch(/not approved/);
  });
});
