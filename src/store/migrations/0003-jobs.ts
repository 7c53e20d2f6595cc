/**
 * Jobs and workers (SPEC §6): `operations.retry_of`, the operation a retry stands in for.
 *
 * A sync whose worker stopped is failed by the reaper and retried ONCE, as a new operation
 * that names the failed one here; the reaper never retries an operation that is itself a retry,
 * so a sync that kills its worker every time (out of memory on a huge district) cannot loop.
 */
import type { Kysely, Migration } from 'kysely';

/** The migration (the same on both engines). */
export function jobsMigration(): Migration {
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('operations').addColumn('retry_of', 'integer').execute();
    },
  };
}
