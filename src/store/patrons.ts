/**
 * Patrons of a library: the sync engine's bulk load and bulk writes, plus paging for export and
 * the pages. Every method is scoped by library; every write bumps the library's patron revision.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import { RollcallError } from '../domain/errors.ts';
import { foldName } from '../domain/name-fold.ts';
import type { IntegrationKind, Patron, PatronKeys } from '../domain/patron.ts';
import { atomically, onSqlite, type RepoContext } from './context.ts';
import { containsPattern } from './dialect.ts';
import { bumpPatronRevision } from './libraries.ts';
import { appendJournal, type JournalBy } from './journal.ts';
import { insertPatronRows, updatePatronRows } from './patron-bulk.ts';
import { patronPageMethods, type EditOptions, type PatronChanges, type PatronDetail, type PatronSearch } from './patron-search.ts';
import { PATRON_READ_COLUMNS, patronFromArray, patronFromObject, siteIdOf, StringPool, type PatronRowObject } from './patron-rows.ts';
import type { Page, PatronUpdate, PatronWrite } from './records.ts';
import { siteMaps } from './sites.ts';
import { isUniqueViolation } from './store-errors.ts';
import type { Tables } from './tables.ts';

/** Patrons per batch of `batches` unless asked otherwise. */
const DEFAULT_BATCH = 1000;
/** Patrons per page of `list` unless asked otherwise. */
const DEFAULT_PAGE = 50;

/** Which patrons to page through. */
export interface PatronFilter {
  /** Only this site's patrons. */
  siteCode?: string;
  /** Only patrons with this Status (1026) number (`batches` only). */
  status?: number;
  /** Only patrons with this Policy, any case (`batches` only). */
  policy?: string;
}

/** Which patrons an export writes (`patrons export`'s filters): a site, a status, a policy, what changed since. */
export interface ExportFilter extends PatronFilter {
  /** Only patrons with this Status (1026). */
  status?: number;
  /** Only patrons with this Policy (1028), exactly. */
  policy?: string;
  /**
   * Only patrons with journal rows (SPEC §3.9) after a change cursor's journal id, or written at
   * or after an instant (ISO 8601 UTC).
   */
  changedSince?: { afterJournalId: number } | { at: string };
}

/** The patron repository. */
export interface PatronRepository {
  /** Every patron of the library (site codes resolved), in id order. */
  loadAll(libraryId: number): Promise<Patron[]>;
  /**
   * Visits every patron's matching keys, scope fields and GUID owner only, in id order: what a delta needs
   * of the whole library (sync/core/delta-patrons.ts) — a fraction of `loadAll`'s columns. On SQLite
   * it is read a page at a time, so nothing of the library is held (each visited object may be
   * dropped at once); on PostgreSQL the nine columns come in one query (a cursor is future work).
   */
  scanKeys(libraryId: number, visit: (keys: PatronKeys) => void): Promise<void>;
  /** The library's patrons with these ids (others' and unknown ids are left out), in id order. */
  getMany(libraryId: number, ids: readonly number[]): Promise<Patron[]>;
  /** One patron, or undefined when it is not this library's. */
  get(libraryId: number, id: number): Promise<Patron | undefined>;
  /** The patron holding this GUID (never matches a blank one), or undefined. */
  byGuid(libraryId: number, guid: string): Promise<Patron | undefined>;
  /** The ids of the library's patrons whose Barcode or GUID is exactly this value (trimmed; blank: none), in id order. */
  idsHolding(libraryId: number, key: 'barcode' | 'guid', value: string): Promise<number[]>;
  /**
   * The patron and the name as people read it ("First Last", else "Patron #id") of each of these
   * GUIDs the library holds (blank GUIDs and unknown ones are left out): for log lines, which name
   * roster users by sourcedId. At most a page of GUIDs at a time (one query).
   */
  namesByGuid(libraryId: number, guids: readonly string[]): Promise<Map<string, { id: number; name: string }>>;
  /** Inserts patrons; returns their ids in row order. */
  insertMany(libraryId: number, rows: readonly PatronWrite[]): Promise<number[]>;
  /** Overwrites patrons with full rows; returns how many were written. */
  updateMany(libraryId: number, rows: readonly PatronUpdate[]): Promise<number>;
  /** The library's patrons in batches (id order), for export. */
  batches(libraryId: number, options?: ExportFilter & { batchSize?: number }): AsyncGenerator<Patron[]>;
  /** A page of patrons sorted by name, optionally matching a search text. */
  list(libraryId: number, options?: PatronFilter & { query?: string; limit?: number; offset?: number }): Promise<Page<Patron>>;
  /** How many patrons (of a site; or whose GUID belongs to an integration). */
  count(libraryId: number, options?: PatronFilter & { guidSource?: IntegrationKind }): Promise<number>;
  /**
   * Clears the GUIDs that belong to an integration (when switching integrations), journaling
   * each (kind `switch`, by `by`); returns how many.
   */
  clearGuids(libraryId: number, source: IntegrationKind, by?: JournalBy): Promise<number>;
  /** A page of patrons found by the patron search box: exact keys or name starts, by index (patron-search.ts). */
  search(libraryId: number, options?: PatronSearch): Promise<Page<Patron>>;
  /** One patron with its notes and provenance, or undefined when it is not this library's. */
  detail(libraryId: number, id: number): Promise<PatronDetail | undefined>;
  /** Changes some fields of one patron by hand (bumping the patron revision); returns it as it now is. */
  edit(libraryId: number, id: number, changes: PatronChanges, options: EditOptions): Promise<PatronDetail>;
  /** How many patrons each site has, by site code ('' for patrons without a site). */
  countBySite(libraryId: number): Promise<Map<string, number>>;
  /** How many patrons of these sites hold each Policy, by Policy as stored (the scope's count, SPEC §3.8). */
  countByPolicy(libraryId: number, siteIds: readonly number[]): Promise<Map<string, number>>;
}

