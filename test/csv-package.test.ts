/**
 * Writing packages and loading them whole: writeCsvPackage → openCsvPackage/loadCsvDistrict
 * round trips, in 1.1 and 1.2, with the values that trip CSV writers up.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsvDistrict, openCsvPackage, writeCsvPackage } from '../src/csv/index.ts';
import { csvReader, openCsvSource } from '../src/sources/csv/source.ts';
import type { RosterUser } from '../src/domain/roster.ts';
import type { DistrictData } from '../src/domain/district.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-csv-pkg-'));
  dirs.push(dir);
  return dir;
}

function userOf(sourcedId: string, patch: Partial<RosterUser> = {}): RosterUser {
  return {
    sourcedId,
    status: 'active',
    dateLastModified: '2025-01-02T03:04:05.000Z',
    enabledUser: true,
    role: 'student',
    orgSourcedIds: ['sch-1'],
    username: sourcedId,
    userIds: [],
    givenName: 'Given',
    familyName: 'Family',
    middleName: '',
    identifier: '',
    email: '',
    sms: '',
    phone: '',
    agentSourcedIds: [],
    grades: [],
    ...patch,
  };
}

/** A small district whose values need quoting, escaping and Unicode. */
const district: DistrictData = {
  orgs: [
    {
      sourcedId: 'dist-1',
      status: 'active',
      dateLastModified: '',
      name: 'Springfield, "Unified"',
      type: 'district',
      identifier: '',
      parentSourcedId: '',
    },
    {
      sourcedId: 'sch-1',
      status: 'active',
      dateLastModified: '',
      name: 'École Jean-Jacques',
      type: 'school',
      identifier: 'NCES 42',
      parentSourcedId: 'dist-1',
    },
    {
      sourcedId: 'sch-2',
      status: 'tobedeleted',
      dateLastModified: '2025-01-01',
      name: '北高校',
      type: 'school',
      identifier: '',
      parentSourcedId: 'dist-1',
    },
  ],
  users: [
    userOf('stu-1', {
      givenName: "D'Arcy",
      familyName: 'O"Neil',
      middleName: 'Ann Marie',
      grades: ['09', '10'],
      orgSourcedIds: ['sch-1', 'sch-2'],
      userIds: [
        { type: 'FED', identifier: 'a:b' },
        { type: 'LDAP', identifier: 'x' },
      ],
      agentSourcedIds: ['par-1', 'par-2'],
      email: 'darcy@example.org',
      identifier: 'S001',
    }),
    userOf('stu-2', { givenName: 'Sam', familyName: 'Multi\nLine', status: 'tobedeleted', enabledUser: false, grades: ['KG'] }),
    userOf('tea-1', { role: 'teacher', givenName: '李', familyName: '王', phone: '+1 (555) 010-0000' }),
    userOf('adm-1', { role: 'districtadministrator', orgSourcedIds: ['dist-1'] }),
    userOf('par-1', { role: 'parent', email: 'p1@example.org' }),
    userOf('par-2', { role: 'guardian' }),
  ],
  classes: [
    {
      sourcedId: 'hr-1',
      status: 'active',
      dateLastModified: '',
      title: 'Homeroom 9B',
      classCode: 'HR-9B',
      classType: 'homeroom',
      location: 'Room 12, east wing',
      schoolSourcedId: 'sch-1',
      courseSourcedId: '',
      grades: ['09'],
      termSourcedIds: ['y1', 't1'],
    },
  ],
  enrollments: [
    {
      sourcedId: 'e1',
      status: 'active',
      dateLastModified: '',
      userSourcedId: 'stu-1',
      classSourcedId: 'hr-1',
      schoolSourcedId: 'sch-1',
      role: 'student',
      primary: false,
      beginDate: '2024-08-01',
      endDate: '',
    },
    {
      sourcedId: 'e2',
      status: 'active',
      dateLastModified: '',
      userSourcedId: 'tea-1',
      classSourcedId: 'hr-1',
      schoolSourcedId: 'sch-1',
      role: 'teacher',
      primary: true,
      beginDate: '',
      endDate: '',
    },
  ],
  demographics: [{ sourcedId: 'stu-1', status: 'active', dateLastModified: '', birthDate: '2010-04-17', sex: 'female' }],
  academicSessions: [
    {
      sourcedId: 'y1',
      status: 'active',
      dateLastModified: '',
      title: '2024-2025',
      type: 'schoolYear',
      startDate: '2024-08-01',
      endDate: '2025-07-01',
      parentSourcedId: '',
      schoolYear: '2025',
    },
  ],
};

