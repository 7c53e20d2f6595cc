import { describe, expect, it } from 'vitest';
import { emptyPatronValues, type Patron } from '../../domain/patron.ts';
import { csvCell } from '../../csv/csv-write.ts';
import { csvHeader, csvLine, exportedPatron } from './export-patrons.ts';

function patron(values: Partial<Patron>): Patron {
  return { ...emptyPatronValues(), id: 1, guidSource: null, matchedBy: null, ...values };
}

describe('patron export shapes', () => {
  it('heads the CSV with the field numbers of SPEC §1.2, then Policy', () => {
    expect(csvHeader()).toBe('1200,1000,1001,1007,1008,1006,1045,1032,1017,1019,1049,1054,1004,1010,1050,1026,1028');
  });

  it('writes the JSON keys in the contract order with status as a number, never the nickname', () => {
    const p = exportedPatron(patron({ guid: 'g', firstName: 'Ann', status: 4, nickname: 'Annie', policy: 'Student' }));
    expect(Object.keys(p)).toEqual([
      'guid',
      'barcode',
      'communityId',
      'firstName',
      'middleName',
      'lastName',
      'birthdate',
      'sex',
      'phone',
      'email',
      'additionalContact',
      'otherEmails',
      'location',
      'level',
      'site',
      'status',
      'policy',
    ]);
    expect(p.status).toBe(4);
    expect(JSON.stringify(p)).not.toContain('Annie');
  });

  it('quotes CSV cells only when they need it', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' edge')).toBe('" edge"');
    expect(csvLine(patron({ guid: 'g', otherEmails: 'a@x.org, b@x.org', status: 1 }))).toBe('g,,,,,,,,,,,"a@x.org, b@x.org",,,,1,');
  });
});
