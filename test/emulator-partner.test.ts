/**
 * The emulator's partner API (`/applications`, `/applications/{id}/server`), configurable
 * tenants, and the control endpoints scripts use to set faults and change the roster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { rosterGet } from './emulator-helpers.ts';

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ district: { students: 30, seed: 'partner' }, credentials: { tenantId: 2 } });
});
afterAll(async () => {
  await emu?.close();
});

function partner(path: string, key = emu.credentials.partnerKey): Promise<Response> {
  return fetch(`${emu.url}${path}`, { headers: { Authorization: `Bearer ${key}` } });
}

function control(path: string, body: unknown, key = emu.credentials.partnerKey): Promise<Response> {
  return fetch(`${emu.url}/_emulator/${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('GET /applications', () => {
  it('lists the approved tenant and a not-approved one, with no count headers', async () => {
    const res = await partner('/applications');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBeNull();
    expect(res.headers.get('link')).toBeNull();
    const body = (await res.json()) as { status: number; applications: Record<string, unknown>[] };
    expect(body.status).toBe(1);
    expect(body.applications).toHaveLength(2);
    expect(body.applications[0]).toEqual({
      id: expect.any(Number),
      tenant_name: expect.stringMatching(/School District$/),
      tenant_id: 2,
      application_id: expect.any(Number),
      bearer: emu.credentials.bearerToken,
      name: expect.any(String),
      oneroster_application_id: emu.credentials.appId,
      enabled: 'true',
      tenant_status: 'Active',
    });
    expect(body.applications[1]).toMatchObject({ tenant_id: 3, enabled: 'false', tenant_status: 'Inactive' });
  });

  it('honours limit and offset', async () => {
    const body = (await (await partner('/applications?limit=1&offset=1')).json()) as { applications: { tenant_id: number }[] };
    expect(body.applications.map((a) => a.tenant_id)).toEqual([3]);
    const empty = (await (await partner('/applications?offset=5')).json()) as { applications: unknown[] };
    expect(empty.applications).toEqual([]);
  });

  it('refuses a wrong or missing partner key', async () => {
    expect((await partner('/applications', 'wrong')).status).toBe(401);
    expect((await fetch(`${emu.url}/applications`)).status).toBe(401);
  });
});

describe('GET /applications/{id}/server', () => {
  it('gives the direct connection of a tenant, the id matched as sent', async () => {
    const res = await partner(`/applications/${emu.credentials.appId}/server`);
    expect(await res.json()).toEqual({
      status: 1,
      server: { client_id: emu.credentials.clientId, client_secret: emu.credentials.clientSecret, endpoint_url: emu.url },
      message: '',
    });
  });

  it('answers 404 for an unknown or re-encoded id', async () => {
    expect((await partner('/applications/nope/server')).status).toBe(404);
    expect((await partner(`/applications/${emu.credentials.appId.replace('%', '%25')}/server`)).status).toBe(404);
  });
});

describe('configurable tenants', () => {
  it('lists the given extra tenants after the main one, and lets approved ones in', async () => {
    const other = await startEmulator({
      district: { students: 10, seed: 1 },
      credentials: { tenantId: 40, partnerKey: 'pk' },
      tenants: [{ tenantId: 41, tenantName: 'Second District', approved: true, clientId: 'k2', clientSecret: 's2' }, { tenantId: 42 }],
    });
    try {
      const body = (await (await fetch(`${other.url}/applications`, { headers: { Authorization: 'Bearer pk' } })).json()) as {
        applications: { tenant_id: number; tenant_name: string; enabled: string }[];
      };
      expect(body.applications.map((a) => [a.tenant_id, a.enabled])).toEqual([
        [40, 'true'],
        [41, 'true'],
        [42, 'false'],
      ]);
      expect(body.applications[1]!.tenant_name).toBe('Second District');
      expect((await rosterGet(other, '/orgs', { key: 'k2', secret: 's2' })).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('control endpoints', () => {
  it('set faults from another process', async () => {
    expect((await control('faults', { rateLimit: { every: 1, retryAfterSeconds: 7 } })).status).toBe(200);
    const limited = await rosterGet(emu, '/orgs');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await control('faults', {})).status).toBe(200);
    expect((await rosterGet(emu, '/orgs')).status).toBe(200);
  });

  it('apply one mutation or a batch', async () => {
    const one = await control('mutate', { op: 'changeUser', sourcedId: 'stu-00000001', patch: { givenName: 'Renamed' } });
    expect(await one.json()).toEqual({ ok: true, applied: 1 });
    const batch = await control('mutate', [
      { op: 'markToBeDeleted', sourcedId: 'stu-00000002' },
      { op: 'addUser', user: { sourcedId: 'new-1', role: 'student', orgSourcedIds: ['org-00000001'], givenName: 'N', familyName: 'U' } },
      { op: 'changeDemographics', sourcedId: 'stu-00000003', patch: { sex: 'female' } },
    ]);
    expect(await batch.json()).toEqual({ ok: true, applied: 3 });
    const user = (await (await rosterGet(emu, '/users/stu-00000001')).json()) as { user: { givenName: string } };
    expect(user.user.givenName).toBe('Renamed');
    expect((await rosterGet(emu, '/users/new-1')).status).toBe(200);
  });

  it('refuse bad bodies, unknown users and a missing key', async () => {
    expect((await control('mutate', { op: 'explode' })).status).toBe(400);
    expect((await control('mutate', '{not json')).status).toBe(400);
    expect((await control('faults', { serverError: { every: 1, status: 500 } })).status).toBe(400);
    const missing = await control('mutate', { op: 'removeUser', sourcedId: 'ghost' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toMatch(/ghost/);
    expect((await control('faults', {}, 'wrong')).status).toBe(401);
    expect((await control('nothing', {})).status).toBe(404);
  });
});
