import { describe, expect, it } from 'vitest';
import { readTokenResponse, tokenRefusal } from './oauth2-response.ts';

const w = { endpoint: 'the token endpoint at id.example.org/oauth/token' };

describe('readTokenResponse', () => {
  it('reads the token, its lifetime and the granted scopes', () => {
    expect(readTokenResponse('{"access_token":"t0k","token_type":"Bearer","expires_in":3600,"scope":"a b"}', w)).toEqual({
      accessToken: 't0k',
      expiresIn: 3600,
      scopes: ['a', 'b'],
    });
    // Lenient where servers are: lower-case type, expires_in as a string, no scope.
    expect(readTokenResponse('{"access_token":"t","token_type":"bearer","expires_in":"60"}', w)).toEqual({
      accessToken: 't',
      expiresIn: 60,
      scopes: null,
    });
    expect(readTokenResponse('{"access_token":"t"}', w)).toEqual({ accessToken: 't', expiresIn: null, scopes: null });
  });

  it('refuses a body without a token, not JSON, or a token type other than Bearer', () => {
    expect(() => readTokenResponse('<html>', w)).toThrow(
      expect.objectContaining({
        kind: 'bad_response',
        message: 'The token endpoint at id.example.org/oauth/token sent something other than a JSON token response.',
      }),
    );
    expect(() => readTokenResponse('{"token_type":"Bearer"}', w)).toThrow(
      expect.objectContaining({ kind: 'bad_response', message: expect.stringContaining('without an access_token') }),
    );
    expect(() => readTokenResponse('{"access_token":"t","token_type":"mac"}', w)).toThrow(
      expect.objectContaining({ kind: 'bad_response', message: expect.stringContaining('only use Bearer') }),
    );
  });
});

describe('tokenRefusal', () => {
  it('bad client credentials are credentials_refused, one line naming what to check', () => {
    const e = tokenRefusal(401, '{"error":"invalid_client","error_description":"secret s3cr3t is wrong"}', w);
    expect(e.kind).toBe('credentials_refused');
    expect(e.message).toBe(
      'The token endpoint at id.example.org/oauth/token refused the client credentials (invalid_client, HTTP 401); check the client id and secret.',
    );
    expect(e.message).not.toContain('s3cr3t');
    expect(tokenRefusal(403, 'Forbidden', w).kind).toBe('credentials_refused');
  });

  it('scopes refused, and a server without the grant, say so', () => {
    expect(tokenRefusal(400, '{"error":"invalid_scope"}', w)).toMatchObject({
      kind: 'credentials_refused',
      message: expect.stringContaining('--scopes'),
    });
    expect(tokenRefusal(400, '{"error":"unsupported_grant_type"}', w)).toMatchObject({
      kind: 'bad_response',
      message: expect.stringContaining('client credentials grant'),
    });
    expect(tokenRefusal(400, '{"error":"invalid_request"}', w)).toMatchObject({
      kind: 'bad_response',
      message: expect.stringContaining('HTTP 400 (invalid_request)'),
    });
  });
});
