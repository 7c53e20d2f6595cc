import { describe, expect, it } from 'vitest';
import { isRollcallError } from '../domain/errors.ts';
import { idMappingText, parseMapping, parseMappings, parseOnOff, parsePercent, parseRoles, parseWholeNumber } from './option-values.ts';

function usageError(work: () => unknown): string {
  try {
    work();
  } catch (e) {
    expect(isRollcallError(e, 'usage')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('option values', () => {
  it('reads --roles, once each, accepting staff/administrator for admin', () => {
    expect(parseRoles('student,teacher')).toEqual(['student', 'teacher']);
    expect(parseRoles(' Admin , student,admin')).toEqual(['admin', 'student']);
    expect(parseRoles('staff')).toEqual(['admin']);
    expect(usageError(() => parseRoles('parent'))).toContain('"parent" is not one of them');
    expect(usageError(() => parseRoles(' , '))).toContain('at least one');
  });

  it('reads --map assignments; a later one for the same field wins', () => {
    expect(parseMapping('barcode=identifier')).toEqual({ barcode: { kind: 'identifier' } });
    expect(parseMapping('community-id=userid:FED')).toEqual({ communityId: { kind: 'userid', type: 'FED' } });
    expect(parseMapping('barcode=USERNAME')).toEqual({ barcode: { kind: 'username' } });
    expect(parseMapping('location=homeroom-location')).toEqual({ location: 'homeroom-location' });
    expect(parseMappings(['barcode=none', 'location=none', 'barcode=username'])).toEqual({
      barcode: { kind: 'username' },
      location: 'none',
    });
    expect(usageError(() => parseMapping('barcode=bogus'))).toContain('"bogus"');
    expect(usageError(() => parseMapping('barcode=userid:'))).toContain('userid:TYPE');
    expect(usageError(() => parseMapping('location=room'))).toContain('homeroom-teacher');
    expect(usageError(() => parseMapping('shoe=9'))).toContain('"shoe=9"');
    expect(usageError(() => parseMapping('barcode'))).toContain('none, identifier');
  });

  it('reads on/off, percentages and whole numbers within bounds', () => {
    expect(parseOnOff('--sso', 'ON')).toBe(true);
    expect(parseOnOff('--sso', 'off')).toBe(false);
    expect(usageError(() => parseOnOff('--sso', 'maybe'))).toBe('--sso takes on or off, not "maybe".');
    expect(parsePercent('--max-update-pct', '12.5')).toBe(12.5);
    expect(parsePercent('--max-update-pct', '0')).toBe(0);
    for (const bad of ['', '-1', '101', 'ten']) expect(() => parsePercent('--x', bad)).toThrow(/percentage from 0 to 100/);
    expect(parseWholeNumber('--users', '250', 1, 1000)).toBe(250);
    for (const bad of ['0', '1001', '2.5', 'x'])
      expect(() => parseWholeNumber('--users', bad, 1, 1000)).toThrow(/whole number from 1 to 1000/);
  });

  it('writes a mapping back as the command line takes it', () => {
    expect(idMappingText({ kind: 'userid', type: 'LDAP' })).toBe('userid:LDAP');
    expect(idMappingText({ kind: 'none' })).toBe('none');
  });
});
