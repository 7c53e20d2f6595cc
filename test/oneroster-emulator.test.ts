/**
 * The emulator as a generic OneRoster server: the OAuth 2 client credentials token endpoint
 * (client_secret_basic and _post, grant and scopes checked, tokens that expire on the
 * emulator's clock) and the district served again as OneRoster 1.2 (roles[], primaryOrg,
 * string booleans, 1.2 staff roles), Bearer required, scope by collection. Raw HTTP over
 * loopback, as any third-party client would speak to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';

const V1P2 = '/ims/oneroster/rostering/v1p2';
const SCOPE = {
  core12: 'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
  demo12: 'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
  core11: 'https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly',
};

let emulator: RunningEmulator;
/** The emulator's clock: tests move it to expire tokens. */
let clockMs = Date.parse('2026-09-01T08:00:00Z');

beforeAll(async () => {
  emulator = await startEmulator({
    district: { students: 120, seed: 'or-emulator' },
    now: () => new Date(clockMs),
    oauth2: { tokenTtlSeconds: 600 },
  });
});
afterAll(async () => {
  await emulator?.close();
});

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function tokenRequest(
  form: Record<string, string>,
  authorization?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(emulator.oauth2.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function token(scope = `${SCOPE.core12} ${SCOPE.demo12}`): Promise<string> {
  const { clientId, clientSecret } = emulator.oauth2;
  const r = await tokenRequest({ grant_type: 'client_credentials', scope }, basic(clientId, clientSecret));
  expect(r.status).toBe(200);
  return r.body.access_token as string;
}

async function get(path: string, bearer?: string): Promise<Response> {
  return fetch(`${emulator.url}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
}

describe('the token endpoint', () => {
  it('issues a Bearer token with client_secret_basic and with client_secret_post', async () => {
    const { clientId, clientSecret } = emulator.oauth2;
    const viaBasic = await tokenRequest({ grant_type: 'client_credentials', scope: SCOPE.core12 }, basic(clientId, clientSecret));
    expect(viaBasic).toEqual({
      status: 200,
      body: { access_token: expect.any(String), token_type: 'Bearer', expires_in: 600, scope: SCOPE.core12 },
    });
    const viaPost = await tokenRequest({
      grant_type: 'client_credentials',
      scope: SCOPE.core12,
      client_id: clientId,
      client_secret: clientSecret,
    });
    expect(viaPost.status).toBe(200);
    expect(viaPost.body.access_token).not.toBe(viaBasic.body.access_token);
  });

  it('refuses a wrong secret (401 invalid_client), both ways at once, another grant, and a GET', async () => {
    const { clientId, clientSecret } = emulator.oauth2;
    expect(await tokenRequest({ grant_type: 'client_credentials' }, basic(clientId, 'wrong'))).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    expect(await tokenRequest({ grant_type: 'client_credentials' })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(
      await tokenRequest(
        { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
        basic(clientId, clientSecret),
      ),
    ).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    expect(await tokenRequest({ grant_type: 'password' }, basic(clientId, clientSecret))).toMatchObject({
      status: 400,
      body: { error: 'unsupported_grant_type' },
    });
    expect((await fetch(emulator.oauth2.tokenUrl)).status).toBe(405);
  });

  it('checks scopes: an unknown one is refused; with none asked for, every granted scope is given', async () => {
    const { clientId, clientSecret } = emulator.oauth2;
    expect(
      await tokenRequest(
        { grant_type: 'client_credentials', scope: `${SCOPE.core12} https://example.org/scope/everything` },
        basic(clientId, clientSecret),
      ),
    ).toMatchObject({
      status: 400,
      body: { error: 'invalid_scope' },
    });
    const all = await tokenRequest({ grant_type: 'client_credentials' }, basic(clientId, clientSecret));
    expect((all.body.scope as string).split(' ').sort()).toEqual([...emulator.oauth2.grantedScopes].sort());
  });
});

