/**
 * A OneRoster CSV package (a .zip or a folder), opened: its version and files from the
 * manifest, and each roster collection streamed in batches of canonical records
 * (src/domain/roster.ts). Nothing is held whole in memory: rows are parsed as the file streams
 * and handed over batch by batch, waiting for the consumer before reading on. Malformed rows are
 * reported with their file and line and skipped; only a package that cannot be read at all is
 * an error.
 */
import { RollcallError, oneLine } from '../domain/errors.ts';
import type { MalformedRecord, RosterCollection, RosterRecordOf } from '../domain/roster.ts';
import { COLUMN_SPECS, resolveHeader } from './columns.ts';
import type { ResolvedHeader } from './columns.ts';
import { csvRowBatches } from './csv-rows.ts';
import type { CsvEntity, CsvFileMode, OneRosterVersion } from './entities.ts';
import { manifestFromFiles, readManifest } from './manifest.ts';
import { FileNotes } from './notes.ts';
import { openPackageFiles } from './package-files.ts';
import type { PackageFiles } from './package-files.ts';
import { academicSessionReader, classReader, demographicsReader, enrollmentReader, orgReader } from './records.ts';
import type { RowReader } from './records.ts';
import { RoleIndex, roleRowReader } from './roles.ts';
import { RowChecks, RowError } from './row-checks.ts';
import { userReader } from './user-records.ts';

/** One batch of a collection: the records read, and the rows that could not be. */
export interface CsvBatch<T> {
  /** Records, in file order. */
  records: T[];
  /** Rows skipped as malformed (for users, also bad roles.csv rows). */
  malformed: MalformedRecord[];
}

/** Receives each batch; reading waits for a returned promise before going on. */
export type BatchHandler<T> = (records: T[], malformed: MalformedRecord[]) => void | Promise<void>;

/** What reading one collection came to. */
export interface ReadSummary {
  /** Records read. */
  records: number;
  /** Rows skipped as malformed. */
  malformed: number;
  /** False when part of a file could not be read at all (a quote never closed). */
  complete: boolean;
}

/** Options for reading a collection. */
export interface ReadOptions {
  /** Records per batch (default 1,000). */
  batchSize?: number;
}

/** An opened OneRoster CSV package. */
export interface CsvPackage {
  /** The path it was opened from. */
  readonly path: string;
  /** Its OneRoster version (declared by the manifest, else detected). */
  readonly version: OneRosterVersion;
  /** The `oneroster.version` its manifest declares, as written ('' when none). */
  readonly declaredVersion: string;
  /** How each file is supplied (bulk, delta, absent). */
  readonly files: Readonly<Record<CsvEntity, CsvFileMode>>;
  /** Oddities found so far, one sentence each; grows as files are read (header and row notes). */
  readonly warnings: readonly string[];
  /** Streams a collection to `onBatch`, batch by batch; an absent file gives no batches. */
  records<C extends RosterCollection>(collection: C, onBatch: BatchHandler<RosterRecordOf[C]>, options?: ReadOptions): Promise<ReadSummary>;
  /** The same stream as an async iterator of batches; its return value is the summary. */
  batches<C extends RosterCollection>(collection: C, options?: ReadOptions): AsyncGenerator<CsvBatch<RosterRecordOf[C]>, ReadSummary>;
}

/** Records per batch unless asked otherwise: big enough to amortise, small enough to stream. */
const DEFAULT_BATCH_SIZE = 1000;

/**
 * Opens a package (a .zip or a folder) and reads its manifest. Throws
 * RollcallError('invalid_input') when it is neither, cannot be read, or is not a OneRoster
 * package (no manifest.csv and no users.csv). `label` names it in messages (default: its file name).
 */
