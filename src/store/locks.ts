/**
 * Field locks (SPEC §3.8, migration 0012-locks): which fields of which patrons no sync writes,
 * who locked each and when. Every query is scoped by library; a lock names a patron of its own
 * library only (the insert reads the patron through the library). Locking or unlocking bumps
 * the library's patron revision in the same transaction: it changes what a sync may write, so a
 * plan held for review since is planned again on approval (sync/review.ts), and the bump takes
 * the library row that a sync's apply takes too, so the two never interleave.
 */
import type { PatronFieldKey } from '../domain/fields.ts';
import { atomically, type RepoContext } from './context.ts';
import { bumpPatronRevision } from './libraries.ts';

/** One lock, with enough of its patron to list it. */
export interface FieldLockRecord {
  /** The patron. */
  patronId: number;
  /** The locked field. */
  field: PatronFieldKey;
  /** Who locked it: a staff account's name, or `cli`. */
  lockedBy: string;
  /** When (ISO 8601 UTC). */
  lockedAt: string;
  /** The patron's GUID, Barcode and name, as they are now. */
  guid: string;
  barcode: string;
  firstName: string;
  lastName: string;
}

/** The field lock repository. */
export interface FieldLockRepository {
  /** Every lock of the library: patron id → its locked fields (a sync's plan input). */
  byPatron(libraryId: number): Promise<Map<number, Set<PatronFieldKey>>>;
  /** Every lock of the library with its patron, by last name, first name, patron, field. */
  list(libraryId: number): Promise<FieldLockRecord[]>;
  /** One patron's locks, by field. */
  ofPatron(libraryId: number, patronId: number): Promise<FieldLockRecord[]>;
  /** Locks fields of a patron of the library (those locked already stay as they were); returns how many were added. */
  lock(libraryId: number, patronId: number, fields: readonly PatronFieldKey[], by: string): Promise<number>;
  /** Unlocks fields of a patron; returns how many were removed. */
  unlock(libraryId: number, patronId: number, fields: readonly PatronFieldKey[]): Promise<number>;
  /**
   * In a sync's apply transaction: holds the library row (without writing it: a sync that
   * changes nothing bumps no revision), then reads the locks, so a lock being added waits for the
   * apply to commit, or the apply sees it.
   */
  holdForApply(libraryId: number): Promise<Map<number, Set<PatronFieldKey>>>;
}

/** The field lock repository over a context. */
export function fieldLockRepository(ctx: RepoContext): FieldLockRepository {
  const listed = (libraryId: number) =>
    ctx.db
      .selectFrom('patron_locks as l')
      .innerJoin('patrons as p', (j) => j.onRef('p.id', '=', 'l.patron_id').onRef('p.library_id', '=', 'l.library_id'))
      .select([
        'l.patron_id as patronId',
        'l.field as field',
        'l.locked_by as lockedBy',
        'l.locked_at as lockedAt',
        'p.guid as guid',
        'p.barcode as barcode',
        'p.first_name as firstName',
        'p.last_name as lastName',
      ])
      .where('l.library_id', '=', libraryId);
  const records = (rows: { field: string }[]) => rows as FieldLockRecord[];

  const repo: FieldLockRepository = {
    async byPatron(libraryId) {
      const rows = await ctx.db.selectFrom('patron_locks').select(['patron_id', 'field']).where('library_id', '=', libraryId).execute();
      const out = new Map<number, Set<PatronFieldKey>>();
      for (const r of rows) {
        let set = out.get(r.patron_id);
        if (!set) out.set(r.patron_id, (set = new Set()));
        set.add(r.field as PatronFieldKey);
      }
      return out;
    },

    async list(libraryId) {
      return records(
        await listed(libraryId).orderBy('p.last_name').orderBy('p.first_name').orderBy('l.patron_id').orderBy('l.field').execute(),
      );
    },

    async ofPatron(libraryId, patronId) {
      return records(await listed(libraryId).where('l.patron_id', '=', patronId).orderBy('l.field').execute());
    },

    async lock(libraryId, patronId, fields, by) {
      if (fields.length === 0) return 0;
      return atomically(ctx, async (tx) => {
        await bumpPatronRevision(tx, libraryId);
        const at = tx.now();
        let added = 0;
        for (const field of new Set(fields)) {
          // Through the patron of this library: another library's patron id locks nothing.
          const result = await tx.db
            .insertInto('patron_locks')
            .columns(['library_id', 'patron_id', 'field', 'locked_by', 'locked_at'])
            .expression((eb) =>
              eb
                .selectFrom('patrons')
                .select(['library_id', 'id', eb.val(field).as('field'), eb.val(by).as('locked_by'), eb.val(at).as('locked_at')])
                .where('library_id', '=', libraryId)
                .where('id', '=', patronId),
            )
            .onConflict((oc) => oc.columns(['library_id', 'patron_id', 'field']).doNothing())
            .executeTakeFirst();
          added += Number(result.numInsertedOrUpdatedRows ?? 0);
        }
        return added;
      });
    },

    async unlock(libraryId, patronId, fields) {
      if (fields.length === 0) return 0;
      return atomically(ctx, async (tx) => {
        await bumpPatronRevision(tx, libraryId);
        const result = await tx.db
          .deleteFrom('patron_locks')
          .where('library_id', '=', libraryId)
          .where('patron_id', '=', patronId)
          .where('field', 'in', [...fields])
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },

    async holdForApply(libraryId) {
      // PostgreSQL: the row lock a lock or unlock takes by bumping the revision. SQLite needs
      // none: a transaction there holds the one write lock from its start (guarded-dialect.ts).
      if (ctx.dialect === 'postgres') {
        await ctx.db.selectFrom('libraries').select('id').where('id', '=', libraryId).forUpdate().execute();
      }
      return repo.byPatron(libraryId);
    },
  };
  return repo;
}