describe('OneRoster 1.2 routes', () => {
  it('need a Bearer token from the endpoint: none, an unknown one and an expired one get 401', async () => {
    expect((await get(`${V1P2}/users`)).status).toBe(401);
    expect((await get(`${V1P2}/users`, 'made-up')).status).toBe(401);
    const t = await token();
    expect((await get(`${V1P2}/users?limit=1`, t)).status).toBe(200);
    clockMs += 601_000;
    const expired = await get(`${V1P2}/users?limit=1`, t);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  it('revoked tokens get 401', async () => {
    const t = await token();
    emulator.oauth2.revokeTokens();
    expect((await get(`${V1P2}/orgs`, t)).status).toBe(401);
  });

  it('check the scope by collection: demographics need roster-demographics, 1.1 scopes do not open 1.2', async () => {
    const core = await token(SCOPE.core12);
    expect((await get(`${V1P2}/users?limit=1`, core)).status).toBe(200);
    const refused = await get(`${V1P2}/demographics?limit=1`, core);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
    expect((await get(`${V1P2}/demographics?limit=1`, await token(SCOPE.demo12))).status).toBe(200);
    expect((await get(`${V1P2}/users?limit=1`, await token(SCOPE.core11))).status).toBe(403);
  });

  it('serve users with roles[] and primaryOrg (no role, no orgs), string booleans, and 1.2 staff roles', async () => {
    const t = await token();
    const res = await get(`${V1P2}/users?limit=10000`, t);
    expect(res.headers.get('x-total-count')).toMatch(/^\d+$/);
    const users = ((await res.json()) as { users: Record<string, unknown>[] }).users;
    for (const u of users) {
      expect(u).not.toHaveProperty('role');
      expect(u).not.toHaveProperty('orgs');
      expect(['true', 'false']).toContain(u.enabledUser);
      const roles = u.roles as { roleType: string; role: string; org: { sourcedId: string; type: string } }[];
      expect(roles.length).toBeGreaterThan(0);
      expect((u.primaryOrg as { sourcedId: string }).sourcedId).toBe(roles.at(-1)!.org.sourcedId);
      for (const r of roles) expect(r).toMatchObject({ roleType: 'primary', org: { type: 'org' } });
    }
    const roleNames = new Set(users.flatMap((u) => (u.roles as { role: string }[]).map((r) => r.role)));
    expect(roleNames.has('administrator')).toBe(false);
    expect([...roleNames].sort()).toEqual(
      expect.arrayContaining(['districtAdministrator', 'siteAdministrator', 'student', 'teacher', 'parent']),
    );

    // The same people as the 1.1 routes serve, read with the same token (OAuth 2 on 1.1's direct path).
    const v11 = await get('/ims/oneroster/v1p1/users?limit=10000', await token(SCOPE.core11));
    expect(v11.status).toBe(200);
    const old = ((await v11.json()) as { users: { sourcedId: string; orgs: { sourcedId: string }[] }[] }).users;
    expect(old.map((u) => u.sourcedId)).toEqual(users.map((u) => u.sourcedId));
    const dual = users.filter((u) => (u.roles as unknown[]).length > 1);
    expect(dual.length).toBeGreaterThan(0);
    for (const u of dual)
      expect((u.primaryOrg as { sourcedId: string }).sourcedId).toBe(old.find((o) => o.sourcedId === u.sourcedId)!.orgs[0]!.sourcedId);
  });

  it('serve the nested routes, single records and the other collections', async () => {
    const t = await token();
    const schools = ((await (await get(`${V1P2}/schools`, t)).json()) as { orgs: { sourcedId: string; type: string }[] }).orgs;
    expect(schools.length).toBeGreaterThan(1);
    expect(schools.every((s) => s.type === 'school')).toBe(true);
    const students = await get(`${V1P2}/schools/${schools[0]!.sourcedId}/students`, t);
    expect(students.status).toBe(200);
    const one = ((await students.json()) as { users: { sourcedId: string }[] }).users[0]!;
    const single = (await (await get(`${V1P2}/users/${one.sourcedId}`, t)).json()) as { user: { roles: { role: string }[] } };
    expect(single.user.roles[0]!.role).toBe('student');
    const enrollments = (await (await get(`${V1P2}/enrollments?limit=5`, t)).json()) as { enrollments: { primary: unknown }[] };
    for (const e of enrollments.enrollments) expect(['true', 'false']).toContain(e.primary);
  });
});
