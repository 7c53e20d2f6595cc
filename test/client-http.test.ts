/**
 * The OneRoster client over real HTTP on loopback, against a tiny scripted Roster Server that
 * verifies OAuth 1.0a signatures with its own (independent) code. The emulator test
 * (client-emulator.test.ts) covers whole districts; this one pins each behaviour precisely.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isRollcallError, type RollcallError } from '../src/domain/errors.ts';
import type { RosterUser } from '../src/domain/roster.ts';
import { OneRosterClient, type OneRosterClientOptions } from '../src/oneroster/client.ts';

const KEY = 'district-key';
const SECRET = 'district-secret';
const TOKEN = 'proxy-token';

/** What the scripted server does with the n-th OneRoster request (1-based); undefined: serve normally. */
type Script = (n: number, req: IncomingMessage, res: ServerResponse) => boolean | undefined;

interface ServerState {
  users: Record<string, unknown>[];
  clamp: number | null;
  sendTotal: boolean;
  totalFor: (n: number, real: number) => number;
  script: Script | null;
  requests: { url: URL; auth: string }[];
}

const state: ServerState = fresh();
let server: Server;
let base = '';

function fresh(): ServerState {
  return { users: [], clamp: null, sendTotal: true, totalFor: (_n, t) => t, script: null, requests: [] };
}

function user(i: number): Record<string, unknown> {
  const id = `u${String(i).padStart(6, '0')}`;
  return {
    sourcedId: id,
    status: 'active',
    dateLastModified: '2026-01-01T00:00:00.000Z',
    enabledUser: 'true',
    role: 'student',
    orgs: [{ href: `${base}/ims/oneroster/v1p1/orgs/s1`, sourcedId: 's1', type: 'org' }],
    username: id,
    userIds: [{ type: 'FED', identifier: String(i) }],
    givenName: 'Given',
    familyName: `Family${i}`,
    grades: ['09'],
  };
}

/** RFC 3986 encoding, written independently of the client's. */
function enc(s: string): string {
  return Array.from(new TextEncoder().encode(s))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

function verifyOAuth1(req: IncomingMessage, url: URL): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('OAuth ')) return false;
  const oauth = new Map<string, string>();
  for (const m of header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)) oauth.set(m[1]!, decodeURIComponent(m[2]!));
  if (oauth.get('oauth_consumer_key') !== KEY) return false;
  const method = oauth.get('oauth_signature_method');
  const pairs: [string, string][] = [...url.searchParams.entries()];
  for (const [k, v] of oauth) if (k !== 'oauth_signature') pairs.push([k, v]);
  const normalized = pairs
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const baseString = `GET&${enc(`${url.origin}${url.pathname}`)}&${enc(normalized)}`;
  const algorithm = method === 'HMAC-SHA1' ? 'sha1' : 'sha256';
  const expected = createHmac(algorithm, `${enc(SECRET)}&`)
    .update(baseString)
    .digest('base64');
  return expected === oauth.get('oauth_signature');
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', base);
  const n = state.requests.push({ url, auth: req.headers.authorization ?? '' });
  if (state.script?.(n, req, res)) return;
  const bearer = req.headers.authorization === `Bearer ${TOKEN}`;
  if (!bearer && !verifyOAuth1(req, url)) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"imsx_codeMajor":"failure","imsx_description":"Unauthorized"}');
    return;
  }
  const m = /^(?:\/app1)?\/ims\/oneroster\/v1p1\/(users|schools\/[^/]+\/students)$/.exec(url.pathname);
  if (!m) {
    res.writeHead(404).end();
    return;
  }
  const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), state.clamp ?? Infinity);
  const offset = Number(url.searchParams.get('offset') ?? 0);
  let page = state.users.slice(offset, offset + limit);
  const fields = url.searchParams.get('fields');
  if (fields) page = page.map((u) => Object.fromEntries(fields.split(',').map((f) => [f, u[f]])));
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-count': String(page.length) };
  if (state.sendTotal) headers['x-total-count'] = String(state.totalFor(n, state.users.length));
  res.writeHead(200, headers).end(JSON.stringify({ users: page }));
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
  state.users = Array.from({ length: 2345 }, (_, i) => user(i));
});

