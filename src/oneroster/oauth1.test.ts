import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rfc3986, signOAuth1, splitQuery } from './oauth1.ts';

// The known-answer vector of ONEROSTER.md §1.9 (gotranseo/oneroster tests, re-verified there).
const VECTOR_URL =
  'https://test.com/ims/oneroster/v1p1/orgs?limit=100&offset=1515&filter=role%3D%27administrator%27%20OR%20role%3D%27student%27%20OR%20role%3D%27teacher%27';
const VECTOR_BASE =
  'GET&https%3A%2F%2Ftest.com%2Fims%2Foneroster%2Fv1p1%2Forgs&filter%3Drole%253D%2527administrator%2527%2520OR%2520role%253D%2527student%2527%2520OR%2520role%253D%2527teacher%2527%26limit%3D100%26oauth_consumer_key%3Dclient-id%26oauth_nonce%3Dfake-nonce%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D10000000%26oauth_version%3D1.0%26offset%3D1515';
const VECTOR_SIGNATURE = '03DqhuWFnTlc3WxDYEOVKYxM5xQyRGfJ4x6zqQjYQnM=';
const CREDS = { clientId: 'client-id', clientSecret: 'client-secret' };
const FIXED = { nonce: 'fake-nonce', timestamp: 10000000 };

describe('signOAuth1', () => {
  it('reproduces the known-answer vector exactly (base string and signature)', () => {
    const signed = signOAuth1(CREDS, 'GET', VECTOR_URL, FIXED);
    expect(signed.baseString).toBe(VECTOR_BASE);
    expect(signed.signature).toBe(VECTOR_SIGNATURE);
  });

  it('puts the signature, header-encoded, into an OAuth Authorization header', () => {
    const { header } = signOAuth1(CREDS, 'GET', VECTOR_URL, FIXED);
    expect(header).toBe(
      'OAuth oauth_consumer_key="client-id", oauth_nonce="fake-nonce", oauth_signature="03DqhuWFnTlc3WxDYEOVKYxM5xQyRGfJ4x6zqQjYQnM%3D", ' +
        'oauth_signature_method="HMAC-SHA256", oauth_timestamp="10000000", oauth_version="1.0"',
    );
  });

  it("can omit oauth_version, as ClassLink's own libraries do", () => {
    const signed = signOAuth1({ ...CREDS, includeVersion: false }, 'GET', VECTOR_URL, FIXED);
    expect(signed.baseString).toBe(VECTOR_BASE.replace('%26oauth_version%3D1.0', ''));
    expect(signed.header).not.toContain('oauth_version');
    const expected = createHmac('sha256', 'client-secret&').update(signed.baseString).digest('base64');
    expect(signed.signature).toBe(expected);
  });

  it('signs with HMAC-SHA1 when asked', () => {
    const signed = signOAuth1({ ...CREDS, signatureMethod: 'HMAC-SHA1' }, 'GET', VECTOR_URL, FIXED);
    expect(signed.baseString).toBe(VECTOR_BASE.replace('HMAC-SHA256', 'HMAC-SHA1'));
    expect(signed.signature).toBe(createHmac('sha1', 'client-secret&').update(signed.baseString).digest('base64'));
    expect(signed.header).toContain('oauth_signature_method="HMAC-SHA1"');
  });

  it('encodes the secret in the key and includes no token', () => {
    const creds = { clientId: 'k', clientSecret: 's&e cret' };
    const signed = signOAuth1(creds, 'GET', 'https://h.example/x', FIXED);
    expect(signed.signature).toBe(createHmac('sha256', 's%26e%20cret&').update(signed.baseString).digest('base64'));
    expect(signed.header).not.toContain('oauth_token');
  });

  it('gives every request a fresh nonce and the current timestamp by default', () => {
    const a = signOAuth1(CREDS, 'GET', 'https://h.example/x');
    const b = signOAuth1(CREDS, 'GET', 'https://h.example/x');
    const nonce = (h: string) => /oauth_nonce="([^"]+)"/.exec(h)?.[1];
    expect(nonce(a.header)).toMatch(/^[0-9a-f]{32}$/);
    expect(nonce(a.header)).not.toBe(nonce(b.header));
    const ts = Number(/oauth_timestamp="(\d+)"/.exec(a.header)?.[1]);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(60);
  });

  it('signs a query value that holds raw "=" and quotes the same as its encoded form', () => {
    const raw = signOAuth1(CREDS, 'GET', "https://test.com/u?filter=role='student'", FIXED);
    const encoded = signOAuth1(CREDS, 'GET', 'https://test.com/u?filter=role%3D%27student%27', FIXED);
    expect(raw.baseString).toBe(encoded.baseString);
    expect(raw.baseString).toContain('filter%3Drole%253D%2527student%2527');
  });
});

describe('rfc3986', () => {
  it('leaves only unreserved characters raw', () => {
    expect(rfc3986("a-b.c_d~e f!g*h'i(j)k/=&+%")).toBe('a-b.c_d~e%20f%21g%2Ah%27i%28j%29k%2F%3D%26%2B%25');
  });
});

describe('splitQuery', () => {
  it('decodes parameters, splitting at the first "=" and reading + as a space', () => {
    expect(splitQuery('https://h/p?a=1&filter=x%3D%271%27&b=c+d&b=e#frag')).toEqual({
      baseUrl: 'https://h/p',
      params: { a: '1', filter: "x='1'", b: ['c d', 'e'] },
    });
  });

  it('returns no parameters for a URL without a query', () => {
    expect(splitQuery('https://h/p')).toEqual({ baseUrl: 'https://h/p', params: {} });
  });
});
