/**
 * The ClassLink partner API client over real HTTP on loopback, against a scripted server shaped
 * like ClassLink's documented answers (CLASSLINK.md §1.2).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getServerDetails, listApplications, resolveTenant } from '../src/sources/classlink/partner-api.ts';

const PARTNER_KEY = 'partner-key-123';

interface State {
  apps: Record<string, unknown>[];
  servers: Record<string, Record<string, unknown>>;
  ignoreOffset: boolean;
  script: ((req: IncomingMessage, res: ServerResponse) => boolean) | null;
  requests: URL[];
}

const state: State = fresh();
let server: Server;
let base = '';

function fresh(): State {
  return { apps: [], servers: {}, ignoreOffset: false, script: null, requests: [] };
}

function application(i: number, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 1000 + i,
    tenant_name: `District ${i}`,
    tenant_id: i,
    application_id: 57,
    bearer: null,
    name: 'Rollcall',
    oneroster_application_id: `App${i}%3D`,
    enabled: 'true',
    tenant_status: 'Active',
    ...patch,
  };
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', base);
  state.requests.push(url);
  if (state.script?.(req, res)) return;
  if (req.headers.authorization !== `Bearer ${PARTNER_KEY}`) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"status":0,"message":"Unauthorized"}');
    return;
  }
  if (url.pathname === '/applications') {
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const offset = state.ignoreOffset ? 0 : Number(url.searchParams.get('offset') ?? 0);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 1, applications: state.apps.slice(offset, offset + limit) }));
    return;
  }
  // The id arrives percent-encoded in the path and must stay so (never %253D).
  const m = /^\/applications\/([^/]+)\/server$/.exec(url.pathname);
  const details = m ? state.servers[m[1]!] : undefined;
  if (!details) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 1, server: details, message: '' }));
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  Object.assign(state, fresh());
});

const fast = { baseDelayMs: 1, maxDelayMs: 10, timeoutMs: 2000 };

describe('listApplications', () => {
  it('pages by limit/offset until a short page', async () => {
    state.apps = Array.from({ length: 25 }, (_, i) => application(i + 1));
    const apps = await listApplications(base, PARTNER_KEY, { ...fast, pageSize: 10 });
    expect(apps).toHaveLength(25);
    expect(state.requests.map((u) => u.searchParams.get('offset'))).toEqual(['0', '10', '20']);
    expect(apps[1]).toEqual({
      id: '1002',
      tenantId: '2',
      tenantName: 'District 2',
      applicationId: '57',
      appId: 'App2%3D',
      bearer: '',
      name: 'Rollcall',
      enabled: true,
      tenantStatus: 'Active',
    });
  });

  it('stops when the server ignores offset and repeats the same page', async () => {
    state.apps = Array.from({ length: 30 }, (_, i) => application(i + 1));
    state.ignoreOffset = true;
    const apps = await listApplications(base, PARTNER_KEY, { ...fast, pageSize: 10 });
    expect(apps).toHaveLength(10);
    expect(state.requests).toHaveLength(2);
  });

  it('refuses a wrong partner key with credentials_refused, without showing it', async () => {
    const p = listApplications(base, 'wrong-key', fast);
    await expect(p).rejects.toMatchObject({ kind: 'credentials_refused' });
    await expect(listApplications(base, 'wrong-key', fast)).rejects.toThrow(/check the partner API key \(ROLLCALL_CLASSLINK_PARTNER_KEY\)/);
    await expect(listApplications(base, 'wrong-key', fast)).rejects.not.toThrow(/wrong-key/);
  });

  it('says the key is missing before calling anyone', async () => {
    await expect(listApplications(base, undefined, fast)).rejects.toMatchObject({ kind: 'not_configured' });
    expect(state.requests).toHaveLength(0);
  });

  it('retries a 503 and then succeeds', async () => {
    state.apps = [application(1)];
    let failed = false;
    state.script = (_req, res) => {
      if (failed) return false;
      failed = true;
      res.writeHead(503).end();
      return true;
    };
    await expect(listApplications(base, PARTNER_KEY, fast)).resolves.toHaveLength(1);
  });

  it('fails with source_unreachable naming the host when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(listApplications(`http://127.0.0.1:${port}`, PARTNER_KEY, { ...fast, retryAttempts: 2 })).rejects.toMatchObject({
      kind: 'source_unreachable',
      message: `Could not connect to ClassLink at 127.0.0.1:${port} (connection refused) after 2 attempts; check the address and that the server is online.`,
    });
  });
});

describe('getServerDetails', () => {
  it('interpolates the already-encoded app id verbatim and cuts the endpoint to the base', async () => {
    state.servers['App1%3D'] = { client_id: 'ck', client_secret: 'cs', endpoint_url: 'https://d1-vn-v2.oneroster.com/ims/oneroster/v1p1/' };
    await expect(getServerDetails(`${base}/`, PARTNER_KEY, 'App1%3D', fast)).resolves.toEqual({
      rosterUrl: 'https://d1-vn-v2.oneroster.com',
      clientId: 'ck',
      clientSecret: 'cs',
    });
    expect(state.requests[0]!.pathname).toBe('/applications/App1%3D/server');
  });
});

describe('resolveTenant', () => {
  it('returns the proxy connection when the district has a bearer token', async () => {
    state.apps = [application(1), application(2, { bearer: 'tok-2' })];
    await expect(resolveTenant(base, PARTNER_KEY, 2, fast)).resolves.toEqual({
      mode: 'proxy',
      rosterUrl: `${base}/App2%3D`,
      bearer: 'tok-2',
      tenantName: 'District 2',
      appId: 'App2%3D',
    });
  });

  it('returns the direct connection from /server when there is no bearer', async () => {
    state.apps = [application(1)];
    state.servers['App1%3D'] = { client_id: 'ck', client_secret: 'cs', endpoint_url: 'https://d1.example.com' };
    await expect(resolveTenant(base, PARTNER_KEY, '1', fast)).resolves.toEqual({
      mode: 'direct',
      rosterUrl: 'https://d1.example.com',
      clientId: 'ck',
      clientSecret: 'cs',
      tenantName: 'District 1',
      appId: 'App1%3D',
    });
  });

  it('refuses an unknown tenant with unknown_tenant', async () => {
    state.apps = [application(1)];
    await expect(resolveTenant(base, PARTNER_KEY, 7, fast)).rejects.toMatchObject({ kind: 'unknown_tenant' });
  });

  it('refuses a district that has not enabled the app with app_not_approved', async () => {
    state.apps = [application(1, { enabled: 'false' })];
    await expect(resolveTenant(base, PARTNER_KEY, 1, fast)).rejects.toMatchObject({ kind: 'app_not_approved' });
  });

  it('refuses with app_not_approved when ClassLink has no server details for the district', async () => {
    state.apps = [application(1), application(2)];
    state.servers['App2%3D'] = { client_id: '', client_secret: '', endpoint_url: '' };
    await expect(resolveTenant(base, PARTNER_KEY, 1, fast)).rejects.toMatchObject({
      kind: 'app_not_approved',
      message: expect.stringContaining('has no Roster Server connection for the district "District 1" (Tenant ID 1)'),
    });
    await expect(resolveTenant(base, PARTNER_KEY, 2, fast)).rejects.toMatchObject({ kind: 'app_not_approved' });
  });
});
