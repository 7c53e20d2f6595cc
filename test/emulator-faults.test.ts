/**
 * Every switchable fault of the emulator, over HTTP. No timing is asserted: the slow fault is
 * checked by a client that gives up long before the delay ends.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { rosterGet, V1P1 } from './emulator-helpers.ts';

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ district: { students: 200, seed: 'faults' } });
});
afterEach(() => emu.setFaults({}));
afterAll(async () => {
  await emu?.close();
});

const statuses = async (n: number, path = '/users?limit=5') => {
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push((await rosterGet(emu, path)).status);
  return out;
};

describe('faults', () => {
  it('rateLimit: every n-th request gets 429 with Retry-After', async () => {
    emu.setFaults({ rateLimit: { every: 2, retryAfterSeconds: 3 } });
    expect((await rosterGet(emu, '/orgs')).status).toBe(200);
    const limited = await rosterGet(emu, '/orgs');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(await statuses(2)).toEqual([200, 429]);
  });

  it.each([502, 503] as const)('serverError: %i with an HTML body, as a gateway sends', async (status) => {
    emu.setFaults({ serverError: { every: 1, status } });
    const res = await rosterGet(emu, '/orgs');
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain(String(status));
  });

  it('slow: the answer is held back by the delay', async () => {
    emu.setFaults({ slow: { delayMs: 10_000 } });
    const url = `${emu.url}${V1P1}/orgs`;
    await expect(fetch(url, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    emu.setFaults({ slow: { delayMs: 1 } });
    expect((await rosterGet(emu, '/orgs')).status).toBe(200);
  });

  it('truncated: a 200 whose JSON body stops half-way', async () => {
    const whole = await (await rosterGet(emu, '/users?limit=20')).text();
    emu.setFaults({ truncated: { every: 1 } });
    const res = await rosterGet(emu, '/users?limit=20');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeLessThan(whole.length * 0.6);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('wrongEnvelope: a 200 carrying an error payload, then one without the collection key', async () => {
    emu.setFaults({ wrongEnvelope: { every: 1 } });
    const first = (await (await rosterGet(emu, '/users?limit=2')).json()) as Record<string, unknown>;
    expect(first).toHaveProperty('statusInfoSet');
    expect(first).not.toHaveProperty('users');
    const second = (await (await rosterGet(emu, '/users?limit=2')).json()) as Record<string, unknown>;
    expect(second).not.toHaveProperty('users');
    expect(Array.isArray(Object.values(second)[0])).toBe(true);
  });

  it('clampPageSize: fewer records than asked, headers truthful', async () => {
    const total = (await rosterGet(emu, '/users?limit=1')).headers.get('x-total-count');
    emu.setFaults({ clampPageSize: 7 });
    const res = await rosterGet(emu, '/users?limit=100');
    expect(((await res.json()) as { users: unknown[] }).users).toHaveLength(7);
    expect(res.headers.get('x-count')).toBe('7');
    expect(res.headers.get('x-total-count')).toBe(total);
    expect(res.headers.get('link')).toContain('offset=7>; rel="next"');
  });

  it('driftTotals: X-Total-Count changes from the n-th request on', async () => {
    emu.setFaults({ driftTotals: { afterRequests: 2, by: 5 } });
    const a = Number((await rosterGet(emu, '/users?limit=1')).headers.get('x-total-count'));
    const b = Number((await rosterGet(emu, '/users?limit=1')).headers.get('x-total-count'));
    expect(b).toBe(a + 5);
  });

  it('failAfter: every request from the n-th on fails', async () => {
    emu.setFaults({ failAfter: { requests: 3, status: 500 } });
    expect(await statuses(4)).toEqual([200, 200, 500, 500]);
  });

  it('reset: the connection is dropped without an answer', async () => {
    emu.setFaults({ reset: { every: 1 } });
    await expect(rosterGet(emu, '/orgs')).rejects.toThrow();
  });

  it('setFaults restarts the count and faults given at start apply', async () => {
    emu.setFaults({ rateLimit: { every: 2, retryAfterSeconds: 1 } });
    await rosterGet(emu, '/orgs');
    emu.setFaults({ rateLimit: { every: 2, retryAfterSeconds: 1 } });
    expect(await statuses(2, '/orgs')).toEqual([200, 429]);
    const started = await startEmulator({ district: { students: 10, seed: 1 }, faults: { serverError: { every: 1, status: 503 } } });
    try {
      expect((await rosterGet(started, '/orgs')).status).toBe(503);
    } finally {
      await started.close();
    }
  });

  it('leaves the partner API alone', async () => {
    emu.setFaults({ serverError: { every: 1, status: 502 } });
    const res = await fetch(`${emu.url}/applications`, { headers: { Authorization: `Bearer ${emu.credentials.partnerKey}` } });
    expect(res.status).toBe(200);
  });
});
