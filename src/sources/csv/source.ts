/**
 * The OneRoster CSV integration (SPEC §1.3): its settings, and a package (a .zip or a folder) as
 * a roster source for the sync engine.
 *
 * A package is checked before any sync starts (openCsvSource): one that cannot be a roster
 * (unreadable zip, no users.csv, an unknown OneRoster version, a file whose header lacks a
 * required column, …) is refused with one sentence and nothing is written. A bulk package
 * (users.csv `bulk` in the manifest) is a complete snapshot: a full sync, in which absence
 * transfers (with the usual completeness and threshold rules). A delta package holds only
 * changes: a delta sync that reads the whole package, never transferring for absence.
 *
 * The reader streams: every pull reads its file from disk batch by batch (src/csv), keeping
 * only the records its filter lets through, so a package never sits whole in memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { openCsvPackage } from '../../csv/index.ts';
import type { CsvPackage, OneRosterVersion } from '../../csv/index.ts';
import { RollcallError, oneLine } from '../../domain/errors.ts';
import type { MalformedRecord, RosterCollection, RosterUser } from '../../domain/roster.ts';
import type { Repositories, Store } from '../../store/store.ts';
import type { PullOutcome, PullRequest, SyncReader } from '../../sync/ports.ts';
import { compileFilter } from './filter.ts';
import { SOURCE_SYNC_SETTINGS } from '../settings.ts';

/** The OneRoster CSV integration's settings: the common sync settings and the watched folder. */
export const CSV_SETTINGS = SOURCE_SYNC_SETTINGS.extend({
  /** The folder `rollcall csv watch` takes packages from (the district's SFTP drop); '' when none. */
  watchDir: z.string().default(''),
});

/** Stored CSV settings with defaults filled. */
export type CsvSettings = z.infer<typeof CSV_SETTINGS>;

/** A library's CSV integration as stored. */
export interface CsvState {
  /** Whether OneRoster CSV is the library's enabled integration. */
  enabled: boolean;
  /** Settings with defaults filled. */
  settings: CsvSettings;
}

/** Reads a library's CSV settings (defaults when never configured). */
export async function loadCsvSource(repos: Pick<Repositories, 'integrations'>, libraryId: number): Promise<CsvState> {
  const record = await repos.integrations.get(libraryId, 'csv');
  return { enabled: record?.enabled ?? false, settings: CSV_SETTINGS.parse(record?.settings ?? {}) };
}

/** Saves CSV settings, keeping the enabled flag. */
export async function saveCsvSettings(repos: Pick<Repositories, 'integrations'>, libraryId: number, settings: CsvSettings): Promise<void> {
  await repos.integrations.save(libraryId, 'csv', { settings });
}

/** A package opened and checked for a sync. */
export interface CsvSource {
  /** The opened package. */
  readonly pkg: CsvPackage;
  /** Its base name, for messages. */
  readonly label: string;
  /** A full sync (bulk users.csv) or a delta (delta users.csv). */
  readonly kind: 'full' | 'delta';
  /** Its OneRoster version. */
  readonly version: OneRosterVersion;
}

/** The collections a sync reads; their headers are checked before it starts. */
const SYNC_COLLECTIONS: readonly RosterCollection[] = ['users', 'demographics', 'classes', 'enrollments'];

/** OneRoster versions a manifest may declare: 1.0 (read as 1.1), 1.1, 1.2 and 1.2.x. */
const KNOWN_VERSION = /^1\.[012](\.\d+)*$/;

/**
 * Opens a package and checks it can be synced: throws RollcallError('invalid_input') with one
 * sentence when it cannot (see the module comment). Reads only the manifest and the first row
 * of each file a sync reads (for a 1.2 package, roles.csv whole: users need it). `name` names it
 * in messages: an upload's own name, not the temporary file it was stored as.
 */
export async function openCsvSource(path: string, name?: string): Promise<CsvSource> {
  const pkg = await openCsvPackage(path, name);
  const label = name ?? (basename(pkg.path) || pkg.path);
  if (pkg.files.users === 'absent') {
    throw new RollcallError(
      'invalid_input',
      `${label} has no users.csv (or its manifest lists it as absent), so there is nobody to sync; export the package again with users.`,
    );
  }
  if (pkg.declaredVersion !== '' && !KNOWN_VERSION.test(pkg.declaredVersion)) {
    throw new RollcallError(
      'invalid_input',
      `${label} declares OneRoster version ${JSON.stringify(pkg.declaredVersion)}, which Rollcall does not know (it reads 1.1 and 1.2); export the package as OneRoster 1.1 or 1.2.`,
    );
  }
  for (const collection of SYNC_COLLECTIONS) await probe(pkg, collection);
  return { pkg, label, kind: pkg.files.users === 'delta' ? 'delta' : 'full', version: pkg.version };
}

