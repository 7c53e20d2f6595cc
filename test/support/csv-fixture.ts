/**
 * Helpers for the OneRoster CSV source's tests: a generated district as data and as packages
 * (folders written by src/csv/write-package.ts, or zips of them), and a library set up for CSV
 * (sites matched to schools, OneRoster CSV enabled) with the sync dependencies the product
 * builds (openReaderFor), so approving a held plan reads its package again as it would.
 *
 *     const data = generatedData(60, 'seed');
 *     const pkg = await writePackage(join(dir, 'p1'), data);
 *     const lib = await csvLibrary(db, schoolIds(data).slice(0, 2));
 *     const r = await syncCsvPackage(lib.deps, lib.libraryId, { path: pkg, dryRun: false, requestedBy: 'test' });
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll } from 'vitest';
import { testConfig } from '../../src/config/load.ts';
import { writeCsvPackage, type OneRosterVersion } from '../../src/csv/index.ts';
import { syncRoleOf, type RosterUser, type SyncRole } from '../../src/domain/roster.ts';
import { materialize } from '../../src/emulator/district-model.ts';
import { generateDistrict } from '../../src/emulator/generated-district.ts';
import type { DistrictData } from '../../src/domain/district.ts';
import { CSV_SETTINGS, saveCsvSettings, type CsvSettings } from '../../src/sources/csv/source.ts';
import { openReaderFor } from '../../src/sources/registry.ts';
import { turnOn } from '../../src/sources/switch.ts';
import type { Store } from '../../src/store/store.ts';
import type { SyncDeps } from '../../src/sync/ports.ts';
import type { DatabaseTestContext } from './db.ts';
import { SYNC_SOURCES } from '../../src/app.ts';

/** A district generated from a seed, materialised (small districts only). */
export function generatedData(students: number, seed: string): DistrictData {
  return materialize(generateDistrict({ students, seed }));
}

/** The school org sourcedIds of a district, in sourcedId order. */
export function schoolIds(data: DistrictData): string[] {
  return data.orgs
    .filter((o) => o.type === 'school')
    .map((o) => o.sourcedId)
    .sort();
}

/** The users that should be patrons: a synced role, first org one of `orgs`. */
export function inScope(data: DistrictData, orgs: readonly string[], roles: readonly SyncRole[] = ['student', 'teacher']): RosterUser[] {
  const role = new Set(roles);
  const org = new Set(orgs);
  return data.users.filter((u) => {
    const r = syncRoleOf(u.role);
    return r !== null && role.has(r) && org.has(u.orgSourcedIds[0] ?? '');
  });
}

/** Writes a package folder (`dir`) from district data; returns its path. */
export async function writePackage(
  dir: string,
  data: Partial<DistrictData>,
  options: { version?: OneRosterVersion; mode?: 'bulk' | 'delta' } = {},
): Promise<string> {
  await writeCsvPackage(dir, data, { version: options.version ?? '1.1', mode: options.mode ?? 'bulk' });
  return dir;
}

/** A temporary folder, removed after the file's tests. */
export function tempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterAll(async () => {
    await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rollcall-csv-source-'));
    made.push(dir);
    return dir;
  };
}

/** Zips a package folder's files (stored, uncompressed: enough for a reader) into `zipPath`. */
export async function zipFolder(folder: string, zipPath: string): Promise<string> {
  const names = (await readdir(folder, { withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => d.name)
    .sort();
  const out = createWriteStream(zipPath);
  const central: Buffer[] = [];
  let offset = 0;
  const write = async (buf: Buffer) => {
    offset += buf.length;
    if (!out.write(buf)) await once(out, 'drain');
  };
  for (const name of names) {
    const data = await readFile(join(folder, name));
    const fileName = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const start = offset;
    await write(Buffer.concat([local, fileName, data]));
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x800, 8);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(fileName.length, 28);
    entry.writeUInt32LE(start, 42);
    central.push(entry, fileName);
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  await write(Buffer.concat([directory, end]));
  out.end();
  await once(out, 'finish');
  return zipPath;
}

/** A library set up for OneRoster CSV. */
export interface CsvLibrary {
  /** The store. */
  store: Store;
  /** The library. */
  libraryId: number;
  /** Site code per matched org. */
  siteByOrg: Map<string, string>;
  /** The sync dependencies (the product's openReaderFor, the real clock). */
  deps: SyncDeps;
}

/**
 * A new library with one site per org (S1, S2, …) matched for OneRoster CSV, the settings
 * changed as asked, and OneRoster CSV enabled.
 */
export async function csvLibrary(db: DatabaseTestContext, orgs: readonly string[], change?: (s: CsvSettings) => void): Promise<CsvLibrary> {
  const store = db.store();
  const lib = await db.newLibrary('CSV library');
  const siteByOrg = new Map<string, string>();
  for (const [i, org] of orgs.entries()) {
    const code = `S${i + 1}`;
    await store.sites.add(lib.id, { code, name: `School ${i + 1}` });
    await store.sites.setOrgGuid(lib.id, code, org, 'csv');
    siteByOrg.set(org, code);
  }
  const settings = CSV_SETTINGS.parse({});
  change?.(settings);
  await saveCsvSettings(store, lib.id, settings);
  await turnOn(store, lib.id, 'csv', 'cli');
  const config = testConfig();
  return {
    store,
    libraryId: lib.id,
    siteByOrg,
    deps: {
      store,
      sources: SYNC_SOURCES,
      now: () => new Date(),
      openReader: (libraryId, context) => openReaderFor(config, store, libraryId, context),
    },
  };
}