export async function openCsvPackage(path: string, label?: string): Promise<CsvPackage> {
  const files = await openPackageFiles(path, label);
  const present = new Set(files.entities.keys());
  if (!files.manifest && !present.has('users')) {
    throw new RollcallError(
      'invalid_input',
      `${files.label} is not a OneRoster CSV package: it has neither manifest.csv nor users.csv at its top level.`,
    );
  }
  const manifest = files.manifest ? readManifest(await readWhole(files, files.manifest), present) : manifestFromFiles(present);
  return new OpenedPackage(path, files, manifest.version, manifest.declaredVersion, manifest.files, [
    ...files.warnings,
    ...manifest.warnings,
  ]);
}

/** Rows of a small file (the manifest), read whole. */
async function readWhole(files: PackageFiles, storedName: string): Promise<string[][]> {
  const rows: string[][] = [];
  try {
    for await (const batch of csvRowBatches(await files.open(storedName), DEFAULT_BATCH_SIZE)) rows.push(...batch.rows);
  } catch (e) {
    throw unreadable(files, storedName, e);
  }
  return rows;
}

function unreadable(files: PackageFiles, storedName: string, e: unknown): RollcallError {
  if (e instanceof RollcallError) return e;
  return new RollcallError('invalid_input', `${baseName(storedName)} in ${files.label} could not be read (${oneLine(e)}).`, { cause: e });
}

function baseName(storedName: string): string {
  return storedName.slice(storedName.lastIndexOf('/') + 1);
}

/** Builds a file's row reader once its header is known; may first stream another file (roles.csv). */
type ReaderSetup<T> = (header: ResolvedHeader, checks: RowChecks) => AsyncGenerator<CsvBatch<T>, RowReader<T>>;

/** A row reader that needs nothing but the header. */
function plain<T>(make: (header: ResolvedHeader, checks: RowChecks) => RowReader<T>): ReaderSetup<T> {
  // A generator that yields nothing: this file streams no other file before its own rows.
  // biome-ignore lint/correctness/useYield: ReaderSetup's shape is a generator, and this one has nothing to yield.
  return async function* (header, checks) {
    return make(header, checks);
  };
}

class OpenedPackage implements CsvPackage {
  private readonly seen: Set<string>;

  constructor(
    readonly path: string,
    private readonly source: PackageFiles,
    readonly version: OneRosterVersion,
    readonly declaredVersion: string,
    readonly files: Readonly<Record<CsvEntity, CsvFileMode>>,
    readonly warnings: string[],
  ) {
    this.seen = new Set(warnings);
  }

  async records<C extends RosterCollection>(
    collection: C,
    onBatch: BatchHandler<RosterRecordOf[C]>,
    options?: ReadOptions,
  ): Promise<ReadSummary> {
    const it = this.batches(collection, options);
    try {
      for (;;) {
        const next = await it.next();
        if (next.done) return next.value;
        await onBatch(next.value.records, next.value.malformed);
      }
    } finally {
      // Closes the file (and the zip handle) when the handler threw; a no-op once done.
      await it.return({ records: 0, malformed: 0, complete: false });
    }
  }

  async *batches<C extends RosterCollection>(
    collection: C,
    options?: ReadOptions,
  ): AsyncGenerator<CsvBatch<RosterRecordOf[C]>, ReadSummary> {
    const batchSize = Math.max(1, options?.batchSize ?? DEFAULT_BATCH_SIZE);
    const summary: ReadSummary = { records: 0, malformed: 0, complete: true };
    const setup = this.setupFor(collection, batchSize, summary) as ReaderSetup<RosterRecordOf[C]>;
    for await (const batch of this.readFile(collection, collection, setup, batchSize, summary, 'sourcedId')) {
      summary.records += batch.records.length;
      summary.malformed += batch.malformed.length;
      yield batch;
    }
    return summary;
  }

  private setupFor(collection: RosterCollection, batchSize: number, summary: ReadSummary): ReaderSetup<unknown> {
    switch (collection) {
      case 'orgs':
        return plain(orgReader);
      case 'academicSessions':
        return plain(academicSessionReader);
      case 'classes':
        return plain(classReader);
      case 'enrollments':
        return plain(enrollmentReader);
      case 'demographics':
        return plain(demographicsReader);
      case 'users':
        return this.userSetup(batchSize, summary);
    }
  }

