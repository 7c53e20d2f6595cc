import { describe, expect, it } from 'vitest';
import { backoffDelayMs, classifyStatus, classifyTransportError, parseRetryAfterMs, retryDelayMs, type RetryPolicy } from './retry.ts';

const POLICY: RetryPolicy = { attempts: 6, badResponseAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };

describe('backoffDelayMs', () => {
  it('doubles the ceiling each retry and draws uniformly below it (full jitter)', () => {
    expect(backoffDelayMs(0, POLICY, () => 0.999)).toBe(99);
    expect(backoffDelayMs(1, POLICY, () => 0.999)).toBe(199);
    expect(backoffDelayMs(2, POLICY, () => 0.5)).toBe(200);
    expect(backoffDelayMs(3, POLICY, () => 0)).toBe(0);
  });

  it('never exceeds the cap', () => {
    expect(backoffDelayMs(30, POLICY, () => 0.999)).toBe(999);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('reads delta seconds', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
    expect(parseRetryAfterMs('1.5', now)).toBe(1500);
  });

  it('reads an HTTP date, relative to now, and never below zero', () => {
    expect(parseRetryAfterMs('Sun, 01 Mar 2026 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfterMs('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores an absent or unreadable header', () => {
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs('', now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it('waits for Retry-After when it is longer than the backoff', () => {
    expect(retryDelayMs(0, POLICY, 700, () => 0.5)).toBe(700);
  });

  it('keeps the backoff when Retry-After is shorter', () => {
    expect(retryDelayMs(3, POLICY, 10, () => 0.5)).toBe(400);
  });

  it('caps even Retry-After at the maximum delay', () => {
    expect(retryDelayMs(0, POLICY, 3_600_000, () => 0.5)).toBe(1000);
  });
});

describe('classifyStatus', () => {
  it('retries rate limiting and gateway errors', () => {
    for (const s of [429, 500, 502, 503, 504]) expect(classifyStatus(s)).toBe('retryable');
  });

  it('does not retry refused credentials, missing objects or other client errors', () => {
    expect(classifyStatus(401)).toBe('credentials_refused');
    expect(classifyStatus(403)).toBe('credentials_refused');
    expect(classifyStatus(404)).toBe('not_found');
    expect(classifyStatus(400)).toBe('rejected');
    expect(classifyStatus(501)).toBe('rejected');
  });

  it('accepts any 2xx', () => {
    expect(classifyStatus(200)).toBe('ok');
    expect(classifyStatus(203)).toBe('ok');
  });
});

describe('classifyTransportError', () => {
  it('retries refusals and marks them as no connection', () => {
    expect(classifyTransportError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toEqual({
      retryable: true,
      noConnection: true,
      reason: 'connection refused',
    });
  });

  it('retries resets and timeouts', () => {
    expect(classifyTransportError(Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' })).retryable).toBe(true);
    expect(classifyTransportError(new DOMException('t', 'TimeoutError'))).toMatchObject({ retryable: true, reason: 'timed out' });
  });

  it('does not retry an unknown host name, or an error it does not know', () => {
    expect(classifyTransportError(Object.assign(new Error('x'), { code: 'ENOTFOUND' })).retryable).toBe(false);
    expect(classifyTransportError(new Error('weird')).retryable).toBe(false);
  });

  it('reads the code from the cause when the error wraps it', () => {
    const e = new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) });
    expect(classifyTransportError(e).reason).toBe('connection reset');
  });
});
