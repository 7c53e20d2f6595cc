import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { describe, expect, it } from 'vitest';
import {
  OAuth1Verifier,
  parseOAuthHeader,
  percentEncode,
  queryPairs,
  sign,
  signatureBaseString,
  type SignedRequest,
} from './oauth1-verify.ts';

// Known-answer vector of shared/reference/ONEROSTER.md §1.9 (gotranseo/oneroster tests).
const KAV = {
  baseUrl: 'https://test.com/ims/oneroster/v1p1/orgs',
  query: 'limit=100&offset=1515&filter=role%3D%27administrator%27%20OR%20role%3D%27student%27%20OR%20role%3D%27teacher%27',
  oauth: [
    ['oauth_consumer_key', 'client-id'],
    ['oauth_nonce', 'fake-nonce'],
    ['oauth_signature_method', 'HMAC-SHA256'],
    ['oauth_timestamp', '10000000'],
    ['oauth_version', '1.0'],
  ] as [string, string][],
  baseString:
    'GET&https%3A%2F%2Ftest.com%2Fims%2Foneroster%2Fv1p1%2Forgs&filter%3Drole%253D%2527administrator%2527%2520OR%2520role%253D%2527student%2527%2520OR%2520role%253D%2527teacher%2527%26limit%3D100%26oauth_consumer_key%3Dclient-id%26oauth_nonce%3Dfake-nonce%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D10000000%26oauth_version%3D1.0%26offset%3D1515',
  signature: '03DqhuWFnTlc3WxDYEOVKYxM5xQyRGfJ4x6zqQjYQnM=',
};

describe('signature base string and signature', () => {
  it('reproduces the known-answer vector', () => {
    const params = [...queryPairs(KAV.query)!, ...KAV.oauth];
    const base = signatureBaseString('GET', KAV.baseUrl, params);
    expect(base).toBe(KAV.baseString);
    expect(sign('HMAC-SHA256', base, 'client-secret')).toBe(KAV.signature);
  });

  it('percent-encodes as RFC 3986 (unreserved characters only left as they are)', () => {
    expect(percentEncode("a b'!*()~-._")).toBe('a%20b%27%21%2A%28%29~-._');
    expect(percentEncode('é/=&+')).toBe('%C3%A9%2F%3D%26%2B');
  });

  it('reads a query as form data: + is a space, raw = inside values is kept', () => {
    expect(queryPairs("filter=role='student'&a=b+c&flag")).toEqual([
      ['filter', "role='student'"],
      ['a', 'b c'],
      ['flag', ''],
    ]);
    expect(queryPairs('bad=%E0%A4%A')).toBeNull();
  });

  it('sorts parameters by encoded name, then value', () => {
    const base = signatureBaseString('get', 'http://h/p', [
      ['b', '2'],
      ['a', '2'],
      ['a', '1'],
    ]);
    expect(base).toBe('GET&http%3A%2F%2Fh%2Fp&a%3D1%26a%3D2%26b%3D2');
  });
});

describe('parseOAuthHeader', () => {
  it('reads OAuth k="v" pairs, decoding values and dropping realm', () => {
    const p = parseOAuthHeader('OAuth realm="x", oauth_consumer_key="k%20y", oauth_signature="a%2Bb%3D"');
    expect(p && Object.fromEntries(p)).toEqual({ oauth_consumer_key: 'k y', oauth_signature: 'a+b=' });
  });

  it('accepts the "OAuth, " prefix of ClassLink\'s .NET library and commas without spaces', () => {
    const p = parseOAuthHeader('OAuth, oauth_nonce="n",oauth_timestamp="1"');
    expect(p && Object.fromEntries(p)).toEqual({ oauth_nonce: 'n', oauth_timestamp: '1' });
  });

  it('refuses other schemes and malformed pairs', () => {
    expect(parseOAuthHeader('Bearer abc')).toBeNull();
    expect(parseOAuthHeader('OAuth oauth_nonce=unquoted')).toBeNull();
  });
});

