/**
 * Every OneRoster CSV package among the third-party samples in ../shared/oneroster-samples
 * (GPL/AGPL, read in place, never copied here) syncs as the CSV integration, on SQLite and
 * PostgreSQL, with the patrons it should make: names, site, status and Policy of known users.
 * (None of them has a fatal defect; refusals are tested on made packages in
 * csv-source-sync.test.ts.) Skipped, saying so, when ../shared is absent.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STATUS_ACTIVE } from '../src/domain/fields.ts';
import type { PatronValues } from '../src/domain/patron.ts';
import { syncCsvPackage } from '../src/services/csv/sync-package.ts';
import { csvLibrary } from './support/csv-fixture.ts';
import { describeEachDatabase } from './support/db.ts';

const SAMPLES = fileURLToPath(new URL('../../shared/oneroster-samples/', import.meta.url));
const present = existsSync(SAMPLES);
if (!present) console.warn(`csv-source-samples: SKIPPED, the third-party samples are not at ${SAMPLES}`);

const MOODLE = 'moodle-enrol_oneroster/';
const HUB = 'roster-hub/storage/sample_csv/';

/** One sample: where, the orgs matched to sites S1, S2…, and what the sync must make. */
interface Sample {
  path: string;
  orgs: string[];
  kind: 'full' | 'delta';
  created: number;
  /** The synced roles (default student and teacher: admins only where the package has some). */
  roles?: ('student' | 'teacher' | 'admin')[];
  /** The warnings the operation logs: the package's oddities (manifest typos, misspelt columns…). */
  warnings: string[];
  patrons: Record<string, Partial<PatronValues>>;
}

const active = { status: STATUS_ACTIVE };
/**
 * A bulk package without demographics.csv does not share demographics: Birthdate and Sex are
 * left as they are, and the log says so first (sync/fetch.ts `ifShared`).
 */
const noDemographics = (path: string): string =>
  `The district does not share demographics with this app (${path.split('/').at(-1)} has no demographics.csv); Birthdate and Sex are left as they are.`;
const moodleBulk = (path: string): Sample => ({
  path,
  orgs: ['org-sch-222-456'],
  kind: 'full',
  created: 5,
  warnings: [noDemographics(path)],
  patrons: {
    'usr-222-123456': { firstName: 'John', lastName: 'Doe', site: 'S1', policy: 'Teacher', ...active },
    'usr-222-567891': { firstName: 'Anna', lastName: 'Brown', site: 'S1', policy: 'Student', ...active },
  },
});
const moodleDelta = (path: string): Sample => ({
  path,
  orgs: ['ORG_1'],
  kind: 'delta',
  created: 1,
  warnings: [],
  patrons: { USER_0: { firstName: 'Bruce', lastName: 'Wayne', site: 'S1', policy: 'Student', birthdate: '2010-04-17', ...active } },
});
const hub = (path: string, first: Partial<PatronValues>): Sample => ({
  path,
  orgs: ['or0001'],
  kind: 'full',
  created: 20,
  warnings: [noDemographics(path), 'manifest.csv: property "fiel.demographics" was read as "file.demographics".'],
  patrons: { us0001: { ...first, site: 'S1', policy: 'Student', email: 'user01@sample-u.ac.jp', ...active } },
});

