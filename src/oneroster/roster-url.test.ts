import { describe, expect, it } from 'vitest';
import { encodePath, parseRosterBaseUrl, requestUrl, rosterBase } from './roster-url.ts';

describe('rosterBase', () => {
  it('cuts /ims/oneroster/v1p1 and trailing slashes', () => {
    expect(rosterBase(' https://d-vn-v2.oneroster.com/ims/oneroster/v1p1/ ')).toBe('https://d-vn-v2.oneroster.com');
    expect(rosterBase('https://proxy.example/App%3D/')).toBe('https://proxy.example/App%3D');
    expect(rosterBase('')).toBe('');
  });

  it('cuts OneRoster 1.2 rostering path too', () => {
    expect(rosterBase('https://sis.example/district/ims/oneroster/rostering/v1p2/')).toBe('https://sis.example/district');
  });
});

describe('parseRosterBaseUrl', () => {
  it('keeps a path prefix, percent-encoded as given, and names the host', () => {
    expect(parseRosterBaseUrl('https://oneroster-proxy.classlink.io/MoYPlyQWmG0%3D')).toEqual({
      base: 'https://oneroster-proxy.classlink.io/MoYPlyQWmG0%3D',
      host: 'oneroster-proxy.classlink.io',
    });
  });

  it('drops a query and fragment', () => {
    expect(parseRosterBaseUrl('http://127.0.0.1:8080/ims/oneroster/v1p1?x=1#y').base).toBe('http://127.0.0.1:8080');
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => parseRosterBaseUrl('ftp://x')).toThrow(expect.objectContaining({ kind: 'config_invalid' }));
    expect(() => parseRosterBaseUrl('sandbox')).toThrow(expect.objectContaining({ kind: 'config_invalid' }));
  });
});

describe('requestUrl', () => {
  it('encodes path segments and parameters as RFC 3986, skipping empty ones', () => {
    expect(encodePath('/schools/a b/students/')).toBe('schools/a%20b/students');
    expect(
      requestUrl('https://h/ims/oneroster/v1p1', 'users', { limit: '10', sort: undefined, filter: "role='student'", fields: '' }),
    ).toBe('https://h/ims/oneroster/v1p1/users?limit=10&filter=role%3D%27student%27');
  });
});
