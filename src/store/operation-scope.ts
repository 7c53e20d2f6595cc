/**
 * Checks that an operation belongs to the library before its log or plan is written, so one
 * library can never write into another's operation by id.
 */
import { RollcallError } from '../domain/errors.ts';
import type { RepoContext } from './context.ts';

/** Rows per multi-row insert: 1,000 rows of ≤7 columns stay far below both engines' parameter limits. */
export const INSERT_CHUNK_ROWS = 1000;

/** Throws not_found unless the operation exists in the library. */
export async function assertOperationOf(ctx: RepoContext, libraryId: number, operationId: number): Promise<void> {
  const row = await ctx.db
    .selectFrom('operations')
    .select('id')
    .where('library_id', '=', libraryId)
    .where('id', '=', operationId)
    .executeTakeFirst();
  if (!row) throw new RollcallError('not_found', `There is no operation ${operationId}; list them with \`rollcall operations list\`.`);
}
