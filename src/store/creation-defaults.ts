/**
 * A library's creation defaults (SPEC §3.3, §3.8), stored as JSON with a revision: an admin's
 * save is a compare-and-set on the revision it read, so of two admins saving at once one wins
 * and the other is told. A sync moving a barcode sequence on writes without bumping it (an
 * admin's open page stays valid across the nightly sync).
 */
import type { RepoContext } from './context.ts';

/** A library's stored creation defaults. */
export interface CreationDefaultsRecord {
  /** The defaults as stored (JSON; read with sources/creation-defaults.ts). */
  defaults: unknown;
  /** Bumped by every admin save; 0 when never saved. */
  revision: number;
  /** When last saved (ISO), '' when never. */
  updatedAt: string;
  /** Who saved last ('' for a sync or a migration). */
  updatedBy: string;
}

/** The creation defaults repository. */
export interface CreationDefaultsRepository {
  /** The stored defaults, or a record with revision 0 and `defaults` undefined when never saved. */
  get(libraryId: number): Promise<CreationDefaultsRecord>;
  /**
   * Saves an admin's defaults if the stored revision is still `expectedRevision` (0: never
   * saved); returns the new revision, or undefined when someone saved in between (nothing saved).
   */
  save(libraryId: number, defaults: unknown, expectedRevision: number, by: string): Promise<number | undefined>;
  /**
   * Inside a transaction, holds the library's row until it ends, so a sync's read-change-write
   * of its barcode sequences cannot lose, or be lost by, another write. PostgreSQL: `select …
   * for update`; SQLite: nothing to do — its transactions take the write lock at BEGIN.
   */
  lock(libraryId: number): Promise<void>;
  /** Writes a sync's progress (its barcode sequences moved on), leaving the revision as it is. */
  writeProgress(libraryId: number, defaults: unknown): Promise<void>;
}

/** The creation defaults repository over a context. */
export function creationDefaultsRepository(ctx: RepoContext): CreationDefaultsRepository {
  return {
    async get(libraryId) {
      const row = await ctx.db.selectFrom('creation_defaults').selectAll().where('library_id', '=', libraryId).executeTakeFirst();
      if (!row) return { defaults: undefined, revision: 0, updatedAt: '', updatedBy: '' };
      return {
        defaults: JSON.parse(row.defaults) as unknown,
        revision: row.revision,
        updatedAt: row.updated_at,
        updatedBy: row.updated_by,
      };
    },
    async save(libraryId, defaults, expectedRevision, by) {
      const json = JSON.stringify(defaults);
      const now = ctx.now();
      if (expectedRevision === 0) {
        const inserted = await ctx.db
          .insertInto('creation_defaults')
          .values({ library_id: libraryId, defaults: json, revision: 1, updated_at: now, updated_by: by })
          // A row a sync wrote (revision 0) was never an admin's: saving over it is no conflict.
          .onConflict((oc) =>
            oc
              .column('library_id')
              .doUpdateSet({ defaults: json, revision: 1, updated_at: now, updated_by: by })
              .where('creation_defaults.revision', '=', 0),
          )
          .executeTakeFirst();
        return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1 ? 1 : undefined;
      }
      const updated = await ctx.db
        .updateTable('creation_defaults')
        .set((eb) => ({ defaults: json, revision: eb('revision', '+', 1), updated_at: now, updated_by: by }))
        .where('library_id', '=', libraryId)
        .where('revision', '=', expectedRevision)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1 ? expectedRevision + 1 : undefined;
    },
    async lock(libraryId) {
      if (ctx.dialect !== 'postgres') return;
      await ctx.db.selectFrom('creation_defaults').select('library_id').where('library_id', '=', libraryId).forUpdate().execute();
    },
    async writeProgress(libraryId, defaults) {
      const json = JSON.stringify(defaults);
      await ctx.db
        .insertInto('creation_defaults')
        .values({ library_id: libraryId, defaults: json, revision: 0, updated_at: ctx.now(), updated_by: '' })
        .onConflict((oc) => oc.column('library_id').doUpdateSet({ defaults: json }))
        .execute();
    },
  };
}
