import { describe, expect, it } from 'vitest';
import { isRollcallError } from '../../domain/errors.ts';
import { importColumns, importRow, type RowContext } from './import-row.ts';

const ctx = (): RowContext => ({ siteCodes: new Set(['MHS']), guids: new Set(['taken']) });

describe('patron import rows', () => {
  it('reads headers by number, label, key or librarian name', () => {
    expect(importColumns(['1200', 'First Name', 'lastName', 'Student #', ' grade ']).map((f) => f.key)).toEqual([
      'guid',
      'firstName',
      'lastName',
      'communityId',
      'level',
    ]);
  });

  it('refuses unknown, repeated or missing columns for the whole file', () => {
    expect(() => importColumns(['1200', 'Shoe', 'Hat'])).toThrow(/not patron fields: "Shoe", "Hat"/);
    expect(() => importColumns(['1007', 'First Name'])).toThrow(/First Name \(1007\) twice/);
    try {
      importColumns(['']);
    } catch (e) {
      expect(isRollcallError(e, 'invalid_input')).toBe(true);
    }
  });

  it('turns a row into an unowned patron with cleaned values; status defaults to 1', () => {
    const columns = importColumns(['GUID', 'First Name', 'Sex', 'Site', 'Status', 'Birthdate', 'Policy']);
    const out = importRow([' g-1 ', 'Ann\tMarie', 'FEMALE', 'MHS', '', '2012-02-29', 'Student'], columns, ctx());
    expect(out).toEqual({
      ok: true,
      patron: expect.objectContaining({
        guid: 'g-1',
        firstName: 'Ann Marie',
        sex: 'Female',
        site: 'MHS',
        status: 1,
        birthdate: '2012-02-29',
        policy: 'Student',
        guidSource: null,
        matchedBy: null,
      }),
    });
    const short = importRow(['g-2', 'Bo'], columns, ctx());
    expect(short.ok && short.patron.status).toBe(1);
  });

  it('rejects a row with the reason: site, GUID, dates, sex, email, status, length, cell count', () => {
    const columns = importColumns(['1200', '1050', '1026', '1045', '1032', '1019', '1007']);
    const reason = (cells: string[], c = ctx()) => {
      const out = importRow(cells, columns, c);
      return out.ok ? 'accepted' : out.message;
    };
    expect(reason(['', 'XX', '1', '', '', '', ''])).toMatch(/no site with code "XX"/);
    expect(reason(['taken', '', '1', '', '', '', ''])).toMatch(/already has the GUID "taken"/);
    expect(reason(['', '', '1', '2011-02-30', '', '', ''])).toMatch(/Birthdate must be a real date/);
    expect(reason(['', '', '1', '', 'M', '', ''])).toMatch(/Sex must be Male, Female/);
    expect(reason(['', '', '1', '', '', 'not-an-email', ''])).toMatch(/does not look like an email/);
    expect(reason(['', '', 'Active', '', '', '', ''])).toMatch(/Status must be a number/);
    expect(reason(['', '', '12345', '', '', '', ''])).toMatch(/Status must be a number/);
    expect(reason(['', '', '2', '', '', '', 'x'.repeat(101)])).toMatch(/First Name is longer than 100/);
    expect(reason(['', '', '1', '', '', '', '', 'extra'])).toMatch(/8 values but the header has 7/);
    expect(reason(['', '', '7', '', '', '', 'Ok'])).toBe('accepted');
  });

  it('rejects the second row of a file that repeats a GUID', () => {
    const columns = importColumns(['GUID']);
    const c = ctx();
    expect(importRow(['dup'], columns, c).ok).toBe(true);
    expect(importRow(['dup'], columns, c)).toEqual({ ok: false, message: 'another patron already has the GUID "dup"' });
  });
});
