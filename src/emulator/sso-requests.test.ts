import { describe, expect, it } from 'vitest';
import { presentedClient, readAuthRequest, redirectWith, secretMatches, splitScopes } from './sso-requests.ts';

const CLIENTS = [{ clientId: 'c1', clientSecret: 's', redirectUris: ['https://app.example/cb', 'https://app.example/cb?x=1'] }];

function read(params: Record<string, string>) {
  return readAuthRequest(
    new URLSearchParams({
      client_id: 'c1',
      redirect_uri: 'https://app.example/cb',
      scope: 'openid profile',
      response_type: 'code',
      ...params,
    }),
    CLIENTS,
  );
}

describe('readAuthRequest', () => {
  it('reads a full request', () => {
    const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
    expect(read({ state: 'st', nonce: 'n', code_challenge: challenge, code_challenge_method: 'S256' })).toEqual({
      kind: 'ok',
      request: {
        clientId: 'c1',
        redirectUri: 'https://app.example/cb',
        scopes: ['openid', 'profile'],
        launch: false,
        state: 'st',
        nonce: 'n',
        codeChallenge: challenge,
      },
    });
  });

  it('shows a page when it cannot trust the redirect URI', () => {
    expect(read({ client_id: 'c2' })).toMatchObject({ kind: 'page', message: expect.stringMatching(/c2/) });
    expect(read({ redirect_uri: 'https://app.example/cb/' })).toMatchObject({ kind: 'page' });
    expect(read({ redirect_uri: '' })).toMatchObject({ kind: 'page', message: 'redirect_uri is missing.' });
  });

  it('sends other errors back to the app with the state', () => {
    expect(read({ response_type: 'token', state: 's' })).toMatchObject({
      kind: 'redirect',
      error: 'unsupported_response_type',
      state: 's',
    });
    expect(read({ scope: '' })).toMatchObject({ kind: 'redirect', error: 'invalid_scope' });
    expect(read({ scope: 'profile sudo' })).toMatchObject({
      kind: 'redirect',
      error: 'invalid_scope',
      description: expect.stringMatching(/sudo/),
    });
    expect(read({ code_challenge: 'short', code_challenge_method: 'S256' })).toMatchObject({ kind: 'redirect', error: 'invalid_request' });
    expect(read({ code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })).toMatchObject({
      kind: 'redirect',
      error: 'invalid_request',
    });
    expect(read({ code_challenge_method: 'S256' })).toMatchObject({ kind: 'redirect', error: 'invalid_request' });
  });
});

describe('splitScopes', () => {
  it('splits on spaces and commas', () => {
    expect(splitScopes('profile,oneroster')).toEqual(['profile', 'oneroster']);
    expect(splitScopes(' openid  profile, email ')).toEqual(['openid', 'profile', 'email']);
    expect(splitScopes('')).toEqual([]);
  });
});

describe('redirectWith', () => {
  it('adds parameters after an existing query and skips undefined ones', () => {
    expect(redirectWith('https://app.example/cb?x=1', { code: 'a b', state: undefined })).toBe('https://app.example/cb?x=1&code=a+b');
  });
});

describe('presentedClient', () => {
  const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

  it('reads Basic credentials, form-decoded', () => {
    expect(presentedClient(basic('c1:s%2B%2F+x'), new URLSearchParams())).toEqual({
      clientId: 'c1',
      clientSecret: 's+/ x',
      method: 'client_secret_basic',
    });
  });

  it('refuses Basic credentials that disagree with the form or are malformed', () => {
    expect(presentedClient(basic('c1:s'), new URLSearchParams({ client_id: 'c2' }))).toMatch(/differs/);
    expect(presentedClient(basic('no-colon'), new URLSearchParams())).toMatch(/malformed/);
    expect(presentedClient(basic('c1:%E0%A4%A'), new URLSearchParams())).toMatch(/malformed/);
  });

  it('reads the form otherwise', () => {
    expect(presentedClient(undefined, new URLSearchParams({ client_id: 'c1', client_secret: 's' }))).toEqual({
      clientId: 'c1',
      clientSecret: 's',
      method: 'client_secret_post',
    });
    expect(presentedClient('Bearer x', new URLSearchParams({ client_id: 'c1' }))).toEqual({
      clientId: 'c1',
      clientSecret: undefined,
      method: 'client_secret_post',
    });
    expect(presentedClient(undefined, new URLSearchParams())).toMatch(/missing/);
  });
});

describe('secretMatches', () => {
  it('compares exactly', () => {
    expect(secretMatches('abc', 'abc')).toBe(true);
    expect(secretMatches('abd', 'abc')).toBe(false);
    expect(secretMatches('ab', 'abc')).toBe(false);
    expect(secretMatches(undefined, 'abc')).toBe(false);
  });
});
