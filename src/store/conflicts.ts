/**
 * The conflict queue (SPEC §3.9) as stored: items de-duplicated by library, source, roster user
 * and kind ("the same user and the same reason is one item, seen N times, last seen at"), what
 * a person decided, and a journal of resolutions and of what syncs did to each item.
 *
 * Two rules live here because they are about concurrent writers:
 * - a resolution is a compare-and-set on `state = 'open'`: of two people resolving one item,
 *   exactly one wins, and the other is told who did what (`resolve`);
 * - a sync's record of an item (`recordSync`) changes its state only if no resolution was made
 *   since the sync read the queue (`seq` unchanged): a person's newer decision is never undone by
 *   a plan made before it. Counts and "last seen" are recorded either way.
 */
import type { Selectable } from 'kysely';
import { atomically, type RepoContext } from './context.ts';
import { storable } from './dialect.ts';
import type { Page } from './records.ts';
import type { ConflictsTable } from './tables.ts';

/** Where an item stands. */
export type ConflictState = 'open' | 'ignored' | 'resolved' | 'closed';
/** What a person decided. */
export type ConflictActionName = 'none' | 'ignore' | 'link' | 'create';

/** A stored item of the queue. */
export interface ConflictRecord {
  /** The item's id. */
  id: number;
  /** The library. */
  libraryId: number;
  /** The integration whose syncs report it. */
  source: string;
  /** The roster user. */
  sourcedId: string;
  /** The kind of conflict (guid-shared, key-shared, keys-disagree, identity-drift, claimed-twice). */
  cause: string;
  /** Where it stands. */
  state: ConflictState;
  /** What a person decided ('none' while open). */
  action: ConflictActionName;
  /** The patron a link names, or null. */
  patronId: number | null;
  /** The fingerprint of both sides' key values last recorded. */
  fingerprint: string;
  /** Bumped by every resolution. */
  seq: number;
  /** Both sides as last seen (the sync's ConflictDetail). */
  detail: unknown;
  /** What the last sync said of it (a resolution not applied, why it closed), or ''. */
  note: string;
  /** How many syncs saw it. */
  seenCount: number;
  /** When first seen (ISO 8601 UTC). */
  firstSeenAt: string;
  /** When last seen. */
  lastSeenAt: string;
  /** The operation that first saw it. */
  firstOperationId: number;
  /** The operation that last saw it. */
  lastOperationId: number;
  /** Who resolved it last ('' when nobody has). */
  resolvedBy: string;
  /** When. */
  resolvedAt: string | null;
  /** When it closed, or null. */
  closedAt: string | null;
  /** The sync that closed it, or null. */
  closedOperationId: number | null;
}

/** One line of an item's journal. */
export interface ConflictJournalEntry {
  /** The line's id. */
  id: number;
  /** The item. */
  conflictId: number;
  /** When (ISO 8601 UTC). */
  at: string;
  /** A staff user's name, or `sync #N`. */
  by: string;
  /** link, create, ignore (a person); reopened, closed (a sync). */
  action: string;
  /** The patron of a link, or null. */
  patronId: number | null;
  /** One line, or ''. */
  note: string;
}

/** What a sync records of one item (the plan's QueueEvent, as the store takes it). */
export type ConflictSyncWrite =
  | {
      kind: 'seen';
      sourcedId: string;
      cause: string;
      fingerprint: string;
      /** Ignored and unchanged: counted, state kept. */
      quiet: boolean;
      detail: unknown;
      /** The item the plan was told of (id and seq), or null: new, or one closed before. */
      item: { id: number; seq: number } | null;
      note: string;
    }
  | { kind: 'closed'; item: { id: number; seq: number }; note: string };

/** A person's resolution. */
export interface ConflictResolution {
  /** What they decided. */
  action: Exclude<ConflictActionName, 'none'>;
  /** The patron of a link. */
  patronId: number | null;
  /** Who (a staff user name, or `cli`). */
  by: string;
}

