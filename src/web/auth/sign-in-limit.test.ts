import { describe, expect, it } from 'vitest';
import { FAILURES_PER_ACCOUNT, FAILURES_PER_ADDRESS, LIMIT_WINDOW_MS, refusalSentence, SignInLimit } from './sign-in-limit.ts';

describe('SignInLimit', () => {
  it('counts failures per address and username (any case), not successes, and forgets them on a success', () => {
    let now = 0;
    const limit = new SignInLimit(() => now);
    for (let i = 0; i < 100; i++) limit.succeeded('1.1.1.1', 'desk');
    expect(limit.refusal('1.1.1.1', 'desk')).toBeUndefined();
    for (let i = 0; i < FAILURES_PER_ACCOUNT; i++) limit.failed('1.1.1.1', i % 2 ? 'Desk ' : 'desk');
    expect(limit.refusal('1.1.1.1', 'DESK')).toEqual({ bucket: 'account', retryAfterMs: LIMIT_WINDOW_MS });
    expect(limit.refusal('2.2.2.2', 'desk')).toBeUndefined();
    expect(limit.refusal('1.1.1.1', 'other')).toBeUndefined();
    now += LIMIT_WINDOW_MS - 1;
    expect(limit.refusal('1.1.1.1', 'desk')?.retryAfterMs).toBe(1);
    now += 1;
    expect(limit.refusal('1.1.1.1', 'desk')).toBeUndefined();
    // A new window begins at the next failure; a success empties it.
    for (let i = 0; i < FAILURES_PER_ACCOUNT - 1; i++) limit.failed('1.1.1.1', 'desk');
    limit.succeeded('1.1.1.1', 'desk');
    limit.failed('1.1.1.1', 'desk');
    expect(limit.refusal('1.1.1.1', 'desk')).toBeUndefined();
  });

  it('counts failures per address whatever the usernames; a success does not empty that bucket', () => {
    const limit = new SignInLimit(() => 0);
    for (let i = 0; i < FAILURES_PER_ADDRESS - 1; i++) limit.failed('3.3.3.3', `user${i}`);
    expect(limit.refusal('3.3.3.3', 'new')).toBeUndefined();
    limit.failed('3.3.3.3', 'last');
    limit.succeeded('3.3.3.3', 'desk');
    expect(limit.refusal('3.3.3.3', 'desk')).toEqual({ bucket: 'address', retryAfterMs: LIMIT_WINDOW_MS });
    expect(limit.refusal('4.4.4.4', 'desk')).toBeUndefined();
  });

  it('words each refusal as a sentence with the wait in whole minutes', () => {
    expect(refusalSentence({ bucket: 'account', retryAfterMs: 61_000 })).toMatch(
      /^Too many wrong passwords for this username: .* for 2 minutes\./,
    );
    expect(refusalSentence({ bucket: 'address', retryAfterMs: 1 })).toMatch(
      /^Too many failed sign-ins from your network: .* for 1 minute\./,
    );
  });
});
