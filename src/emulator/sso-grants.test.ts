import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_TTL_SECONDS, s256, SsoGrants, type AuthRequest } from './sso-grants.ts';

const REQUEST: AuthRequest = { clientId: 'c1', redirectUri: 'https://app.example/cb', scopes: ['profile'], launch: false };

function grants() {
  const clock = { t: Date.UTC(2026, 0, 5, 8) };
  return { clock, g: new SsoGrants(() => new Date(clock.t)) };
}

describe('SsoGrants', () => {
  it('answers a pending request once, and not after an hour', () => {
    const { clock, g } = grants();
    const id = g.openRequest(REQUEST);
    expect(g.takeRequest(id)).toEqual(REQUEST);
    expect(g.takeRequest(id)).toBeUndefined();
    const late = g.openRequest(REQUEST);
    clock.t += 60 * 60 * 1000;
    expect(g.takeRequest(late)).toBeUndefined();
  });

  it('redeems a code once, within its lifetime, for its client and redirect URI', () => {
    const { clock, g } = grants();
    const code = g.issueCode(REQUEST, 'stu-1');
    const check = { clientId: 'c1', ttlSeconds: 300 };
    expect(g.redeemCode(code, { ...check, clientId: 'c2' })).toMatchObject({
      error: 'invalid_grant',
      description: expect.stringMatching(/another client/),
    });
    expect(g.redeemCode(code, { ...check, redirectUri: 'https://app.example/other' })).toMatchObject({ error: 'invalid_grant' });
    clock.t += 299_999;
    const ok = g.redeemCode(code, check);
    expect(ok).toEqual({ request: REQUEST, sourcedId: 'stu-1', authTime: clock.t - 299_999 });
    expect(g.redeemCode(code, check)).toMatchObject({ description: expect.stringMatching(/already been used/) });
    const stale = g.issueCode(REQUEST, 'stu-1');
    clock.t += 300_000;
    expect(g.redeemCode(stale, check)).toMatchObject({ description: expect.stringMatching(/expired/) });
    expect(g.redeemCode('nope', check)).toMatchObject({ description: expect.stringMatching(/unknown/) });
  });

  it('checks the PKCE verifier when the request had a challenge', () => {
    const { g } = grants();
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    expect(s256(verifier)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    const code = g.issueCode({ ...REQUEST, codeChallenge: s256(verifier) }, 'stu-1');
    expect(g.redeemCode(code, { clientId: 'c1', ttlSeconds: 300 })).toMatchObject({ description: expect.stringMatching(/required/) });
    expect(g.redeemCode(code, { clientId: 'c1', ttlSeconds: 300, codeVerifier: `${verifier}x` })).toMatchObject({
      description: expect.stringMatching(/does not match/),
    });
    expect(g.redeemCode(code, { clientId: 'c1', ttlSeconds: 300, codeVerifier: verifier })).toMatchObject({ sourcedId: 'stu-1' });
  });

  it('access tokens last 24 hours, and a replayed code revokes its token', () => {
    const { clock, g } = grants();
    const code = g.issueCode(REQUEST, 'stu-1');
    const redeemed = g.redeemCode(code, { clientId: 'c1', ttlSeconds: 300 });
    if ('error' in redeemed) throw new Error(redeemed.description);
    const { accessToken, expiresIn } = g.issueAccessToken(code, redeemed);
    expect(expiresIn).toBe(ACCESS_TOKEN_TTL_SECONDS);
    expect(g.accessGrant(accessToken)).toMatchObject({ sourcedId: 'stu-1', clientId: 'c1' });
    clock.t += ACCESS_TOKEN_TTL_SECONDS * 1000 - 1;
    expect(g.accessGrant(accessToken)).toBeDefined();
    g.redeemCode(code, { clientId: 'c1', ttlSeconds: 300 });
    expect(g.accessGrant(accessToken)).toBeUndefined();
    const second = g.issueCode(REQUEST, 'stu-2');
    const r2 = g.redeemCode(second, { clientId: 'c1', ttlSeconds: 300 });
    if ('error' in r2) throw new Error(r2.description);
    const t2 = g.issueAccessToken(second, r2).accessToken;
    clock.t += ACCESS_TOKEN_TTL_SECONDS * 1000;
    expect(g.accessGrant(t2)).toBeUndefined();
  });
});
