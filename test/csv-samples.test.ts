/**
 * Every OneRoster CSV package among the third-party samples in ../shared/oneroster-samples
 * (GPL/AGPL, read in place, never copied here) opens and yields exactly what is in it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCsvDistrict, openCsvPackage } from '../src/csv/index.ts';
import type { LoadedDistrict } from '../src/csv/index.ts';

const SAMPLES = fileURLToPath(new URL('../../shared/oneroster-samples/', import.meta.url));
const present = existsSync(SAMPLES);
if (!present) console.warn(`csv-samples: SKIPPED, the third-party samples are not at ${SAMPLES}`);

const MOODLE = `${SAMPLES}moodle-enrol_oneroster/`;
const HUB = `${SAMPLES}roster-hub/storage/sample_csv/`;

function counts(d: LoadedDistrict): Record<string, number> {
  return Object.fromEntries(Object.entries(d.data).map(([k, v]) => [k, (v as unknown[]).length]));
}

function user(d: LoadedDistrict, sourcedId: string) {
  const found = d.data.users.find((u) => u.sourcedId === sourcedId);
  if (!found) throw new Error(`no user ${sourcedId}`);
  return found;
}

describe.skipIf(!present)('moodle-enrol_oneroster fixtures', () => {
  describe.each(['zips/Test_full_data_set.zip', 'extracted/Test_full_data_set'])('Test_full_data_set (%s)', (path) => {
    it('is a 1.1 bulk package of 6 users, 2 classes, 6 enrollments', async () => {
      const d = await loadCsvDistrict(MOODLE + path);
      expect(d.version).toBe('1.1');
      expect(counts(d)).toEqual({ orgs: 1, users: 6, classes: 2, enrollments: 6, demographics: 0, academicSessions: 5 });
      expect(d.malformed).toEqual([]);
      expect(d.warnings).toEqual([]);
    });

    it('reads userIds lists, blank status, roles and agents', async () => {
      const d = await loadCsvDistrict(MOODLE + path);
      expect(d.data.users.map((u) => u.role)).toEqual(['teacher', 'student', 'parent', 'teacher', 'student', 'student']);
      expect(user(d, 'usr-222-66778899')).toMatchObject({
        status: 'active',
        dateLastModified: '',
        userIds: [{ type: 'LDAP', identifier: '12' }],
        agentSourcedIds: ['usr-222-123456'],
        grades: ['12'],
      });
      expect(user(d, 'usr-222-1234561').userIds).toEqual([
        { type: 'LDAP', identifier: '12' },
        { type: 'LTI', identifier: '15' },
        { type: 'Fed', identifier: '23' },
      ]);
      expect(user(d, 'usr-222-123456')).toMatchObject({
        givenName: 'John',
        familyName: 'Doe',
        middleName: 'Michael',
        enabledUser: true,
        orgSourcedIds: ['org-sch-222-456'],
      });
    });

    it('reads inactive as tobedeleted, "Scheduled" as scheduled, and quoted lists', async () => {
      const d = await loadCsvDistrict(MOODLE + path);
      expect(d.data.academicSessions.map((s) => s.status)).toEqual(['tobedeleted', 'active', 'tobedeleted', 'active', 'active']);
      expect(d.data.classes).toMatchObject([
        {
          sourcedId: 'cls-222-123456',
          classType: 'scheduled',
          grades: ['09', '10', '11'],
          termSourcedIds: ['as-trm-222-1234'],
          status: 'active',
        },
        {
          sourcedId: 'cls-222-123478',
          classType: 'homeroom',
          grades: ['10'],
          termSourcedIds: ['as-trm-222-1234', 'as-trm-222-1235'],
          status: 'tobedeleted',
        },
      ]);
      expect(d.data.orgs[0]).toMatchObject({ type: 'department', parentSourcedId: 'org-sch-222-3456' });
    });
  });

  it('Test_minimal_data_set: blank status and dates read as active, the same records', async () => {
    const d = await loadCsvDistrict(`${MOODLE}zips/Test_minimal_data_set.zip`);
    expect(counts(d)).toEqual({ orgs: 1, users: 6, classes: 2, enrollments: 6, demographics: 0, academicSessions: 5 });
    expect(d.malformed).toEqual([]);
    expect(d.warnings).toEqual([]);
    expect(new Set([...d.data.users, ...d.data.enrollments, ...d.data.academicSessions].map((r) => r.status))).toEqual(new Set(['active']));
    expect(user(d, 'usr-222-123456')).toMatchObject({ identifier: 'jogn.doe', email: '', middleName: '' });
    expect(d.data.enrollments[0]).toMatchObject({ primary: false, beginDate: '' });
  });

  it('test01: a three-level org tree, d/m/Y dates kept as sent, and a dangling class reference', async () => {
    const d = await loadCsvDistrict(`${MOODLE}zips/test01.zip`);
    expect(counts(d)).toEqual({ orgs: 3, users: 3, classes: 2, enrollments: 1, demographics: 0, academicSessions: 2 });
    expect(d.malformed).toEqual([]);
    expect(d.data.orgs.map((o) => [o.sourcedId, o.type, o.parentSourcedId])).toEqual([
      ['org-sch-222-3456', 'school', 'org-dpt-222-456'],
      ['org-sch-222-456', 'department', 'org-sch-222-3456'],
      ['org_sch-222-7654', 'department', 'org-sch-222-3456'],
    ]);
    expect(d.data.academicSessions[0]).toMatchObject({ startDate: '1/09/2022', endDate: '24/12/2022' });
    expect(d.data.enrollments[0]).toMatchObject({ beginDate: '2022-03-15T01:30:00.0000000+00:00', role: 'student' });
    expect(user(d, 'usr-222-66778899')).toMatchObject({ agentSourcedIds: ['usr-222-66778900'], grades: ['12'] });
    expect(d.warnings).toEqual([
      'enrollments.csv: 1 enrollment refers to a class missing from the package (first: enr-t-222-12345-123456).',
    ]);
  });

  // The two differ in enabledUser's spelling (`true` / `TRUE`) and in the identifier.
  describe.each([
    ['VRd118.zip', ''],
    ['oneroster_test_data.zip', 'bruce.wayne'],
  ])('1.2 delta package %s', (zip, identifier) => {
    it('reads its one user through roles.csv, which the zip stores after users.csv', async () => {
      const pkg = await openCsvPackage(`${MOODLE}zips/${zip}`);
      expect(pkg.version).toBe('1.2');
      expect(pkg.files.users).toBe('delta');
      expect(pkg.files.roles).toBe('delta');
      const d = await loadCsvDistrict(`${MOODLE}zips/${zip}`);
      expect(counts(d)).toEqual({ orgs: 1, users: 1, classes: 1, enrollments: 1, demographics: 1, academicSessions: 1 });
      expect(d.malformed).toEqual([]);
      expect(d.warnings).toEqual([]);
      expect(d.data.users[0]).toMatchObject({
        sourcedId: 'USER_0',
        status: 'active',
        enabledUser: true,
        role: 'student',
        orgSourcedIds: ['ORG_1'],
        givenName: 'Bruce',
        familyName: 'Wayne',
        username: 'brucewayne',
        identifier,
        dateLastModified: '2023-10-02T00:00:00.000Z',
      });
      expect(d.data.demographics[0]).toEqual({
        sourcedId: 'USER_0',
        status: 'active',
        dateLastModified: '2023-10-02T00:00:00.000Z',
        birthDate: '2010-04-17',
        sex: '',
      });
      expect(d.data.orgs[0]).toMatchObject({ name: 'Gotham High School', type: 'school' });
    });
  });

  describe.each(['zips/v1p2_full_dataset.zip', 'extracted/v1p2_full_dataset'])('v1p2_full_dataset (%s)', (path) => {
    it('reads the messy 1.2 bulk package, with a warning for each oddity', async () => {
      const d = await loadCsvDistrict(MOODLE + path);
      expect(d.version).toBe('1.2');
      expect(counts(d)).toEqual({ orgs: 1, users: 6, classes: 2, enrollments: 6, demographics: 0, academicSessions: 5 });
      expect(d.malformed).toEqual([]);
      expect(d.warnings).toEqual([
        'manifest.csv gives file.scoreScales no value; read as absent.',
        'manifest.csv gives file.userProfiles no value; read as bulk.',
        'manifest.csv gives file.userResources no value; read as absent.',
        'users.csv: column "prefferedGivenName" was read as "preferredGivenName".',
        'users.csv: column "prefferedMiddleName" was read as "preferredMiddleName".',
        'users.csv: column "prefferedFamilyName" was read as "preferredFamilyName".',
        'roles.csv: the header ends with 2 empty column names; ignored.',
        'roles.csv: column "dataLastModified" was read as "dateLastModified".',
        'users.csv: 1 user has no primary role in roles.csv; their first role was used (first at line 4).',
      ]);
    });

    it('maps roles.csv to each user: primary role, 1.2 names lower-cased, primary org first', async () => {
      const d = await loadCsvDistrict(MOODLE + path);
      expect(d.data.users.map((u) => [u.sourcedId, u.role, u.orgSourcedIds])).toEqual([
        ['usr-222-123456', 'teacher', ['org-sch-222-456']],
        ['usr-222-66778899', 'student', ['org-sch-222-456']],
        ['usr-222-1234561', 'siteadministrator', ['org-sch-222-456']],
        ['usr-222-987654', 'teacher', ['org-sch-222-456']],
        ['usr-222-1234561232', 'student', ['org-sch-222-456']],
        ['usr-222-567891', 'student', ['org-sch-222-456']],
      ]);
      // Preferred names are recognised but not read: the legal names stay.
      expect(user(d, 'usr-222-1234561')).toMatchObject({ givenName: 'Thomas', familyName: 'Jones', dateLastModified: '1/05/2023' });
      expect(user(d, 'usr-222-66778899')).toMatchObject({ status: 'active', dateLastModified: '' });
    });
  });
});

describe.skipIf(!present)('roster-hub sample packages', () => {
  describe.each(['en', 'en/oneroster.zip', 'ja', 'ja/oneroster.zip'])('%s', (path) => {
    it('is a 1.1 bulk package of 20 users, 5 classes, 30 enrollments', async () => {
      const d = await loadCsvDistrict(HUB + path);
      expect(d.version).toBe('1.1');
      expect(counts(d)).toEqual({ orgs: 1, users: 20, classes: 5, enrollments: 30, demographics: 0, academicSessions: 4 });
      expect(d.malformed).toEqual([]);
      // The manifest's real-world typo is read, and said.
      expect(d.warnings).toEqual(['manifest.csv: property "fiel.demographics" was read as "file.demographics".']);
      expect(d.data.enrollments[0]).toMatchObject({ sourcedId: 'en0001', userSourcedId: 'us0001', role: 'teacher', primary: true });
      expect(d.data.enrollments[29]).toMatchObject({ sourcedId: 'en0030', userSourcedId: 'us0020', role: 'student', primary: false });
      expect(user(d, 'us0020')).toMatchObject({
        status: 'active',
        role: 'student',
        orgSourcedIds: ['or0001'],
        username: 'user20',
        email: 'user20@sample-u.ac.jp',
        userIds: [],
      });
    });
  });

  it.each(['en', 'en/oneroster.zip'])('reads the English names (%s)', async (path) => {
    const d = await loadCsvDistrict(HUB + path);
    expect(user(d, 'us0001')).toMatchObject({ givenName: 'GN 01', familyName: 'FN 01' });
    expect(d.data.orgs[0]?.name).toBe('Sample School');
  });

  it.each(['ja', 'ja/oneroster.zip'])('reads the Japanese names as UTF-8 (%s)', async (path) => {
    const d = await loadCsvDistrict(HUB + path);
    expect(user(d, 'us0001')).toMatchObject({ givenName: '名01', familyName: '姓01' });
    expect(user(d, 'us0017')).toMatchObject({ givenName: '名17', familyName: '姓17' });
    expect(d.data.orgs[0]?.name).toBe('動作検証大学');
    expect(d.data.classes.find((c) => c.sourcedId === 'cl0003')?.title).toBe('情報システム特論');
  });
});

describe.skipIf(!present)("oat-sa oneroster-import's non-conformant sample", () => {
  const path = `${SAMPLES}oneroster-import/data/samples/OneRosterv1p1BaseCSV`;

  it('reads it by header name, despite column order, aliases and extension columns', async () => {
    const d = await loadCsvDistrict(path);
    expect(d.version).toBe('1.1');
    expect(counts(d)).toEqual({ orgs: 2, users: 2, classes: 3, enrollments: 3, demographics: 0, academicSessions: 0 });
    expect(d.malformed).toEqual([]);
    expect(d.warnings).toEqual([
      'users.csv: column "userId" was read as "userIds".',
      'users.csv: column "agents" was read as "agentSourcedIds".',
      'users.csv: 2 rows have userIds not written as {type:identifier}; kept with an empty type (first at line 2).',
      'demographics.csv: column "userSourcedId" was read as "sourcedId".',
      'classes.csv: column "grade" was read as "grades".',
    ]);
  });

  it('reads the values', async () => {
    const d = await loadCsvDistrict(path);
    expect(user(d, 'user1')).toMatchObject({
      status: 'active',
      enabledUser: true,
      role: 'student',
      orgSourcedIds: ['12345'],
      username: 'ionut',
      userIds: [{ type: '', identifier: 'abc' }],
      givenName: 'ionut',
      familyName: 'padurariu',
      identifier: 'user identifier',
    });
    expect(d.data.orgs[0]).toMatchObject({
      sourcedId: '12345',
      dateLastModified: '2017-05-06 08:01:05',
      name: 'School 1',
      parentSourcedId: '54321',
    });
    expect(d.data.classes[0]).toMatchObject({ sourcedId: 'class1', grades: ['2'], location: 'Luxembourg', schoolSourcedId: '12345' });
    expect(d.data.enrollments.map((e) => [e.sourcedId, e.status, e.classSourcedId, e.userSourcedId])).toEqual([
      ['enrol1', 'active', 'class1', 'user1'],
      ['enrol2', 'active', 'class2', 'user1'],
      ['enrol3', 'active', 'class3', 'user2'],
    ]);
  });
});
