/**
 * The notice an endpoint receives after an applied operation: small, so a receiver reacts by
 * reading the change feed from its own saved cursor (the range here says which changes the
 * operation wrote). Standard Webhooks' envelope: `type`, `timestamp`, `data`.
 */
import { encodeChangeCursor } from '../../domain/change-cursor.ts';
import { OPERATION_TYPES, operationTypeName } from '../../domain/operation.ts';
import type { Operation } from '../../store/store.ts';

/** The event type of every notice. */
export const NOTICE_TYPE = 'operation.applied';

/**
 * Whether an operation's notice is sent: an applied one. Never a dry run (it writes nothing),
 * never a plan held for review (needs_review: nothing applied yet — its notice goes when an
 * admin approves it and it applies), never a failed one (nothing was applied).
 */
export function isApplied(op: Operation): boolean {
  return op.type !== OPERATION_TYPES.dryRun && (op.state === 'succeeded' || op.state === 'succeeded_with_warnings');
}

/** The notice's JSON body. */
export function operationNotice(
  library: { id: number; code: string; name: string },
  op: Operation,
  range: { first: number; last: number } | null,
  publicUrl: string,
): string {
  return JSON.stringify({
    type: NOTICE_TYPE,
    timestamp: op.finishedAt ?? op.createdAt,
    data: {
      library: { code: library.code, name: library.name },
      operation: {
        id: op.id,
        type: op.type,
        name: operationTypeName(op.type, op.source, op.undoOf),
        state: op.state,
        requestedBy: op.requestedBy,
        finishedAt: op.finishedAt,
        url: `${publicUrl.replace(/\/+$/, '')}/operations/${op.id}`,
      },
      counts: op.counts,
      // The feed's cursors around what the operation wrote: GET /api/v1/changes?after=<after>
      // reads from its first change; `through` is its last. null: it changed no patron.
      changes:
        range === null
          ? null
          : {
              after: encodeChangeCursor({ libraryId: library.id, journalId: range.first - 1 }),
              through: encodeChangeCursor({ libraryId: library.id, journalId: range.last }),
            },
    },
  });
}
