/**
 * OneRoster CSV packages a library has processed (0005-sources): each synced or refused package,
 * known by name, size, modification time and sha256, with the operation that read it. The
 * watched folder skips what is here; approving a held plan finds its package here.
 */
import type { Selectable } from 'kysely';
import type { RepoContext } from './context.ts';
import type { CsvPackagesTable } from './tables.ts';

/** A package as recorded. */
export interface CsvPackageRecord {
  /** The store's id. */
  id: number;
  /** The file's base name (`roster-2026-09-01.zip`). */
  name: string;
  /** Where it was read from. */
  path: string;
  /** Bytes (a folder: the sum of its files). */
  size: number;
  /** Modification time, ISO 8601 UTC. */
  mtime: string;
  /** sha256 of its bytes, hex. */
  sha256: string;
  /** The sync that read it, or null (refused before a sync). */
  operationId: number | null;
  /**
   * `running` while its sync runs, then the operation's state; `refused` (never synced); `retry`
   * (its sync's process died: the watched folder syncs it once more).
   */
  outcome: string;
  /** Why it was refused, or a note ('' when none). */
  message: string;
  /** When it was recorded (ISO). */
  processedAt: string;
}

/** What identifies a package file. */
export interface CsvPackageIdentity {
  /** Base name. */
  name: string;
  /** Bytes. */
  size: number;
  /** Modification time, ISO 8601 UTC. */
  mtime: string;
}

/** The CSV package repository. */
export interface CsvPackageRepository {
  /** Records a processed package; returns its id. */
  add(libraryId: number, record: Omit<CsvPackageRecord, 'id' | 'processedAt'>): Promise<number>;
  /** Updates the outcome of a recorded package (when its sync ends). */
  setOutcome(libraryId: number, id: number, outcome: string, message?: string): Promise<void>;
  /** The packages recorded with this name, size and mtime (any sha256), newest first. */
  find(libraryId: number, identity: CsvPackageIdentity): Promise<CsvPackageRecord[]>;
  /** The package an operation read, or undefined. */
  byOperation(libraryId: number, operationId: number): Promise<CsvPackageRecord | undefined>;
  /** The most recently recorded packages, newest first. */
  recent(libraryId: number, limit: number): Promise<CsvPackageRecord[]>;
  /** The packages recorded with this outcome (`running`: their sync has not recorded its end), oldest first. */
  withOutcome(libraryId: number, outcome: string): Promise<CsvPackageRecord[]>;
}

/** The CSV package repository over a context. */
export function csvPackageRepository(ctx: RepoContext): CsvPackageRepository {
  const select = (libraryId: number) => ctx.db.selectFrom('csv_packages').selectAll().where('library_id', '=', libraryId);
  return {
    async add(libraryId, r) {
      const row = await ctx.db
        .insertInto('csv_packages')
        .values({
          library_id: libraryId,
          name: r.name,
          path: r.path,
          size: r.size,
          mtime: r.mtime,
          sha256: r.sha256,
          operation_id: r.operationId,
          outcome: r.outcome,
          message: r.message,
          processed_at: ctx.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async setOutcome(libraryId, id, outcome, message) {
      await ctx.db
        .updateTable('csv_packages')
        .set({ outcome, ...(message === undefined ? {} : { message }) })
        .where('library_id', '=', libraryId)
        .where('id', '=', id)
        .execute();
    },
    async find(libraryId, identity) {
      const rows = await select(libraryId)
        .where('name', '=', identity.name)
        .where('size', '=', identity.size)
        .where('mtime', '=', identity.mtime)
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toRecord);
    },
    async byOperation(libraryId, operationId) {
      const row = await select(libraryId).where('operation_id', '=', operationId).orderBy('id', 'desc').executeTakeFirst();
      return row && toRecord(row);
    },
    async recent(libraryId, limit) {
      return (await select(libraryId).orderBy('id', 'desc').limit(limit).execute()).map(toRecord);
    },
    async withOutcome(libraryId, outcome) {
      return (await select(libraryId).where('outcome', '=', outcome).orderBy('id').execute()).map(toRecord);
    },
  };
}

function toRecord(row: Selectable<CsvPackagesTable>): CsvPackageRecord {
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    size: Number(row.size),
    mtime: row.mtime,
    sha256: row.sha256,
    operationId: row.operation_id,
    outcome: row.outcome,
    message: row.message,
    processedAt: row.processed_at,
  };
}
