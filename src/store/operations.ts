/**
 * Operations (SPEC §3.7): creation with "one queued or running per library" enforced by a
 * partial unique index (atomic across worker processes), the state machine's transitions as
 * compare-and-set updates, heartbeats for crashed-worker detection, and — from the modules
 * beside — the log and the stored plan.
 */
import { pickCounts } from '../domain/counts.ts';
import type { Selectable, Updateable } from 'kysely';
import { RollcallError } from '../domain/errors.ts';
import type { RepoContext } from './context.ts';
import { operationChangeMethods, type OperationChangeMethods } from './operation-changes.ts';
import { operationLogMethods, type OperationLogMethods } from './operation-log.ts';
import { FINAL_STATES, type Operation, type OperationCounts, type OperationState, type Page } from './records.ts';
import { isUniqueViolation } from './store-errors.ts';
import type { OperationsTable } from './tables.ts';

/** Operations per `list` unless asked otherwise. */
const DEFAULT_LIST_LIMIT = 50;
/** Tries at creating: the active operation can end between our insert and our look-up. */
const CREATE_ATTEMPTS = 5;
const ACTIVE_STATES: readonly OperationState[] = ['queued', 'running'];
const OPEN_STATES: readonly OperationState[] = ['queued', 'running', 'needs_review'];

/** What a new operation is. */
export interface NewOperation {
  /** Its type (`full_sync`, `delta_sync`, `dry_run`, …). */
  type: string;
  /** The integration it reads, or ''. */
  source: string;
  /** Who or what asked for it. */
  requestedBy: string;
  /** The operation it retries (a worker stopped in mid-sync), if any. */
  retryOf?: number | undefined;
  /** An undo's: the operation it undoes (SPEC §3.9). */
  undoOf?: { id: number; type: string } | undefined;
  /**
   * Created `running` rather than `queued`: work done at once in the asking process (an undo),
   * with no job to wait for — so the reaper never takes it for a sync whose job was lost.
   */
  running?: boolean;
}

/** How an operation ended (or stopped for review). */
export interface OperationOutcome {
  /** needs_review, succeeded, succeeded_with_warnings, rejected or failed. */
  state: Exclude<OperationState, 'queued' | 'running'>;
  /** Final counts. */
  counts?: OperationCounts;
  /** Whether the snapshot was complete. */
  complete?: boolean | null;
  /** A summary for people. */
  summary?: string;
  /** The failure in one line. */
  error?: string;
}

/** How to filter and page the list of operations (Operations Management). */
export interface OperationQuery {
  /** Only operations of this stored type. */
  type?: string;
  /** Only operations in this state. */
  state?: OperationState;
  /** At most this many (default DEFAULT_LIST_LIMIT). */
  limit?: number;
  /** Skip this many first. */
  offset?: number;
}

/** The operation repository. */
export interface OperationRepository extends OperationLogMethods, OperationChangeMethods {
  /**
   * Queues an operation — unless one of the library's is already queued or running: then that
   * one is returned with `created: false` (SPEC §3.7 "returns the running one").
   */
  create(libraryId: number, operation: NewOperation): Promise<{ operation: Operation; created: boolean }>;
  /** One operation, or undefined. */
  get(libraryId: number, id: number): Promise<Operation | undefined>;
  /** The library's operations, newest first. */
  list(libraryId: number, options?: { limit?: number; state?: OperationState }): Promise<Operation[]>;
  /** The library's operations newest first, filtered and paged in SQL, with the total that matched. */
  search(libraryId: number, query?: OperationQuery): Promise<Page<Operation>>;
  /** queued → running; false when it was not queued (another worker took it). */
  start(libraryId: number, id: number): Promise<boolean>;
  /**
   * Moves an operation from one of `from` to `to` (e.g. needs_review → running on approval);
   * false when it was in none of them; conflict when `to` is active and another one is.
   */
  transition(libraryId: number, id: number, from: readonly OperationState[], to: OperationState): Promise<boolean>;
  /** Records that the worker is alive; false when the operation is no longer running. */
  heartbeat(libraryId: number, id: number): Promise<boolean>;
  /** Records progress (and a heartbeat); false when the operation is no longer running. */
  progress(libraryId: number, id: number, done: number, total: number): Promise<boolean>;
  /** Ends an open operation (or holds it for review); false when it had already ended. */
  finish(libraryId: number, id: number, outcome: OperationOutcome): Promise<boolean>;
  /** Running operations of every library whose last sign of life is older than `olderThan` (sync/stale.ts isStale, in SQL). */
  findStale(olderThan: Date): Promise<Operation[]>;
  /** Queued operations of every library queued before `olderThan` (the reaper checks their jobs). */
  findQueued(olderThan: Date): Promise<Operation[]>;
  /**
   * Records that operation `id` was undone by operation `undoneBy` (SPEC §3.9); false when it
   * already was (a compare-and-set, so of two undos of it only one can commit).
   */
  markUndone(libraryId: number, id: number, undoneBy: number): Promise<boolean>;
}

