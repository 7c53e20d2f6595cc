import { describe, expect, it } from 'vitest';
import { connectRequest } from './classlink.ts';
import { optionsChange } from './source-commands.ts';

describe('classlink command lines', () => {
  it('makes one connection mode of the configure options', () => {
    expect(connectRequest({ tenantId: '42' })).toEqual({ mode: 'partner', tenantId: 42 });
    expect(connectRequest({ rosterUrl: 'https://x', clientId: 'k', clientSecret: 's' })).toEqual({
      mode: 'direct',
      rosterUrl: 'https://x',
      clientId: 'k',
      clientSecret: 's',
    });
    expect(connectRequest({ rosterUrl: 'https://x/app', bearer: 't' })).toEqual({ mode: 'proxy', rosterUrl: 'https://x/app', bearer: 't' });
  });

  it('calls anything else bad usage, saying what is missing', () => {
    expect(() => connectRequest({})).toThrow(/Give one of/);
    expect(() => connectRequest({ tenantId: '1', bearer: 't' })).toThrow(/Give one of/);
    expect(() => connectRequest({ tenantId: 'x' })).toThrow(/--tenant-id takes a whole number/);
    expect(() => connectRequest({ tenantId: '1', rosterUrl: 'u' })).toThrow(/leave out --roster-url/);
    expect(() => connectRequest({ clientId: 'k', clientSecret: 's' })).toThrow(/--roster-url is needed/);
    expect(() => connectRequest({ rosterUrl: 'u', clientId: 'k' })).toThrow(/both --client-id and --client-secret/);
  });

  it('reads the options flags; none means show', () => {
    expect(optionsChange({ map: [] })).toEqual({});
    expect(optionsChange({ roles: 'teacher', sso: 'off', maxTransferPct: '3', map: ['location=homeroom-code'] })).toEqual({
      roles: ['teacher'],
      sso: false,
      maxTransferPct: 3,
      location: 'homeroom-code',
    });
  });
});
