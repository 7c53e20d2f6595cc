/**
 * Packages as .zip files: layouts real archivers produce, archives Rollcall must refuse, and
 * streaming a large generated package (200,000 users by default; set
 * ROLLCALL_CSV_STREAM_USERS to try another size). Memory is printed, never asserted.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, readdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw, crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsvDistrict, openCsvPackage, writeCsvPackage } from '../src/csv/index.ts';
import type { RosterOrg, RosterUser } from '../src/domain/roster.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-csv-zip-'));
  dirs.push(dir);
  return dir;
}

/** One file to put in a zip: its stored name and its bytes (from a file on disk, or text). */
interface ZipInput {
  name: string;
  path?: string;
  text?: string;
  /** 8 deflate (default) or 0 stored. */
  method?: 0 | 8;
  /** Sets the "encrypted" flag (the data itself stays plain: enough for a reader to refuse it). */
  encrypted?: boolean;
}

const FLAG_ENCRYPTED = 0x1;
const FLAG_DATA_DESCRIPTOR = 0x8;
const FLAG_UTF8 = 0x800;
const VERSION = 20;

/**
 * A minimal zip writer for tests: streams each file through deflateRaw, with sizes and CRC32 in
 * a data descriptor after the data (so nothing is buffered), then the central directory.
 */
