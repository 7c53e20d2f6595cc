import { describe, expect, it } from 'vitest';
import { ONEROSTER_SCOPES } from '../../oneroster/oauth2.ts';
import { expandScopes, resolveConnection, type OneRosterConnectRequest } from './connect.ts';

const base: OneRosterConnectRequest = {
  baseUrl: 'https://sis.example.org/ims/oneroster/rostering/v1p2/',
  version: '1.2',
  clientId: ' id ',
  clientSecret: 's3cret',
};
const S = ONEROSTER_SCOPES;

describe('resolveConnection', () => {
  it('1.2: OAuth 2, the token URL under the base, roster-core and roster-demographics, HTTP Basic', () => {
    expect(resolveConnection(base)).toEqual({
      baseUrl: 'https://sis.example.org',
      version: '1.2',
      auth: 'oauth2',
      clientId: 'id',
      tokenUrl: 'https://sis.example.org/oauth/token',
      scopes: [S['1.2'].core, S['1.2'].demographics],
      clientAuth: 'basic',
    });
  });

  it('1.1: OAuth 1.0a unless a token URL (or --auth oauth2) says OAuth 2, with the 1.1 scopes', () => {
    expect(resolveConnection({ ...base, baseUrl: 'https://sis.example.org/ims/oneroster/v1p1', version: '1.1' })).toMatchObject({
      auth: 'oauth1',
      tokenUrl: '',
      scopes: [],
    });
    expect(
      resolveConnection({ ...base, version: '1.1', tokenUrl: 'https://id.example.org/connect/token', clientAuth: 'post' }),
    ).toMatchObject({
      auth: 'oauth2',
      tokenUrl: 'https://id.example.org/connect/token',
      scopes: [S['1.1'].core, S['1.1'].demographics],
      clientAuth: 'post',
    });
    expect(resolveConnection({ ...base, version: '1.1', auth: 'oauth2' })).toMatchObject({
      auth: 'oauth2',
      tokenUrl: 'https://sis.example.org/oauth/token',
    });
  });

  it('refuses what cannot work, naming the option', () => {
    const usage = (r: Partial<OneRosterConnectRequest>, text: string) =>
      expect(() => resolveConnection({ ...base, ...r })).toThrow(
        expect.objectContaining({ kind: 'usage', message: expect.stringContaining(text) }),
      );
    usage({ auth: 'oauth1' }, 'OneRoster 1.2 servers use OAuth 2');
    usage({ version: '1.1', auth: 'oauth1', scopes: ['core'] }, '--token-url, --scopes and --client-auth are for OAuth 2');
    usage({ clientId: '  ' }, '--client-id must not be empty');
    usage({ clientSecret: '' }, '--client-secret must not be empty');
    usage({ tokenUrl: 'ftp://x/token' }, '--token-url must start with https://');
    usage({ tokenUrl: 'not a url' }, '--token-url is not a valid address');
    expect(() => resolveConnection({ ...base, baseUrl: 'sis' })).toThrow(expect.objectContaining({ kind: 'config_invalid' }));
  });
});

describe('expandScopes', () => {
  it('expands short names for the version, keeps URIs, drops repeats and blanks', () => {
    expect(expandScopes(['core', 'Roster', '', S['1.2'].core, 'https://example.org/x'], '1.2')).toEqual([
      S['1.2'].core,
      S['1.2'].roster,
      'https://example.org/x',
    ]);
    expect(expandScopes(['demographics'], '1.1')).toEqual([S['1.1'].demographics]);
  });

  it('refuses an empty list or a value with spaces or quotes', () => {
    expect(() => expandScopes([' ', ''], '1.2')).toThrow(expect.objectContaining({ kind: 'usage' }));
    expect(() => expandScopes(['a"b'], '1.2')).toThrow(expect.objectContaining({ kind: 'usage' }));
  });
});
