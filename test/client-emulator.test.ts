/**
 * The OneRoster client and the partner API client against the real ClassLink emulator over
 * loopback: a 10,000-student district pulled completely (OAuth 1.0a direct and the Bearer proxy),
 * then pulled again under each fault in turn. Every run either gets every record — compared with
 * the counts the generated district has — or fails / comes back incomplete with a one-line reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getServerDetails, resolveTenant } from '../src/sources/classlink/partner-api.ts';
import { isRollcallError, type ErrorKind } from '../src/domain/errors.ts';
import type { RosterCollection, RosterUser } from '../src/domain/roster.ts';
import { generateDistrict } from '../src/emulator/generated-district.ts';
import { startEmulator } from '../src/emulator/server.ts';
import type { Faults, RunningEmulator } from '../src/emulator/types.ts';
import { OneRosterClient, type OneRosterClientOptions, type PullResult } from '../src/oneroster/client.ts';

const DISTRICT = { students: 10_000, seed: 'client-emulator' };
const COLLECTIONS: readonly RosterCollection[] = ['users', 'demographics', 'orgs', 'classes', 'enrollments'];
/** Small pages so every fault lands on many requests of a pull. */
const PAGE_SIZE = 1000;

let emulator: RunningEmulator;
const expected = new Map<RosterCollection, number>();
const clients: OneRosterClient[] = [];
/** Users' ids as each connection read them, for comparing the two. */
const usersRead = new Map<'direct' | 'proxy', string[]>();

beforeAll(async () => {
  const tables = generateDistrict(DISTRICT).tables;
  for (const c of COLLECTIONS) expected.set(c, tables[c].size);
  emulator = await startEmulator({ district: DISTRICT });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await emulator?.close();
});

function direct(options: Partial<OneRosterClientOptions> = {}): OneRosterClient {
  const c = new OneRosterClient({
    baseUrl: emulator.url,
    auth: { kind: 'oauth1', clientId: emulator.credentials.clientId, clientSecret: emulator.credentials.clientSecret },
    pageSize: PAGE_SIZE,
    concurrency: 4,
    timeoutMs: 10_000,
    retryAttempts: 6,
    baseDelayMs: 1,
    maxDelayMs: 50,
    ...options,
  });
  clients.push(c);
  return c;
}

function proxy(options: Partial<OneRosterClientOptions> = {}): OneRosterClient {
  return direct({
    baseUrl: `${emulator.url}/${emulator.credentials.appId}`,
    auth: { kind: 'bearer', token: emulator.credentials.bearerToken },
    ...options,
  });
}

/** Pulls a collection, checking ids come unique and in ascending order. */
async function pull(client: OneRosterClient, collection: RosterCollection): Promise<{ result: PullResult; ids: string[] }> {
  const ids: string[] = [];
  const result = await client.pull(collection, {}, (records) => {
    for (const r of records) ids.push(r.sourcedId);
  });
  return { result, ids };
}

function expectEverything(collection: RosterCollection, run: { result: PullResult; ids: string[] }): void {
  const want = expected.get(collection)!;
  expect(run.result.malformed).toEqual([]);
  expect(run.result).toMatchObject({ complete: true, incompleteReason: '', received: want, declaredTotal: want });
  expect(new Set(run.ids).size).toBe(want);
}

