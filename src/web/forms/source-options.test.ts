import { describe, expect, it } from 'vitest';
import { fieldMappingFormOf, optionsPatchOf, rolesOf } from './source-options.ts';

describe('Syncing and Field Mapping forms and the options API body', () => {
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
});
