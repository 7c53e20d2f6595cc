import { describe, expect, it } from 'vitest';
import { emptyPatronValues } from '../../domain/patron.ts';
import { PatronEditError, checkPatronEdit, fieldsSyncOverwrites, type EditContext } from './patron-edit.ts';

const context = (over: Partial<EditContext> = {}): EditContext => ({
  current: { ...emptyPatronValues(), firstName: 'Ava', lastName: "O'Brien", site: 'MHS', guid: 'g-1', notes: '' },
  siteCodes: new Set(['MHS', 'ELM']),
  mayChangeGuid: false,
  ...over,
});

function problems(input: Record<string, unknown>, over: Partial<EditContext> = {}): string[] {
  try {
    checkPatronEdit(input, context(over));
  } catch (e) {
    if (e instanceof PatronEditError) return e.problems.map((p) => `${p.key}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('checkPatronEdit', () => {
  it('keeps only the values that change, cleaned', () => {
    expect(
      checkPatronEdit(
        {
          firstName: 'Ava',
          lastName: " O'Brien-Lee\t",
          sex: 'FEMALE',
          otherEmails: 'a@x.org;b@x.org , ',
          status: '4',
          site: 'ELM',
          notes: ' line one\r\nline two\u0007 ',
          guid: 'g-1',
        },
        context(),
      ),
    ).toEqual({
      lastName: "O'Brien-Lee",
      sex: 'Female',
      otherEmails: 'a@x.org, b@x.org',
      status: 4,
      site: 'ELM',
      notes: 'line one\nline two',
    });
  });

  it('accepts blanks (a blank clears the field), but not a blank Status', () => {
    expect(checkPatronEdit({ site: '', email: '  ', birthdate: '' }, context())).toEqual({ site: '' });
    expect(problems({ status: '' })).toEqual([
      "status: Status must be a whole number (1 Active, 4 Transferred, or the library's own code).",
    ]);
  });

  it('says what is wrong with each value, and changes nothing', () => {
    expect(
      problems({
        birthdate: '2023-02-29',
        email: 'nope',
        sex: 'x',
        status: '1.5',
        site: 'OAK',
        otherEmails: 'a@x.org, b',
        level: 'x'.repeat(21),
        nickname: 7,
      }),
    ).toEqual([
      'birthdate: Birthdate must be a date written YYYY-MM-DD, like 2012-04-30 ("2023-02-29" is not).',
      'sex: Sex must be Male, Female, Other, Unspecified, or left blank.',
      'email: Email "nope" does not look like an email address (name@example.org).',
      'otherEmails: Other Emails: "b" does not look like an email address; separate addresses with commas.',
      'level: Level can hold at most 20 characters.',
      'site: There is no site with code "OAK" in this library; choose one of the sites, or none.',
      'status: Status must be a whole number (1 Active, 4 Transferred, or the library\'s own code), not "1.5".',
    ]);
    expect(problems({ status: 12345 })).toHaveLength(1);
    expect(problems({ firstName: { a: 1 } })).toEqual(['firstName: First Name must be text.']);
  });

  it('refuses an edit that leaves a patron with neither a first nor a last name', () => {
    const named = context();
    const { firstName, lastName } = named.current;
    expect(firstName !== '' && lastName !== '').toBe(true);
    expect(() => checkPatronEdit({ firstName: '', lastName: ' ' }, named)).toThrow(/needs a first or a last name/);
    expect(checkPatronEdit({ firstName: '' }, named)).toEqual({ firstName: '' });
    expect(checkPatronEdit({ lastName: '' }, named)).toEqual({ lastName: '' });
    // A record that already has no name (an import) can still be edited otherwise.
    const nameless = context({ current: { ...named.current, firstName: '', lastName: '' } });
    expect(checkPatronEdit({ phone: '555-0100' }, nameless)).toEqual({ phone: '555-0100' });
    expect(checkPatronEdit({ firstName: 'Sam' }, nameless)).toEqual({ firstName: 'Sam' });
  });

  it('refuses keys it does not know', () => {
    expect(problems({ firstname: 'x' })[0]).toMatch(/^firstname: There is no patron field "firstname"; the fields are guid, barcode/);
  });

  it('lets only an admin change the GUID; sending it unchanged is fine', () => {
    expect(problems({ guid: 'g-1' })).toEqual([]);
    expect(problems({ guid: 'g-2' })).toEqual(["guid: Only an admin can change a patron's GUID: it is how every sync finds the patron."]);
    expect(checkPatronEdit({ guid: ' g-2 ' }, context({ mayChangeGuid: true }))).toEqual({ guid: 'g-2' });
    expect(checkPatronEdit({ guid: '' }, context({ mayChangeGuid: true }))).toEqual({ guid: '' });
  });

  it('counts characters, not UTF-16 units, against the field length', () => {
    expect(problems({ level: '😀'.repeat(20) })).toEqual([]);
    expect(problems({ level: '😀'.repeat(21) })).toHaveLength(1);
  });
});

describe('fieldsSyncOverwrites', () => {
  it('is the default mapping and Status, plus Barcode, Community ID and Location when mapped', () => {
    const none = { barcode: { kind: 'none' as const }, communityId: { kind: 'none' as const }, location: 'none' as const };
    expect(fieldsSyncOverwrites(none)).toEqual([
      'firstName',
      'middleName',
      'lastName',
      'birthdate',
      'sex',
      'phone',
      'email',
      'additionalContact',
      'otherEmails',
      'level',
      'site',
      'status',
    ]);
    const all = fieldsSyncOverwrites({
      barcode: { kind: 'userid', type: 'Barcode' },
      communityId: { kind: 'identifier' },
      location: 'homeroom-code',
    });
    expect(all.slice(0, 2)).toEqual(['barcode', 'communityId']);
    expect(all).toContain('location');
    expect(all).not.toContain('guid');
    expect(all).not.toContain('policy');
  });
});
