import { describe, expect, it } from 'vitest';
import { emptyPatronValues, type Patron } from './patron.ts';
import { KOHA_COLUMNS, kohaCells, kohaSex } from './koha.ts';

/**
 * Koha's borrowers columns, copied from Koha's own source: the `add_columns` list of
 * Koha-Community/Koha `Koha/Schema/Result/Borrower.pm` (the table `Koha::Patrons->columns`
 * returns, which `Koha::Patrons::Import::set_column_keys` uses as the import's column names,
 * less `borrowernumber`), plus `middle_name`, added to `borrowers` by Koha's database update for
 * bug 21978 (`installer/data/mysql/atomicupdate`, "Add middle_name to borrowers table").
 */
// biome-ignore format: one Koha column list, as Koha declares it
const KOHA_BORROWERS_COLUMNS = [
  'cardnumber', 'surname', 'firstname', 'title', 'othernames', 'initials', 'streetnumber', 'streettype', 'address',
  'address2', 'city', 'state', 'zipcode', 'country', 'email', 'phone', 'mobile', 'fax', 'emailpro', 'phonepro',
  'B_streetnumber', 'B_streettype', 'B_address', 'B_address2', 'B_city', 'B_state', 'B_zipcode', 'B_country', 'B_email',
  'B_phone', 'dateofbirth', 'branchcode', 'categorycode', 'dateenrolled', 'dateexpiry', 'gonenoaddress', 'lost',
  'debarred', 'debarredcomment', 'contactname', 'contactfirstname', 'contacttitle', 'guarantorid', 'borrowernotes',
  'relationship', 'sex', 'password', 'flags', 'userid', 'opacnote', 'contactnote', 'sort1', 'sort2',
  'altcontactfirstname', 'altcontactsurname', 'altcontactaddress1', 'altcontactaddress2', 'altcontactaddress3',
  'altcontactstate', 'altcontactzipcode', 'altcontactcountry', 'altcontactphone', 'smsalertnumber', 'privacy',
  'privacy_guarantor_checkouts', 'middle_name',
];

function patron(values: Partial<Patron>): Patron {
  return { ...emptyPatronValues(), id: 1, guidSource: null, matchedBy: null, ...values };
}

describe("Koha's patron import columns", () => {
  it('are all Koha borrowers columns (Koha/Schema/Result/Borrower.pm), with the three Koha requires', () => {
    const names = KOHA_COLUMNS.map((c) => c.name);
    for (const name of names) expect(KOHA_BORROWERS_COLUMNS, name).toContain(name);
    expect(new Set(names).size).toBe(names.length);
    // Koha::Patrons::Import refuses a row without these (surname is its one "critical"; branchcode and categorycode are checked).
    expect(names).toEqual(expect.arrayContaining(['cardnumber', 'surname', 'branchcode', 'categorycode']));
  });

  it("write a patron's values under them, with the library's codes", () => {
    const p = patron({
      barcode: 'B1',
      lastName: 'Okafor',
      firstName: 'Adébáyọ̀',
      middleName: 'K',
      birthdate: '2012-04-05',
      sex: 'Female',
      email: 'a@x.org',
      phone: '+1 555 0100',
      site: 'MHS',
      policy: 'Student',
      level: '07',
      location: 'Room 12',
    });
    const codes = { branches: new Map([['MHS', 'MAIN']]), categories: new Map([['Student', 'ST']]) };
    const row = Object.fromEntries(KOHA_COLUMNS.map((c, i) => [c.name, kohaCells(p, codes)[i]]));
    expect(row).toEqual({
      cardnumber: 'B1',
      surname: 'Okafor',
      firstname: 'Adébáyọ̀',
      middle_name: 'K',
      dateofbirth: '2012-04-05',
      sex: 'F',
      email: 'a@x.org',
      phone: '+1 555 0100',
      branchcode: 'MAIN',
      categorycode: 'ST',
      sort1: '07',
      sort2: 'Room 12',
    });
    expect([kohaSex('Male'), kohaSex('Other'), kohaSex('Unspecified'), kohaSex('')]).toEqual(['M', '', '', '']);
  });
});
