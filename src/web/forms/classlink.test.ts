import { describe, expect, it } from 'vitest';
import { connectRequestOf } from './classlink.ts';

describe('ClassLink connection form and API body', () => {
  it('reads the three connection modes, by mode or by the fields given', () => {
    expect(connectRequestOf({ mode: 'partner', tenantId: ' 1234 ' })).toEqual({ mode: 'partner', tenantId: 1234 });
    expect(connectRequestOf({ tenantId: 77 })).toEqual({ mode: 'partner', tenantId: 77 });
    expect(connectRequestOf({ rosterUrl: 'https://r.example', clientId: 'k', clientSecret: 's' })).toEqual({
      mode: 'direct',
      rosterUrl: 'https://r.example',
      clientId: 'k',
      clientSecret: 's',
    });
    expect(connectRequestOf({ mode: 'proxy', rosterUrl: 'https://p.example/app', bearer: 't' })).toEqual({
      mode: 'proxy',
      rosterUrl: 'https://p.example/app',
      bearer: 't',
    });
  });

  it('refuses a connection with one sentence naming what the page calls the field', () => {
    expect(() => connectRequestOf({})).toThrow(/Give a Tenant ID/);
    expect(() => connectRequestOf({ mode: 'partner', tenantId: '' })).toThrow(/Enter the district's ClassLink Tenant ID/);
    expect(() => connectRequestOf({ mode: 'partner', tenantId: '0' })).toThrow(/whole number/);
    expect(() => connectRequestOf({ mode: 'partner', tenantId: '99999999999' })).toThrow(/whole number/);
    expect(() => connectRequestOf({ mode: 'direct', rosterUrl: 'https://r.example', clientId: 'k' })).toThrow(
      /OAuth key and the OAuth secret/,
    );
    expect(() => connectRequestOf({ mode: 'direct', rosterUrl: 'not a url', clientId: 'k', clientSecret: 's' })).toThrow(
      /is not a web address/,
    );
    expect(() => connectRequestOf({ mode: 'proxy', rosterUrl: 'ftp://p.example', bearer: 't' })).toThrow(/must start with https:\/\//);
    expect(() => connectRequestOf({ mode: 'proxy', rosterUrl: 'https://p.example' })).toThrow(/bearer token/);
    for (const bad of [{}, { mode: 'partner', tenantId: 'x' }]) {
      try {
        connectRequestOf(bad);
      } catch (e) {
        expect(String((e as Error).message)).not.toMatch(/--/);
      }
    }
  });
});
