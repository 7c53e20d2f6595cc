import { describe, expect, it } from 'vitest';
import { decideFault, FAULTS_SCHEMA } from './faults.ts';

const serve = { kind: 'serve', delayMs: 0, truncate: false, wrongEnvelope: null, clampPageSize: null, totalDrift: 0 };

describe('decideFault', () => {
  it('serves normally without faults', () => {
    expect(decideFault({}, 1)).toEqual(serve);
  });

  it('hits every n-th request: n, 2n, 3n', () => {
    const faults = { rateLimit: { every: 3, retryAfterSeconds: 2 } };
    const kinds = [1, 2, 3, 4, 5, 6].map((n) => decideFault(faults, n).kind);
    expect(kinds).toEqual(['serve', 'serve', 'status', 'serve', 'serve', 'status']);
    expect(decideFault(faults, 3)).toEqual({ kind: 'status', status: 429, retryAfterSeconds: 2, delayMs: 0 });
  });

  it('fails every request from the n-th on with failAfter', () => {
    const faults = { failAfter: { requests: 3, status: 500 } };
    expect([1, 2, 3, 4].map((n) => decideFault(faults, n).kind)).toEqual(['serve', 'serve', 'status', 'status']);
  });

  it('resets before anything else, and delays every request without `every`', () => {
    expect(decideFault({ reset: { every: 1 }, serverError: { every: 1, status: 502 } }, 1)).toEqual({ kind: 'reset' });
    expect(decideFault({ slow: { delayMs: 50 }, serverError: { every: 1, status: 503 } }, 1)).toEqual({
      kind: 'status',
      status: 503,
      delayMs: 50,
    });
    expect(decideFault({ slow: { delayMs: 50, every: 2 } }, 1)).toMatchObject({ delayMs: 0 });
  });

  it('alternates the two wrong envelopes and applies body faults to served requests', () => {
    const faults = { wrongEnvelope: { every: 2 }, truncated: { every: 3 }, clampPageSize: 7, driftTotals: { afterRequests: 4, by: -1 } };
    expect(decideFault(faults, 2)).toMatchObject({ wrongEnvelope: 'error', truncate: false, clampPageSize: 7, totalDrift: 0 });
    expect(decideFault(faults, 3)).toMatchObject({ wrongEnvelope: null, truncate: true });
    expect(decideFault(faults, 4)).toMatchObject({ wrongEnvelope: 'missingKey', totalDrift: -1 });
  });
});

describe('FAULTS_SCHEMA', () => {
  it('accepts faults as JSON and refuses unknown or ill-typed ones', () => {
    expect(FAULTS_SCHEMA.safeParse({ rateLimit: { every: 2, retryAfterSeconds: 1 }, clampPageSize: 50 }).success).toBe(true);
    expect(FAULTS_SCHEMA.safeParse({}).success).toBe(true);
    expect(FAULTS_SCHEMA.safeParse({ meteor: true }).success).toBe(false);
    expect(FAULTS_SCHEMA.safeParse({ serverError: { every: 1, status: 500 } }).success).toBe(false);
  });
});
