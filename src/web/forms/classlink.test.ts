import { describe, expect, it } from 'vitest';
import { checked, connectRequestOf, fieldMappingFormOf, optionsPatchOf, rolesOf } from './classlink.ts';

describe('ClassLink forms and API bodies', () => {
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

  it('reads roles, once each, and refuses none or an unknown one', () => {
    expect(rolesOf(['student', 'admin', 'student'])).toEqual(['student', 'admin']);
    expect(rolesOf('Teacher')).toEqual(['teacher']);
    expect(rolesOf(['staff'])).toEqual(['admin']);
    expect(() => rolesOf(undefined)).toThrow(/Choose at least one role/);
    expect(() => rolesOf(['parent'])).toThrow(/"parent" is not a role/);
  });

  it('reads the Field Mapping form; an unticked sign-in box is off', () => {
    expect(
      fieldMappingFormOf({
        barcode: 'userid',
        barcodeType: ' FED ',
        communityId: 'username',
        location: 'homeroom-code',
        maxTransferPct: '2.5',
        maxUpdatePct: '0',
      }),
    ).toEqual({
      barcode: { kind: 'userid', type: 'FED' },
      communityId: { kind: 'username' },
      location: 'homeroom-code',
      maxTransferPct: 2.5,
      maxUpdatePct: 0,
      sso: false,
    });
    expect(
      fieldMappingFormOf({ barcode: 'none', communityId: 'none', location: 'none', maxTransferPct: '10', maxUpdatePct: '50', sso: 'on' })
        .sso,
    ).toBe(true);
    expect(() => fieldMappingFormOf({ barcode: 'userid', maxTransferPct: '1', maxUpdatePct: '1' })).toThrow(
      /Barcode from userIds needs the identifier type/,
    );
    expect(() => fieldMappingFormOf({ communityId: 'email', maxTransferPct: '1', maxUpdatePct: '1' })).toThrow(
      /Community ID can come from/,
    );
    expect(() => fieldMappingFormOf({ maxTransferPct: '', maxUpdatePct: '1' })).toThrow(/percentage from 0 to 100/);
    expect(() => fieldMappingFormOf({ maxTransferPct: '1', maxUpdatePct: '101' })).toThrow(/percentage from 0 to 100/);
  });

  it('reads a PATCH of options: only what is given', () => {
    expect(optionsPatchOf({})).toEqual({});
    expect(
      optionsPatchOf({ mapping: { communityId: { kind: 'userid', type: 'SIS' } }, thresholds: { maxTransferPct: 3 }, sso: true }),
    ).toEqual({
      communityId: { kind: 'userid', type: 'SIS' },
      maxTransferPct: 3,
      sso: true,
    });
    expect(() => optionsPatchOf({ sso: 'yes' })).toThrow(/sso is true or false/);
    expect(() => optionsPatchOf({ mapping: 'x' })).toThrow(/an object was expected/);
  });

  it('reads checkboxes', () => {
    expect(checked('on')).toBe(true);
    expect(checked(['false', 'true'])).toBe(true);
    expect(checked(undefined)).toBe(false);
    expect(checked('')).toBe(false);
  });
});