/** Reads a file's header and first row, so a file that cannot be read fails now, not mid-sync. */
async function probe(pkg: CsvPackage, collection: RosterCollection): Promise<void> {
  const batches = pkg.batches(collection, { batchSize: 1 });
  try {
    await batches.next();
  } finally {
    await batches.return({ records: 0, malformed: 0, complete: true });
  }
}

/** Malformed records kept per pull for the log (the rest are counted). */
const MAX_MALFORMED_KEPT = 1000;

/** The sync's reader over a checked package. */
export function csvReader(source: CsvSource): SyncReader {
  const { pkg } = source;
  return {
    fixedKind: source.kind,
    warnings: () => pkg.warnings,
    async pull(collection, request, onRecords) {
      // A bulk package without demographics.csv does not share them: refused as a server refuses
      // a collection it does not share, the sync leaves Birthdate and Sex as they are (sync/fetch.ts
      // `ifShared`) instead of blanking every patron's for want of a record.
      if (collection === 'demographics' && source.kind === 'full' && pkg.files.demographics === 'absent') {
        throw new RollcallError('not_found', `${source.label} has no demographics.csv`);
      }
      return pullFromPackage(pkg, collection, request, onRecords as (records: unknown[]) => void | Promise<void>);
    },
  };
}

/** One pull: the file streamed, filtered as a server would filter it. */
async function pullFromPackage(
  pkg: CsvPackage,
  collection: RosterCollection,
  request: PullRequest,
  onRecords: (records: unknown[]) => void | Promise<void>,
): Promise<PullOutcome> {
  const filter = request.filter ? compileFilter(request.filter) : undefined;
  const malformed: MalformedRecord[] = [];
  let malformedCount = 0;
  let received = 0;
  const summary = await pkg.records(collection, async (records, bad) => {
    request.signal?.throwIfAborted();
    for (const m of bad) {
      // A pull for a few sourcedIds reports only their rows: the other rows' faults were
      // reported by the pull that read the whole file.
      if (filter?.ids && !filter.ids.has(m.sourcedId)) continue;
      malformedCount++;
      if (malformed.length < MAX_MALFORMED_KEPT) malformed.push(m);
    }
    received += records.length;
    request.onProgress?.(received, null);
    const matching = filter ? records.filter((r) => filter.test(r)) : records;
    const keepUser = collection === 'users' ? request.keepUser : undefined;
    const kept = keepUser ? matching.map((r) => keepUser(r as RosterUser)) : matching;
    if (kept.length > 0) await onRecords(kept);
  });
  return {
    complete: summary.complete,
    incompleteReason: summary.complete ? '' : `${collection}.csv could not be read to its end (a quote was never closed)`,
    malformed,
    malformedCount,
    notes: [],
  };
}

/** A package file's identity and content hash. */
export interface PackageFingerprint {
  /** Base name. */
  name: string;
  /** Where it is. */
  path: string;
  /** Bytes (a folder: the sum of its files). */
  size: number;
  /** Last modification, ISO 8601 UTC (a folder: its newest file). */
  mtime: string;
  /** sha256, hex (a folder: over each file's name and bytes, in name order). */
  sha256: string;
}

/** Reads a package's identity and hashes its bytes (streamed). */
export async function fingerprintPackage(path: string): Promise<PackageFingerprint> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new RollcallError('not_found', `${basename(path)} is not there any more.`);
  const hash = createHash('sha256');
  let size = info.size;
  let mtimeMs = info.mtimeMs;
  if (info.isDirectory()) {
    size = 0;
    const names = (await readdir(path, { withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => d.name)
      .sort();
    for (const name of names) {
      const file = join(path, name);
      const s = await stat(file);
      size += s.size;
      mtimeMs = Math.max(mtimeMs, s.mtimeMs);
      hash.update(`${name}\0${s.size}\0`);
      await hashInto(hash, file);
    }
  } else {
    await hashInto(hash, path);
  }
  return { name: basename(path), path, size, mtime: new Date(Math.floor(mtimeMs)).toISOString(), sha256: hash.digest('hex') };
}

async function hashInto(hash: ReturnType<typeof createHash>, file: string): Promise<void> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
}

/**
 * The path of the package an operation read, for approving its held plan; undefined when the
 * operation recorded none. Refused when the file has changed or gone since (the plan would no
 * longer be the package's).
 */
export async function packageOfOperation(
  store: Pick<Store, 'csvPackages'>,
  libraryId: number,
  operationId: number,
): Promise<string | undefined> {
  const record = await store.csvPackages.byOperation(libraryId, operationId);
  if (!record) return undefined;
  const now = await fingerprintPackage(record.path).catch((e: unknown) => {
    throw new RollcallError(
      'conflict',
      `The package ${record.name} that operation ${operationId} read is gone from ${record.path} (${oneLine(e)}); sync a package again.`,
    );
  });
  if (now.sha256 !== record.sha256) {
    throw new RollcallError(
      'conflict',
      `The package ${record.name} has changed since operation ${operationId} read it; sync it again with \`rollcall sync --from-csv ${record.path}\`.`,
    );
  }
  return record.path;
}