describe('writeCsvPackage → loadCsvDistrict', () => {
  it.each(['1.1', '1.2'] as const)('round-trips a district exactly in %s', async (version) => {
    const dir = await tempDir();
    await writeCsvPackage(dir, district, { version });
    const loaded = await loadCsvDistrict(dir);
    expect(loaded.version).toBe(version);
    expect(loaded.malformed).toEqual([]);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.data).toEqual(district);
  });

  it('writes 1.1 roles on users.csv and 1.2 roles in roles.csv, one primary role per org', async () => {
    const v11 = await tempDir();
    const v12 = await tempDir();
    await writeCsvPackage(v11, { users: district.users }, { version: '1.1' });
    await writeCsvPackage(v12, { users: district.users }, { version: '1.2' });
    expect((await readFile(join(v11, 'users.csv'), 'utf8')).split('\r\n')[0]).toContain(',orgSourcedIds,role,');
    const users12 = (await readFile(join(v12, 'users.csv'), 'utf8')).split('\r\n')[0] ?? '';
    expect(users12).not.toContain(',role,');
    expect(users12).toContain(',primaryOrgSourcedId,');
    const roles = (await readFile(join(v12, 'roles.csv'), 'utf8')).split('\r\n');
    expect(roles.filter((r) => r.includes(',stu-1,'))).toEqual([
      'role-stu-1-1,active,2025-01-02T03:04:05.000Z,stu-1,primary,student,,,sch-1,',
      'role-stu-1-2,active,2025-01-02T03:04:05.000Z,stu-1,primary,student,,,sch-2,',
    ]);
  });

  it('lists only the files written, in the mode asked', async () => {
    const dir = await tempDir();
    await writeCsvPackage(dir, { users: district.users, orgs: district.orgs }, { version: '1.1', mode: 'delta' });
    const pkg = await openCsvPackage(dir);
    expect(pkg.files.users).toBe('delta');
    expect(pkg.files.orgs).toBe('delta');
    expect(pkg.files.enrollments).toBe('absent');
    expect(pkg.files.roles).toBe('absent');
    expect(pkg.warnings).toEqual([]);
  });

  it('writes from a generator, without an array', async () => {
    const dir = await tempDir();
    function* users(): Generator<RosterUser> {
      for (let i = 0; i < 2500; i++) yield userOf(`u${String(i).padStart(5, '0')}`);
    }
    await writeCsvPackage(dir, { users: users() }, { version: '1.1' });
    let count = 0;
    const summary = await (await openCsvPackage(dir)).records('users', (records) => {
      count += records.length;
    });
    expect(count).toBe(2500);
    expect(summary).toEqual({ records: 2500, malformed: 0, complete: true });
  });
});

describe('loadCsvDistrict', () => {
  it('collects malformed rows of every file and warns about dangling references', async () => {
    const dir = await tempDir();
    await writeCsvPackage(dir, district, { version: '1.1' });
    const users = await readFile(join(dir, 'users.csv'), 'utf8');
    await writeFile(join(dir, 'users.csv'), `${users}ghost,active,,true,sch-9,student,g,,Ghost,,,,,,,,,\r\n`);
    const enrollments = await readFile(join(dir, 'enrollments.csv'), 'utf8');
    await writeFile(
      join(dir, 'enrollments.csv'),
      `${enrollments}e3,active,,hr-9,sch-1,nobody,student,false,,\r\ne4,,,hr-1,sch-1,stu-1,dean,false,,\r\n`,
    );

    const loaded = await loadCsvDistrict(dir);
    expect(loaded.malformed).toEqual([
      { collection: 'users', sourcedId: 'ghost', where: 'users.csv line 9', message: 'missing familyName' },
      { collection: 'enrollments', sourcedId: 'e4', where: 'enrollments.csv line 5', message: 'unknown role "dean"' },
    ]);
    expect(loaded.data.enrollments.map((e) => e.sourcedId)).toEqual(['e1', 'e2', 'e3']);
    expect(loaded.warnings).toEqual([
      'enrollments.csv: 1 enrollment refers to a user missing from the package (first: e3).',
      'enrollments.csv: 1 enrollment refers to a class missing from the package (first: e3).',
    ]);
  });

  it('gives empty arrays for absent files', async () => {
    const dir = await tempDir();
    await writeCsvPackage(dir, { users: [userOf('u1', { orgSourcedIds: ['sch-1'] })], orgs: district.orgs }, { version: '1.1' });
    const loaded = await loadCsvDistrict(dir);
    expect(loaded.data.classes).toEqual([]);
    expect(loaded.data.enrollments).toEqual([]);
    expect(loaded.data.users).toHaveLength(1);
  });
});

describe('the CSV sync reader', () => {
  it('keeps of each user what the pull asks, after filtering on the whole record', async () => {
    const dir = await tempDir();
    const users = [userOf('u1', { email: 'a@x.org' }), userOf('u2', { email: 'b@x.org' })];
    await writeCsvPackage(dir, { users, orgs: district.orgs }, { version: '1.1' });
    const reader = csvReader(await openCsvSource(dir));
    const read: RosterUser[] = [];
    const outcome = await reader.pull('users', { filter: "email='b@x.org'", keepUser: (u) => ({ ...u, email: '' }) }, (r) => {
      read.push(...r);
    });
    expect(outcome.complete).toBe(true);
    expect(read.map((u) => [u.sourcedId, u.email])).toEqual([['u2', '']]);
  });
});
