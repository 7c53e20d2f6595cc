import { describe, expect, it } from 'vitest';
import { normaliseSchoolName, suggestMatches } from './site-suggestions.ts';

describe('site mapping suggestions', () => {
  it('normalises names: case, accents, punctuation, abbreviations, words like School or Library', () => {
    expect(normaliseSchoolName("St. Mary's Elementary School")).toBe('saint marys elementary');
    expect(normaliseSchoolName('Saint Marys Elem. Library')).toBe('saint marys elementary');
    expect(normaliseSchoolName('ÉCOLE Pérez  Middle')).toBe('ecole perez middle');
    expect(normaliseSchoolName('Maple HS')).toBe(normaliseSchoolName('Maple High School'));
    expect(normaliseSchoolName('The Library')).toBe('');
  });

  it('suggests an unmatched site for an unmatched school of the same name', () => {
    const sites = [
      { code: 'ES', name: 'St Marys Elementary Library', orgSourcedId: '' },
      { code: 'MS', name: 'Ellen Ochoa Middle', orgSourcedId: '' },
      { code: 'HS', name: 'Somewhere Else', orgSourcedId: '' },
    ];
    const schools = [
      { sourcedId: 'org-1', name: "St. Mary's Elementary School", siteCode: '' },
      { sourcedId: 'org-2', name: 'Ellen Ochoa Middle School', siteCode: '' },
      { sourcedId: 'org-3', name: 'Thurgood Marshall High School', siteCode: '' },
    ];
    expect([...suggestMatches(sites, schools)]).toEqual([
      ['ES', 'org-1'],
      ['MS', 'org-2'],
    ]);
  });

  it('suggests nothing for matched sites or schools, or when a name is ambiguous', () => {
    const schools = [
      { sourcedId: 'org-1', name: 'Lincoln School', siteCode: '' },
      { sourcedId: 'org-2', name: 'Lincoln', siteCode: '' },
      { sourcedId: 'org-3', name: 'Oak', siteCode: 'OAK' },
      { sourcedId: 'org-4', name: 'Pine', siteCode: '' },
    ];
    const sites = [
      { code: 'LIN', name: 'Lincoln Library', orgSourcedId: '' },
      { code: 'OAK2', name: 'Oak', orgSourcedId: '' },
      { code: 'PINE', name: 'Pine', orgSourcedId: 'org-9' },
      { code: 'X', name: 'Library', orgSourcedId: '' },
      { code: 'Y', name: 'School', orgSourcedId: '' },
    ];
    expect(suggestMatches(sites, schools).size).toBe(0);
  });
});
