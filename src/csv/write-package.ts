/**
 * Writes a district as a OneRoster CSV package folder (manifest.csv plus one file per
 * collection, columns in spec order, CRLF line ends), so tests and demos can make packages of
 * any size. Collections are iterables written as they are iterated, so a generator can stream
 * a million users to disk without holding them.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RosterUser } from '../domain/roster.ts';
import type { DistrictData } from '../domain/district.ts';
import { CSV_COLLECTIONS, entitiesOf } from './entities.ts';
import type { CsvEntity, OneRosterVersion } from './entities.ts';

/** What to write: any of a district's collections, each as any iterable (an array or a generator). */
export type CsvPackageContent = { [K in keyof DistrictData]?: Iterable<DistrictData[K][number]> };

/** How to write a package. */
export interface WritePackageOptions {
  /** 1.1 (role and orgSourcedIds on users.csv) or 1.2 (roles.csv, primaryOrgSourcedId). */
  version: OneRosterVersion;
  /** The mode the manifest gives each file written (default bulk). */
  mode?: 'bulk' | 'delta';
}

/** Characters to buffer before writing to disk. */
const FLUSH_CHARS = 1 << 16;

const USERS_1_1 = [
  'sourcedId',
  'status',
  'dateLastModified',
  'enabledUser',
  'orgSourcedIds',
  'role',
  'username',
  'userIds',
  'givenName',
  'familyName',
  'middleName',
  'identifier',
  'email',
  'sms',
  'phone',
  'agentSourcedIds',
  'grades',
  'password',
];
const USERS_1_2 = [
  'sourcedId',
  'status',
  'dateLastModified',
  'enabledUser',
  'username',
  'userIds',
  'givenName',
  'familyName',
  'middleName',
  'identifier',
  'email',
  'sms',
  'phone',
  'agentSourcedIds',
  'grades',
  'password',
  'userMasterIdentifier',
  'preferredGivenName',
  'preferredMiddleName',
  'preferredFamilyName',
  'primaryOrgSourcedId',
  'pronouns',
];
const ROLES = [
  'sourcedId',
  'status',
  'dateLastModified',
  'userSourcedId',
  'roleType',
  'role',
  'beginDate',
  'endDate',
  'orgSourcedId',
  'userProfileSourcedId',
];

/** Each collection's columns (spec order) and how a record fills them; users are written apart. */
const TABLES = {
  orgs: {
    header: ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'],
    row: (o: DistrictData['orgs'][number]) => [o.sourcedId, o.status, o.dateLastModified, o.name, o.type, o.identifier, o.parentSourcedId],
  },
  academicSessions: {
    header: ['sourcedId', 'status', 'dateLastModified', 'title', 'type', 'startDate', 'endDate', 'parentSourcedId', 'schoolYear'],
    row: (s: DistrictData['academicSessions'][number]) => [
      s.sourcedId,
      s.status,
      s.dateLastModified,
      s.title,
      s.type,
      s.startDate,
      s.endDate,
      s.parentSourcedId,
      s.schoolYear,
    ],
  },
  classes: {
    header: [
      'sourcedId',
      'status',
      'dateLastModified',
      'title',
      'grades',
      'courseSourcedId',
      'classCode',
      'classType',
      'location',
      'schoolSourcedId',
      'termSourcedIds',
      'subjects',
      'subjectCodes',
      'periods',
    ],
    row: (c: DistrictData['classes'][number]) => [
      c.sourcedId,
      c.status,
      c.dateLastModified,
      c.title,
      c.grades.join(','),
      c.courseSourcedId,
      c.classCode,
      c.classType,
      c.location,
      c.schoolSourcedId,
      c.termSourcedIds.join(','),
      '',
      '',
      '',
    ],
  },
  enrollments: {
    header: [
      'sourcedId',
      'status',
      'dateLastModified',
      'classSourcedId',
      'schoolSourcedId',
      'userSourcedId',
      'role',
      'primary',
      'beginDate',
      'endDate',
    ],
    row: (e: DistrictData['enrollments'][number]) => [
      e.sourcedId,
      e.status,
      e.dateLastModified,
      e.classSourcedId,
      e.schoolSourcedId,
      e.userSourcedId,
      e.role,
      String(e.primary),
      e.beginDate,
      e.endDate,
    ],
  },
  demographics: {
    header: ['sourcedId', 'status', 'dateLastModified', 'birthDate', 'sex'],
    row: (d: DistrictData['demographics'][number]) => [d.sourcedId, d.status, d.dateLastModified, d.birthDate, d.sex],
  },
};

