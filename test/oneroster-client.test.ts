/**
 * The OneRoster client against the emulator as a generic OneRoster server: 1.2 REST with OAuth 2
 * client credentials reads the same people as 1.1 with OAuth 1.0a (roles[] and primaryOrg
 * reduced to role and first org); tokens are fetched once and kept, renewed on a 401, and every
 * refusal is one plain sentence without a secret in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRollcallError } from '../src/domain/errors.ts';
import type { RosterUser } from '../src/domain/roster.ts';
import { syncRoleOf } from '../src/domain/roster.ts';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { OneRosterClient, type OneRosterClientOptions } from '../src/oneroster/client.ts';
import { HttpTransport } from '../src/oneroster/http.ts';
import { defaultScopes, OAuth2TokenSource, ONEROSTER_SCOPES, type OAuth2Credentials } from '../src/oneroster/oauth2.ts';

const DISTRICT = { students: 120, seed: 'or-client' };

let emulator: RunningEmulator;
let other: RunningEmulator;
const clients: OneRosterClient[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ district: DISTRICT, oauth2: { tokenTtlSeconds: 900 } });
  // Another server, whose tokens the first does not know.
  other = await startEmulator({ district: { students: 5, seed: 'other' } });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await emulator?.close();
  await other?.close();
});

function oauth2(patch: Partial<OAuth2Credentials> = {}): OAuth2Credentials {
  const o = emulator.oauth2;
  return {
    kind: 'oauth2',
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    tokenUrl: o.tokenUrl,
    scopes: defaultScopes('1.2'),
    ...patch,
  };
}

function client(options: Partial<OneRosterClientOptions> = {}): OneRosterClient {
  const c = new OneRosterClient({
    baseUrl: emulator.url,
    version: '1.2',
    auth: oauth2(),
    pageSize: 50,
    concurrency: 4,
    timeoutMs: 10_000,
    retryAttempts: 2,
    baseDelayMs: 1,
    maxDelayMs: 10,
    ...options,
  });
  clients.push(c);
  return c;
}

async function users(c: OneRosterClient): Promise<RosterUser[]> {
  const out: RosterUser[] = [];
  const result = await c.pull('users', {}, (records) => {
    out.push(...records);
  });
  expect(result).toMatchObject({ complete: true, malformedCount: 0 });
  return out;
}

async function refusal(promise: Promise<unknown>): Promise<{ kind: string; message: string }> {
  const e = await promise.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isRollcallError(e)) throw new Error(`expected a RollcallError, got ${String(e)}`);
  return { kind: e.kind, message: e.message };
}

describe('OneRoster 1.2 with OAuth 2 client credentials', () => {
  it('reads the same people as 1.1 with OAuth 1.0a, with one token for a paged, concurrent pull', async () => {
    const c = client();
    const read12 = await users(c);
    expect(c.tokens!.requests).toBe(1);
    const read11 = await users(
      client({
        version: '1.1',
        auth: { kind: 'oauth1', clientId: emulator.credentials.clientId, clientSecret: emulator.credentials.clientSecret },
      }),
    );
    expect(read12.length).toBeGreaterThan(100);
    expect(read12.map((u) => u.sourcedId)).toEqual(read11.map((u) => u.sourcedId));
    const byId = new Map(read11.map((u) => [u.sourcedId, u]));
    let admins = 0;
    for (const u of read12) {
      const old = byId.get(u.sourcedId)!;
      // 1.1's administrator is a 1.2 staff role; everything else reads the same.
      if (old.role === 'administrator') {
        admins++;
        expect(['districtadministrator', 'siteadministrator']).toContain(u.role);
        expect(syncRoleOf(u.role)).toBe('admin');
        expect({ ...u, role: 'administrator' }).toEqual(old);
      } else {
        expect(u).toEqual(old);
      }
    }
    expect(admins).toBeGreaterThan(0);
    // Dual-org students: primaryOrg first, though the server lists that role last.
    expect(read12.some((u) => u.orgSourcedIds.length > 1)).toBe(true);
  });

  it('keeps the token across pulls and asks for a new one when the server refuses it (401), once', async () => {
    const c = client();
    await c.probe();
    await c.pull('orgs', { path: 'schools' }, () => {});
    expect(c.tokens!.requests).toBe(1);
    emulator.oauth2.revokeTokens();
    const result = await c.pull('enrollments', {}, () => {});
    expect(result.complete).toBe(true);
    expect(c.tokens!.requests).toBe(2);
  });

  it('sends the secret in the form body when the server wants client_secret_post', async () => {
    const c = client({ auth: oauth2({ clientAuth: 'post' }) });
    expect((await c.probe()).declaredUsers).toBeGreaterThan(100);
  });

  it('reads 1.1 with OAuth 2 too (the 1.1 scopes)', async () => {
    const c = client({ version: '1.1', auth: oauth2({ scopes: defaultScopes('1.1') }) });
    expect((await users(c)).some((u) => u.role === 'administrator')).toBe(true);
  });

  it('a token without the demographics scope: demographics are refused as not shared (credentials_refused), the rest reads', async () => {
    const c = client({ auth: oauth2({ scopes: [ONEROSTER_SCOPES['1.2'].core] }) });
    expect(await users(c)).not.toHaveLength(0);
    const e = await refusal(c.pull('demographics', {}, () => {}));
    expect(e.kind).toBe('credentials_refused');
    expect(e.message).toMatch(/HTTP 403/);
  });
});

describe('refusals, one line each', () => {
  it('a wrong secret: credentials_refused naming the token endpoint, without the secret', async () => {
    const e = await refusal(client({ auth: oauth2({ clientSecret: 'not-the-secret' }) }).probe());
    const host = new URL(emulator.url).host;
    expect(e).toEqual({
      kind: 'credentials_refused',
      message: `The token endpoint at ${host}/oauth/token refused the client credentials (invalid_client, HTTP 401); check the client id and secret.`,
    });
    expect(e.message).not.toContain('not-the-secret');
  });

  it('an unknown scope: credentials_refused pointing at --scopes', async () => {
    const e = await refusal(client({ auth: oauth2({ scopes: ['https://example.org/scope/all'] }) }).probe());
    expect(e.kind).toBe('credentials_refused');
    expect(e.message).toMatch(/invalid_scope.*--scopes/);
  });

  it('a token the roster server never accepts: one renewal, then credentials_refused (HTTP 401)', async () => {
    const c = client({ baseUrl: other.url });
    const e = await refusal(c.probe());
    expect(e.kind).toBe('credentials_refused');
    expect(e.message).toMatch(
      /^The roster server at .* refused the credentials \(HTTP 401\) for \/ims\/oneroster\/rostering\/v1p2\/users; check the client id and secret/,
    );
    expect(c.tokens!.requests).toBe(2);
  });

  it('a wrong token URL: not_found; an unreachable one: source_unreachable', async () => {
    expect(await refusal(client({ auth: oauth2({ tokenUrl: `${emulator.url}/no/token/here` }) }).probe())).toMatchObject({
      kind: 'not_found',
      message: expect.stringMatching(/^There is no token endpoint at .*\/no\/token\/here \(HTTP 404\); check the token URL\.$/),
    });
    expect(await refusal(client({ auth: oauth2({ tokenUrl: 'http://127.0.0.1:9/oauth/token' }) }).probe())).toMatchObject({
      kind: 'source_unreachable',
      message: expect.stringContaining('Could not connect to the token endpoint at 127.0.0.1:9/oauth/token'),
    });
  });
});

describe('OAuth2TokenSource', () => {
  it('keeps a token until shortly before it expires by its own clock, then fetches another', async () => {
    let nowMs = 1_000_000;
    const http = new HttpTransport({ timeoutMs: 5000 });
    try {
      const source = new OAuth2TokenSource(oauth2(), {
        http,
        policy: { attempts: 1, badResponseAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
        now: () => nowMs,
      });
      const first = await source.token();
      nowMs += 800_000; // 900 s tokens are renewed 60 s early: still good at 800 s
      expect(await source.token()).toBe(first);
      expect(source.requests).toBe(1);
      nowMs += 50_000;
      const second = await source.token();
      expect(second).not.toBe(first);
      expect(source.requests).toBe(2);
      // Concurrent renewals after one 401 share one request.
      const renewed = await Promise.all([source.renew(second), source.renew(second), source.renew(second)]);
      expect(renewed).toEqual([true, true, true]);
      expect(source.requests).toBe(3);
    } finally {
      await http.close();
    }
  });
});
