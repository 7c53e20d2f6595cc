import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MalformedRecord, RosterCollection, RosterRecordOf, RosterUser } from '../domain/roster.ts';
import { openCsvPackage } from './csv-package.ts';
import type { CsvPackage, ReadSummary } from './csv-package.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A package folder made of the given files (name → text). */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-csv-unit-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

async function open(files: Record<string, string>): Promise<CsvPackage> {
  return openCsvPackage(await folder(files));
}

async function readAll<C extends RosterCollection>(
  pkg: CsvPackage,
  collection: C,
  batchSize?: number,
): Promise<{ records: RosterRecordOf[C][]; malformed: MalformedRecord[]; summary: ReadSummary; batches: number }> {
  const records: RosterRecordOf[C][] = [];
  const malformed: MalformedRecord[] = [];
  let batches = 0;
  const summary = await pkg.records(
    collection,
    (r, m) => {
      records.push(...r);
      malformed.push(...m);
      batches++;
    },
    { batchSize },
  );
  return { records, malformed, summary, batches };
}

const manifest = (version: '1.1' | '1.2', files: Record<string, 'bulk' | 'delta'>): string =>
  [
    'propertyName,value',
    'manifest.version,1.0',
    `oneroster.version,${version}`,
    ...Object.entries(files).map(([f, m]) => `file.${f},${m}`),
  ].join('\n');

const USERS_HEADER =
  'sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password';