const KEY = 'consumer-key';
const SECRET = 'consumer secret&with=odd chars';
const NOW = new Date('2026-11-01T12:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const URL_BASE = 'http://127.0.0.1:4000/ims/oneroster/v1p1/users';

function verifier(): OAuth1Verifier {
  return new OAuth1Verifier({ secretOf: (k) => (k === KEY ? SECRET : undefined), maxClockSkewSeconds: 300, now: () => NOW });
}

/** A request signed by the oauth-1.0a package (always with oauth_version). */
function packageSigned(method: 'HMAC-SHA1' | 'HMAC-SHA256', query: string, secret = SECRET): SignedRequest {
  const oauth = new OAuth({
    consumer: { key: KEY, secret },
    signature_method: method,
    hash_function: (b, k) =>
      createHmac(method === 'HMAC-SHA1' ? 'sha1' : 'sha256', k)
        .update(b)
        .digest('base64'),
  });
  const request = { url: `${URL_BASE}?${query}`, method: 'GET' };
  // The package stamps the real time; re-sign at the verifier's fixed clock.
  const { oauth_signature: _, ...unsigned } = oauth.authorize(request);
  const data = { ...unsigned, oauth_timestamp: NOW_S, oauth_signature: '' };
  data.oauth_signature = oauth.getSignature(request, '', { ...unsigned, oauth_timestamp: NOW_S } as OAuth.Data);
  return { method: 'GET', baseUrl: URL_BASE, rawQuery: query, authorization: oauth.toHeader(data).Authorization };
}

/** A request signed without oauth_version, header built by hand (as ClassLink's libraries do). */
function versionless(timestamp: number, nonce: string, signature?: string): SignedRequest {
  const oauth: [string, string][] = [
    ['oauth_consumer_key', KEY],
    ['oauth_nonce', nonce],
    ['oauth_signature_method', 'HMAC-SHA256'],
    ['oauth_timestamp', String(timestamp)],
  ];
  const query = 'limit=5&filter=role%3D%27student%27';
  const sig = signature ?? sign('HMAC-SHA256', signatureBaseString('GET', URL_BASE, [...queryPairs(query)!, ...oauth]), SECRET);
  const header = `OAuth ${[...oauth, ['oauth_signature', sig]].map(([k, v]) => `${k}="${encodeURIComponent(v!)}"`).join(',')}`;
  return { method: 'GET', baseUrl: URL_BASE, rawQuery: query, authorization: header };
}

describe('OAuth1Verifier', () => {
  it('accepts HMAC-SHA256 and HMAC-SHA1 signed by the oauth-1.0a package, query parameters included', () => {
    const v = verifier();
    const q = `limit=10000&offset=0&filter=${encodeURIComponent("dateLastModified>'2026-01-01T00:00:00Z'")}`;
    expect(v.verify(packageSigned('HMAC-SHA256', q))).toEqual({ ok: true, consumerKey: KEY });
    expect(v.verify(packageSigned('HMAC-SHA1', q))).toEqual({ ok: true, consumerKey: KEY });
  });

  it('accepts a request without oauth_version', () => {
    expect(verifier().verify(versionless(NOW_S, 'abcdefghij')).ok).toBe(true);
  });

  it('refuses a signature made over other query parameters', () => {
    const signed = packageSigned('HMAC-SHA256', 'limit=10');
    expect(verifier().verify({ ...signed, rawQuery: 'limit=11' })).toEqual({ ok: false, reason: 'the signature does not match' });
  });

  it('refuses a signature made with the wrong secret', () => {
    expect(verifier().verify(packageSigned('HMAC-SHA256', 'limit=1', 'wrong')).ok).toBe(false);
  });

  it('refuses timestamps beyond the allowed skew, either way', () => {
    expect(verifier().verify(versionless(NOW_S - 301, 'n1'))).toMatchObject({ ok: false, reason: expect.stringMatching(/too far/) });
    expect(verifier().verify(versionless(NOW_S + 301, 'n2')).ok).toBe(false);
    expect(verifier().verify(versionless(NOW_S - 299, 'n3')).ok).toBe(true);
  });

  it('refuses a replayed nonce', () => {
    const v = verifier();
    const request = versionless(NOW_S, 'same-nonce');
    expect(v.verify(request).ok).toBe(true);
    expect(v.verify(request)).toEqual({ ok: false, reason: 'the nonce was already used' });
  });

  it('refuses an unknown consumer key, a missing header and unsupported methods', () => {
    const request = versionless(NOW_S, 'n4');
    const v = verifier();
    expect(v.verify({ ...request, authorization: request.authorization!.replace(KEY, 'other') })).toMatchObject({
      ok: false,
      reason: 'the consumer key is not known',
    });
    expect(v.verify({ ...request, authorization: undefined }).ok).toBe(false);
    expect(v.verify({ ...request, authorization: request.authorization!.replace('HMAC-SHA256', 'PLAINTEXT') }).ok).toBe(false);
  });
});