/** Rows per page of `scanKeys` on SQLite. */
const SCAN_PAGE_ROWS = 5000;

/** Ids per `getMany` query (well under both engines' bound-parameter limits). */
const IDS_PER_QUERY = 500;

/** The patron repository over a context. */
export function patronRepository(ctx: RepoContext): PatronRepository {
  const columns = PATRON_READ_COLUMNS;

  async function siteIdFilter(libraryId: number, siteCode: string | undefined): Promise<number | null | undefined> {
    if (siteCode === undefined) return undefined;
    const { ids } = await siteMaps(ctx, libraryId);
    return siteIdOf(siteCode, ids);
  }

  return {
    ...patronPageMethods(ctx),

    async loadAll(libraryId) {
      const { codes } = await siteMaps(ctx, libraryId);
      const pool = new StringPool();
      if (ctx.dialect === 'sqlite') {
        // Raw arrays, one at a time: no per-row column-name objects, and no array of every row
        // (a million at once) held beside the patrons made from them.
        return onSqlite(ctx, (handle) => {
          const rows = handle
            .prepare(`select ${columns.join(', ')} from patrons where library_id = ? order by id`)
            .raw(true)
            .iterate(libraryId) as IterableIterator<unknown[]>;
          const patrons: Patron[] = [];
          for (const row of rows) patrons.push(patronFromArray(row, codes, pool));
          return patrons;
        });
      }
      const rows = await ctx.db.selectFrom('patrons').select(columns).where('library_id', '=', libraryId).orderBy('id').execute();
      const patrons: Patron[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) patrons[i] = patronFromObject(rows[i] as PatronRowObject, codes, pool);
      return patrons;
    },

    async scanKeys(libraryId, visit) {
      const { codes } = await siteMaps(ctx, libraryId);
      const keys = (r: readonly unknown[]): PatronKeys => ({
        id: r[0] as number,
        guid: r[1] as string,
        barcode: r[2] as string,
        communityId: r[3] as string,
        email: r[4] as string,
        status: r[5] as number,
        policy: r[6] as string,
        site: r[7] === null ? '' : (codes.get(r[7] as number) ?? ''),
        guidSource: r[8] as IntegrationKind | null,
      });
      if (ctx.dialect === 'sqlite') {
        // In pages by id: 100,000 row arrays kept alive at once (`all()`) were most of a delta's
        // GC, and `iterate()` pays a native call per row.
        return onSqlite(ctx, (handle) => {
          const page = handle
            .prepare(
              'select id, guid, barcode, community_id, email, status, policy, site_id, guid_source from patrons where library_id = ? and id > ? order by id limit ?',
            )
            .raw(true);
          for (let after = 0; ; ) {
            const rows = page.all(libraryId, after, SCAN_PAGE_ROWS) as unknown[][];
            for (const r of rows) visit(keys(r));
            if (rows.length < SCAN_PAGE_ROWS) return;
            after = rows[rows.length - 1]![0] as number;
          }
        });
      }
      const rows = await ctx.db
        .selectFrom('patrons')
        .select(['id', 'guid', 'barcode', 'community_id', 'email', 'status', 'policy', 'site_id', 'guid_source'])
        .where('library_id', '=', libraryId)
        .orderBy('id')
        .execute();
      for (const r of rows) visit(keys([r.id, r.guid, r.barcode, r.community_id, r.email, r.status, r.policy, r.site_id, r.guid_source]));
    },

    async getMany(libraryId, ids) {
      const { codes } = await siteMaps(ctx, libraryId);
      const unique = [...new Set(ids)].sort((a, b) => a - b);
      const patrons: Patron[] = [];
      for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
        const rows = await ctx.db
          .selectFrom('patrons')
          .select(columns)
          .where('library_id', '=', libraryId)
          .where('id', 'in', unique.slice(i, i + IDS_PER_QUERY))
          .orderBy('id')
          .execute();
        for (const r of rows) patrons.push(patronFromObject(r as PatronRowObject, codes));
      }
      return patrons;
    },

    async byGuid(libraryId, guid) {
      if (!guid.trim()) return undefined;
      const row = await ctx.db
        .selectFrom('patrons')
        .select(columns)
        .where('library_id', '=', libraryId)
        .where('guid', '=', guid)
        .executeTakeFirst();
      if (!row) return undefined;
      return patronFromObject(row as PatronRowObject, (await siteMaps(ctx, libraryId)).codes);
    },
    async namesByGuid(libraryId, guids) {
      const wanted = [...new Set(guids.filter((g) => g.trim() !== ''))];
      const out = new Map<string, { id: number; name: string }>();
      if (wanted.length === 0) return out;
      const rows = await ctx.db
        .selectFrom('patrons')
        .select(['id', 'guid', 'first_name', 'last_name'])
        .where('library_id', '=', libraryId)
        .where('guid', 'in', wanted)
        .orderBy('id')
        .execute();
      for (const r of rows) {
        // A GUID held twice (a conflict) names the first holder; the log line says the rest.
        if (out.has(r.guid)) continue;
        const name = [r.first_name, r.last_name].filter((s) => s !== '').join(' ');
        out.set(r.guid, { id: r.id, name: name || `Patron #${r.id}` });
      }
      return out;
    },
    async idsHolding(libraryId, key, value) {
      if (value.trim() === '') return [];
      const found = await ctx.db
        .selectFrom('patrons')
        .select('id')
        .where('library_id', '=', libraryId)
        .where(key, '=', value.trim())
        .orderBy('id')
        .execute();
      return found.map((r) => r.id);
    },
    async get(libraryId, id) {
      const row = await ctx.db
        .selectFrom('patrons')
        .select(columns)
        .where('library_id', '=', libraryId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      return patronFromObject(row as PatronRowObject, (await siteMaps(ctx, libraryId)).codes);
    },

    async insertMany(libraryId, rows) {
      if (rows.length === 0) return [];
      return guidsUnique(() =>
        atomically(ctx, async (tx) => {
          const ids = await insertPatronRows(tx, libraryId, rows, (await siteMaps(tx, libraryId)).ids);
          await bumpPatronRevision(tx, libraryId);
          return ids;
        }),
      );
    },

    async updateMany(libraryId, rows) {
      if (rows.length === 0) return 0;
      return guidsUnique(() =>
        atomically(ctx, async (tx) => {
          const written = await updatePatronRows(tx, libraryId, rows, (await siteMaps(tx, libraryId)).ids);
          if (written > 0) await bumpPatronRevision(tx, libraryId);
          return written;
        }),
      );
    },

    async *batches(libraryId, options = {}) {
      const siteId = await siteIdFilter(libraryId, options.siteCode);
      const size = options.batchSize ?? DEFAULT_BATCH;
      let after = 0;
      for (;;) {
        let query = ctx.db
          .selectFrom('patrons')
          .select(columns)
          .where('library_id', '=', libraryId)
          .where('id', '>', after)
          .orderBy('id')
          .limit(size);
        if (siteId !== undefined) query = query.where('site_id', siteId === null ? 'is' : '=', siteId);
        query = exportWhere(ctx, libraryId, query, options);
        const rows = await query.execute();
        if (rows.length === 0) return;
        // Codes are read per batch: a site renamed mid-export shows its new code from then on.
        const { codes } = await siteMaps(ctx, libraryId);
        yield rows.map((r) => patronFromObject(r as PatronRowObject, codes));
        after = rows[rows.length - 1]!.id;
        if (rows.length < size) return;
      }
    },

    async list(libraryId, options = {}) {
      const siteId = await siteIdFilter(libraryId, options.siteCode);
      let base = ctx.db.selectFrom('patrons').where('library_id', '=', libraryId);
      if (siteId !== undefined) base = base.where('site_id', siteId === null ? 'is' : '=', siteId);
      const text = options.query?.trim();
      if (text) {
        const like = containsPattern(text);
        // Names as the search box compares them: any case, accents ignored (0017-search-fold).
        const folded = containsPattern(foldName(text));
        base = base.where((eb) =>
          eb.or([
            ...(['first_name_fold', 'last_name_fold'] as const).map((c) => sql<boolean>`${sql.ref(c)} like ${folded} escape '\\'`),
            ...(['barcode', 'community_id', 'email', 'guid'] as const).map(
              (c) => sql<boolean>`lower(${sql.ref(c)}) like ${like} escape '\\'`,
            ),
          ]),
        );
      }
      const [rows, total] = await Promise.all([
        base
          .select(columns)
          .orderBy('last_name')
          .orderBy('first_name')
          .orderBy('id')
          .limit(options.limit ?? DEFAULT_PAGE)
          .offset(options.offset ?? 0)
          .execute(),
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      const { codes } = await siteMaps(ctx, libraryId);
      return { items: rows.map((r) => patronFromObject(r as PatronRowObject, codes)), total: Number(total.n) };
    },

    async count(libraryId, options = {}) {
      const siteId = await siteIdFilter(libraryId, options.siteCode);
      let query = ctx.db
        .selectFrom('patrons')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('library_id', '=', libraryId);
      if (siteId !== undefined) query = query.where('site_id', siteId === null ? 'is' : '=', siteId);
      if (options.guidSource) query = query.where('guid_source', '=', options.guidSource).where('guid', '<>', '');
      return Number((await query.executeTakeFirstOrThrow()).n);
    },

    async clearGuids(libraryId, source, by = {}) {
      return atomically(ctx, async (tx) => {
        // Read first, in the same transaction: the journal keeps each GUID cleared (SPEC §3.9).
        const cleared = await tx.db
          .selectFrom('patrons')
          .select(['id', 'guid'])
          .where('library_id', '=', libraryId)
          .where('guid_source', '=', source)
          .orderBy('id')
          .execute();
        const result = await tx.db
          .updateTable('patrons')
          .set({ guid: '', guid_source: null, matched_by: null, updated_at: tx.now() })
          .where('library_id', '=', libraryId)
          .where('guid_source', '=', source)
          .executeTakeFirst();
        await appendJournal(
          tx,
          libraryId,
          by,
          cleared.map((r) => ({ patronId: r.id, field: 'guid', oldValue: r.guid, newValue: null, kind: 'switch' })),
        );
        const n = Number(result.numUpdatedRows);
        if (n > 0) await bumpPatronRevision(tx, libraryId);
        return n;
      });
    },
  };
}

/** Runs a patron write, turning a duplicate GUID into a sentence. */
async function guidsUnique<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new RollcallError('conflict', 'Two patrons of one library cannot share a GUID, and these rows would; nothing was written.', {
        cause: e,
      });
    }
    throw e;
  }
}

/**
 * The export filters but the site (resolved to an id by the caller), in one place: status,
 * policy, and "changed since" as the library's journal rows after a cursor or at or after an
 * instant. Parameterised, both engines.
 */
function exportWhere<Q extends SelectQueryBuilder<Tables, 'patrons', object>>(
  ctx: RepoContext,
  libraryId: number,
  query: Q,
  filter: ExportFilter,
): Q {
  let q = query;
  if (filter.status !== undefined) q = q.where('status', '=', filter.status) as Q;
  // Any case, as a removal rule reads a Policy (SPEC §3.10): "teacher" is the library's Teacher.
  if (filter.policy !== undefined) q = q.where(sql<boolean>`lower(policy) = lower(${filter.policy})`) as Q;
  const since = filter.changedSince;
  if (since !== undefined) {
    let changed = ctx.db.selectFrom('patron_journal').select('patron_id').where('library_id', '=', libraryId);
    changed = 'afterJournalId' in since ? changed.where('id', '>', since.afterJournalId) : changed.where('at', '>=', since.at);
    q = q.where('id', 'in', changed) as Q;
  }
  return q;
}