/** Writes a package into `dir` (created if needed); collections not given are listed absent. */
export async function writeCsvPackage(dir: string, data: CsvPackageContent, options: WritePackageOptions): Promise<void> {
  await mkdir(dir, { recursive: true });
  const mode = options.mode ?? 'bulk';
  const written = new Set<CsvEntity>();
  for (const collection of CSV_COLLECTIONS) {
    const records = data[collection];
    if (records === undefined) continue;
    written.add(collection);
    if (collection === 'users') {
      if (options.version === '1.2') written.add('roles');
      await writeUsers(dir, records as Iterable<RosterUser>, options.version);
      continue;
    }
    const table = TABLES[collection] as { header: string[]; row: (r: unknown) => string[] };
    const out = new CsvFileWriter(join(dir, `${collection}.csv`), table.header);
    for (const r of records) if (out.row(table.row(r))) await out.flush();
    await out.close();
  }
  const manifest = [
    ['propertyName', 'value'],
    ['manifest.version', '1.0'],
    ['oneroster.version', options.version],
    ...entitiesOf(options.version).map((e) => [`file.${e}`, written.has(e) ? mode : 'absent']),
    ['source.systemName', 'Rollcall'],
  ];
  await writeFile(join(dir, 'manifest.csv'), `${manifest.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`);
}

/** Users, and in 1.2 their roles: one primary role per org, as 1.2 asks (ONEROSTER.md §1.2). */
async function writeUsers(dir: string, users: Iterable<RosterUser>, version: OneRosterVersion): Promise<void> {
  const out = new CsvFileWriter(join(dir, 'users.csv'), version === '1.1' ? USERS_1_1 : USERS_1_2);
  const roles = version === '1.2' ? new CsvFileWriter(join(dir, 'roles.csv'), ROLES) : undefined;
  for (const u of users) {
    const userIds = u.userIds.map((id) => `{${id.type}:${id.identifier}}`).join(',');
    const common = [
      u.username,
      userIds,
      u.givenName,
      u.familyName,
      u.middleName,
      u.identifier,
      u.email,
      u.sms,
      u.phone,
      u.agentSourcedIds.join(','),
      u.grades.join(','),
      '',
    ];
    if (!roles) {
      if (out.row([u.sourcedId, u.status, u.dateLastModified, String(u.enabledUser), u.orgSourcedIds.join(','), u.role, ...common]))
        await out.flush();
      continue;
    }
    if (
      out.row([u.sourcedId, u.status, u.dateLastModified, String(u.enabledUser), ...common, '', '', '', '', u.orgSourcedIds[0] ?? '', ''])
    )
      await out.flush();
    for (const [i, org] of u.orgSourcedIds.entries()) {
      if (roles.row([`role-${u.sourcedId}-${i + 1}`, u.status, u.dateLastModified, u.sourcedId, 'primary', u.role, '', '', org, '']))
        await roles.flush();
    }
  }
  await out.close();
  await roles?.close();
}

/** One cell, quoted when it holds a comma, quote, line break or edge space. */
function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A CSV file written row by row, buffered, honouring the disk's backpressure. */
class CsvFileWriter {
  private readonly stream: WriteStream;
  private buffer = '';

  constructor(path: string, header: readonly string[]) {
    this.stream = createWriteStream(path);
    this.buffer = `${header.join(',')}\r\n`;
  }

  /** Adds a row; true when enough is buffered that the caller should await flush(). */
  row(cells: readonly string[]): boolean {
    this.buffer += `${cells.map(csvCell).join(',')}\r\n`;
    return this.buffer.length >= FLUSH_CHARS;
  }

  /** Writes the rest and closes the file. */
  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }

  /** Writes what is buffered, waiting if the disk is behind. */
  async flush(): Promise<void> {
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
}