describe('a 10,000-student district, pulled completely', () => {
  it.each(COLLECTIONS)('reads every record of %s over OAuth 1.0a (direct)', async (collection) => {
    const run = await pull(direct(), collection);
    expectEverything(collection, run);
    if (collection === 'users') usersRead.set('direct', run.ids);
  });

  it.each(COLLECTIONS)('reads every record of %s through the Bearer proxy', async (collection) => {
    const run = await pull(proxy(), collection);
    expectEverything(collection, run);
    if (collection === 'users') usersRead.set('proxy', run.ids);
  });

  it('reads the same users, in the same order, through both connections', async () => {
    const a = usersRead.get('direct') ?? (await pull(direct(), 'users')).ids;
    const b = usersRead.get('proxy') ?? (await pull(proxy(), 'users')).ids;
    expect(b).toEqual(a);
  });

  it('keeps of each user what the pull asks, as it reads them, and ignores that for other collections', async () => {
    const kept: string[] = [];
    const keepUser = (u: RosterUser): RosterUser => ({ ...u, email: `kept ${u.sourcedId}` });
    const result = await direct().pull('users', { keepUser }, (records) => {
      for (const r of records) kept.push(r.email === `kept ${r.sourcedId}` ? 'kept' : r.email);
    });
    expect(result.received).toBe(expected.get('users'));
    expect(new Set(kept)).toEqual(new Set(['kept']));
    const orgs: object[] = [];
    await direct().pull('orgs', { keepUser }, (records) => {
      orgs.push(...records);
    });
    expect(orgs.length).toBe(expected.get('orgs'));
    expect(orgs.filter((o) => 'email' in o)).toEqual([]);
  });

  it('probes both connections', async () => {
    await expect(direct().probe()).resolves.toEqual({ declaredUsers: expected.get('users') });
    await expect(proxy().probe()).resolves.toEqual({ declaredUsers: expected.get('users') });
  });
});

/**
 * With pages in flight concurrently, the attempts of one page land on unrelated request numbers,
 * so an "every n-th request" fault could hit all of them: enough attempts make that vanishingly
 * rare ((1/4)^8 per page for bad bodies) without hiding a client that does not retry at all.
 */
const FAULT_RUN: Partial<OneRosterClientOptions> = { retryAttempts: 10, badResponseAttempts: 8 };

/** Each fault; whether a pull under it must still get everything; and the sign that it struck. */
interface FaultCase {
  name: string;
  faults: Faults;
  outcome: 'everything' | 'incomplete' | 'fails';
  /** For `everything`: the pull had to retry (the fault really happened). */
  retried?: boolean;
  /** For `fails`: the error kind. */
  failsWith?: ErrorKind;
  options?: Partial<OneRosterClientOptions>;
}

const FAULTS: FaultCase[] = [
  { name: '429 with Retry-After', faults: { rateLimit: { every: 4, retryAfterSeconds: 1 } }, outcome: 'everything', retried: true },
  { name: '502 from the gateway', faults: { serverError: { every: 4, status: 502 } }, outcome: 'everything', retried: true },
  { name: '503 from the gateway', faults: { serverError: { every: 5, status: 503 } }, outcome: 'everything', retried: true },
  { name: 'slow responses', faults: { slow: { delayMs: 30, every: 2 } }, outcome: 'everything' },
  {
    name: 'responses slower than the time limit',
    faults: { slow: { delayMs: 2000, every: 5 } },
    outcome: 'everything',
    retried: true,
    options: { timeoutMs: 500 },
  },
  { name: 'truncated JSON', faults: { truncated: { every: 4 } }, outcome: 'everything', retried: true },
  { name: 'a wrong envelope', faults: { wrongEnvelope: { every: 4 } }, outcome: 'everything', retried: true },
  { name: 'a silently clamped page size', faults: { clampPageSize: 300 }, outcome: 'everything' },
  { name: 'connection resets', faults: { reset: { every: 4 } }, outcome: 'everything', retried: true },
  { name: 'totals that drift', faults: { driftTotals: { afterRequests: 3, by: 5 } }, outcome: 'incomplete' },
  {
    name: 'a server that fails after 5 requests (503)',
    faults: { failAfter: { requests: 5, status: 503 } },
    outcome: 'fails',
    failsWith: 'source_unavailable',
  },
  {
    name: 'a server that refuses after 5 requests (401)',
    faults: { failAfter: { requests: 5, status: 401 } },
    outcome: 'fails',
    failsWith: 'credentials_refused',
  },
];

/** The proxy shares the emulator's fault handling: a few faults there are enough. */
const PROXY_FAULTS = new Set(['429 with Retry-After', 'truncated JSON', 'connection resets', 'totals that drift']);