const clients: OneRosterClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

function client(options: Partial<OneRosterClientOptions> = {}): OneRosterClient {
  const c = new OneRosterClient({
    baseUrl: base,
    auth: { kind: 'oauth1', clientId: KEY, clientSecret: SECRET },
    pageSize: 500,
    concurrency: 3,
    timeoutMs: 2000,
    retryAttempts: 4,
    baseDelayMs: 1,
    maxDelayMs: 20,
    ...options,
  });
  clients.push(c);
  return c;
}

async function pullAll(c: OneRosterClient, options: Parameters<OneRosterClient['pull']>[1] = {}) {
  const got: RosterUser[] = [];
  const result = await c.pull('users', options, (records) => void got.push(...records));
  return { result, got };
}

async function failure(p: Promise<unknown>): Promise<RollcallError> {
  try {
    await p;
  } catch (e) {
    if (isRollcallError(e)) return e;
    throw e;
  }
  throw new Error('expected a RollcallError');
}

describe('OneRosterClient.pull over HTTP', () => {
  it('reads every user in order, signed with OAuth 1.0a HMAC-SHA256', async () => {
    const { result, got } = await pullAll(client());
    expect(got.map((u) => u.sourcedId)).toEqual(state.users.map((u) => u['sourcedId']));
    expect(got[7]).toMatchObject({ enabledUser: true, orgSourcedIds: ['s1'], userIds: [{ type: 'FED', identifier: '7' }] });
    expect(result).toMatchObject({ received: 2345, declaredTotal: 2345, complete: true, incompleteReason: '', requests: 5, retries: 0 });
    expect(state.requests[0]!.auth).toContain('oauth_signature_method="HMAC-SHA256"');
  });

  it('asks for stable offsets: sort=sourcedId&orderBy=asc, limit and offset', async () => {
    await pullAll(client());
    const q = state.requests[1]!.url.searchParams;
    expect([q.get('sort'), q.get('orderBy'), q.get('limit'), q.get('offset')]).toEqual(['sourcedId', 'asc', '500', '500']);
  });

  it('signs with HMAC-SHA1 and without oauth_version when configured so', async () => {
    const c = client({
      auth: { kind: 'oauth1', clientId: KEY, clientSecret: SECRET, signatureMethod: 'HMAC-SHA1', includeVersion: false },
    });
    const { result } = await pullAll(c);
    expect(result.complete).toBe(true);
    expect(state.requests[0]!.auth).not.toContain('oauth_version');
  });

  it('reads through the proxy with a Bearer token and a path prefix', async () => {
    const c = client({ baseUrl: `${base}/app1`, auth: { kind: 'bearer', token: TOKEN } });
    const { result } = await pullAll(c);
    expect(result).toMatchObject({ received: 2345, complete: true });
    expect(state.requests[0]!.url.pathname).toBe('/app1/ims/oneroster/v1p1/users');
  });

  it('accepts a base URL that already ends in /ims/oneroster/v1p1/', async () => {
    const { result } = await pullAll(client({ baseUrl: `${base}/ims/oneroster/v1p1/` }));
    expect(result.complete).toBe(true);
  });

  it('sends the filter encoded and signed, and reads a nested path', async () => {
    const filter = "dateLastModified>'2026-01-01T00:00:00Z' AND role='student'";
    const { result } = await pullAll(client(), { path: 'schools/s 1/students', filter });
    expect(result.complete).toBe(true);
    expect(state.requests[0]!.url.pathname).toBe('/ims/oneroster/v1p1/schools/s%201/students');
    expect(state.requests[0]!.url.searchParams.get('filter')).toBe(filter);
    expect(state.requests[0]!.url.search).toContain(
      'filter=dateLastModified%3E%272026-01-01T00%3A00%3A00Z%27%20AND%20role%3D%27student%27',
    );
  });

  it('reports progress after each page', async () => {
    const seen: [number, number | null][] = [];
    await pullAll(client(), { onProgress: (n, t) => seen.push([n, t]) });
    expect(seen).toEqual([
      [500, 2345],
      [1000, 2345],
      [1500, 2345],
      [2000, 2345],
      [2345, 2345],
    ]);
  });

  it('reports malformed records with where they were and delivers the rest', async () => {
    state.users[600] = { sourcedId: 'bad1', role: 'student' };
    state.users[601] = { givenName: 'No id' };
    const { result, got } = await pullAll(client());
    expect(got).toHaveLength(2343);
    expect(result.complete).toBe(true);
    expect(result.malformedCount).toBe(2);
    expect(result.malformed).toEqual([
      { collection: 'users', sourcedId: 'bad1', where: 'page offset 500, record 101', message: 'missing givenName, familyName' },
      { collection: 'users', sourcedId: '', where: 'page offset 500, record 102', message: 'no sourcedId' },
    ]);
  });

  it('does not require fields left out with fields=', async () => {
    const { result, got } = await pullAll(client(), { fields: ['sourcedId', 'familyName'] });
    expect(result.malformedCount).toBe(0);
    expect(got[0]).toMatchObject({ sourcedId: 'u000000', familyName: 'Family0', givenName: '' });
  });

  it('detects a clamped page size and still reads everything', async () => {
    state.clamp = 200;
    const { result, got } = await pullAll(client());
    expect(got).toHaveLength(2345);
    expect(result).toMatchObject({ complete: true, pageSize: 200 });
  });

  it('keeps only what it asked for when the server ignores limit', async () => {
    state.script = (_n, req, res) => {
      const offset = Number(new URL(req.url ?? '/', base).searchParams.get('offset'));
      const page = state.users.slice(offset);
      res.writeHead(200, { 'x-total-count': '2345', 'x-count': String(page.length) }).end(JSON.stringify({ users: page }));
      return true;
    };
    const { result, got } = await pullAll(client());
    expect(got.map((u) => u.sourcedId)).toEqual(state.users.map((u) => u['sourcedId']));
    expect(result).toMatchObject({ complete: true, received: 2345 });
  });

  it('reads everything without X-Total-Count, one page after another', async () => {
    state.sendTotal = false;
    const { result, got } = await pullAll(client());
    expect(got).toHaveLength(2345);
    expect(result).toMatchObject({ complete: true, declaredTotal: null });
  });

  it('says the pull is incomplete when the total drifts', async () => {
    state.totalFor = (n, t) => (n >= 3 ? t + 5 : t);
    const { result } = await pullAll(client());
    expect(result.complete).toBe(false);
    expect(result.incompleteReason).toContain('the number of users changed during the pull (2345, then 2350)');
  });

  it('waits out a 429 with Retry-After and carries on', async () => {
    state.script = (n, _req, res) => {
      if (n !== 2) return false;
      res.writeHead(429, { 'retry-after': '0' }).end();
      return true;
    };
    const { result } = await pullAll(client());
    expect(result).toMatchObject({ complete: true, received: 2345, retries: 1, requests: 6 });
  });

  it('retries 502/503/504 and truncated or wrongly wrapped bodies', async () => {
    state.script = (n, _req, res) => {
      if (n === 2) res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>');
      else if (n === 3) res.writeHead(503).end();
      else if (n === 4) res.writeHead(504).end();
      else if (n === 5) res.writeHead(200, { 'x-total-count': '2345' }).end('{"users":[{"sourcedId":"u0000');
      else if (n === 6) res.writeHead(200).end('{"statusInfoSet":[{"imsx_codeMajor":"failure","imsx_description":"busy"}]}');
      else return false;
      return true;
    };
    const { result, got } = await pullAll(client({ concurrency: 1, retryAttempts: 6 }));
    expect(got).toHaveLength(2345);
    expect(result).toMatchObject({ complete: true, retries: 5 });
  });

  it('retries a dropped connection', async () => {
    state.script = (n, req) => {
      if (n !== 2) return false;
      req.socket.destroy();
      return true;
    };
    const { result } = await pullAll(client());
    expect(result).toMatchObject({ complete: true, retries: 1 });
  });

  it('reads a body that arrives in small pieces, characters split between them', async () => {
    state.users[3] = { ...user(3), givenName: 'Zoë 🎒 "{[', familyName: 'Nguyễn\\]}' };
    state.script = (n, req, res) => {
      if (n !== 1) return false;
      const url = new URL(req.url ?? '/', base);
      const body = Buffer.from(JSON.stringify({ users: state.users.slice(0, Number(url.searchParams.get('limit'))), tail: 1 }));
      res.writeHead(200, { 'content-type': 'application/json', 'x-total-count': String(state.users.length) });
      // Pieces of 7 bytes, each its own write: the client sees many chunks, cut anywhere (many
      // writes: the time limit is raised so a busy machine cannot turn this into a retry).
      const write = (at: number): void => {
        if (at >= body.length) {
          res.end();
          return;
        }
        res.write(body.subarray(at, at + 7), () => write(at + 7));
      };
      write(0);
      return true;
    };
    const { result, got } = await pullAll(client({ concurrency: 1, timeoutMs: 120_000 }));
    expect(result).toMatchObject({ complete: true, received: 2345, retries: 0 });
    expect(got[3]).toMatchObject({ givenName: 'Zoë 🎒 "{[', familyName: 'Nguyễn\\]}' });
  });

  it('retries a connection dropped half-way through a body, keeping nothing of the half page', async () => {
    state.script = (n, _req, res) => {
      if (n !== 2) return false;
      const body = JSON.stringify({ users: state.users.slice(500, 1000) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length), 'x-total-count': '2345' });
      res.write(body.slice(0, body.length / 2), () => res.socket?.destroy());
      return true;
    };
    const { result, got } = await pullAll(client({ concurrency: 1 }));
    expect(result).toMatchObject({ complete: true, received: 2345, retries: 1 });
    expect(got.map((u) => u.sourcedId)).toEqual(state.users.map((u) => u['sourcedId']));
  });

  it('gives up on a body that stops arriving, within the time limit per request', async () => {
    state.script = (_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-total-count': '2345' });
      res.write('{"users":[{"sourcedId":"u1"},');
      return true;
    };
    const e = await failure(pullAll(client({ timeoutMs: 100, retryAttempts: 2 })));
    expect(e.kind).toBe('source_unreachable');
    expect(e.message).toContain('did not answer /ims/oneroster/v1p1/users within 0.1 s after 2 attempts');
  });

  it('fails with source_unavailable, one line, when the server keeps failing; earlier pages stay delivered', async () => {
    state.script = (n, _req, res) => {
      if (n < 2) return false;
      res.writeHead(503).end();
      return true;
    };
    const got: RosterUser[] = [];
    const e = await failure(client({ concurrency: 1 }).pull('users', {}, (r) => void got.push(...r)));
    expect(e.kind).toBe('source_unavailable');
    expect(e.message).toBe(
      `The roster server at ${new URL(base).host} kept answering HTTP 503 Service Unavailable for /ims/oneroster/v1p1/users (offset 500) after 4 attempts; try again later.`,
    );
    expect(got).toHaveLength(500);
  });

  it('fails with bad_response after a few unreadable bodies', async () => {
    state.script = (_n, _req, res) => {
      res.writeHead(200).end('{"users":[');
      return true;
    };
    const e = await failure(pullAll(client()));
    expect(e.kind).toBe('bad_response');
    expect(e.message).toContain('sent a response that is not valid JSON for /ims/oneroster/v1p1/users, 3 times in a row.');
    expect(state.requests).toHaveLength(3);
  });

  it('fails at once with credentials_refused on 401, not retried, without the secret', async () => {
    const e = await failure(pullAll(client({ auth: { kind: 'oauth1', clientId: KEY, clientSecret: 'wrong-secret' } })));
    expect(e.kind).toBe('credentials_refused');
    expect(e.message).toContain('refused the credentials (HTTP 401)');
    expect(e.message).toContain('check the client id (key) and secret');
    expect(e.message).not.toContain('wrong-secret');
    expect(state.requests).toHaveLength(1);
  });

  it('fails with not_found on 404', async () => {
    const e = await failure(pullAll(client(), { path: 'nowhere' }));
    expect(e.kind).toBe('not_found');
    expect(e.message).toContain('answered 404 Not Found for /ims/oneroster/v1p1/nowhere; check the server URL.');
  });

  it("fails with bad_response naming the server's report on another 4xx", async () => {
    state.script = (_n, _req, res) => {
      res
        .writeHead(400)
        .end(JSON.stringify({ imsx_codeMajor: 'failure', imsx_description: 'Bad filter', imsx_CodeMinor: 'invalid_filter_field' }));
      return true;
    };
    const e = await failure(pullAll(client()));
    expect(e.kind).toBe('bad_response');
    expect(e.message).toContain(
      'rejected /ims/oneroster/v1p1/users with HTTP 400 Bad Request: an error report "Bad filter" (invalid_filter_field).',
    );
  });

  it('fails with source_unreachable naming the host when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await failure(pullAll(client({ baseUrl: `http://127.0.0.1:${port}` })));
    expect(e.kind).toBe('source_unreachable');
    expect(e.message).toBe(
      `Could not connect to the roster server at 127.0.0.1:${port} (connection refused) after 4 attempts; check the address and that the server is online.`,
    );
  });

  it('gives up on a server that does not answer in time', async () => {
    state.script = () => true; // never answers
    const e = await failure(pullAll(client({ timeoutMs: 100, retryAttempts: 2 })));
    expect(e.kind).toBe('source_unreachable');
    expect(e.message).toContain('did not answer /ims/oneroster/v1p1/users within 0.1 s after 2 attempts');
  });

  it('stops when cancelled, with the reason', async () => {
    const controller = new AbortController();
    const c = client({ concurrency: 1 });
    const p = c.pull('users', { signal: controller.signal }, () => controller.abort(new Error('stopped by the admin')));
    await expect(p).rejects.toThrow('stopped by the admin');
  });

  it('refuses a page size or concurrency below 1', () => {
    expect(() => client({ pageSize: 0 })).toThrow(
      expect.objectContaining({ kind: 'config_invalid', message: "The roster client's pageSize must be a whole number of at least 1." }),
    );
    expect(() => client({ concurrency: 1.5 })).toThrow(expect.objectContaining({ kind: 'config_invalid' }));
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => client({ baseUrl: 'ftp://x' })).toThrow(expect.objectContaining({ kind: 'config_invalid' }));
    expect(() => client({ baseUrl: 'not a url' })).toThrow(expect.objectContaining({ kind: 'config_invalid' }));
  });
});

describe('OneRosterClient.probe over HTTP', () => {
  it('asks for one sourcedId and returns the declared number of users', async () => {
    await expect(client().probe()).resolves.toEqual({ declaredUsers: 2345 });
    const q = state.requests[0]!.url.searchParams;
    expect([q.get('limit'), q.get('fields')]).toEqual(['1', 'sourcedId']);
  });

  it('works through the proxy', async () => {
    await expect(client({ baseUrl: `${base}/app1`, auth: { kind: 'bearer', token: TOKEN } }).probe()).resolves.toEqual({
      declaredUsers: 2345,
    });
  });

  it('throws credentials_refused for a wrong token', async () => {
    const e = await failure(client({ baseUrl: `${base}/app1`, auth: { kind: 'bearer', token: 'nope' } }).probe());
    expect(e.kind).toBe('credentials_refused');
    expect(e.message).toContain('check the access token');
  });

  it('throws bad_response when the answer is not a users list', async () => {
    state.script = (_n, _req, res) => {
      res.writeHead(200).end('<html>Login</html>');
      return true;
    };
    expect((await failure(client().probe())).kind).toBe('bad_response');
  });
});
