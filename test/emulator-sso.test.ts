/**
 * The emulator's ClassLink sign-in over real HTTP on loopback: discovery, JWKS, the code flow
 * (client_secret_post and client_secret_basic, with and without grant_type, PKCE), code expiry
 * and replay, the picker page and its deny button, LaunchPad launches, `/v2/my/info`, the
 * id_token checked with jose against the JWKS, every fault, the control endpoints, and one
 * round trip with openid-client (the library Rollcall signs in with).
 */
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runEmulatorCommand } from '../src/emulator/command.ts';
import { startEmulator } from '../src/emulator/server.ts';
import { s256 } from '../src/emulator/sso-grants.ts';
import type { RunningEmulator, SsoFaults } from '../src/emulator/types.ts';

const REDIRECT = 'https://library.example.org/sso/classlink/callback';
const OTHER_REDIRECT = 'https://library.example.org/other/callback';
const STUDENT = 'stu-00000000';
const TEACHER = 'tch-00000000';
const ADMIN = 'adm-00000000';

let emu: RunningEmulator;
/** The emulator's clock (ms); tests move it forward and put it back. */
let clock = Date.now();
const startClock = clock;

beforeAll(async () => {
  emu = await startEmulator({
    district: { students: 20, seed: 'sso' },
    credentials: { tenantId: 4242 },
    now: () => new Date(clock),
    sso: {
      clients: [
        { clientId: 'c-rollcall', clientSecret: 's3cr3t+/=', redirectUris: [REDIRECT, OTHER_REDIRECT] },
        { clientId: 'c-other', clientSecret: 'other-secret', redirectUris: [REDIRECT] },
      ],
    },
  });
});
afterAll(async () => {
  await emu?.close();
});
afterEach(() => {
  clock = startClock;
  emu.sso.setFaults({});
});

interface AuthParams {
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  loginHint?: string;
  responseType?: string;
}

function authUrl(p: AuthParams = {}): string {
  const q = new URLSearchParams({
    client_id: p.clientId ?? 'c-rollcall',
    redirect_uri: p.redirectUri ?? REDIRECT,
    scope: p.scope ?? 'openid profile email oneroster',
    response_type: p.responseType ?? 'code',
  });
  if (p.state !== undefined) q.set('state', p.state);
  if (p.nonce !== undefined) q.set('nonce', p.nonce);
  if (p.codeChallenge !== undefined) {
    q.set('code_challenge', p.codeChallenge);
    q.set('code_challenge_method', 'S256');
  }
  if (p.loginHint !== undefined) q.set('login_hint', p.loginHint);
  return `${emu.sso.launchpadUrl}/oauth2/v2/auth?${q.toString()}`;
}

/** GETs without following redirects. */
function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers });
}

