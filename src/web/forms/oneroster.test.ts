import { describe, expect, it } from 'vitest';
import { RollcallError } from '../../domain/errors.ts';
import { oneRosterRequestOf, scopesOf } from './oneroster.ts';

const base = { baseUrl: 'https://sis.example.org', version: '1.2', clientId: 'id', clientSecret: 's3cret' };

function refusal(body: Record<string, unknown>): string {
  try {
    oneRosterRequestOf(body);
  } catch (e) {
    expect(e).toBeInstanceOf(RollcallError);
    return (e as Error).message;
  }
  throw new Error('not refused');
}

describe('oneRosterRequestOf', () => {
  it('reads a 1.2 OAuth 2 form, with the token URL, scopes and client auth', () => {
    expect(
      oneRosterRequestOf({ ...base, tokenUrl: 'https://sis.example.org/token', scopes: 'core, demographics', clientAuth: 'post' }),
    ).toEqual({
      ...base,
      auth: 'oauth2',
      tokenUrl: 'https://sis.example.org/token',
      scopes: ['core', 'demographics'],
      clientAuth: 'post',
    });
  });
  it('defaults 1.1 to OAuth 1.0a and ignores the OAuth 2 fields then', () => {
    expect(oneRosterRequestOf({ ...base, version: '1.1', tokenUrl: 'https://x.org/t' })).toEqual({
      ...base,
      version: '1.1',
      auth: 'oauth1',
    });
  });
  it('refuses each missing or wrong value with a sentence naming the field', () => {
    expect(refusal({ ...base, baseUrl: '' })).toMatch(/server base URL/);
    expect(refusal({ ...base, baseUrl: 'not a url' })).toMatch(/not a web address/);
    expect(refusal({ ...base, version: '2.0' })).toMatch(/1\.1 or 1\.2/);
    expect(refusal({ ...base, auth: 'oauth1' })).toMatch(/1\.2 servers use OAuth 2/);
    expect(refusal({ ...base, clientId: ' ' })).toMatch(/client id/);
    expect(refusal({ ...base, clientSecret: '' })).toMatch(/client secret/);
    expect(refusal({ ...base, tokenUrl: 'ftp://x' })).toMatch(/token URL must start/);
    expect(refusal({ ...base, clientAuth: 'header' })).toMatch(/HTTP Basic or in the form/);
  });
  it('reads scopes typed with spaces or commas, or as a JSON list, and refuses a quote', () => {
    expect(scopesOf('a b,c')).toEqual(['a', 'b', 'c']);
    expect(scopesOf(['core', ' '])).toEqual(['core']);
    expect(() => scopesOf('a"b')).toThrow(/not a scope/);
  });
});