describe('users.csv (1.1)', () => {
  it('reads a full row into a RosterUser', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.1', { users: 'bulk' }),
      'users.csv': `${USERS_HEADER}\nu1,active,2024-05-01T10:00:00Z,TRUE,"sch-1,sch-2",Student,ana,"{FED:42},{LDAP:ana.l}",Ana,López,María,S-0042,ana@x.org,555-1,555-2,"p1,p2","09,10",secret\n`,
    });
    const { records, malformed } = await readAll(pkg, 'users');
    expect(malformed).toEqual([]);
    expect(records).toEqual<RosterUser[]>([
      {
        sourcedId: 'u1',
        status: 'active',
        dateLastModified: '2024-05-01T10:00:00Z',
        enabledUser: true,
        role: 'student',
        orgSourcedIds: ['sch-1', 'sch-2'],
        username: 'ana',
        userIds: [
          { type: 'FED', identifier: '42' },
          { type: 'LDAP', identifier: 'ana.l' },
        ],
        givenName: 'Ana',
        familyName: 'López',
        middleName: 'María',
        identifier: 'S-0042',
        email: 'ana@x.org',
        sms: '555-1',
        phone: '555-2',
        agentSourcedIds: ['p1', 'p2'],
        grades: ['09', '10'],
      },
    ]);
  });

  it('finds columns by name in any order, with a BOM and CRLF', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.1', { users: 'bulk' }),
      'users.csv': '\ufeffFamilyName,givenName,ROLE,orgSourcedIds,sourcedId\r\nDoe,Jo,teacher,sch-1,u1\r\n',
    });
    const { records } = await readAll(pkg, 'users');
    expect(records[0]).toMatchObject({ sourcedId: 'u1', givenName: 'Jo', familyName: 'Doe', role: 'teacher', orgSourcedIds: ['sch-1'] });
    expect(records[0]?.email).toBe('');
    expect(pkg.warnings).toEqual([]);
  });

  it('trims values', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.1', { users: 'bulk' }),
      'users.csv': 'sourcedId,role,orgSourcedIds,givenName,familyName,email\n u1 , student ," s1 , s2 ","  Jo ",Doe , jo@x.org \n',
    });
    expect((await readAll(pkg, 'users')).records[0]).toMatchObject({
      sourcedId: 'u1',
      role: 'student',
      orgSourcedIds: ['s1', 's2'],
      givenName: 'Jo',
      familyName: 'Doe',
      email: 'jo@x.org',
    });
  });

  it('reads blank status as active in a bulk file, and inactive as tobedeleted', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.1', { users: 'bulk' }),
      'users.csv':
        'sourcedId,status,role,orgSourcedIds,givenName,familyName\nu1,,student,s,A,B\nu2,inactive,student,s,C,D\nu3,TOBEDELETED,student,s,E,F\n',
    });
    const { records } = await readAll(pkg, 'users');
    expect(records.map((u) => u.status)).toEqual(['active', 'tobedeleted', 'tobedeleted']);
    expect(pkg.warnings).toEqual([]);
  });

  it('reads blank status as active in a delta file too, but warns', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.1', { users: 'delta' }),
      'users.csv':
        'sourcedId,status,role,orgSourcedIds,givenName,familyName\nu1,active,student,s,A,B\nu2,,student,s,C,D\nu3,,student,s,E,F\n',
    });
    const { records } = await readAll(pkg, 'users');
    expect(records.map((u) => u.status)).toEqual(['active', 'active', 'active']);
    expect(pkg.warnings).toEqual(['users.csv: 2 rows have a blank status in a delta file; read as active (first at line 3).']);
  });

  it('reads enabledUser in its spellings; blank is enabled, nonsense is enabled with a warning', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.1', { users: 'bulk' }),
      'users.csv':
        'sourcedId,enabledUser,role,orgSourcedIds,givenName,familyName\n' +
        'u1,true,student,s,A,B\nu2,FALSE,student,s,A,B\nu3,t,student,s,A,B\nu4,0,student,s,A,B\nu5,,student,s,A,B\nu6,maybe,student,s,A,B\n',
    });
    const { records } = await readAll(pkg, 'users');
    expect(records.map((u) => u.enabledUser)).toEqual([true, false, true, false, true, true]);
    expect(pkg.warnings).toEqual(['users.csv: 1 row has enabledUser neither true nor false; read as true (first at line 7).']);
  });

  it('ignores extension columns and reads misspelt ones, with warnings', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.1', { users: 'bulk' }),
      'users.csv':
        'sourcedId,dataLastModified,role,orgSourcedIds,givenName,familyName,metadata.phoneticGivenName,ext_sis_id\n' +
        'u1,2024-01-02,student,s,A,B,エー,77\n',
    });
    const { records } = await readAll(pkg, 'users');
    expect(records[0]?.dateLastModified).toBe('2024-01-02');
    expect(pkg.warnings).toEqual(['users.csv: column "dataLastModified" was read as "dateLastModified".']);
  });

  it('keeps dates as sent: cleaning them is the sync’s job', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.1', { users: 'bulk' }),
      'users.csv': 'sourcedId,dateLastModified,role,orgSourcedIds,givenName,familyName\nu1,1/05/2023,student,s,A,B\n',
    });
    expect((await readAll(pkg, 'users')).records[0]?.dateLastModified).toBe('1/05/2023');
  });

  it('reports malformed rows with file and line, skips them, and reads the rest', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.1', { users: 'bulk' }),
      'users.csv': [
        'sourcedId,status,role,orgSourcedIds,givenName,familyName',
        'ok1,active,student,s,A,B',
        ',active,student,s,A,B',
        'u3,active,student,s,A',
        'u4,active,wizard,s,A,B',
        'u5,active,student,s,,B',
        'u6,active,student,,A,B',
        'u7,dormant,student,s,A,B',
        'u8,active,student,s,A,B,surplus',
        'ok2,active,teacher,s,A,B,,',
        '"ok3",active,student,s,"Multi',
        'line",B',
        'u9,active,,s,A,B',
        'ok4,active,student,s,A,B',
      ].join('\n'),
    });
    const { records, malformed } = await readAll(pkg, 'users');
    expect(records.map((u) => u.sourcedId)).toEqual(['ok1', 'ok2', 'ok3', 'ok4']);
    expect(records[2]?.givenName).toBe('Multi\nline');
    expect(malformed).toEqual([
      { collection: 'users', sourcedId: '', where: 'users.csv line 3', message: 'missing sourcedId' },
      { collection: 'users', sourcedId: 'u3', where: 'users.csv line 4', message: 'has 5 values where the header has 6 columns' },
      { collection: 'users', sourcedId: 'u4', where: 'users.csv line 5', message: 'unknown role "wizard"' },
      { collection: 'users', sourcedId: 'u5', where: 'users.csv line 6', message: 'missing givenName' },
      { collection: 'users', sourcedId: 'u6', where: 'users.csv line 7', message: 'missing orgSourcedIds' },
      { collection: 'users', sourcedId: 'u7', where: 'users.csv line 8', message: 'unknown status "dormant"' },
      { collection: 'users', sourcedId: 'u8', where: 'users.csv line 9', message: 'has 7 values where the header has 6 columns' },
      { collection: 'users', sourcedId: 'u9', where: 'users.csv line 13', message: 'missing role' },
    ]);
  });

  it('reports a quote never closed and marks the read incomplete', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.1', { users: 'bulk' }),
      'users.csv': 'sourcedId,role,orgSourcedIds,givenName,familyName\nu1,student,s,A,B\nu2,student,s,"A,B\nu3,student,s,C,D\n',
    });
    const { records, malformed, summary } = await readAll(pkg, 'users');
    expect(records.map((u) => u.sourcedId)).toEqual(['u1']);
    expect(malformed).toEqual([
      {
        collection: 'users',
        sourcedId: '',
        where: 'users.csv line 3',
        message: 'a quoted value is never closed, so the rest of the file could not be read',
      },
    ]);
    expect(summary).toEqual({ records: 1, malformed: 1, complete: false });
  });

  it('puts primaryOrgSourcedId first among the orgs when a 1.1-style file has it', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.1', { users: 'bulk' }),
      'users.csv': 'sourcedId,role,orgSourcedIds,primaryOrgSourcedId,givenName,familyName\nu1,student,"a,b",b,A,B\nu2,student,,c,A,B\n',
    });
    expect((await readAll(pkg, 'users')).records.map((u) => u.orgSourcedIds)).toEqual([['b', 'a'], ['c']]);
  });
});

