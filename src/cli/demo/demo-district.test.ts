import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { RosterUser } from '../../domain/roster.ts';
import type { SchoolView } from '../../sources/schools.ts';
import { demoSites, existingPatronsCsv } from './demo-district.ts';

const school = (sourcedId: string, name: string): SchoolView => ({ sourcedId, name, identifier: '', status: 'active', siteCode: '' });

describe('demo district choices', () => {
  it('makes sites of the first schools by sourcedId, coded by initials, never twice the same code', () => {
    const sites = demoSites([
      school('org-3', 'Zeta School'),
      school('org-2', 'Cedar Ridge Elementary School'),
      school('org-1', 'Cedar Ridge Elementary School'),
    ]);
    expect(sites.map((s) => [s.code, s.school.sourcedId])).toEqual([
      ['CRES', 'org-1'],
      ['CRES2', 'org-2'],
    ]);
  });

  it("writes the library's existing patrons as an import file: by Student #, by email, and a community reader", () => {
    const user = (sourcedId: string, identifier: string, email: string) =>
      ({ sourcedId, identifier, email, givenName: 'Ann', familyName: "O'Neil, Jr" }) as RosterUser;
    const rows = parse(existingPatronsCsv([user('s1', '1001', 'a@x.org'), user('s2', '1002', 'b@x.org')], 'CRES')) as string[][];
    expect(rows[0]).toEqual(['1001', '1007', '1006', '1019', '1050', '1026', '1028', '1070']);
    expect(rows[1]!.slice(0, 5)).toEqual(['1001', 'Ann', "O'Neil, Jr", '', 'CRES']);
    expect(rows[2]!.slice(0, 5)).toEqual(['', 'Ann', "O'NEIL, JR", 'b@x.org', 'CRES']);
    expect(rows[3]![6]).toBe('Community');
  });
});
