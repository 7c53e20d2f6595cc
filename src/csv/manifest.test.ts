import { describe, expect, it } from 'vitest';
import type { CsvEntity } from './entities.ts';
import { manifestFromFiles, readManifest } from './manifest.ts';

const rows = (text: string): string[][] =>
  text
    .trim()
    .split('\n')
    .map((l) => l.split(','));
const present = (...entities: CsvEntity[]): Set<CsvEntity> => new Set(entities);

const MANIFEST_1_1 = `propertyName,value
manifest.version,1.0
oneroster.version,1.1
file.academicSessions,bulk
file.classes,bulk
file.demographics,absent
file.enrollments,delta
file.orgs,bulk
file.users,bulk
source.systemName,SIS`;

describe('readManifest', () => {
  it('reads the version and each file mode', () => {
    const m = readManifest(rows(MANIFEST_1_1), present('academicSessions', 'classes', 'enrollments', 'orgs', 'users'));
    expect(m.version).toBe('1.1');
    expect(m.files.users).toBe('bulk');
    expect(m.files.enrollments).toBe('delta');
    expect(m.files.demographics).toBe('absent');
    expect(m.files.roles).toBe('absent');
    expect(m.warnings).toEqual([]);
  });

  it('reads 1.2 and 1.2.1 as 1.2', () => {
    expect(readManifest(rows('propertyName,value\noneroster.version,1.2\nfile.users,bulk'), present('users')).version).toBe('1.2');
    expect(readManifest(rows('propertyName,value\noneroster.version,1.2.1\nfile.users,bulk'), present('users')).version).toBe('1.2');
  });

  it('reads the fiel.demographics typo as file.demographics, with a warning', () => {
    const m = readManifest(rows('propertyName,value\noneroster.version,1.1\nfiel.demographics,absent\nfile.users,bulk'), present('users'));
    expect(m.files.demographics).toBe('absent');
    expect(m.warnings).toEqual(['manifest.csv: property "fiel.demographics" was read as "file.demographics".']);
  });

  it('compares property names and values without case', () => {
    const m = readManifest(rows('PropertyName,Value\nOneRoster.Version,1.1\nFILE.USERS,Bulk'), present('users'));
    expect(m.files.users).toBe('bulk');
    expect(m.warnings).toEqual([]);
  });

  it('reads a blank mode as absent, or bulk when the file is there, with a warning', () => {
    const m = readManifest(
      rows('propertyName,value\noneroster.version,1.2\nfile.users,bulk\nfile.scoreScales,\nfile.userProfiles,'),
      present('users', 'userProfiles'),
    );
    expect(m.files.scoreScales).toBe('absent');
    expect(m.files.userProfiles).toBe('bulk');
    expect(m.warnings).toEqual([
      'manifest.csv gives file.scoreScales no value; read as absent.',
      'manifest.csv gives file.userProfiles no value; read as bulk.',
    ]);
  });

  it('reads a file the manifest calls absent but the package has, with a warning', () => {
    const m = readManifest(
      rows('propertyName,value\noneroster.version,1.1\nfile.users,bulk\nfile.demographics,absent'),
      present('users', 'demographics'),
    );
    expect(m.files.demographics).toBe('bulk');
    expect(m.warnings).toEqual(['manifest.csv lists demographics.csv as absent, but the package has it; it was read as a bulk file.']);
  });

  it('reads a listed file that is missing as absent, with a warning', () => {
    const m = readManifest(rows('propertyName,value\noneroster.version,1.1\nfile.users,bulk\nfile.orgs,bulk'), present('users'));
    expect(m.files.orgs).toBe('absent');
    expect(m.warnings).toEqual(['manifest.csv lists orgs.csv, but the package has no such file; read as absent.']);
  });

  it('is fatal when it lists users.csv and the package lacks it', () => {
    expect(() => readManifest(rows('propertyName,value\noneroster.version,1.1\nfile.users,bulk'), present())).toThrow(
      'manifest.csv lists users.csv, but the package has no users.csv; export the package again.',
    );
  });

  it('detects the version from the files when none is declared', () => {
    const none = readManifest(rows('propertyName,value\nfile.users,bulk\nfile.roles,bulk'), present('users', 'roles'));
    expect(none.version).toBe('1.2');
    expect(none.warnings).toEqual(['No OneRoster version is declared; the package was read as 1.2, since the package has roles.csv.']);
    const unknown = readManifest(rows('propertyName,value\noneroster.version,9\nfile.users,bulk'), present('users'));
    expect(unknown.version).toBe('1.1');
    expect(unknown.warnings).toEqual([
      'The declared OneRoster version "9" is unknown; the package was read as 1.1, since the package has no roles.csv.',
    ]);
  });

  it('reads 1.0 as 1.1, with a warning', () => {
    const m = readManifest(rows('propertyName,value\noneroster.version,1.0\nfile.users,bulk'), present('users'));
    expect(m.version).toBe('1.1');
    expect(m.warnings).toEqual(['manifest.csv declares OneRoster 1.0; the package was read as 1.1.']);
  });

  it('warns about unknown properties and a missing header row', () => {
    const m = readManifest(rows('oneroster.version,1.1\nfile.users,bulk\nfile.gradebook,bulk\ncolour,blue'), present('users'));
    expect(m.warnings).toEqual([
      'manifest.csv has no "propertyName,value" header row; its rows were read anyway.',
      'manifest.csv: property "file.gradebook" is not a OneRoster property; ignored.',
      'manifest.csv: property "colour" is not a OneRoster property; ignored.',
    ]);
  });

  it('keeps the first of a file listed twice', () => {
    const m = readManifest(rows('propertyName,value\noneroster.version,1.1\nfile.users,bulk\nfile.users,delta'), present('users'));
    expect(m.files.users).toBe('bulk');
    expect(m.warnings).toEqual(['manifest.csv lists file.users twice; the first was used.']);
  });
});

describe('manifestFromFiles', () => {
  it('reads every file present as bulk and detects the version', () => {
    const m = manifestFromFiles(present('users', 'orgs'));
    expect(m.version).toBe('1.1');
    expect(m.files.users).toBe('bulk');
    expect(m.files.orgs).toBe('bulk');
    expect(m.files.classes).toBe('absent');
    expect(m.warnings[0]).toBe('The package has no manifest.csv; every file in it was read as a bulk file.');
  });
});