/** The query of a 302's Location. */
function locationOf(res: Response): URL {
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

/** Signs in as a user (login_hint) and returns the redirect back to the app. */
async function signIn(p: AuthParams & { user?: string } = {}): Promise<URL> {
  return locationOf(await get(authUrl({ state: 'st-1', ...p, loginHint: p.user ?? STUDENT })));
}

interface TokenCall {
  code: string;
  auth?: 'post' | 'basic';
  clientId?: string;
  secret?: string;
  grantType?: string | null;
  redirectUri?: string;
  verifier?: string;
}

function token(t: TokenCall): Promise<Response> {
  const clientId = t.clientId ?? 'c-rollcall';
  const secret = t.secret ?? 's3cr3t+/=';
  const form = new URLSearchParams({ code: t.code });
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (t.auth === 'basic') {
    // RFC 6749 §2.3.1: id and secret are form-encoded before Base64.
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
    headers.Authorization = `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
  } else {
    form.set('client_id', clientId);
    form.set('client_secret', secret);
  }
  if (t.grantType !== null && t.grantType !== undefined) form.set('grant_type', t.grantType);
  if (t.redirectUri !== undefined) form.set('redirect_uri', t.redirectUri);
  if (t.verifier !== undefined) form.set('code_verifier', t.verifier);
  return fetch(`${emu.sso.launchpadUrl}/oauth2/v2/token`, { method: 'POST', headers, body: form.toString() });
}

interface TokenBody {
  access_token: string;
  token_type: string;
  response_type: string;
  id_token: string;
  expires_in: number;
}

async function tokenOk(t: TokenCall): Promise<TokenBody> {
  const res = await token(t);
  const body = (await res.json()) as TokenBody;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

async function tokenError(t: TokenCall, status: number, error: string): Promise<string> {
  const res = await token(t);
  const body = (await res.json()) as { error: string; error_description: string };
  expect(res.status).toBe(status);
  expect(body.error).toBe(error);
  return body.error_description;
}

function verify(idToken: string, audience = 'c-rollcall'): Promise<{ payload: JWTPayload }> {
  const jwks = createRemoteJWKSet(new URL(`${emu.sso.launchpadUrl}/oauth2/v2/jwks`));
  return jwtVerify(idToken, jwks, { issuer: emu.sso.issuer, audience, algorithms: ['RS256'], currentDate: new Date(clock) });
}

function myInfo(accessToken: string, path = '/v2/my/info'): Promise<Response> {
  return get(`${emu.sso.apiUrl}${path}`, { Authorization: `Bearer ${accessToken}` });
}

function control(path: string, body: unknown, key = emu.credentials.partnerKey): Promise<Response> {
  return fetch(`${emu.url}/_emulator/sso/${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('discovery and JWKS', () => {
  it('publishes ClassLink-shaped OpenID metadata at the launchpad host', async () => {
    const res = await get(`${emu.sso.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: emu.sso.issuer,
      authorization_endpoint: `${emu.sso.launchpadUrl}/oauth2/v2/auth`,
      token_endpoint: `${emu.sso.launchpadUrl}/oauth2/v2/token`,
      userinfo_endpoint: `${emu.sso.apiUrl}/v2/my/profileinfo`,
      jwks_uri: `${emu.sso.launchpadUrl}/oauth2/v2/jwks`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
    });
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'oneroster']));
    expect(emu.sso.tenantId).toBe(4242);
    expect(emu.sso.issuer).toBe(emu.url);
  });

  it('serves one public RS256 key with a kid, and signs id_tokens with it', async () => {
    const jwks = (await (await get(`${emu.sso.launchpadUrl}/oauth2/v2/jwks`)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(1);
    const key = jwks.keys[0]!;
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    expect(key.d).toBeUndefined();
    const body = await tokenOk({ code: (await signIn()).searchParams.get('code')! });
    expect(decodeProtectedHeader(body.id_token)).toMatchObject({ alg: 'RS256', kid: key.kid });
  });
});

describe('the authorization code flow', () => {
  it('client_secret_post without grant_type: code, state, token, verified id_token, my/info', async () => {
    const back = await signIn({ state: 'abc', nonce: 'n-123' });
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('response_type')).toBe('code');
    expect(back.searchParams.get('state')).toBe('abc');
    const code = back.searchParams.get('code')!;
    expect(code).toMatch(/^[\w-]{20,}$/);
    const body = await tokenOk({ code, grantType: null });
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      response_type: 'code',
      id_token: expect.any(String),
      expires_in: 86_400,
    });
    const { payload } = await verify(body.id_token);
    expect(payload).toMatchObject({
      iss: emu.sso.issuer,
      aud: 'c-rollcall',
      nonce: 'n-123',
      sub: expect.stringMatching(/^\d{7}$/),
      classLink_sourcedId: STUDENT,
      classLink_tenant_id: 4242,
      classLink_role: 'Student',
      profile: 'Student',
    });
    expect(payload.exp! - payload.iat!).toBeGreaterThan(0);
    const info = (await (await myInfo(body.access_token)).json()) as Record<string, unknown>;
    expect(String(info.UserId)).toBe(payload.sub);
  });

  it('client_secret_basic with grant_type and redirect_uri, and no nonce when none was sent', async () => {
    const code = (await signIn({ user: TEACHER })).searchParams.get('code')!;
    const body = await tokenOk({ code, auth: 'basic', grantType: 'authorization_code', redirectUri: REDIRECT });
    const { payload } = await verify(body.id_token);
    expect(payload.nonce).toBeUndefined();
    expect(payload.classLink_sourcedId).toBe(TEACHER);
  });

  it('accepts the parameters in the query string, as some ClassLink clients send them', async () => {
    const code = (await signIn()).searchParams.get('code')!;
    const q = new URLSearchParams({ code, client_id: 'c-rollcall', client_secret: 's3cr3t+/=', grant_type: 'authorization_code' });
    const res = await fetch(`${emu.sso.launchpadUrl}/oauth2/v2/token?${q.toString()}`, { method: 'POST' });
    expect(res.status).toBe(200);
  });

  it('accepts comma-separated scopes and refuses unknown ones back at the app', async () => {
    expect((await signIn({ scope: 'profile,oneroster' })).searchParams.get('code')).toBeTruthy();
    const back = locationOf(await get(authUrl({ scope: 'profile+teleport', state: 'z' })));
    expect(back.searchParams.get('error')).toBe('invalid_scope');
    expect(back.searchParams.get('state')).toBe('z');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('refuses a wrong secret, an unknown client, a wrong grant_type, another redirect_uri, another client', async () => {
    const code = (await signIn()).searchParams.get('code')!;
    await tokenError({ code, secret: 'nope' }, 401, 'invalid_client');
    await tokenError({ code, auth: 'basic', secret: 'nope' }, 401, 'invalid_client');
    expect((await token({ code, auth: 'basic', secret: 'nope' })).headers.get('www-authenticate')).toMatch(/^Basic /);
    await tokenError({ code, clientId: 'c-nobody' }, 401, 'invalid_client');
    await tokenError({ code, grantType: 'client_credentials' }, 400, 'unsupported_grant_type');
    await tokenError({ code, redirectUri: OTHER_REDIRECT }, 400, 'invalid_grant');
    await tokenError({ code, clientId: 'c-other', secret: 'other-secret' }, 400, 'invalid_grant');
    await tokenError({ code: 'made-up' }, 400, 'invalid_grant');
    // None of the refusals used the code up.
    await tokenOk({ code });
  });

  it('PKCE: the right verifier passes, a wrong or missing one is refused', async () => {
    const verifier = `${'v'.repeat(43)}-pkce-verifier`;
    const challenge = s256(verifier);
    const c1 = (await signIn({ codeChallenge: challenge })).searchParams.get('code')!;
    expect(await tokenError({ code: c1, verifier: 'w'.repeat(50) }, 400, 'invalid_grant')).toMatch(/code_verifier/);
    expect(await tokenError({ code: c1 }, 400, 'invalid_grant')).toMatch(/code_verifier/);
    await tokenOk({ code: c1, verifier });
    const back = locationOf(await get(`${authUrl({ state: 'p' })}&code_challenge=${challenge}&code_challenge_method=plain`));
    expect(back.searchParams.get('error')).toBe('invalid_request');
  });

  it('codes expire after 5 minutes on the emulator clock', async () => {
    const fresh = (await signIn()).searchParams.get('code')!;
    const stale = (await signIn()).searchParams.get('code')!;
    clock += 299_000;
    await tokenOk({ code: fresh });
    clock += 1_000;
    expect(await tokenError({ code: stale }, 400, 'invalid_grant')).toMatch(/expired/);
  });

  it('codes are single-use: a replay is refused and revokes the first token', async () => {
    const code = (await signIn()).searchParams.get('code')!;
    const first = await tokenOk({ code });
    expect((await myInfo(first.access_token)).status).toBe(200);
    expect(await tokenError({ code }, 400, 'invalid_grant')).toMatch(/already been used/);
    expect((await myInfo(first.access_token)).status).toBe(401);
  });

  it('shows a page (no redirect) for an unknown client or an unregistered redirect URI', async () => {
    for (const url of [authUrl({ clientId: 'c-nobody' }), authUrl({ redirectUri: 'https://evil.example/cb' })]) {
      const res = await get(url);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('id="error"');
    }
    const back = locationOf(await get(authUrl({ responseType: 'token', state: 's' })));
    expect(back.searchParams.get('error')).toBe('unsupported_response_type');
  });
});

describe('the picker page', () => {
  /** Fetches the picker page for a request and returns its HTML. */
  async function picker(p: AuthParams = {}): Promise<string> {
    const res = await get(authUrl({ state: 'pick', ...p }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    return res.text();
  }

  const hidden = (html: string) => /name="request" value="([^"]+)"/.exec(html)![1]!;
  const unescapeAmp = (s: string) => s.replace(/&amp;/g, '&');

  it('lists students, teachers and administrators with stable selectors; choosing one returns a code', async () => {
    const html = await picker();
    for (const [id, role] of [
      [STUDENT, 'Student'],
      [TEACHER, 'Teacher'],
      [ADMIN, 'Tenant Administrator'],
    ] as const) {
      expect(html).toContain(`data-sourced-id="${id}"`);
      expect(html).toContain(role);
    }
    expect(html).not.toMatch(/data-sourced-id="(par|gua)-/);
    expect(html).toContain('id="deny"');
    const href = unescapeAmp(new RegExp(`href="([^"]+)" data-sourced-id="${TEACHER}"`).exec(html)![1]!);
    const back = locationOf(await get(new URL(href, emu.sso.launchpadUrl).toString()));
    expect(back.searchParams.get('state')).toBe('pick');
    const body = await tokenOk({ code: back.searchParams.get('code')! });
    expect(((await (await myInfo(body.access_token)).json()) as { SourcedId: string }).SourcedId).toBe(TEACHER);
    // A page answers once.
    expect((await get(new URL(href, emu.sso.launchpadUrl).toString())).status).toBe(400);
  });

  it('Deny sends access_denied and the state back to the app', async () => {
    const html = await picker({ state: 'deny-me' });
    const res = await fetch(`${emu.sso.launchpadUrl}/oauth2/v2/auth/deny`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request: hidden(html) }).toString(),
    });
    const back = locationOf(res);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('deny-me');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('signs in anyone by sourcedId through its form, and skips itself for a preset user', async () => {
    const html = await picker();
    const q = new URLSearchParams({ request: hidden(html), user: 'stu-00000007' });
    const back = locationOf(await get(`${emu.sso.launchpadUrl}/oauth2/v2/auth/select?${q.toString()}`));
    expect(back.searchParams.get('code')).toBeTruthy();
    emu.sso.signInNextAs(ADMIN);
    const preset = locationOf(await get(authUrl({ state: 'x' })));
    const body = await tokenOk({ code: preset.searchParams.get('code')! });
    expect(((await (await myInfo(body.access_token)).json()) as { Role: string }).Role).toBe('Tenant Administrator');
    // Only once: the next request shows the page again.
    expect((await get(authUrl())).status).toBe(200);
    expect((await get(authUrl({ loginHint: 'nobody-here' }))).status).toBe(400);
  });
});

describe('LaunchPad launch', () => {
  it('sends the browser to the app with a code and no state; the code works without a verifier', async () => {
    const back = locationOf(await get(emu.sso.launchUrl(STUDENT, { redirectUri: REDIRECT })));
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.has('state')).toBe(false);
    const body = await tokenOk({
      code: back.searchParams.get('code')!,
      verifier: 'ignored-without-a-challenge-ignored-without-a-challenge',
    });
    const { payload } = await verify(body.id_token);
    expect(payload.nonce).toBeUndefined();
    expect(payload.classLink_sourcedId).toBe(STUDENT);
  });

  it('goes to the most recently registered redirect URI by default, and shows the picker without a user', async () => {
    const back = locationOf(await get(`${emu.sso.launchpadUrl}/launchpad/launch?client_id=c-rollcall&user=${STUDENT}`));
    expect(`${back.origin}${back.pathname}`).toBe(emu.sso.redirectUris.at(-1));
    const page = await get(`${emu.sso.launchpadUrl}/launchpad/launch?client_id=c-rollcall`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`data-sourced-id="${STUDENT}"`);
    expect((await get(`${emu.sso.launchpadUrl}/launchpad/launch?client_id=c-rollcall&user=nobody`)).status).toBe(400);
  });

  it('still signs in a user removed from the roster feed since (a transferred student)', async () => {
    emu.mutate.removeUser('stu-00000019');
    const body = await tokenOk({ code: (await signIn({ user: 'stu-00000019' })).searchParams.get('code')! });
    expect(((await (await myInfo(body.access_token)).json()) as { SourcedId: string }).SourcedId).toBe('stu-00000019');
  });
});

describe('/v2/my/info and /v2/my/profileinfo', () => {
  async function infoOf(user: string): Promise<Record<string, unknown>> {
    const body = await tokenOk({ code: (await signIn({ user })).searchParams.get('code')! });
    const res = await myInfo(body.access_token);
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  }

  it('PascalCase fields with numeric UserId and TenantId and the roster SourcedId', async () => {
    const info = await infoOf(STUDENT);
    expect(info).toMatchObject({
      UserId: expect.any(Number),
      TenantId: 4242,
      SourcedId: STUDENT,
      Role: 'Student',
      Role_Level: 4,
      Profile: 'Student',
      FirstName: expect.any(String),
      LastName: expect.any(String),
      DisplayName: expect.any(String),
      Email: expect.stringContaining('@'),
      LoginId: expect.any(String),
      BuildingId: expect.any(Number),
      Building: expect.stringMatching(/School/),
      Tenant: expect.stringMatching(/School District$/),
    });
    expect(Number.isInteger(info.UserId)).toBe(true);
    expect(info.DisplayName).toBe(`${info.FirstName as string} ${info.LastName as string}`);
    expect((await infoOf(TEACHER)).Role).toBe('Teacher');
    expect((await infoOf(ADMIN)).Role).toBe('Tenant Administrator');
    expect((await infoOf('par-00000000')).Role).toBe('Parent');
  });

  it('profileinfo has standard OpenID claims with the id_token subject', async () => {
    const body = await tokenOk({ code: (await signIn()).searchParams.get('code')! });
    const profile = (await (await myInfo(body.access_token, '/v2/my/profileinfo')).json()) as Record<string, unknown>;
    expect(profile).toMatchObject({ sub: decodeJwt(body.id_token).sub, given_name: expect.any(String), email: expect.any(String) });
  });

  it('401 JSON for a missing, unknown or expired token', async () => {
    const body = await tokenOk({ code: (await signIn()).searchParams.get('code')! });
    for (const res of [await get(`${emu.sso.apiUrl}/v2/my/info`), await myInfo('not-a-token')]) {
      expect(res.status).toBe(401);
      expect(((await res.json()) as { message: string }).message).toMatch(/access token/);
    }
    clock += 24 * 60 * 60 * 1000 - 1000;
    expect((await myInfo(body.access_token)).status).toBe(200);
    clock += 1000;
    expect((await myInfo(body.access_token)).status).toBe(401);
  });
});

describe('faults', () => {
  async function flow(faults: SsoFaults, nonce?: string): Promise<TokenBody> {
    emu.sso.setFaults(faults);
    return tokenOk({ code: (await signIn(nonce === undefined ? {} : { nonce })).searchParams.get('code')! });
  }

  it('wrong tenant: my/info and the id_token report another TenantId', async () => {
    const body = await flow({ tenantId: 9999 });
    expect(((await (await myInfo(body.access_token)).json()) as { TenantId: number }).TenantId).toBe(9999);
    expect(decodeJwt(body.id_token).classLink_tenant_id).toBe(9999);
  });

  it('id_token with the wrong audience, the wrong issuer, a bad signature, or already expired', async () => {
    await expect(verify((await flow({ idToken: 'wrongAudience' })).id_token)).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'aud',
    });
    await expect(verify((await flow({ idToken: 'wrongIssuer' })).id_token)).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'iss',
    });
    const forged = (await flow({ idToken: 'badSignature' })).id_token;
    await expect(verify(forged)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    const jwks = (await (await get(`${emu.sso.launchpadUrl}/oauth2/v2/jwks`)).json()) as { keys: { kid: string }[] };
    expect(decodeProtectedHeader(forged).kid).toBe(jwks.keys[0]!.kid);
    await expect(verify((await flow({ idToken: 'expired' }, 'n')).id_token)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
    // Cleared: a good token again.
    emu.sso.setFaults({});
    await expect(verify((await flow({})).id_token)).resolves.toBeDefined();
  });

  it('/v2/my/info answering 500', async () => {
    const body = await flow({ myInfoStatus: 500 });
    const res = await myInfo(body.access_token);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { status: number }).status).toBe(500);
  });

  it('a code lifetime of 0 seconds: every code has expired', async () => {
    emu.sso.setFaults({ codeTtlSeconds: 0 });
    expect(await tokenError({ code: (await signIn()).searchParams.get('code')! }, 400, 'invalid_grant')).toMatch(/expired/);
  });

  it('set through the control endpoint (partner key) as well', async () => {
    expect((await control('faults', { myInfoStatus: 503 }, 'wrong-key')).status).toBe(401);
    expect((await control('faults', { myInfoStatus: 'x' })).status).toBe(400);
    expect((await control('faults', { myInfoStatus: 503 })).status).toBe(200);
    const body = await tokenOk({ code: (await signIn()).searchParams.get('code')! });
    expect((await myInfo(body.access_token)).status).toBe(503);
    expect((await control('faults', {})).status).toBe(200);
    expect((await myInfo(body.access_token)).status).toBe(200);
  });
});