const SAMPLE_LIST: Sample[] = [
  moodleBulk(`${MOODLE}zips/Test_full_data_set.zip`),
  moodleBulk(`${MOODLE}extracted/Test_full_data_set`),
  moodleBulk(`${MOODLE}zips/Test_minimal_data_set.zip`),
  moodleBulk(`${MOODLE}extracted/Test_minimal_data_set`),
  moodleDelta(`${MOODLE}zips/VRd118.zip`),
  moodleDelta(`${MOODLE}extracted/VRd118`),
  moodleDelta(`${MOODLE}zips/oneroster_test_data.zip`),
  moodleDelta(`${MOODLE}extracted/oneroster_test_data`),
  ...[`${MOODLE}zips/test01.zip`, `${MOODLE}extracted/test01`].map(
    (path): Sample => ({
      path,
      orgs: ['org-sch-222-456'],
      kind: 'full',
      created: 2,
      warnings: [noDemographics(path)],
      patrons: { 'usr-222-66778899': { firstName: 'Mary', lastName: 'Jones', site: 'S1', policy: 'Student', level: '12', ...active } },
    }),
  ),
  ...[`${MOODLE}zips/v1p2_full_dataset.zip`, `${MOODLE}extracted/v1p2_full_dataset`].map(
    (path): Sample => ({
      path,
      orgs: ['org-sch-222-456'],
      kind: 'full',
      created: 6,
      roles: ['student', 'teacher', 'admin'],
      warnings: [
        // Its only "parent" holds a staff role in roles.csv: the student's agent is no parent or guardian.
        'The district shares no parents or guardians with this app (students name them, but none arrived); Additional Contact and Other Emails are left as they are.',
        noDemographics(path),
        'manifest.csv gives file.scoreScales no value; read as absent.',
        'manifest.csv gives file.userProfiles no value; read as bulk.',
        'manifest.csv gives file.userResources no value; read as absent.',
        'users.csv: column "prefferedGivenName" was read as "preferredGivenName".',
        'users.csv: column "prefferedMiddleName" was read as "preferredMiddleName".',
        'users.csv: column "prefferedFamilyName" was read as "preferredFamilyName".',
        'roles.csv: the header ends with 2 empty column names; ignored.',
        'roles.csv: column "dataLastModified" was read as "dateLastModified".',
        'users.csv: 1 user has no primary role in roles.csv; their first role was used (first at line 4).',
      ],
      patrons: {
        // A 1.2 siteAdministrator is Staff (roles.csv), with the legal names, not the preferred ones.
        'usr-222-1234561': { firstName: 'Thomas', lastName: 'Jones', site: 'S1', policy: 'Staff', ...active },
        'usr-222-987654': { firstName: 'Jim', lastName: 'Smith', site: 'S1', policy: 'Teacher', ...active },
      },
    }),
  ),
  hub(`${HUB}en`, { firstName: 'GN 01', lastName: 'FN 01' }),
  hub(`${HUB}en/oneroster.zip`, { firstName: 'GN 01', lastName: 'FN 01' }),
  hub(`${HUB}ja`, { firstName: '名01', lastName: '姓01' }),
  hub(`${HUB}ja/oneroster.zip`, { firstName: '名01', lastName: '姓01' }),
  {
    path: 'oneroster-import/data/samples/OneRosterv1p1BaseCSV',
    orgs: ['12345', '54321'],
    kind: 'full',
    created: 2,
    warnings: [
      'users.csv: column "userId" was read as "userIds".',
      'users.csv: column "agents" was read as "agentSourcedIds".',
      'demographics.csv: column "userSourcedId" was read as "sourcedId".',
      'classes.csv: column "grade" was read as "grades".',
      'users.csv: 2 rows have userIds not written as {type:identifier}; kept with an empty type (first at line 2).',
    ],
    patrons: {
      user1: { firstName: 'ionut', lastName: 'padurariu', site: 'S1', policy: 'Student', ...active },
      user2: { firstName: 'ionut2', lastName: 'padurariu', site: 'S2', policy: 'Student', ...active },
    },
  },
];

describe.skipIf(!present)('csv source: the third-party sample packages', () => {
  describeEachDatabase('sync', (db) => {
    it.each(SAMPLE_LIST.map((s) => [s.path, s] as const))('%s', async (_path, sample) => {
      const lib = await csvLibrary(db, sample.orgs, (s) => {
        s.roles = sample.roles ?? ['student', 'teacher'];
      });
      const path = SAMPLES + sample.path;
      const r = await syncCsvPackage(lib.deps, lib.libraryId, { path, dryRun: false, requestedBy: 'test' });
      expect(r, r.error).toMatchObject({
        state: sample.warnings.length > 0 ? 'succeeded_with_warnings' : 'succeeded',
        packageKind: sample.kind,
        complete: true,
      });
      const log = (await lib.store.operations.log(lib.libraryId, r.operation, { limit: 1000 })).items;
      expect(log.filter((e) => e.level !== 'info').map((e) => e.message)).toEqual(sample.warnings);
      expect(r.counts).toMatchObject({ created: sample.created, transferred: 0, conflicts: 0 });
      const patrons = new Map((await lib.store.patrons.loadAll(lib.libraryId)).map((p) => [p.guid, p]));
      expect(patrons.size).toBe(sample.created);
      for (const [guid, values] of Object.entries(sample.patrons)) expect(patrons.get(guid), guid).toMatchObject(values);

      if (sample.kind === 'full') {
        const again = await syncCsvPackage(lib.deps, lib.libraryId, { path, dryRun: false, requestedBy: 'test' });
        expect(again.counts).toMatchObject({ created: 0, updated: 0, transferred: 0, unchanged: sample.created });
      }
    });
  });
});