const USERS_1_2_HEADER =
  'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns';
const ROLES_HEADER = 'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId';

describe('users.csv with roles.csv (1.2)', () => {
  const files = {
    'manifest.csv': manifest('1.2', { users: 'bulk', roles: 'bulk' }),
    'users.csv': [
      USERS_1_2_HEADER,
      'u1,active,,true,ana,,Ana,Li,,,,,,,09,,,Annie,,,sch-1,she/her',
      'u2,active,,true,bo,,Bo,Ek,,,,,,,,,,,,,sch-2,',
      'u3,active,,true,cy,,Cy,Ng,,,,,,,,,,,,,,',
      'u4,active,,true,di,,Di,Oz,,,,,,,,,,,,,,',
    ].join('\n'),
    'roles.csv': [
      ROLES_HEADER,
      'r1,active,,u1,primary,student,,,sch-1,',
      'r2,active,,u2,primary,teacher,,,sch-1,',
      'r3,active,,u2,primary,districtAdministrator,,,sch-2,',
      'r4,active,,u2,secondary,parent,,,sch-3,',
      'r5,active,,u3,primary,wizard,,,sch-1,',
      'r6,tobedeleted,,u4,primary,teacher,,,sch-1,',
      'r7,active,,u3,primary,teacher,,,,',
    ].join('\n'),
  };

  it('takes role and orgs from roles.csv: primary role at the primary org, that org first', async () => {
    const { records } = await readAll(await open(files), 'users');
    expect(records.map((u) => [u.sourcedId, u.role, u.orgSourcedIds])).toEqual([
      ['u1', 'student', ['sch-1']],
      ['u2', 'districtadministrator', ['sch-2', 'sch-1', 'sch-3']],
      // u4's only role is ended (tobedeleted), as a leaving user's is: it still says who they were.
      ['u4', 'teacher', ['sch-1']],
    ]);
    expect(records[0]?.givenName).toBe('Ana');
  });

  it('reports bad roles.csv rows and users left without a role', async () => {
    const { malformed } = await readAll(await open(files), 'users');
    expect(malformed).toEqual([
      { collection: 'users', sourcedId: 'u3', where: 'roles.csv line 6', message: 'unknown role "wizard"' },
      { collection: 'users', sourcedId: 'u3', where: 'roles.csv line 8', message: 'missing orgSourcedId' },
      { collection: 'users', sourcedId: 'u3', where: 'users.csv line 4', message: 'no role in roles.csv' },
    ]);
  });

  it('reads a 1.2 users.csv that still has role and orgSourcedIds the 1.1 way', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.2', { users: 'bulk', roles: 'bulk' }),
      'users.csv': 'sourcedId,role,orgSourcedIds,givenName,familyName\nu1,teacher,sch-9,A,B\n',
      'roles.csv': `${ROLES_HEADER}\nr1,active,,u1,primary,student,,,sch-1,\n`,
    });
    expect((await readAll(pkg, 'users')).records[0]).toMatchObject({ role: 'teacher', orgSourcedIds: ['sch-9'] });
  });

  it('is fatal when users have neither a role column nor a roles.csv', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.2', { users: 'bulk' }),
      'users.csv': `${USERS_1_2_HEADER}\nu1,active,,true,ana,,Ana,Li,,,,,,,,,,,,,sch-1,\n`,
    });
    await expect(readAll(pkg, 'users')).rejects.toThrow(
      'users.csv has no "role" column and the package has no roles.csv, so no user\'s role is known; check the export.',
    );
  });
});

