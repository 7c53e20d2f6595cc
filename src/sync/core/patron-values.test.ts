import { describe, expect, it } from 'vitest';
import { FIELDS } from '../../domain/fields.ts';
import { buildSettings, buildSnapshot, buildUser, ORG_EHS, ORG_UNMATCHED } from './test-builders.ts';
import type { AgentInfo, FieldMapping, HomeroomInfo, Snapshot } from './types.ts';
import { cleanText, demographicsValues, isRealDate, looksLikeEmail, personName, rosterValues } from './patron-values.ts';
import type { RosterUser } from '../../domain/roster.ts';

const maxOf = (key: string): number => FIELDS.find((f) => f.key === key)!.maxLength;

function valuesOf(user: RosterUser, snapshot: Partial<Snapshot> = {}, mapping: Partial<FieldMapping> = {}) {
  const settings = buildSettings();
  settings.mapping = { ...settings.mapping, ...mapping };
  return rosterValues(user, buildSnapshot(snapshot), settings);
}

function agent(given: string, family: string, phone = '', email = ''): AgentInfo {
  return { givenName: given, familyName: family, phone, email };
}

describe('default field mapping (SPEC §1.2)', () => {
  it('fills names, phone, email, level and site from the user', () => {
    const { values, warnings } = valuesOf(
      buildUser({
        sourcedId: 'u1',
        givenName: 'Ana',
        middleName: 'B',
        familyName: 'Cruz',
        phone: '555-1',
        email: 'ana@x.org',
        grades: ['KG', '01'],
        orgSourcedIds: [ORG_EHS],
      }),
    );
    expect(values).toMatchObject({
      firstName: 'Ana',
      middleName: 'B',
      lastName: 'Cruz',
      phone: '555-1',
      email: 'ana@x.org',
      level: 'KG',
      site: 'EHS',
    });
    expect(warnings).toEqual([]);
  });

  it('Level is the first grade as sent (09 keeps its zero)', () => {
    expect(valuesOf(buildUser({ sourcedId: 'u1', grades: ['09'] })).values.level).toBe('09');
    expect(valuesOf(buildUser({ sourcedId: 'u1', grades: [] })).values.level).toBe('');
  });

  it('Site is the code of the site whose GUID is the first org, not a later one', () => {
    const { values } = valuesOf(buildUser({ sourcedId: 'u1', orgSourcedIds: [ORG_UNMATCHED, ORG_EHS] }));
    expect(values.site).toBeUndefined();
  });

  it('an unmapped field is never written: Barcode, Community ID and Location are absent by default', () => {
    const { values } = valuesOf(buildUser({ sourcedId: 'u1', identifier: '123', username: 'ana' }));
    expect(values).not.toHaveProperty('barcode');
    expect(values).not.toHaveProperty('communityId');
    expect(values).not.toHaveProperty('location');
  });

  it('never returns GUID, Status, Policy or Nickname (set by rule or never synced)', () => {
    const { values } = valuesOf(buildUser({ sourcedId: 'u1' }));
    for (const key of ['guid', 'status', 'policy', 'nickname']) expect(values).not.toHaveProperty(key);
  });
});

describe('Barcode and Community ID mappings (SPEC §1.2, §2 step 4)', () => {
  const user = buildUser({
    sourcedId: 'u1',
    identifier: ' 4711 ',
    username: 'ana.cruz',
    userIds: [
      { type: 'LDAP', identifier: 'L-1' },
      { type: 'fed', identifier: 'F-1' },
      { type: 'FED', identifier: 'F-2' },
    ],
  });

  it('maps identifier (trimmed) and username', () => {
    const { values } = valuesOf(user, {}, { barcode: { kind: 'identifier' }, communityId: { kind: 'username' } });
    expect(values.barcode).toBe('4711');
    expect(values.communityId).toBe('ana.cruz');
  });

  it('maps the first userIds entry of the chosen type, type compared without case', () => {
    const { values } = valuesOf(user, {}, { communityId: { kind: 'userid', type: 'FED' } });
    expect(values.communityId).toBe('F-1');
  });

  it('a mapped type the user lacks gives a blank value (which blanks the field)', () => {
    const { values } = valuesOf(user, {}, { barcode: { kind: 'userid', type: 'SIS' } });
    expect(values.barcode).toBe('');
  });
});