/** A resolution's outcome: applied, or refused because the item was no longer open (who won, as it stands). */
export type ResolveOutcome = { ok: true; item: ConflictRecord } | { ok: false; item: ConflictRecord };

/** Which items to list. */
export interface ConflictQuery {
  /** Only these states (default: every state). */
  states?: readonly ConflictState[];
  /** Only this roster user. */
  sourcedId?: string;
  /** Page size. */
  limit?: number;
  /** Items to skip. */
  offset?: number;
}

/** The conflict queue repository. */
export interface ConflictRepository {
  /** The items of a source that are not closed: what the next plan is told (SPEC §3.9). */
  queued(libraryId: number, source: string): Promise<ConflictRecord[]>;
  /** Records what a sync's plan saw and closed, as that sync applies (one sync per library at a time). */
  recordSync(libraryId: number, source: string, operationId: number, writes: readonly ConflictSyncWrite[]): Promise<void>;
  /** Items, open first then newest, paged. */
  list(libraryId: number, query?: ConflictQuery): Promise<Page<ConflictRecord>>;
  /** One item, or undefined. */
  get(libraryId: number, id: number): Promise<ConflictRecord | undefined>;
  /** Open items (the navigation's count). */
  countOpen(libraryId: number): Promise<number>;
  /** Resolves an open item: a compare-and-set, journaled in the same transaction. */
  resolve(libraryId: number, id: number, resolution: ConflictResolution): Promise<ResolveOutcome>;
  /** Resolved links (not closed) naming this patron, other than `exceptId`. */
  linksTo(libraryId: number, patronId: number, exceptId: number): Promise<ConflictRecord[]>;
  /** An item's journal, oldest first. */
  journal(libraryId: number, id: number): Promise<ConflictJournalEntry[]>;
  /** The item a conflict line of an operation's log is about: the user's item that operation saw, else its latest. */
  forLogLine(libraryId: number, sourcedId: string, operationId: number): Promise<number | undefined>;
  /**
   * Closes the items (not closed yet) that name any of these patrons — as a link's patron or a
   * candidate — because they were deleted (SPEC §3.10): journaled with `by` and `note`; returns how many.
   */
  closeForPatrons(libraryId: number, patronIds: readonly number[], by: string, note: string, operationId: number | null): Promise<number>;
}

