/**
 * The end-of-year removal as stored (SPEC §3.10): who a rule selects (one query builder for the
 * preview's page, its count and the removal itself, so what is previewed is exactly what goes),
 * the deletion of patrons with what points at them, and each Patron Removal's record and archive.
 *
 * Deleting a patron (`deletePatrons`, in the caller's transaction): one journal row per patron
 * (field `*`, kind `removal`, old value the patron's non-blank values as `createdValuesJson`, new
 * value NULL — the change feed reads that as "deleted"); its GUID in `removed_guids` (a returning
 * roster user is created again, and the log says a patron with this GUID was removed); its
 * patron sign-in sessions ended; a staff account's link to it cleared; then the row itself.
 * Conflict items naming it are closed by the conflict repository (`closeForPatrons`).
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Patron } from '../domain/patron.ts';
import type { RemovalRule } from '../domain/removal.ts';
import { atomically, type RepoContext } from './context.ts';
import { bumpPatronRevision } from './libraries.ts';
import { appendJournal, CREATED_FIELD, createdValuesJson, type JournalBy } from './journal.ts';
import { PATRON_READ_COLUMNS, patronFromObject, type PatronRowObject } from './patron-rows.ts';
import type { Page } from './records.ts';
import { siteMaps } from './sites.ts';
import type { Tables } from './tables.ts';

/** Ids per statement (well under both engines' bound-parameter limits). */
const IDS_PER_QUERY = 500;
/** Patrons per preview page unless asked otherwise. */
const DEFAULT_PAGE = 50;

/** A page of who a rule selects, with what the preview says beside it. */
export interface RemovalPage extends Page<Patron> {
  /**
   * With a "since before" date: patrons matching every other part of the rule whose Status
   * change time is unknown (Transferred before Rollcall recorded it) — not selected, and said so.
   */
  unknownDates: number;
}

/** A Patron Removal as recorded. */
export interface RemovalRecord {
  /** Its operation. */
  operationId: number;
  /** The rule as given. */
  rule: RemovalRule;
  /** The rule in words. */
  ruleText: string;
  /** Patrons removed. */
  removed: number;
  /** The archive's file name. */
  archiveName: string;
  /** Whether the archive is still kept (not past its retention). */
  archiveKept: boolean;
  /** ISO 8601 UTC. */
  createdAt: string;
  /** When the archive is (or was) pruned. */
  archiveExpiresAt: string;
}

/** What a removal records. */
export interface NewRemoval {
  /** Its operation. */
  operationId: number;
  /** The rule. */
  rule: RemovalRule;
  /** The rule in words. */
  ruleText: string;
  /** How many were removed. */
  removed: number;
  /** The archive's CSV. */
  archive: string;
  /** Its file name. */
  archiveName: string;
  /** When the archive is pruned (ISO 8601 UTC). */
  archiveExpiresAt: string;
}

/** The removal repository. */
export interface RemovalRepository {
  /** A page of the patrons the rule selects (id order), with the total; an unknown site selects nobody. */
  page(libraryId: number, rule: RemovalRule, options?: { limit?: number; offset?: number }): Promise<RemovalPage>;
  /** Every patron the rule selects, in id order (the removal's list, in its transaction). */
  select(libraryId: number, rule: RemovalRule): Promise<Patron[]>;
  /** Deletes these patrons (see the module comment); returns how many rows went. */
  deletePatrons(libraryId: number, patrons: readonly Patron[], by: JournalBy): Promise<number>;
  /** Records a Patron Removal with its archive. */
  record(libraryId: number, removal: NewRemoval): Promise<void>;
  /** A Patron Removal's record, or undefined. */
  get(libraryId: number, operationId: number): Promise<RemovalRecord | undefined>;
  /** Its archive's CSV, or undefined when there is none (pruned, or no such removal). */
  archive(libraryId: number, operationId: number): Promise<{ name: string; csv: string } | undefined>;
  /** Empties archives past their retention (every library); returns how many. */
  pruneArchives(now: string): Promise<number>;
  /** When each of these GUIDs' patrons was removed (latest), for those that were. */
  removedGuids(libraryId: number, guids: readonly string[]): Promise<Map<string, string>>;
  /** Whether the library ever removed a patron with a GUID (a sync asks first, and usually skips the look-up). */
  anyRemovedGuid(libraryId: number): Promise<boolean>;
}