describe('demographics → Birthdate and Sex (SPEC §3.3)', () => {
  const withDemo = (birthDate: string, sex: string) =>
    valuesOf(buildUser({ sourcedId: 'u1' }), { demographics: new Map([['u1', { birthDate, sex }]]) });

  it('keeps a real YYYY-MM-DD date and capitalises sex in any case', () => {
    expect(withDemo('2012-02-29', 'FEMALE').values).toMatchObject({ birthdate: '2012-02-29', sex: 'Female' });
    expect(withDemo('2010-12-31', 'male').values).toMatchObject({ sex: 'Male' });
    expect(withDemo('2010-12-31', 'Other').values).toMatchObject({ sex: 'Other' });
    expect(withDemo('2010-12-31', 'unspecified').values).toMatchObject({ sex: 'Unspecified' });
  });

  it('a date that is not a real date is left blank with a warning naming the user and field', () => {
    for (const bad of ['2011-02-29', '2010-13-01', '2010-04-31', '05/01/2010', '2010-05-01T00:00:00Z']) {
      const { values, warnings } = withDemo(bad, '');
      expect(values.birthdate, bad).toBe('');
      expect(warnings, bad).toEqual([{ sourcedId: 'u1', field: 'birthdate', message: expect.stringContaining('not a real date') }]);
    }
  });

  it('any other sex is left blank with a warning; a blank one is blank without a warning', () => {
    const bad = withDemo('', 'ext:X');
    expect(bad.values.sex).toBe('');
    expect(bad.warnings).toEqual([{ sourcedId: 'u1', field: 'sex', message: expect.any(String) }]);
    expect(withDemo('', '').warnings).toEqual([]);
  });

  it('no demographics record in a complete full read of shared demographics: Birthdate and Sex blanked, the record noted missing', () => {
    const result = valuesOf(buildUser({ sourcedId: 'u1' }), { demographics: new Map([['u2', { birthDate: '2011-01-02', sex: 'male' }]]) });
    expect(result.values).toMatchObject({ birthdate: '', sex: '' });
    expect(result.missing).toEqual(['demographics']);
    // Parents not shared says nothing of demographics.
    expect(valuesOf(buildUser({ sourcedId: 'u1' }), { notShared: ['agents', 'homerooms'] }).missing).toEqual(['demographics']);
  });

  it('no demographics record in a delta, an incomplete read, or with demographics not shared: Birthdate and Sex left alone', () => {
    for (const read of [{ kind: 'delta' }, { complete: false }, { notShared: ['demographics'] }] as Partial<Snapshot>[]) {
      const result = valuesOf(buildUser({ sourcedId: 'u1' }), read);
      expect(result.values, JSON.stringify(read)).not.toHaveProperty('birthdate');
      expect(result.values, JSON.stringify(read)).not.toHaveProperty('sex');
      expect(result.missing, JSON.stringify(read)).toBeUndefined();
    }
  });

  it('a demographics record present is never "missing", in any read', () => {
    const demographics = new Map([['u1', { birthDate: '', sex: '' }]]);
    expect(valuesOf(buildUser({ sourcedId: 'u1' }), { demographics })).not.toHaveProperty('missing');
  });

  it('demographicsValues gives Birthdate and Sex alone', () => {
    expect(demographicsValues('u1', { birthDate: '2011-01-02', sex: 'male' }).values).toEqual({ birthdate: '2011-01-02', sex: 'Male' });
  });

  it('isRealDate knows leap years', () => {
    expect(isRealDate('2000-02-29')).toBe(true);
    expect(isRealDate('1900-02-29')).toBe(false);
    expect(isRealDate('2024-02-29')).toBe(true);
    expect(isRealDate('2023-00-10')).toBe(false);
    expect(isRealDate('2023-01-00')).toBe(false);
  });
});