describe('control endpoints', () => {
  it('registers a redirect URI at run time and presets the next user', async () => {
    const late = 'http://127.0.0.1:45678/sso/classlink/callback';
    expect((await get(authUrl({ redirectUri: late }))).status).toBe(400);
    const res = await control('redirect-uris', { redirectUri: late });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { redirectUris: string[] }).redirectUris).toContain(late);
    expect(emu.sso.redirectUris).toContain(late);
    expect((await control('redirect-uris', { redirectUri: late, clientId: 'c-nobody' })).status).toBe(404);
    expect((await control('next-user', { sourcedId: TEACHER })).status).toBe(200);
    expect((await control('next-user', { sourcedId: 'nobody' })).status).toBe(404);
    const back = locationOf(await get(authUrl({ redirectUri: late })));
    expect(back.toString().startsWith(`${late}?`)).toBe(true);
    const body = await tokenOk({ code: back.searchParams.get('code')!, redirectUri: late });
    expect(decodeJwt(body.id_token).classLink_sourcedId).toBe(TEACHER);
  });
});

describe('with openid-client', () => {
  for (const method of ['post', 'basic'] as const) {
    it(`completes a state + nonce + PKCE flow (client_secret_${method}) and reads the user info`, async () => {
      const auth = method === 'post' ? oidc.ClientSecretPost('s3cr3t+/=') : oidc.ClientSecretBasic('s3cr3t+/=');
      const config = await oidc.discovery(new URL(emu.sso.issuer), 'c-rollcall', undefined, auth, {
        execute: [oidc.allowInsecureRequests],
      });
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid profile email',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        login_hint: STUDENT,
      });
      const back = locationOf(await get(url.toString()));
      const tokens = await oidc.authorizationCodeGrant(config, back, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      const claims = tokens.claims()!;
      expect(claims.classLink_sourcedId).toBe(STUDENT);
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      expect(info.sub).toBe(claims.sub);
    });
  }
});