type PatronQuery = SelectQueryBuilder<Tables, 'patrons', object>;

/** The rule's conditions on `patrons` (library first); undefined when it names a site the library does not have. */
function ruleQuery(ctx: RepoContext, libraryId: number, rule: RemovalRule, siteIds: ReadonlyMap<string, number>, dated = true) {
  let q: PatronQuery = ctx.db.selectFrom('patrons').where('library_id', '=', libraryId).where('status', '=', rule.status);
  if (rule.site !== undefined) {
    const siteId = siteIds.get(rule.site);
    if (siteId === undefined) return undefined;
    q = q.where('site_id', '=', siteId);
  }
  if (rule.policy !== undefined) q = q.where(sql<boolean>`lower(policy) = lower(${rule.policy})`);
  // ISO 8601 UTC text compares as time on both engines; an unknown time (NULL) never passes.
  if (dated && rule.changedBefore !== undefined) q = q.where('status_changed_at', '<', `${rule.changedBefore}T00:00:00.000Z`);
  if (rule.notSyncedSince !== undefined) {
    const since = `${rule.notSyncedSince}T00:00:00.000Z`;
    // No sync wrote the patron since: its last sync (if any, and still recorded) ended before the day.
    q = q.where(
      sql<boolean>`not exists (select 1 from operations o where o.id = patrons.last_sync_operation_id and o.library_id = patrons.library_id and coalesce(o.finished_at, o.created_at) >= ${since})`,
    );
  }
  return q;
}