  /** Users: a 1.2 users.csv (no role column) first needs roles.csv, read into a RoleIndex. */
  private userSetup(batchSize: number, summary: ReadSummary): ReaderSetup<unknown> {
    const self = this;
    return async function* (header, checks) {
      if (header.indexOf('role') !== -1 || self.files.roles === 'absent') return userReader(header, checks, undefined);
      const roles = new RoleIndex();
      for await (const batch of self.readFile('roles', 'users', plain(roleRowReader), batchSize, summary, 'userSourcedId')) {
        for (const r of batch.records) roles.add(r.userSourcedId, r.primary, r.role, r.orgSourcedId, r.ended);
        if (batch.malformed.length > 0) yield { records: [], malformed: batch.malformed };
      }
      return userReader(header, checks, roles);
    };
  }

  /** Streams one file: header, then rows through the reader, in batches. */
  private async *readFile<T>(
    entity: CsvEntity,
    collection: RosterCollection,
    setup: ReaderSetup<T>,
    batchSize: number,
    summary: ReadSummary,
    idColumn: string,
  ): AsyncGenerator<CsvBatch<T>> {
    const stored = this.source.entities.get(entity);
    const mode = this.files[entity];
    if (stored === undefined || mode === 'absent') return;
    const fileName = baseName(stored);
    const notes = new FileNotes(fileName);
    const checks = new RowChecks(mode, notes);
    let header: ResolvedHeader | undefined;
    let reader: RowReader<T> | undefined;
    let idIndex = -1;
    let records: T[] = [];
    let malformed: MalformedRecord[] = [];
    try {
      for await (const batch of csvRowBatches(await this.source.open(stored), batchSize)) {
        for (let i = 0; i < batch.rows.length; i++) {
          const cells = batch.rows[i]!;
          const line = batch.lines[i]!;
          if (!header || !reader) {
            header = resolveHeader(fileName, cells, COLUMN_SPECS[entity as keyof typeof COLUMN_SPECS]);
            this.warn(...header.warnings);
            idIndex = header.indexOf(idColumn);
            reader = yield* setup(header, checks);
            continue;
          }
          const result = fitsWidth(cells, header.width) ? reader(cells, line) : widthError(cells, header.width);
          if (result instanceof RowError) {
            const sourcedId = idIndex === -1 ? '' : (cells[idIndex] ?? '').trim();
            malformed.push({ collection, sourcedId, where: `${fileName} line ${line}`, message: result.message });
            continue;
          }
          records.push(result);
          if (records.length >= batchSize) {
            yield { records, malformed };
            records = [];
            malformed = [];
          }
        }
        for (const p of batch.problems) {
          if (p.restOfFileLost) summary.complete = false;
          malformed.push({ collection, sourcedId: '', where: `${fileName} line ${p.line}`, message: p.message });
        }
      }
    } catch (e) {
      throw unreadable(this.source, stored, e);
    }
    if (records.length > 0 || malformed.length > 0) yield { records, malformed };
    if (!header) this.warn(`${fileName} is empty: it has no header row.`);
    this.warn(...notes.warnings());
  }

  private warn(...warnings: string[]): void {
    for (const w of warnings) {
      if (this.seen.has(w)) continue;
      this.seen.add(w);
      this.warnings.push(w);
    }
  }
}

/** Whether a row has the header's width; extra cells are fine when empty (trailing commas). */
function fitsWidth(cells: readonly string[], width: number): boolean {
  if (cells.length === width) return true;
  if (cells.length < width) return false;
  for (let i = width; i < cells.length; i++) if ((cells[i] ?? '').trim() !== '') return false;
  return true;
}

function widthError(cells: readonly string[], width: number): RowError {
  return new RowError(`has ${cells.length} values where the header has ${width} columns`);
}
