/**
 * The stored plan of a held (needs review) or dry-run operation: its changes in plan order,
 * saved in chunks, paged back by kind, deleted once applied or rejected.
 */
import { atomically, type RepoContext } from './context.ts';
import { NO_LIMIT, storable } from './dialect.ts';
import { INSERT_CHUNK_ROWS, assertOperationOf } from './operation-scope.ts';
import type { ChangeInput, Page, StoredChange } from './records.ts';

/** How to filter and page the changes. */
export interface ChangeQuery {
  /** Only changes of this kind. */
  kind?: string;
  /** At most this many (all when absent). */
  limit?: number;
  /** Skip this many first. */
  offset?: number;
}

/** The plan methods of the operation repository. */
export interface OperationChangeMethods {
  /** Appends changes to the operation's stored plan (numbered after those already saved). */
  saveChanges(libraryId: number, operationId: number, changes: readonly ChangeInput[]): Promise<void>;
  /** The stored changes in plan order, filtered and paged, with the total that matched. */
  changes(libraryId: number, operationId: number, query?: ChangeQuery): Promise<Page<StoredChange>>;
  /** Deletes the stored plan; returns how many changes it held. */
  deleteChanges(libraryId: number, operationId: number): Promise<number>;
}

/** The plan methods over a context. */
export function operationChangeMethods(ctx: RepoContext): OperationChangeMethods {
  return {
    async saveChanges(libraryId, operationId, changes) {
      if (changes.length === 0) return;
      await atomically(ctx, async (tx) => {
        await assertOperationOf(tx, libraryId, operationId);
        const last = await tx.db
          .selectFrom('operation_changes')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('operation_id', '=', operationId)
          .executeTakeFirst();
        const first = last?.seq === null || last?.seq === undefined ? 0 : Number(last.seq) + 1;
        for (let start = 0; start < changes.length; start += INSERT_CHUNK_ROWS) {
          const values = changes.slice(start, start + INSERT_CHUNK_ROWS).map((change, i) => ({
            operation_id: operationId,
            library_id: libraryId,
            seq: first + start + i,
            kind: change.kind,
            sourced_id: storable(change.sourcedId),
            patron_id: change.patronId,
            detail: JSON.stringify(change.detail ?? null),
          }));
          await tx.db.insertInto('operation_changes').values(values).execute();
        }
      });
    },

    async changes(libraryId, operationId, query = {}) {
      let base = ctx.db.selectFrom('operation_changes').where('library_id', '=', libraryId).where('operation_id', '=', operationId);
      if (query.kind !== undefined) base = base.where('kind', '=', query.kind);
      const rows = base
        .selectAll()
        .orderBy('seq')
        .limit(query.limit ?? NO_LIMIT)
        .offset(query.offset ?? 0);
      const [items, total] = await Promise.all([
        rows.execute(),
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return {
        items: items.map((r) => ({
          seq: r.seq,
          kind: r.kind,
          sourcedId: r.sourced_id,
          patronId: r.patron_id,
          detail: JSON.parse(r.detail) as unknown,
        })),
        total: Number(total.n),
      };
    },

    async deleteChanges(libraryId, operationId) {
      const result = await ctx.db
        .deleteFrom('operation_changes')
        .where('library_id', '=', libraryId)
        .where('operation_id', '=', operationId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
