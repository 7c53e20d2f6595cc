import { describe, expect, it } from 'vitest';
import { RollcallError } from '../domain/errors.ts';
import { COLUMN_SPECS, resolveHeader } from './columns.ts';

const USERS_1_1 =
  'sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password'.split(
    ',',
  );

describe('resolveHeader', () => {
  it('finds columns by name, whatever their order', () => {
    const header = resolveHeader('users.csv', ['givenName', 'familyName', 'sourcedId', 'role'], COLUMN_SPECS.users);
    expect(header.indexOf('sourcedId')).toBe(2);
    expect(header.indexOf('givenName')).toBe(0);
    expect(header.indexOf('email')).toBe(-1);
    expect(header.warnings).toEqual([]);
  });

  it('compares names without case and around spaces', () => {
    const header = resolveHeader('demographics.csv', ['SOURCEDID', ' birthdate '], COLUMN_SPECS.demographics);
    expect(header.indexOf('sourcedId')).toBe(0);
    expect(header.indexOf('birthDate')).toBe(1);
    expect(header.warnings).toEqual([]);
  });

  it('reads the spec header without a warning', () => {
    const header = resolveHeader('users.csv', USERS_1_1, COLUMN_SPECS.users);
    expect(header.width).toBe(18);
    expect(header.warnings).toEqual([]);
  });

  it('reads known real-world typos as the column meant, with a warning', () => {
    const header = resolveHeader(
      'users.csv',
      ['sourcedId', 'dataLastModified', 'givenName', 'familyName', 'prefferedGivenName', 'userId', 'agents', 'grade'],
      COLUMN_SPECS.users,
    );
    expect(header.indexOf('dateLastModified')).toBe(1);
    expect(header.indexOf('preferredGivenName')).toBe(4);
    expect(header.indexOf('userIds')).toBe(5);
    expect(header.indexOf('agentSourcedIds')).toBe(6);
    expect(header.indexOf('grades')).toBe(7);
    expect(header.warnings).toEqual([
      'users.csv: column "dataLastModified" was read as "dateLastModified".',
      'users.csv: column "prefferedGivenName" was read as "preferredGivenName".',
      'users.csv: column "userId" was read as "userIds".',
      'users.csv: column "agents" was read as "agentSourcedIds".',
      'users.csv: column "grade" was read as "grades".',
    ]);
  });

  it('prefers the exact column over a misspelt one', () => {
    const header = resolveHeader(
      'users.csv',
      ['sourcedId', 'dataLastModified', 'givenName', 'familyName', 'dateLastModified'],
      COLUMN_SPECS.users,
    );
    expect(header.indexOf('dateLastModified')).toBe(4);
    expect(header.warnings).toEqual(['users.csv: column "dataLastModified" is not a OneRoster column; ignored.']);
  });

  it('ignores extension columns quietly', () => {
    const header = resolveHeader(
      'users.csv',
      ['sourcedId', 'givenName', 'familyName', 'metadata.phoneticGivenName', 'ext_tao_userMotherName', 'Metadata.x'],
      COLUMN_SPECS.users,
    );
    expect(header.warnings).toEqual([]);
    expect(header.width).toBe(6);
  });

  it('ignores unknown columns with one warning naming them', () => {
    const header = resolveHeader('orgs.csv', ['sourcedId', 'name', 'type', 'colour', 'shoeSize'], COLUMN_SPECS.orgs);
    expect(header.warnings).toEqual(['orgs.csv: columns "colour", "shoeSize" are not OneRoster columns; ignored.']);
  });

  it('drops trailing empty header names from the width, with a warning', () => {
    const header = resolveHeader(
      'roles.csv',
      ['sourcedId', 'userSourcedId', 'roleType', 'role', 'orgSourcedId', '', ''],
      COLUMN_SPECS.roles,
    );
    expect(header.width).toBe(5);
    expect(header.warnings).toEqual(['roles.csv: the header ends with 2 empty column names; ignored.']);
  });

  it('warns about an unnamed column in the middle', () => {
    const header = resolveHeader('orgs.csv', ['sourcedId', '', 'name', 'type'], COLUMN_SPECS.orgs);
    expect(header.width).toBe(4);
    expect(header.indexOf('name')).toBe(2);
    expect(header.warnings).toEqual(['orgs.csv: column 2 has no name; ignored.']);
  });

  it('uses the first of two columns with one name', () => {
    const header = resolveHeader('orgs.csv', ['sourcedId', 'name', 'type', 'Name'], COLUMN_SPECS.orgs);
    expect(header.indexOf('name')).toBe(1);
    expect(header.warnings).toEqual(['orgs.csv: column "name" appears twice; the second was ignored.']);
  });

  it("reads 1.0's userSourcedId as the demographics sourcedId", () => {
    const header = resolveHeader('demographics.csv', ['userSourcedId', 'birthdate', 'sex'], COLUMN_SPECS.demographics);
    expect(header.indexOf('sourcedId')).toBe(0);
  });

  it('is fatal when a required column is missing, naming the file and column', () => {
    const attempt = (): unknown => resolveHeader('users.csv', ['sourcedId', 'givenName'], COLUMN_SPECS.users);
    expect(attempt).toThrow(RollcallError);
    expect(attempt).toThrow('users.csv has no "familyName" column, so its rows cannot be read; check the file\'s header row.');
  });

  it('says plainly when a file was saved as UTF-16 or with semicolons', () => {
    const utf16 = Buffer.from('sourcedId,name,type', 'utf16le').toString('utf8').split(',');
    expect(() => resolveHeader('orgs.csv', utf16, COLUMN_SPECS.orgs)).toThrow(
      'orgs.csv is saved as UTF-16 text; save it as "CSV UTF-8" and export the package again.',
    );
    expect(() => resolveHeader('orgs.csv', ['sourcedId;name;type'], COLUMN_SPECS.orgs)).toThrow(
      'orgs.csv separates its values with semicolons; OneRoster CSV files use commas.',
    );
  });

  it('does not guess from very short names', () => {
    const header = resolveHeader('orgs.csv', ['sourcedId', 'name', 'typ', 'type'], COLUMN_SPECS.orgs);
    expect(header.indexOf('type')).toBe(3);
    expect(header.warnings).toEqual(['orgs.csv: column "typ" is not a OneRoster column; ignored.']);
  });
});