/** The conflict repository over a context. */
export function conflictRepository(ctx: RepoContext): ConflictRepository {
  const rows = (c: RepoContext, libraryId: number) => c.db.selectFrom('conflicts').selectAll().where('library_id', '=', libraryId);

  return {
    async queued(libraryId, source) {
      const found = await rows(ctx, libraryId).where('source', '=', source).where('state', '<>', 'closed').orderBy('id').execute();
      return found.map(toRecord);
    },

    async recordSync(libraryId, source, operationId, writes) {
      if (writes.length === 0) return;
      await atomically(ctx, async (tx) => {
        const now = tx.now();
        const by = `sync #${operationId}`;
        for (const w of writes) {
          if (w.kind === 'closed') {
            const closed = await tx.db
              .updateTable('conflicts')
              .set({ state: 'closed', closed_at: now, closed_operation_id: operationId, note: storable(w.note) })
              .where('library_id', '=', libraryId)
              .where('id', '=', w.item.id)
              .where('seq', '=', w.item.seq)
              .where('state', '<>', 'closed')
              .executeTakeFirst();
            if (Number(closed.numUpdatedRows) > 0) await recordQueueChange(tx, libraryId, w.item.id, by, 'closed', w.note);
            continue;
          }
          const detail = storable(JSON.stringify(w.detail));
          const seen = { last_seen_at: now, last_operation_id: operationId, detail };
          const existing = w.item
            ? await rows(tx, libraryId).where('id', '=', w.item.id).executeTakeFirst()
            : await rows(tx, libraryId)
                .where('source', '=', source)
                .where('sourced_id', '=', w.sourcedId)
                .where('cause', '=', w.cause)
                .executeTakeFirst();
          if (!existing) {
            await tx.db
              .insertInto('conflicts')
              .values({
                library_id: libraryId,
                source,
                sourced_id: storable(w.sourcedId),
                cause: w.cause,
                state: 'open',
                fingerprint: w.fingerprint,
                first_seen_at: now,
                first_operation_id: operationId,
                note: storable(w.note),
                resolved_at: null,
                closed_at: null,
                closed_operation_id: null,
                patron_id: null,
                ...seen,
              })
              .execute();
            continue;
          }
          await tx.db
            .updateTable('conflicts')
            .set((eb) => ({ seen_count: eb('seen_count', '+', 1), ...seen }))
            .where('id', '=', existing.id)
            .execute();
          // An ignored item unchanged stays ignored; anything else seen again is open — unless a
          // person decided something since this sync read the queue: its seq moved, or (a plan
          // that knew no item, approved late) the item was made and is not closed.
          const stale = w.item ? existing.seq !== w.item.seq : existing.state !== 'closed';
          if (w.quiet || stale) continue;
          if (existing.state === 'open') {
            await tx.db
              .updateTable('conflicts')
              .set({ fingerprint: w.fingerprint, note: storable(w.note) })
              .where('id', '=', existing.id)
              .execute();
            continue;
          }
          const note = w.note || reopenNote(existing.state as ConflictState);
          await tx.db
            .updateTable('conflicts')
            .set({
              state: 'open',
              action: 'none',
              patron_id: null,
              fingerprint: w.fingerprint,
              note: storable(note),
              closed_at: null,
              closed_operation_id: null,
            })
            .where('id', '=', existing.id)
            .where('seq', '=', existing.seq)
            .execute();
          await recordQueueChange(tx, libraryId, existing.id, by, 'reopened', note);
        }
      });
    },

    async list(libraryId, query = {}) {
      let q = rows(ctx, libraryId);
      if (query.states && query.states.length > 0) q = q.where('state', 'in', [...query.states]);
      if (query.sourcedId !== undefined) q = q.where('sourced_id', '=', query.sourcedId);
      const total = Number(
        (
          await q
            .clearSelect()
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirst()
        )?.n ?? 0,
      );
      const items = await q
        .orderBy((eb) => eb.case().when('state', '=', 'open').then(0).else(1).end())
        .orderBy('id', 'desc')
        .limit(query.limit ?? 100)
        .offset(query.offset ?? 0)
        .execute();
      return { items: items.map(toRecord), total };
    },

    async get(libraryId, id) {
      const row = await rows(ctx, libraryId).where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },

    async countOpen(libraryId) {
      const row = await ctx.db
        .selectFrom('conflicts')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('library_id', '=', libraryId)
        .where('state', '=', 'open')
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async resolve(libraryId, id, resolution) {
      return atomically(ctx, async (tx) => {
        const now = tx.now();
        const state: ConflictState = resolution.action === 'ignore' ? 'ignored' : 'resolved';
        // "Two people resolving the same conflict: one wins, the other is told": only an open item is resolved.
        const done = await tx.db
          .updateTable('conflicts')
          .set((eb) => ({
            state,
            action: resolution.action,
            patron_id: resolution.action === 'link' ? resolution.patronId : null,
            resolved_by: storable(resolution.by),
            resolved_at: now,
            note: '',
            seq: eb('seq', '+', 1),
          }))
          .where('library_id', '=', libraryId)
          .where('id', '=', id)
          .where('state', '=', 'open')
          .executeTakeFirst();
        const ok = Number(done.numUpdatedRows) > 0;
        if (ok) await recordResolution(tx, { libraryId, conflictId: id, at: now, ...resolution });
        const item = await rows(tx, libraryId).where('id', '=', id).executeTakeFirstOrThrow();
        return { ok, item: toRecord(item) };
      });
    },

    async linksTo(libraryId, patronId, exceptId) {
      const found = await rows(ctx, libraryId)
        .where('action', '=', 'link')
        .where('state', '=', 'resolved')
        .where('patron_id', '=', patronId)
        .where('id', '<>', exceptId)
        .execute();
      return found.map(toRecord);
    },

    async journal(libraryId, id) {
      const found = await ctx.db
        .selectFrom('conflict_journal')
        .selectAll()
        .where('library_id', '=', libraryId)
        .where('conflict_id', '=', id)
        .orderBy('id')
        .execute();
      return found.map((r) => ({
        id: r.id,
        conflictId: r.conflict_id,
        at: r.at,
        by: r.by,
        action: r.action,
        patronId: r.patron_id,
        note: r.note,
      }));
    },

    async closeForPatrons(libraryId, patronIds, by, note, operationId) {
      if (patronIds.length === 0) return 0;
      const gone = new Set(patronIds);
      return atomically(ctx, async (tx) => {
        // The queue of one library is short (items de-duplicated): read it and test each item's sides.
        const items = (await rows(tx, libraryId).where('state', '<>', 'closed').orderBy('id').execute()).map(toRecord);
        let closed = 0;
        for (const item of items) {
          const candidates = (item.detail as { candidates?: { patronId?: unknown }[] } | null)?.candidates ?? [];
          const names = (item.patronId !== null && gone.has(item.patronId)) || candidates.some((c) => gone.has(Number(c.patronId)));
          if (!names) continue;
          const result = await tx.db
            .updateTable('conflicts')
            .set({ state: 'closed', closed_at: tx.now(), closed_operation_id: operationId, note: storable(note) })
            .where('library_id', '=', libraryId)
            .where('id', '=', item.id)
            .where('state', '<>', 'closed')
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) === 0) continue;
          await recordQueueChange(tx, libraryId, item.id, storable(by), 'closed', note);
          closed++;
        }
        return closed;
      });
    },

    async forLogLine(libraryId, sourcedId, operationId) {
      const found = await rows(ctx, libraryId).where('sourced_id', '=', sourcedId).orderBy('id', 'desc').execute();
      const saw = found.find((r) => r.first_operation_id <= operationId && operationId <= r.last_operation_id);
      return (saw ?? found[0])?.id;
    },
  };
}