/** The operation repository over a context. */
export function operationRepository(ctx: RepoContext): OperationRepository {
  const byId = (libraryId: number, id: number) =>
    ctx.db.selectFrom('operations').selectAll().where('library_id', '=', libraryId).where('id', '=', id);

  async function update(libraryId: number, id: number, from: readonly OperationState[], set: Updateable<OperationsTable>) {
    const result = await ctx.db
      .updateTable('operations')
      .set(set)
      .where('library_id', '=', libraryId)
      .where('id', '=', id)
      .where('state', 'in', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  return {
    async create(libraryId, operation) {
      for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
        const now = ctx.now();
        const inserted = await ctx.db
          .insertInto('operations')
          .values({
            library_id: libraryId,
            type: operation.type,
            source: operation.source,
            requested_by: operation.requestedBy,
            created_at: now,
            retry_of: operation.retryOf ?? null,
            undo_of: operation.undoOf?.id ?? null,
            undo_of_type: operation.undoOf?.type ?? null,
            ...(operation.running ? { state: 'running', started_at: now, heartbeat_at: now } : { state: 'queued' }),
          })
          // Only the partial unique index can conflict here: another operation is active.
          .onConflict((oc) => oc.doNothing())
          .returningAll()
          .executeTakeFirst();
        if (inserted) return { operation: toOperation(inserted), created: true };
        const active = await ctx.db
          .selectFrom('operations')
          .selectAll()
          .where('library_id', '=', libraryId)
          .where('state', 'in', ACTIVE_STATES)
          .executeTakeFirst();
        if (active) return { operation: toOperation(active), created: false };
      }
      throw new RollcallError('conflict', 'Operations of this library keep starting and ending; try again in a moment.');
    },

    async get(libraryId, id) {
      const row = await byId(libraryId, id).executeTakeFirst();
      return row && toOperation(row);
    },

    async list(libraryId, options = {}) {
      let query = ctx.db
        .selectFrom('operations')
        .selectAll()
        .where('library_id', '=', libraryId)
        .orderBy('id', 'desc')
        .limit(options.limit ?? DEFAULT_LIST_LIMIT);
      if (options.state) query = query.where('state', '=', options.state);
      return (await query.execute()).map(toOperation);
    },

    async search(libraryId, query = {}) {
      let base = ctx.db.selectFrom('operations').where('library_id', '=', libraryId);
      if (query.type !== undefined) base = base.where('type', '=', query.type);
      if (query.state !== undefined) base = base.where('state', '=', query.state);
      const [rows, total] = await Promise.all([
        base
          .selectAll()
          .orderBy('id', 'desc')
          .limit(query.limit ?? DEFAULT_LIST_LIMIT)
          .offset(query.offset ?? 0)
          .execute(),
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toOperation), total: Number(total.n) };
    },

    async start(libraryId, id) {
      const now = ctx.now();
      return update(libraryId, id, ['queued'], { state: 'running', started_at: now, heartbeat_at: now });
    },

    async transition(libraryId, id, from, to) {
      const now = ctx.now();
      const set: Updateable<OperationsTable> = { state: to };
      if (to === 'running') set.heartbeat_at = now;
      if (FINAL_STATES.includes(to)) set.finished_at = now;
      try {
        return await update(libraryId, id, from, set);
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        throw new RollcallError('conflict', 'Another operation of this library is queued or running; wait for it to finish.', {
          cause: e,
        });
      }
    },

    async heartbeat(libraryId, id) {
      return update(libraryId, id, ['running'], { heartbeat_at: ctx.now() });
    },

    async progress(libraryId, id, done, total) {
      return update(libraryId, id, ['running'], { progress_done: done, progress_total: total, heartbeat_at: ctx.now() });
    },

    async finish(libraryId, id, outcome) {
      const set: Updateable<OperationsTable> = { state: outcome.state };
      if (FINAL_STATES.includes(outcome.state)) set.finished_at = ctx.now();
      if (outcome.counts) Object.assign(set, pickCounts(outcome.counts)); // the eight count columns, whatever else counts carries
      if (outcome.complete !== undefined) set.complete = outcome.complete === null ? null : outcome.complete ? 1 : 0;
      if (outcome.summary !== undefined) set.summary = outcome.summary;
      if (outcome.error !== undefined) set.error = outcome.error;
      return update(libraryId, id, OPEN_STATES, set);
    },

    async findStale(olderThan) {
      const rows = await ctx.db
        .selectFrom('operations')
        .selectAll()
        .where('state', '=', 'running')
        .where((eb) => eb(eb.fn.coalesce('heartbeat_at', 'started_at', 'created_at'), '<', olderThan.toISOString()))
        .orderBy('id')
        .execute();
      return rows.map(toOperation);
    },

    async findQueued(olderThan) {
      const rows = await ctx.db
        .selectFrom('operations')
        .selectAll()
        .where('state', '=', 'queued')
        .where('created_at', '<', olderThan.toISOString())
        .orderBy('id')
        .execute();
      return rows.map(toOperation);
    },

    async markUndone(libraryId, id, undoneBy) {
      const result = await ctx.db
        .updateTable('operations')
        .set({ undone_by: undoneBy })
        .where('library_id', '=', libraryId)
        .where('id', '=', id)
        .where('undone_by', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    ...operationLogMethods(ctx),
    ...operationChangeMethods(ctx),
  };
}

function toOperation(row: Selectable<OperationsTable>): Operation {
  return {
    id: row.id,
    libraryId: row.library_id,
    type: row.type,
    source: row.source,
    requestedBy: row.requested_by,
    state: row.state as OperationState,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    heartbeatAt: row.heartbeat_at,
    progress: { done: row.progress_done, total: row.progress_total },
    counts: {
      created: row.created,
      updated: row.updated,
      unchanged: row.unchanged,
      transferred: row.transferred,
      reactivated: row.reactivated,
      skipped: row.skipped,
      conflicts: row.conflicts,
      warnings: row.warnings,
    },
    complete: row.complete === null ? null : row.complete === 1,
    summary: row.summary,
    error: row.error,
    retryOf: row.retry_of,
    undoOf: row.undo_of === null ? null : { id: row.undo_of, type: row.undo_of_type ?? '' },
    undoneBy: row.undone_by,
  };
}