describe('other collections', () => {
  const pkgFiles = {
    'manifest.csv': manifest('1.1', { orgs: 'bulk', classes: 'bulk', enrollments: 'bulk', demographics: 'bulk', academicSessions: 'bulk' }),
    'orgs.csv':
      'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nd1,,,District,District,NCES-1,\ns1,,,High School,school,,d1\ns2,,,Nameless,,,\n',
    'classes.csv':
      'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n' +
      'c1,,,Homeroom 9B,"09,10",crs1,HR9B,Homeroom,Room 12,s1,"t1,t2","Science, Physics",,1\nc2,,,No school,,,,scheduled,,,,,,\n',
    'enrollments.csv':
      'sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n' +
      'e1,c1,s1,u1,Teacher,TRUE,2024-08-01,2025-06-30\ne2,c1,s1,u2,student,,,\ne3,c1,s1,u3,janitor,false,,\ne4,c1,s1,,student,false,,\n',
    'demographics.csv': 'sourcedId,status,dateLastModified,birthDate,sex\nu1,active,,2010-04-17,female\nu2,,,17/04/2010,Male\n',
    'academicSessions.csv':
      'sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\ny1,,,2024-2025,schoolYear,2024-08-01,2025-07-01,,2025\nt1,,,Fall,,2024-08-01,2025-01-01,y1,2025\n',
  };

  it('reads orgs, lower-casing the type', async () => {
    const { records, malformed } = await readAll(await open(pkgFiles), 'orgs');
    expect(records).toEqual([
      {
        sourcedId: 'd1',
        status: 'active',
        dateLastModified: '',
        name: 'District',
        type: 'district',
        identifier: 'NCES-1',
        parentSourcedId: '',
      },
      {
        sourcedId: 's1',
        status: 'active',
        dateLastModified: '',
        name: 'High School',
        type: 'school',
        identifier: '',
        parentSourcedId: 'd1',
      },
    ]);
    expect(malformed).toEqual([{ collection: 'orgs', sourcedId: 's2', where: 'orgs.csv line 4', message: 'missing type' }]);
  });

  it('reads classes, with lists and a lower-cased classType', async () => {
    const { records, malformed } = await readAll(await open(pkgFiles), 'classes');
    expect(records).toEqual([
      {
        sourcedId: 'c1',
        status: 'active',
        dateLastModified: '',
        title: 'Homeroom 9B',
        classCode: 'HR9B',
        classType: 'homeroom',
        location: 'Room 12',
        schoolSourcedId: 's1',
        courseSourcedId: 'crs1',
        grades: ['09', '10'],
        termSourcedIds: ['t1', 't2'],
      },
    ]);
    expect(malformed).toEqual([
      { collection: 'classes', sourcedId: 'c2', where: 'classes.csv line 3', message: 'missing schoolSourcedId' },
    ]);
  });

  it('reads enrollments, with primary as a boolean and the role checked', async () => {
    const { records, malformed } = await readAll(await open(pkgFiles), 'enrollments');
    expect(records).toEqual([
      {
        sourcedId: 'e1',
        status: 'active',
        dateLastModified: '',
        userSourcedId: 'u1',
        classSourcedId: 'c1',
        schoolSourcedId: 's1',
        role: 'teacher',
        primary: true,
        beginDate: '2024-08-01',
        endDate: '2025-06-30',
      },
      {
        sourcedId: 'e2',
        status: 'active',
        dateLastModified: '',
        userSourcedId: 'u2',
        classSourcedId: 'c1',
        schoolSourcedId: 's1',
        role: 'student',
        primary: false,
        beginDate: '',
        endDate: '',
      },
    ]);
    expect(malformed).toEqual([
      { collection: 'enrollments', sourcedId: 'e3', where: 'enrollments.csv line 4', message: 'unknown role "janitor"' },
      { collection: 'enrollments', sourcedId: 'e4', where: 'enrollments.csv line 5', message: 'missing userSourcedId' },
    ]);
  });

  it('reads demographics as sent', async () => {
    const { records } = await readAll(await open(pkgFiles), 'demographics');
    expect(records).toEqual([
      { sourcedId: 'u1', status: 'active', dateLastModified: '', birthDate: '2010-04-17', sex: 'female' },
      { sourcedId: 'u2', status: 'active', dateLastModified: '', birthDate: '17/04/2010', sex: 'Male' },
    ]);
  });

  it('reads academic sessions', async () => {
    const { records, malformed } = await readAll(await open(pkgFiles), 'academicSessions');
    expect(records).toEqual([
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
    ]);
    expect(malformed).toEqual([
      { collection: 'academicSessions', sourcedId: 't1', where: 'academicSessions.csv line 3', message: 'missing type' },
    ]);
  });
});

