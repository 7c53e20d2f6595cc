import { describe, expect, it } from 'vitest';
import { isRollcallError } from '../domain/errors.ts';
import { isHostAllowed, parseAllowedHosts, refuseUnlessAllowed } from './allowed-hosts.ts';

const allowed = (list: string, url: string) => isHostAllowed(parseAllowedHosts(list), new URL(url));

describe('ROLLCALL_ALLOWED_ROSTER_HOSTS', () => {
  it('reads exact hosts, *.domain and host:port, separated by commas or spaces, as the URL parser writes them', () => {
    expect(parseAllowedHosts(' SIS.Example.org, *.oneroster.com  10.0.0.5:8443,[2001:DB8::1]:443 bücher.example ')).toEqual([
      { host: 'sis.example.org', wildcard: false, port: null },
      { host: 'oneroster.com', wildcard: true, port: null },
      { host: '10.0.0.5', wildcard: false, port: 8443 },
      { host: '[2001:db8::1]', wildcard: false, port: 443 },
      { host: 'xn--bcher-kva.example', wildcard: false, port: null },
    ]);
  });

  it.each([
    ['', /lists no host/],
    ['*', /leave the variable unset/],
    ['https://sis.example.org', /without http:\/\//],
    ['sis.example.org/oneroster', /use host, \*\.domain or host:port/],
    ['user@sis.example.org', /use host/],
    ['sis.*.org', /use host/],
    ['*.10.0.0.5', /not an address/],
    ['sis.example.org:0', /a port is 1 to 65535/],
    ['sis.example.org:99999', /a port is 1 to 65535/],
    ['::1', /use host/],
  ])('refuses %j, saying why', (raw, why) => {
    expect(() => parseAllowedHosts(raw)).toThrow(why);
  });

  it('matches an exact host on any port, or on its port only', () => {
    expect(allowed('sis.example.org', 'https://sis.example.org/ims')).toBe(true);
    expect(allowed('sis.example.org', 'http://SIS.example.org.:8080/')).toBe(true);
    expect(allowed('sis.example.org', 'https://evil.sis.example.org/')).toBe(false);
    expect(allowed('sis.example.org', 'https://sis.example.org.evil.net/')).toBe(false);
    expect(allowed('sis.example.org:443', 'https://sis.example.org/')).toBe(true);
    expect(allowed('sis.example.org:443', 'http://sis.example.org/')).toBe(false);
    expect(allowed('sis.example.org:80', 'http://sis.example.org/')).toBe(true);
    expect(allowed('sis.example.org:8443', 'https://sis.example.org:8443/')).toBe(true);
    expect(allowed('sis.example.org:8443', 'https://sis.example.org:8444/')).toBe(false);
  });

  it('matches *.domain for hosts under it, never the domain itself or a look-alike', () => {
    expect(allowed('*.oneroster.com', 'https://district-ca-v2.oneroster.com/')).toBe(true);
    expect(allowed('*.oneroster.com', 'https://a.b.oneroster.com/')).toBe(true);
    expect(allowed('*.oneroster.com', 'https://oneroster.com/')).toBe(false);
    expect(allowed('*.oneroster.com', 'https://eviloneroster.com/')).toBe(false);
  });

  it('compares addresses as the URL parser writes them, so other spellings of an address cannot slip past', () => {
    expect(allowed('sis.example.org', 'http://0x7f.1/')).toBe(false);
    expect(allowed('127.0.0.1', 'http://0x7f.1/')).toBe(true);
    expect(allowed('127.0.0.1', 'http://2130706433:3000/')).toBe(true);
    expect(allowed('[::1]', 'http://[0:0::1]:3000/')).toBe(true);
  });

  it('allows everything without a list, and refuses in one line naming the setting', () => {
    expect(isHostAllowed(undefined, new URL('http://10.0.0.5/'))).toBe(true);
    expect(() => refuseUnlessAllowed(undefined, 'http://10.0.0.5/', 'roster URL')).not.toThrow();
    const list = parseAllowedHosts('*.example.org');
    let error: unknown;
    try {
      refuseUnlessAllowed(list, 'http://10.0.0.5/ims/oneroster/v1p1', 'roster URL');
    } catch (e) {
      error = e;
    }
    expect(isRollcallError(error, 'invalid_input')).toBe(true);
    expect((error as Error).message).toBe(
      'Roster URL host 10.0.0.5 is not allowed by ROLLCALL_ALLOWED_ROSTER_HOSTS; ask whoever runs this server.',
    );
    expect(() => refuseUnlessAllowed(list, 'http://10.0.0.5:8080/token', 'token URL', 'sis.example.org')).toThrow(
      'Token URL host 10.0.0.5:8080 (a redirect from sis.example.org) is not allowed by ROLLCALL_ALLOWED_ROSTER_HOSTS',
    );
  });
});