describe('agents → Additional Contact and Other Emails (SPEC §3.3)', () => {
  const agents = new Map<string, AgentInfo>([
    ['p1', agent('Maria', 'Cruz', '555-0101', 'maria@x.org')],
    ['p2', agent('Jose', 'Cruz', '', 'MARIA@x.org')],
    ['p3', agent('Li', 'Wu', '', 'li@x.org')],
  ]);

  it('Additional Contact is the first agent: `Given Family (phone)`', () => {
    const { values } = valuesOf(buildUser({ sourcedId: 'u1', agentSourcedIds: ['p1', 'p2'] }), { agents });
    expect(values.additionalContact).toBe('Maria Cruz (555-0101)');
  });

  it('no ` (phone)` when the agent has no phone', () => {
    const { values } = valuesOf(buildUser({ sourcedId: 'u1', agentSourcedIds: ['p2'] }), { agents });
    expect(values.additionalContact).toBe('Jose Cruz');
  });

  it('the first agent that exists in the snapshot is used', () => {
    const { values } = valuesOf(buildUser({ sourcedId: 'u1', agentSourcedIds: ['missing', 'p3'] }), { agents });
    expect(values.additionalContact).toBe('Li Wu');
  });

  it("Other Emails: the agents' emails in order, de-duplicated without case, joined `, `", () => {
    const { values } = valuesOf(buildUser({ sourcedId: 'u1', agentSourcedIds: ['p1', 'p2', 'p3'] }), { agents });
    expect(values.otherEmails).toBe('maria@x.org, li@x.org');
  });

  it('an agent email that is not an email is left out with a warning', () => {
    const bad = new Map([['p9', agent('A', 'B', '', 'not-an-email')], ...agents]);
    const { values, warnings } = valuesOf(buildUser({ sourcedId: 'u1', agentSourcedIds: ['p9', 'p3'] }), { agents: bad });
    expect(values.otherEmails).toBe('li@x.org');
    expect(warnings).toMatchObject([{ sourcedId: 'u1', field: 'otherEmails' }]);
  });

  it('a user with no agents blanks both fields', () => {
    const { values } = valuesOf(buildUser({ sourcedId: 'u1' }), { agents });
    expect(values).toMatchObject({ additionalContact: '', otherEmails: '' });
  });

  it('an agent leaving the roster (tobedeleted) is never a contact: the next agent is used', () => {
    const leaving = new Map([['gone', { ...agent('', '', '', ''), leaving: true }], ...agents]);
    const { values } = valuesOf(buildUser({ sourcedId: 'u1', agentSourcedIds: ['gone', 'p3'] }), { agents: leaving });
    expect(values).toMatchObject({ additionalContact: 'Li Wu', otherEmails: 'li@x.org' });
  });

  it('when every known agent is leaving, both fields are blanked (no removed guardian stays on the record)', () => {
    const leaving = new Map([['gone', { ...agent('', '', '', ''), leaving: true }]]);
    const { values } = valuesOf(buildUser({ sourcedId: 'u1', agentSourcedIds: ['gone', 'unknown'] }), { agents: leaving });
    expect(values).toMatchObject({ additionalContact: '', otherEmails: '' });
  });

  it('a user whose agents are all missing from a complete full read (parents shared): both fields blanked, the agents noted missing', () => {
    const result = valuesOf(buildUser({ sourcedId: 'u1', agentSourcedIds: ['gone'] }), { agents, notShared: ['demographics'] });
    expect(result.values).toMatchObject({ additionalContact: '', otherEmails: '' });
    expect(result.missing).toEqual(['agents']);
    // With demographics shared and none for this user, both records are missing.
    expect(valuesOf(buildUser({ sourcedId: 'u1', agentSourcedIds: ['gone'] }), { agents }).missing).toEqual(['demographics', 'agents']);
  });

  it('a user whose agents are all missing from a delta, an incomplete read, or a read without parents: both fields left alone', () => {
    for (const read of [{ kind: 'delta' }, { complete: false }, { notShared: ['agents'] }] as Partial<Snapshot>[]) {
      const result = valuesOf(buildUser({ sourcedId: 'u1', agentSourcedIds: ['gone'] }), { agents, ...read });
      expect(result.values, JSON.stringify(read)).not.toHaveProperty('additionalContact');
      expect(result.values, JSON.stringify(read)).not.toHaveProperty('otherEmails');
      expect(result.missing ?? [], JSON.stringify(read)).not.toContain('agents');
    }
  });

  it('one agent of several missing: the others fill the fields, nothing is missing; no agents named at all is a blank roster value, not a missing record', () => {
    const some = valuesOf(buildUser({ sourcedId: 'u1', agentSourcedIds: ['gone', 'p1'] }), { agents });
    expect(some.values.additionalContact).toBe('Maria Cruz (555-0101)');
    expect(some.missing ?? []).not.toContain('agents');
    const none = valuesOf(buildUser({ sourcedId: 'u1', agentSourcedIds: [] }), { agents, kind: 'delta' });
    expect(none.values).toMatchObject({ additionalContact: '', otherEmails: '' });
    expect(none.missing).toBeUndefined();
  });

  it('Other Emails over its length drops whole addresses from the end, with a warning', () => {
    const many = new Map<string, AgentInfo>();
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      many.set(`a${i}`, agent('A', String(i), '', `parent.number.${String(i).padStart(2, '0')}@example.org`));
      ids.push(`a${i}`);
    }
    const { values, warnings } = valuesOf(buildUser({ sourcedId: 'u1', agentSourcedIds: ids }), { agents: many });
    expect(values.otherEmails!.length).toBeLessThanOrEqual(maxOf('otherEmails'));
    expect(values.otherEmails!.split(', ').every((e) => /^parent\.number\.\d\d@example\.org$/.test(e))).toBe(true);
    expect(warnings).toMatchObject([{ field: 'otherEmails' }]);
  });
});