describe('hosts', () => {
  it('serves the LaunchPad and the API under paths of their own, and advertises a public URL', async () => {
    const other = await startEmulator({
      district: { students: 5, seed: 'sso-hosts' },
      sso: { launchpadPath: '/launchpad.classlink', apiPath: '/nodeapi/', faults: { tenantId: 7 } },
    });
    try {
      const { sso } = other;
      expect(sso.launchpadUrl).toBe(`${other.url}/launchpad.classlink`);
      expect(sso.apiUrl).toBe(`${other.url}/nodeapi`);
      const meta = (await (await get(`${sso.issuer}/.well-known/openid-configuration`)).json()) as { userinfo_endpoint: string };
      expect(meta.userinfo_endpoint).toBe(`${sso.apiUrl}/v2/my/profileinfo`);
      expect((await get(`${other.url}/.well-known/openid-configuration`)).status).toBe(404);
      const q = new URLSearchParams({
        client_id: sso.clientId,
        redirect_uri: sso.redirectUris[0]!,
        scope: 'profile',
        response_type: 'code',
        login_hint: 'stu-00000000',
      });
      const back = locationOf(await get(`${sso.launchpadUrl}/oauth2/v2/auth?${q.toString()}`));
      const res = await fetch(`${sso.launchpadUrl}/oauth2/v2/token`, {
        method: 'POST',
        body: new URLSearchParams({ code: back.searchParams.get('code')!, client_id: sso.clientId, client_secret: sso.clientSecret }),
      });
      const body = (await res.json()) as TokenBody;
      expect(decodeJwt(body.id_token).iss).toBe(sso.issuer);
      const auth = { Authorization: `Bearer ${body.access_token}` };
      expect((await get(`${other.url}/v2/my/info`, auth)).status).toBe(404);
      const info = (await (await get(`${sso.apiUrl}/v2/my/info`, auth)).json()) as { TenantId: number };
      // The wrong-tenant fault given as a start option.
      expect(info.TenantId).toBe(7);
    } finally {
      await other.close();
    }
    const proxied = await startEmulator({
      district: { students: 5, seed: 'sso-hosts' },
      sso: { publicUrl: 'https://launchpad.emulator.test/' },
    });
    try {
      expect(proxied.sso.issuer).toBe('https://launchpad.emulator.test');
      expect(proxied.sso.clientId).toMatch(/^c[0-9a-f]{32}$/);
      expect(proxied.sso.redirectUris).toEqual(['http://localhost:3000/sso/classlink/callback']);
    } finally {
      await proxied.close();
    }
  });
});

describe('rollcall emulator', () => {
  it('prints the SSO client and where to point Rollcall', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const running = await runEmulatorCommand({ students: 5, seed: 'sso-cmd', port: 0 }, out);
    try {
      const { sso } = running;
      for (const value of [sso.issuer, sso.clientId, sso.clientSecret, sso.redirectUris[0]!, `${sso.apiUrl}/v2/my/info`])
        expect(text).toContain(value);
      expect(text).toContain(`ROLLCALL_CLASSLINK_LAUNCHPAD_URL=${sso.launchpadUrl} ROLLCALL_CLASSLINK_API_URL=${sso.apiUrl}`);
      expect(text).toContain(`ROLLCALL_SSO_CLIENT_ID=${sso.clientId} ROLLCALL_SSO_CLIENT_SECRET=${sso.clientSecret}`);
    } finally {
      await running.close();
    }
  });
});