describe.each(['direct', 'proxy'] as const)('users under each fault (%s)', (connection) => {
  const cases = connection === 'direct' ? FAULTS : FAULTS.filter((f) => PROXY_FAULTS.has(f.name));
  it.each(cases)('$name: $outcome', async ({ name, faults, outcome, retried, failsWith, options }) => {
    emulator.setFaults(faults);
    try {
      const client = connection === 'direct' ? direct({ ...FAULT_RUN, ...options }) : proxy({ ...FAULT_RUN, ...options });
      const ids: string[] = [];
      let result: PullResult | null = null;
      let error: unknown = null;
      try {
        result = await client.pull('users', {}, (records) => void ids.push(...records.map((r) => r.sourcedId)));
      } catch (e) {
        error = e;
      }
      const want = expected.get('users')!;
      if (outcome === 'everything') {
        expect(error).toBeNull();
        expectEverything('users', { result: result!, ids });
        if (retried) expect(result!.retries).toBeGreaterThan(0);
        if (name.includes('clamped')) expect(result!.pageSize).toBe(300);
      } else if (outcome === 'incomplete') {
        expect(error).toBeNull();
        expect(result!.complete).toBe(false);
        expect(result!.incompleteReason).toMatch(/^[^\n]+$/);
        expect(result!.incompleteReason).toContain('the number of users changed during the pull');
      } else {
        expect(isRollcallError(error, failsWith!)).toBe(true);
        expect((error as Error).message).toMatch(/^[^\n]+$/);
        // Pages read before the failure stay delivered; never more than the district has.
        expect(ids.length).toBeLessThan(want);
      }
    } finally {
      emulator.setFaults({});
    }
  });
});

describe('the partner API against the emulator', () => {
  const fast = { baseDelayMs: 1, maxDelayMs: 20, timeoutMs: 5000 };

  it('resolves the main tenant to a proxy connection that reads the roster', async () => {
    const conn = await resolveTenant(emulator.url, emulator.credentials.partnerKey, emulator.credentials.tenantId, fast);
    expect(conn).toMatchObject({ mode: 'proxy', rosterUrl: `${emulator.url}/${emulator.credentials.appId}` });
    if (conn.mode !== 'proxy') throw new Error('expected proxy');
    const client = direct({ baseUrl: conn.rosterUrl, auth: { kind: 'bearer', token: conn.bearer } });
    await expect(client.probe()).resolves.toEqual({ declaredUsers: expected.get('users') });
  });

  it('gives direct credentials from /server that read the roster', async () => {
    const details = await getServerDetails(emulator.url, emulator.credentials.partnerKey, emulator.credentials.appId, fast);
    const client = direct({
      baseUrl: details.rosterUrl,
      auth: { kind: 'oauth1', clientId: details.clientId, clientSecret: details.clientSecret },
    });
    await expect(client.probe()).resolves.toEqual({ declaredUsers: expected.get('users') });
  });

  it('refuses a tenant that has not approved the app, and an unknown one', async () => {
    const pending = emulator.tenants.find((t) => !t.approved)!;
    await expect(resolveTenant(emulator.url, emulator.credentials.partnerKey, pending.tenantId, fast)).rejects.toMatchObject({
      kind: 'app_not_approved',
    });
    await expect(resolveTenant(emulator.url, emulator.credentials.partnerKey, 1, fast)).rejects.toMatchObject({ kind: 'unknown_tenant' });
  });

  it('refuses a wrong partner key', async () => {
    await expect(resolveTenant(emulator.url, 'not-the-key', emulator.credentials.tenantId, fast)).rejects.toMatchObject({
      kind: 'credentials_refused',
    });
  });
});

describe('strict OneRoster JSON (booleans as booleans)', () => {
  let strict: RunningEmulator;
  beforeAll(async () => {
    strict = await startEmulator({ district: { students: 200, seed: 3 }, mode: 'strict' });
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('reads users and enrollments without a malformed record', async () => {
    const client = direct({
      baseUrl: strict.url,
      auth: { kind: 'oauth1', clientId: strict.credentials.clientId, clientSecret: strict.credentials.clientSecret },
    });
    const tables = generateDistrict({ students: 200, seed: 3 }).tables;
    for (const collection of ['users', 'enrollments'] as const) {
      const { result } = await pull(client, collection);
      expect(result).toMatchObject({ complete: true, malformedCount: 0, received: tables[collection].size });
    }
  });
});