describe('Location from the homeroom (SPEC §1.2, §2 step 4)', () => {
  const homerooms = new Map<string, HomeroomInfo>([['u1', { classCode: 'HR-9B', location: 'Room 12', teacherName: 'Ada Byron' }]]);
  const student = buildUser({ sourcedId: 'u1' });

  it('maps the homeroom class code, class location or teacher name', () => {
    expect(valuesOf(student, { homerooms }, { location: 'homeroom-code' }).values.location).toBe('HR-9B');
    expect(valuesOf(student, { homerooms }, { location: 'homeroom-location' }).values.location).toBe('Room 12');
    expect(valuesOf(student, { homerooms }, { location: 'homeroom-teacher' }).values.location).toBe('Ada Byron');
  });

  it('a student without a homeroom gets a blank Location', () => {
    expect(valuesOf(buildUser({ sourcedId: 'u2' }), { homerooms }, { location: 'homeroom-code' }).values.location).toBe('');
  });

  it('in a delta, only the students whose homerooms were read get a Location: blank when they have none, the rest keep theirs', () => {
    const homeroomsRead = new Set(['u1', 'u2']);
    expect(valuesOf(student, { homerooms, homeroomsRead }, { location: 'homeroom-code' }).values.location).toBe('HR-9B');
    expect(valuesOf(buildUser({ sourcedId: 'u2' }), { homerooms, homeroomsRead }, { location: 'homeroom-code' }).values.location).toBe('');
    expect(valuesOf(buildUser({ sourcedId: 'u3' }), { homerooms, homeroomsRead }, { location: 'homeroom-code' }).values).not.toHaveProperty(
      'location',
    );
  });

  it("a teacher's Location is not written (a homeroom is a student's)", () => {
    const teacher = buildUser({ sourcedId: 'u1', role: 'teacher' });
    expect(valuesOf(teacher, { homerooms }, { location: 'homeroom-code' }).values).not.toHaveProperty('location');
  });
});

describe('cleaning (SPEC §3.3 "Values are cleaned, never trusted")', () => {
  it('every value is trimmed, and control characters become spaces', () => {
    const { values } = valuesOf(buildUser({ sourcedId: 'u1', givenName: '  Ana\r\n Maria\t', familyName: '\u0000Cruz ' }));
    expect(values.firstName).toBe('Ana Maria');
    expect(values.lastName).toBe('Cruz');
  });

  it('an email that does not look like an email is left blank with a warning', () => {
    for (const bad of ['ana', 'ana@', '@x.org', 'ana@x', 'a b@x.org', 'a@x.org, b@x.org']) {
      const { values, warnings } = valuesOf(buildUser({ sourcedId: 'u1', email: bad }));
      expect(values.email, bad).toBe('');
      expect(warnings, bad).toMatchObject([{ sourcedId: 'u1', field: 'email' }]);
    }
    expect(valuesOf(buildUser({ sourcedId: 'u1', email: ' Ana.Cruz+lib@Sub.X.org ' })).values.email).toBe('Ana.Cruz+lib@Sub.X.org');
  });

  it('an over-long value is cut to the field length with a warning', () => {
    const max = maxOf('lastName');
    const { values, warnings } = valuesOf(buildUser({ sourcedId: 'u1', familyName: 'x'.repeat(max + 5) }));
    expect(values.lastName).toBe('x'.repeat(max));
    expect(warnings).toEqual([
      { sourcedId: 'u1', field: 'lastName', message: `Last Name is longer than ${max} characters; cut to ${max}.` },
    ]);
  });

  it('cutting counts characters, never splitting one (emoji, accents)', () => {
    const max = maxOf('firstName');
    const { values } = valuesOf(buildUser({ sourcedId: 'u1', givenName: '😀'.repeat(max + 1) }));
    expect(Array.from(values.firstName!)).toHaveLength(max);
    expect(valuesOf(buildUser({ sourcedId: 'u1', givenName: '😀'.repeat(max) })).warnings).toEqual([]);
  });

  it('warnings never carry the raw value', () => {
    const { warnings } = valuesOf(buildUser({ sourcedId: 'u1', email: 'secretish-value' }), {
      demographics: new Map([['u1', { birthDate: 'secretish-date', sex: 'secretish-sex' }]]),
    });
    expect(warnings.length).toBe(3);
    for (const w of warnings) expect(w.message).not.toContain('secretish');
  });

  it('helpers', () => {
    expect(cleanText(undefined)).toBe('');
    expect(personName(' Ana ', '')).toBe('Ana');
    expect(personName('Ana', 'Cruz')).toBe('Ana Cruz');
    expect(looksLikeEmail('a@b.co')).toBe(true);
  });
});
