/**
 * Undo of an operation (SPEC §3.9: "Undo is itself an operation, previewed first, and can be
 * undone"). An undo names the operation it undid (`undo_of`, and that one's type, so its name,
 * "Undo of ClassLink Full Sync 42", needs no second look-up in every list), and the undone
 * operation names the undo that undid it (`undone_by`), which is how a second undo of the same
 * operation is refused. Plain integers, no foreign keys, like `retry_of`: an operation row is
 * never deleted while the other exists, and the write path pays for no checks.
 */
import type { Kysely, Migration } from 'kysely';

/** The migration (the same on both engines). */
export function undoMigration(): Migration {
  return {
    // Kysely<any>: a migration describes the schema it creates, so it cannot be typed by it.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('operations').addColumn('undo_of', 'integer').execute();
      await db.schema.alterTable('operations').addColumn('undo_of_type', 'text').execute();
      await db.schema.alterTable('operations').addColumn('undone_by', 'integer').execute();
    },
  };
}