/**
 * THE place a person's resolution is recorded (SPEC §3.9: "a resolution ... is journaled"): who,
 * when, what, in the transaction that made it. Anything else that must keep a resolution (the
 * patron's own journal) is written from here.
 */
export async function recordResolution(
  tx: RepoContext,
  entry: { libraryId: number; conflictId: number; at: string; by: string; action: string; patronId: number | null },
): Promise<void> {
  await tx.db
    .insertInto('conflict_journal')
    .values({
      library_id: entry.libraryId,
      conflict_id: entry.conflictId,
      at: entry.at,
      by: storable(entry.by),
      action: entry.action,
      patron_id: entry.action === 'link' ? entry.patronId : null,
    })
    .execute();
}

/** A sync opened or closed an item: its journal says so. */
async function recordQueueChange(tx: RepoContext, libraryId: number, conflictId: number, by: string, action: string, note: string) {
  await tx.db
    .insertInto('conflict_journal')
    .values({ library_id: libraryId, conflict_id: conflictId, at: tx.now(), by, action, patron_id: null, note: storable(note) })
    .execute();
}

function reopenNote(was: ConflictState): string {
  if (was === 'ignored') return 'Open again: its data changed since it was ignored.';
  if (was === 'closed') return 'Open again: a sync sees this conflict again.';
  return 'Open again: a sync still sees this conflict.';
}

function toRecord(r: Selectable<ConflictsTable>): ConflictRecord {
  return {
    id: r.id,
    libraryId: r.library_id,
    source: r.source,
    sourcedId: r.sourced_id,
    cause: r.cause,
    state: r.state as ConflictState,
    action: r.action as ConflictActionName,
    patronId: r.patron_id,
    fingerprint: r.fingerprint,
    seq: r.seq,
    detail: JSON.parse(r.detail) as unknown,
    note: r.note,
    seenCount: r.seen_count,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    firstOperationId: r.first_operation_id,
    lastOperationId: r.last_operation_id,
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at,
    closedAt: r.closed_at,
    closedOperationId: r.closed_operation_id,
  };
}