/** The removal repository over a context. */
export function removalRepository(ctx: RepoContext): RemovalRepository {
  return {
    async page(libraryId, rule, options = {}) {
      const { ids, codes } = await siteMaps(ctx, libraryId);
      const q = ruleQuery(ctx, libraryId, rule, ids);
      if (!q) return { items: [], total: 0, unknownDates: 0 };
      const count = (b: PatronQuery) => b.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const undated = rule.changedBefore === undefined ? undefined : ruleQuery(ctx, libraryId, rule, ids, false);
      const [rows, total, unknown] = await Promise.all([
        q
          .select(PATRON_READ_COLUMNS)
          .orderBy('id')
          .limit(options.limit ?? DEFAULT_PAGE)
          .offset(options.offset ?? 0)
          .execute(),
        count(q),
        undated ? count(undated.where('status_changed_at', 'is', null)) : Promise.resolve({ n: 0 }),
      ]);
      return {
        items: rows.map((r) => patronFromObject(r as PatronRowObject, codes)),
        total: Number(total.n),
        unknownDates: Number(unknown.n),
      };
    },

    async select(libraryId, rule) {
      const { ids, codes } = await siteMaps(ctx, libraryId);
      const q = ruleQuery(ctx, libraryId, rule, ids);
      if (!q) return [];
      const rows = await q.select(PATRON_READ_COLUMNS).orderBy('id').execute();
      return rows.map((r) => patronFromObject(r as PatronRowObject, codes));
    },

    async deletePatrons(libraryId, patrons, by) {
      if (patrons.length === 0) return 0;
      return atomically(ctx, async (tx) => {
        const now = tx.now();
        await appendJournal(
          tx,
          libraryId,
          by,
          patrons.map((p) => ({ patronId: p.id, field: CREATED_FIELD, oldValue: createdValuesJson(p), newValue: null, kind: 'removal' })),
        );
        let deleted = 0;
        for (let i = 0; i < patrons.length; i += IDS_PER_QUERY) {
          const chunk = patrons.slice(i, i + IDS_PER_QUERY);
          const ids = chunk.map((p) => p.id);
          const guids = chunk.filter((p) => p.guid !== '');
          if (guids.length > 0) {
            await tx.db
              .insertInto('removed_guids')
              .values(guids.map((p) => ({ library_id: libraryId, guid: p.guid, removed_at: now, operation_id: by.operationId ?? null })))
              .onConflict((oc) =>
                oc.columns(['library_id', 'guid']).doUpdateSet((eb) => ({
                  removed_at: eb.ref('excluded.removed_at'),
                  operation_id: eb.ref('excluded.operation_id'),
                })),
              )
              .execute();
          }
          // A signed-in patron's session ends with the record it shows (SPEC §4's patron page).
          await tx.db.deleteFrom('web_sessions').where('library_id', '=', libraryId).where('patron_id', 'in', ids).execute();
          await tx.db
            .updateTable('staff_users')
            .set({ patron_id: null })
            .where('library_id', '=', libraryId)
            .where('patron_id', 'in', ids)
            .execute();
          const result = await tx.db.deleteFrom('patrons').where('library_id', '=', libraryId).where('id', 'in', ids).executeTakeFirst();
          deleted += Number(result.numDeletedRows);
        }
        await bumpPatronRevision(tx, libraryId);
        return deleted;
      });
    },

    async record(libraryId, r) {
      await ctx.db
        .insertInto('patron_removals')
        .values({
          operation_id: r.operationId,
          library_id: libraryId,
          rule: JSON.stringify(r.rule),
          rule_text: r.ruleText,
          removed: r.removed,
          archive: r.archive,
          archive_name: r.archiveName,
          created_at: ctx.now(),
          archive_expires_at: r.archiveExpiresAt,
        })
        .execute();
    },

    async get(libraryId, operationId) {
      const row = await ctx.db
        .selectFrom('patron_removals')
        .select(['operation_id', 'rule', 'rule_text', 'removed', 'archive_name', 'created_at', 'archive_expires_at', 'archive_pruned_at'])
        .where('library_id', '=', libraryId)
        .where('operation_id', '=', operationId)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        operationId: row.operation_id,
        rule: JSON.parse(row.rule) as RemovalRule,
        ruleText: row.rule_text,
        removed: row.removed,
        archiveName: row.archive_name,
        archiveKept: row.archive_pruned_at === null,
        createdAt: row.created_at,
        archiveExpiresAt: row.archive_expires_at,
      };
    },

    async archive(libraryId, operationId) {
      const row = await ctx.db
        .selectFrom('patron_removals')
        .select(['archive', 'archive_name', 'archive_pruned_at'])
        .where('library_id', '=', libraryId)
        .where('operation_id', '=', operationId)
        .executeTakeFirst();
      if (!row || row.archive_pruned_at !== null) return undefined;
      return { name: row.archive_name, csv: row.archive };
    },

    async pruneArchives(now) {
      const result = await ctx.db
        .updateTable('patron_removals')
        .set({ archive: '', archive_pruned_at: now })
        .where('archive_pruned_at', 'is', null)
        .where('archive_expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async removedGuids(libraryId, guids) {
      const out = new Map<string, string>();
      const wanted = [...new Set(guids.filter((g) => g !== ''))];
      for (let i = 0; i < wanted.length; i += IDS_PER_QUERY) {
        const rows = await ctx.db
          .selectFrom('removed_guids')
          .select(['guid', 'removed_at'])
          .where('library_id', '=', libraryId)
          .where('guid', 'in', wanted.slice(i, i + IDS_PER_QUERY))
          .execute();
        for (const r of rows) out.set(r.guid, r.removed_at);
      }
      return out;
    },

    async anyRemovedGuid(libraryId) {
      const row = await ctx.db.selectFrom('removed_guids').select('guid').where('library_id', '=', libraryId).limit(1).executeTakeFirst();
      return row !== undefined;
    },
  };
}