async function writeZip(zipPath: string, inputs: readonly ZipInput[]): Promise<void> {
  const out = createWriteStream(zipPath);
  let offset = 0;
  const write = async (buf: Buffer): Promise<void> => {
    offset += buf.length;
    if (!out.write(buf)) await once(out, 'drain');
  };
  const central: Buffer[] = [];
  for (const input of inputs) {
    const method = input.method ?? 8;
    const flags = FLAG_DATA_DESCRIPTOR | FLAG_UTF8 | (input.encrypted ? FLAG_ENCRYPTED : 0);
    const name = Buffer.from(input.name, 'utf8');
    const start = offset;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(name.length, 26);
    await write(Buffer.concat([local, name]));

    let crc = 0;
    let size = 0;
    let compressed = 0;
    const source = input.path ? createReadStream(input.path) : Readable.from([Buffer.from(input.text ?? '')]);
    const tap = async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        crc = crc32(chunk, crc);
        size += chunk.length;
        yield chunk;
      }
    };
    const sink = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
      for await (const chunk of chunks) {
        compressed += chunk.length;
        await write(chunk);
      }
    };
    if (method === 8) await pipeline(source, tap, createDeflateRaw() as Transform, sink);
    else await pipeline(source, tap, sink);

    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(compressed, 8);
    descriptor.writeUInt32LE(size, 12);
    await write(descriptor);

    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(VERSION, 4);
    entry.writeUInt16LE(VERSION, 6);
    entry.writeUInt16LE(flags, 8);
    entry.writeUInt16LE(method, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(compressed, 20);
    entry.writeUInt32LE(size, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(start, 42);
    central.push(entry, name);
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(inputs.length, 8);
  end.writeUInt16LE(inputs.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  await write(Buffer.concat([directory, end]));
  out.end();
  await once(out as WriteStream, 'finish');
}

/** How long to wait for closed handles to leave /proc/self/fd on a loaded machine. */
const FD_CLOSE_WAIT_MS = 5000;

const MANIFEST = 'propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.1\r\nfile.users,bulk\r\nfile.orgs,bulk\r\n';
const USERS = 'sourcedId,role,orgSourcedIds,givenName,familyName\r\nu1,student,s1,Zoë,Núñez\r\nu2,teacher,s1,Kai,Ōta\r\n';
const ORGS = 'sourcedId,name,type\r\ns1,North High,school\r\n';

describe('zip packages', () => {
  it('reads deflated and stored entries', async () => {
    const zip = join(await tempDir(), 'roster.zip');
    await writeZip(zip, [
      { name: 'manifest.csv', text: MANIFEST },
      { name: 'users.csv', text: USERS },
      { name: 'orgs.csv', text: ORGS, method: 0 },
    ]);
    const d = await loadCsvDistrict(zip);
    expect(d.data.users.map((u) => `${u.givenName} ${u.familyName}`)).toEqual(['Zoë Núñez', 'Kai Ōta']);
    expect(d.data.orgs.map((o) => o.name)).toEqual(['North High']);
    expect(d.warnings).toEqual([]);
  });

  it('reads files zipped inside one folder, with a warning, and ignores archiver clutter', async () => {
    const zip = join(await tempDir(), 'export.zip');
    await writeZip(zip, [
      { name: 'export/manifest.csv', text: MANIFEST },
      { name: 'export/users.csv', text: USERS },
      { name: 'export/orgs.csv', text: ORGS },
      { name: 'export/.DS_Store', text: 'junk' },
      { name: '__MACOSX/export/._users.csv', text: 'junk' },
    ]);
    const d = await loadCsvDistrict(zip);
    expect(d.data.users).toHaveLength(2);
    expect(d.warnings).toEqual([
      'The files of export.zip are inside the folder "export/" rather than at the top of the zip; they were read from there.',
    ]);
  });

  it('reads 1.2 users when roles.csv comes after users.csv in the zip', async () => {
    const zip = join(await tempDir(), 'v12.zip');
    await writeZip(zip, [
      { name: 'users.csv', text: 'sourcedId,givenName,familyName,primaryOrgSourcedId\r\nu1,A,B,s2\r\n' },
      { name: 'manifest.csv', text: 'propertyName,value\r\noneroster.version,1.2\r\nfile.users,bulk\r\nfile.roles,bulk\r\n' },
      {
        name: 'roles.csv',
        text: 'sourcedId,userSourcedId,roleType,role,orgSourcedId\r\nr1,u1,primary,teacher,s1\r\nr2,u1,primary,principal,s2\r\n',
      },
    ]);
    const d = await loadCsvDistrict(zip);
    expect(d.data.users[0]).toMatchObject({ role: 'principal', orgSourcedIds: ['s2', 's1'] });
  });

  it('closes the zip when reading stops early or the handler fails', async () => {
    const zip = join(await tempDir(), 'early.zip');
    const many = `sourcedId,role,orgSourcedIds,givenName,familyName\r\n${Array.from({ length: 5000 }, (_, i) => `u${i},student,s1,G,F\r\n`).join('')}`;
    await writeZip(zip, [
      { name: 'manifest.csv', text: MANIFEST },
      { name: 'users.csv', text: many },
    ]);
    const pkg = await openCsvPackage(zip);
    const openFiles = (): number => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    for await (const batch of pkg.batches('users', { batchSize: 10 })) {
      expect(batch.records).toHaveLength(10);
      break;
    }
    await expect(pkg.records('users', () => Promise.reject(new Error('stop')))).rejects.toThrow('stop');
    // The handle closes on the stream's 'close' event, and fs.close completes in the thread
    // pool: poll for it (a leak keeps the count up until the deadline).
    const deadline = Date.now() + FD_CLOSE_WAIT_MS;
    while (openFiles() > before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(openFiles()).toBe(before);
  });

  it('refuses an encrypted entry, naming it', async () => {
    const zip = join(await tempDir(), 'locked.zip');
    await writeZip(zip, [
      { name: 'manifest.csv', text: MANIFEST },
      { name: 'users.csv', text: USERS, encrypted: true },
    ]);
    const pkg = await openCsvPackage(zip);
    await expect(pkg.records('users', () => {})).rejects.toMatchObject({
      kind: 'invalid_input',
      message: 'users.csv in locked.zip is encrypted; export the package without a password.',
    });
  });

  it('refuses a zip cut short', async () => {
    const dir = await tempDir();
    const zip = join(dir, 'whole.zip');
    await writeZip(zip, [
      { name: 'manifest.csv', text: MANIFEST },
      { name: 'users.csv', text: USERS },
    ]);
    const bytes = await readFile(zip);
    await writeFile(join(dir, 'cut.zip'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(openCsvPackage(join(dir, 'cut.zip'))).rejects.toMatchObject({
      kind: 'invalid_input',
      message: expect.stringMatching(
        /^cut\.zip is not a readable zip file \(.+\); a OneRoster CSV package is a \.zip of CSV files or a folder of them\.$/,
      ),
    });
  });

  it('reports a damaged entry as a file that could not be read', async () => {
    const dir = await tempDir();
    const zip = join(dir, 'damaged.zip');
    const big =
      'sourcedId,role,orgSourcedIds,givenName,familyName\r\n' +
      Array.from({ length: 2000 }, (_, i) => `u${i},student,s1,G${i},F${i}\r\n`).join('');
    await writeZip(zip, [
      { name: 'manifest.csv', text: MANIFEST, method: 0 },
      { name: 'users.csv', text: big },
    ]);
    const bytes = await readFile(zip);
    // Overwrite the middle of users.csv's deflated data.
    const from = MANIFEST.length + 200;
    bytes.fill(0xff, from, from + 64);
    await writeFile(zip, bytes);
    const pkg = await openCsvPackage(zip);
    await expect(pkg.records('users', () => {})).rejects.toMatchObject({
      kind: 'invalid_input',
      message: expect.stringMatching(/^users\.csv in damaged\.zip could not be read \(.+\)\.$/),
    });
  });
});

/** Users to generate for the streaming check. */
const STREAM_USERS = Number(process.env.ROLLCALL_CSV_STREAM_USERS ?? 200_000);
const MB = 1024 * 1024;
const SCHOOLS = 20;

function* generatedUsers(n: number): Generator<RosterUser> {
  for (let i = 0; i < n; i++) {
    const id = String(i).padStart(8, '0');
    yield {
      sourcedId: `usr-${id}`,
      status: 'active',
      dateLastModified: '2025-01-02T03:04:05.000Z',
      enabledUser: true,
      role: i % 25 === 0 ? 'teacher' : 'student',
      orgSourcedIds: [`sch-${i % SCHOOLS}`],
      username: `user${id}`,
      userIds: [
        { type: 'FED', identifier: id },
        { type: 'LDAP', identifier: `l${id}` },
      ],
      givenName: `Given${i}`,
      familyName: i % 3 === 0 ? `O'Brien-Núñez ${i}` : `Family${i}`,
      middleName: '',
      identifier: `S${id}`,
      email: `user${id}@district.example`,
      sms: '',
      phone: '555-0100',
      agentSourcedIds: [`par-${id}`],
      grades: [i % 2 === 0 ? '09' : 'KG'],
    };
  }
}

function* generatedOrgs(): Generator<RosterOrg> {
  for (let s = 0; s < SCHOOLS; s++) {
    yield {
      sourcedId: `sch-${s}`,
      status: 'active',
      dateLastModified: '',
      name: `School ${s}`,
      type: 'school',
      identifier: '',
      parentSourcedId: '',
    };
  }
}

/** Streams users, checking order and a few values, and sampling RSS on every batch. */
async function streamUsers(path: string): Promise<{ count: number; peakRssMb: number; seconds: number; last: RosterUser | undefined }> {
  const pkg = await openCsvPackage(path);
  let count = 0;
  let peak = process.memoryUsage().rss;
  let last: RosterUser | undefined;
  let ordered = true;
  const started = performance.now();
  const summary = await pkg.records('users', (records, malformed) => {
    if (malformed.length > 0) throw new Error(`unexpected malformed rows: ${malformed[0]?.where}`);
    for (const u of records) {
      if (u.sourcedId !== `usr-${String(count).padStart(8, '0')}`) ordered = false;
      count++;
    }
    last = records.at(-1);
    peak = Math.max(peak, process.memoryUsage().rss);
  });
  expect(ordered).toBe(true);
  expect(summary).toEqual({ records: count, malformed: 0, complete: true });
  return { count, peakRssMb: peak / MB, seconds: (performance.now() - started) / 1000, last };
}

describe(`streaming a generated package of ${STREAM_USERS.toLocaleString('en')} users`, () => {
  it('streams 1.1 users out of a zip, batch by batch', async () => {
    const dir = await tempDir();
    const folder = join(dir, 'pkg');
    await writeCsvPackage(folder, { users: generatedUsers(STREAM_USERS), orgs: generatedOrgs() }, { version: '1.1' });
    const zip = join(dir, 'pkg.zip');
    await writeZip(
      zip,
      ['manifest.csv', 'users.csv', 'orgs.csv'].map((name) => ({ name, path: join(folder, name) })),
    );
    await rm(folder, { recursive: true });
    const zipMb = (await stat(zip)).size / MB;

    const before = process.memoryUsage().rss / MB;
    const r = await streamUsers(zip);
    expect(r.count).toBe(STREAM_USERS);
    expect(r.last?.givenName).toBe(`Given${STREAM_USERS - 1}`);
    expect(r.last?.userIds[0]).toEqual({ type: 'FED', identifier: String(STREAM_USERS - 1).padStart(8, '0') });
    console.log(
      `csv streaming (1.1 zip, ${zipMb.toFixed(1)} MB): ${r.count} users in ${r.seconds.toFixed(1)} s; ` +
        `RSS ${before.toFixed(0)} MB before, peak ${r.peakRssMb.toFixed(0)} MB while streaming`,
    );
  });

  it('streams 1.2 users against roles.csv', async () => {
    const dir = await tempDir();
    await writeCsvPackage(dir, { users: generatedUsers(STREAM_USERS), orgs: generatedOrgs() }, { version: '1.2' });
    const before = process.memoryUsage().rss / MB;
    const r = await streamUsers(dir);
    expect(r.count).toBe(STREAM_USERS);
    expect(r.last).toMatchObject({ role: 'student', orgSourcedIds: [`sch-${(STREAM_USERS - 1) % SCHOOLS}`] });
    console.log(
      `csv streaming (1.2 folder with roles.csv): ${r.count} users in ${r.seconds.toFixed(1)} s; ` +
        `RSS ${before.toFixed(0)} MB before, peak ${r.peakRssMb.toFixed(0)} MB while streaming`,
    );
  });
});