describe('streaming', () => {
  const users = (n: number): string =>
    `sourcedId,role,orgSourcedIds,givenName,familyName\n${Array.from({ length: n }, (_, i) => `u${i},student,s,G${i},F${i}`).join('\n')}\n`;

  it('hands records over in batches of the size asked', async () => {
    const pkg = await open({ 'manifest.csv': manifest('1.1', { users: 'bulk' }), 'users.csv': users(5) });
    const { records, batches, summary } = await readAll(pkg, 'users', 2);
    expect(batches).toBe(3);
    expect(records.map((u) => u.sourcedId)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
    expect(summary).toEqual({ records: 5, malformed: 0, complete: true });
  });

  it('waits for an async handler before reading on', async () => {
    const pkg = await open({ 'manifest.csv': manifest('1.1', { users: 'bulk' }), 'users.csv': users(6) });
    const events: string[] = [];
    await pkg.records(
      'users',
      async (records) => {
        events.push(`start ${records[0]?.sourcedId}`);
        await new Promise((r) => setTimeout(r, 5));
        events.push(`end ${records[0]?.sourcedId}`);
      },
      { batchSize: 2 },
    );
    expect(events).toEqual(['start u0', 'end u0', 'start u2', 'end u2', 'start u4', 'end u4']);
  });

  it('can be iterated as batches, returning the summary', async () => {
    const pkg = await open({ 'manifest.csv': manifest('1.1', { users: 'bulk' }), 'users.csv': users(3) });
    const it = pkg.batches('users', { batchSize: 2 });
    const sizes: number[] = [];
    let next = await it.next();
    while (!next.done) {
      sizes.push(next.value.records.length);
      next = await it.next();
    }
    expect(sizes).toEqual([2, 1]);
    expect(next.value).toEqual({ records: 3, malformed: 0, complete: true });
  });

  it('passes a handler error on, and the package can still be read after', async () => {
    const pkg = await open({ 'manifest.csv': manifest('1.1', { users: 'bulk' }), 'users.csv': users(6) });
    await expect(
      pkg.records(
        'users',
        () => {
          throw new Error('store full');
        },
        { batchSize: 2 },
      ),
    ).rejects.toThrow('store full');
    for await (const batch of pkg.batches('users', { batchSize: 2 })) {
      expect(batch.records.map((u) => u.sourcedId)).toEqual(['u0', 'u1']);
      break;
    }
    expect((await readAll(pkg, 'users')).records).toHaveLength(6);
  });

  it('gives nothing for an absent file', async () => {
    const pkg = await open({ 'manifest.csv': manifest('1.1', { users: 'bulk' }), 'users.csv': users(1) });
    const { batches, summary } = await readAll(pkg, 'enrollments');
    expect(batches).toBe(0);
    expect(summary).toEqual({ records: 0, malformed: 0, complete: true });
  });

  it('does not repeat warnings when a file is read twice', async () => {
    const pkg = await open({ 'manifest.csv': manifest('1.1', { users: 'bulk' }), 'users.csv': `colour,${users(1)}` });
    await readAll(pkg, 'users');
    await readAll(pkg, 'users');
    expect(pkg.warnings).toEqual(['users.csv: column "colour" is not a OneRoster column; ignored.']);
  });

  it('warns about an empty file', async () => {
    const pkg = await open({ 'manifest.csv': manifest('1.1', { users: 'bulk', orgs: 'bulk' }), 'users.csv': users(1), 'orgs.csv': '' });
    expect((await readAll(pkg, 'orgs')).records).toEqual([]);
    expect(pkg.warnings).toEqual(['orgs.csv is empty: it has no header row.']);
  });
});

describe('openCsvPackage', () => {
  it('reads a folder without a manifest as bulk files, with a warning', async () => {
    const pkg = await open({
      'users.csv': 'sourcedId,role,orgSourcedIds,givenName,familyName\nu1,student,s,A,B\n',
      'Orgs.CSV': 'sourcedId,name,type\ns,S,school\n',
    });
    expect(pkg.version).toBe('1.1');
    expect(pkg.files.users).toBe('bulk');
    expect(pkg.files.orgs).toBe('bulk');
    expect((await readAll(pkg, 'orgs')).records).toHaveLength(1);
    expect(pkg.warnings).toContain('The package has no manifest.csv; every file in it was read as a bulk file.');
  });

  it('is fatal for a folder with neither manifest.csv nor users.csv', async () => {
    const dir = await folder({ 'notes.txt': 'hello' });
    await expect(openCsvPackage(dir)).rejects.toMatchObject({
      kind: 'invalid_input',
      message: expect.stringMatching(
        /^rollcall-csv-unit-\w+ is not a OneRoster CSV package: it has neither manifest.csv nor users.csv at its top level\.$/,
      ),
    });
  });

  it('is fatal for a path that does not exist', async () => {
    await expect(openCsvPackage(join(tmpdir(), 'no-such-package.zip'))).rejects.toMatchObject({
      kind: 'invalid_input',
      message: 'no-such-package.zip does not exist; give the path of a OneRoster CSV package (a .zip file or a folder).',
    });
  });

  it('is fatal for a file that is not a zip', async () => {
    const dir = await folder({ 'roster.zip': 'sourcedId,name\n' });
    await expect(openCsvPackage(join(dir, 'roster.zip'))).rejects.toMatchObject({
      kind: 'invalid_input',
      message: expect.stringMatching(
        /^roster\.zip is not a readable zip file \(.+\); a OneRoster CSV package is a \.zip of CSV files or a folder of them\.$/,
      ),
    });
  });

  it('is fatal when a required column is missing, naming the file', async () => {
    const pkg = await open({
      'manifest.csv': manifest('1.1', { users: 'bulk' }),
      'users.csv': 'sourcedId,role,orgSourcedIds,givenName\nu1,student,s,A\n',
    });
    await expect(readAll(pkg, 'users')).rejects.toMatchObject({
      kind: 'invalid_input',
      message: 'users.csv has no "familyName" column, so its rows cannot be read; check the file\'s header row.',
    });
  });
});
