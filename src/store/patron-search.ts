/**
 * The patron pages' store work (SPEC §5): the one search box, a patron with its provenance, a
 * hand edit, and patron counts per site. Part of the patron repository (patrons.ts).
 *
 * The search is built to use indexes on a 100,000-patron library — never a "contains" scan:
 * the text is tried as an exact Barcode, Student # (Community ID), GUID or Email (0001's
 * indexes) and as the start of a last or first name, and "Last, First" or "First Last" as both
 * at once. Names are compared folded — any case, without accents or marks ("adebayo" finds
 * "Adébáyọ̀", src/domain/name-fold.ts): each patron's folded names are stored beside them
 * (0017-search-fold, written with the row), the typed start is folded by the same function, and
 * a start is a range on the folded column's index: `last_name_fold >= 'smi' and < 'smi' ||
 * U+10FFFF`.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { RollcallError } from '../domain/errors.ts';
import type { PatronFieldKey } from '../domain/fields.ts';
import { foldName } from '../domain/name-fold.ts';
import type { Patron, PatronValues } from '../domain/patron.ts';
import { atomically, type RepoContext } from './context.ts';
import { storable } from './dialect.ts';
import { bumpPatronRevision } from './libraries.ts';
import { appendJournal, type JournalWrite } from './journal.ts';
import {
  FOLDED_COLUMN,
  PATRON_FIELD_COLUMN,
  PATRON_READ_COLUMNS,
  patronFromObject,
  siteIdOf,
  type PatronRowObject,
} from './patron-rows.ts';
import type { Page } from './records.ts';
import { siteMaps } from './sites.ts';
import { isUniqueViolation } from './store-errors.ts';
import type { Tables } from './tables.ts';

/** Patrons per page of a search unless asked otherwise. */
const DEFAULT_PAGE = 50;

/** The highest code point: `prefix + MAX_CHAR` sorts after every text that starts with `prefix`. */
const MAX_CHAR = '\u{10FFFF}';

/** What the patron search box and its filters ask. */
export interface PatronSearch {
  /** The search text (exact keys, or the start of a name); blank lists every patron. */
  query?: string;
  /** Only this site's patrons ('' for patrons without a site). */
  siteCode?: string;
  /** Only patrons with this Status (1026) number. */
  status?: number;
  /** Page size. */
  limit?: number;
  /** Patrons to skip. */
  offset?: number;
}

/** One way a search text may name a patron: the start of the last name and/or of the first. */
export interface NamePrefix {
  /** The start of the last name, or undefined to leave it free. */
  last?: string;
  /** The start of the first name, or undefined to leave it free. */
  first?: string;
}

/** What a search text is tried as. */
export interface SearchTerms {
  /** Tried as an exact Barcode, Student #, GUID, or Email (any case). */
  exact: string;
  /** Tried as name starts (any case); a patron matching one of them is found. */
  names: NamePrefix[];
}

/**
 * What a search text is tried as (pure): always as an exact key; as the start of a last or a
 * first name; `Last, First` as both; `First Last` (and `Last First`) when it has a space.
 * Undefined for a blank text (list everyone).
 */
export function searchTerms(text: string): SearchTerms | undefined {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t === '') return undefined;
  const names: NamePrefix[] = [];
  const comma = t.indexOf(',');
  if (comma >= 0) {
    const last = t.slice(0, comma).trim();
    const first = t.slice(comma + 1).trim();
    if (last !== '' && first !== '') names.push({ last, first });
    else if (last !== '') names.push({ last });
    else if (first !== '') names.push({ first });
  } else {
    names.push({ last: t }, { first: t });
    const space = t.indexOf(' ');
    if (space > 0) {
      const head = t.slice(0, space);
      const rest = t.slice(space + 1);
      const tail = t.slice(t.lastIndexOf(' ') + 1);
      names.push({ first: head, last: rest }, { last: head, first: rest });
      // "First Middle Last": the first word and the last word.
      if (tail !== rest) names.push({ first: head, last: tail });
    }
  }
  return { exact: t, names };
}

/** A patron with what the patron page shows besides its fields. */
export interface PatronDetail extends Patron {
  /** The librarians' notes (never written by a sync). */
  notes: string;
  /** The sync operation that last wrote the patron, or null. */
  lastSyncOperationId: number | null;
  /** ISO 8601 UTC. */
  createdAt: string;
  /** ISO 8601 UTC of the last write (sync or hand). */
  updatedAt: string;
  /** Who last changed the patron by hand ('' when nobody has). */
  editedBy: string;
  /** When that was (ISO 8601 UTC), or null. */
  editedAt: string | null;
}

/** A hand edit: the fields to change (any others are left as they are). */
export type PatronChanges = Partial<PatronValues> & { notes?: string };

/** Who edits, and the patron's `updatedAt` the editor saw (a changed patron is then refused). */
export interface EditOptions {
  /** The editor's username, kept on the patron as `editedBy` and in the journal. */
  editedBy: string;
  /** The editor's staff account, journaled with each field changed (SPEC §3.9); null when none. */
  staffUserId?: number | null;
  /** When given and the patron was written since, the edit is refused (conflict). */
  expectUpdatedAt?: string;
}

/** The patron columns of each editable key (Site is resolved to its site_id apart). */
const COLUMN_OF: Readonly<Record<Exclude<PatronFieldKey, 'site'> | 'notes', string>> = { ...PATRON_FIELD_COLUMN, notes: 'notes' };

const DETAIL_COLUMNS = [
  ...PATRON_READ_COLUMNS,
  'notes',
  'last_sync_operation_id',
  'created_at',
  'updated_at',
  'edited_by',
  'edited_at',
] as const;

/**
 * The folded name column starting with the folded `start` (not blank): a range over its index
 * (0017). PostgreSQL's column is in the "C" collation, so the range holds exactly those names.
 */
function startsWith(column: 'last_name_fold' | 'first_name_fold', start: string): RawBuilder<boolean> {
  return sql`(${sql.ref(column)} >= ${start} and ${sql.ref(column)} < ${start + MAX_CHAR})`;
}

function termsCondition(libraryId: number, terms: SearchTerms): RawBuilder<boolean> {
  const t = terms.exact;
  // Each branch names the library, so each is one index's range (SQLite's "MULTI-INDEX OR",
  // PostgreSQL's BitmapOr).
  const lib = sql<boolean>`library_id = ${libraryId}`;
  const branches: RawBuilder<boolean>[] = [
    sql`${lib} and barcode = ${t}`,
    sql`${lib} and community_id = ${t}`,
    // The GUID index holds only non-blank GUIDs; saying so (literally) lets the engines use it.
    sql`${lib} and guid = ${t} and guid <> ''`,
    sql`${lib} and lower(email) = lower(${t})`,
  ];
  for (const n of terms.names) {
    const parts: RawBuilder<boolean>[] = [lib];
    // A start that folds to nothing (only marks) would be every name: it is left out.
    const last = n.last === undefined ? '' : foldName(n.last);
    const first = n.first === undefined ? '' : foldName(n.first);
    if (last !== '') parts.push(startsWith('last_name_fold', last));
    if (first !== '') parts.push(startsWith('first_name_fold', first));
    if (parts.length > 1) branches.push(sql<boolean>`${sql.join(parts, sql` and `)}`);
  }
  return sql`(${sql.join(
    branches.map((b) => sql`(${b})`),
    sql` or `,
  )})`;
}

/**
 * The two queries of a search — its page, in name order, and its total — or undefined when it
 * names a site the library does not have (a stale link finds nobody rather than failing).
 * Exported for bench/patron-search.ts, which prints the engines' plans of them.
 */
export function searchQuery(db: Kysely<Tables>, libraryId: number, siteIds: ReadonlyMap<string, number>, options: PatronSearch) {
  const siteId = options.siteCode === undefined ? undefined : options.siteCode === '' ? null : siteIds.get(options.siteCode);
  if (siteId === undefined && options.siteCode !== undefined) return undefined;
  const terms = searchTerms(options.query ?? '');
  let base = db.selectFrom('patrons');
  if (terms) {
    // The text drives the plan: the library, site and status around it are written `+column`,
    // which no index serves, so neither engine is tempted to walk a whole site (or library) in
    // name order and test every patron against the text — what SQLite, knowing no row counts,
    // otherwise does (1–2 s at 100,000 patrons instead of milliseconds).
    base = base.where(sql<boolean>`+library_id = ${libraryId}`).where(termsCondition(libraryId, terms));
    if (siteId !== undefined) base = base.where(siteId === null ? sql<boolean>`+site_id is null` : sql<boolean>`+site_id = ${siteId}`);
    if (options.status !== undefined) base = base.where(sql<boolean>`+status = ${options.status}`);
  } else {
    base = base.where('library_id', '=', libraryId);
    if (siteId !== undefined) base = base.where('site_id', siteId === null ? 'is' : '=', siteId);
    if (options.status !== undefined) base = base.where('status', '=', options.status);
  }
  return {
    page: base
      .select(PATRON_READ_COLUMNS)
      .orderBy('last_name')
      .orderBy('first_name')
      .orderBy('id')
      .limit(options.limit ?? DEFAULT_PAGE)
      .offset(options.offset ?? 0),
    count: base.select((eb) => eb.fn.countAll<number>().as('n')),
  };
}

/** The patron repository's page methods over a context. */
export function patronPageMethods(ctx: RepoContext) {
  return {
    async search(libraryId: number, options: PatronSearch = {}): Promise<Page<Patron>> {
      const { ids, codes } = await siteMaps(ctx, libraryId);
      const query = searchQuery(ctx.db, libraryId, ids, options);
      if (!query) return { items: [], total: 0 };
      const [rows, total] = await Promise.all([query.page.execute(), query.count.executeTakeFirstOrThrow()]);
      return { items: rows.map((r) => patronFromObject(r as PatronRowObject, codes)), total: Number(total.n) };
    },

    async detail(libraryId: number, id: number): Promise<PatronDetail | undefined> {
      return readDetail(ctx, libraryId, id);
    },

    async edit(libraryId: number, id: number, changes: PatronChanges, options: EditOptions): Promise<PatronDetail> {
      try {
        return await atomically(ctx, async (tx) => {
          const current = await readDetail(tx, libraryId, id);
          if (!current) throw new RollcallError('not_found', `There is no patron #${id} in this library.`);
          if (options.expectUpdatedAt !== undefined && options.expectUpdatedAt !== current.updatedAt) {
            throw new RollcallError(
              'conflict',
              'This patron was changed (by a sync or another person) after the form was opened; it now shows the new values: make your change again.',
            );
          }
          const set: Record<string, string | number | null> = {};
          const journaled: JournalWrite[] = [];
          for (const [key, value] of Object.entries(changes) as [keyof PatronChanges, string | number | undefined][]) {
            if (value === undefined || value === current[key]) continue;
            if (key === 'site') set.site_id = siteIdOf(String(value), (await siteMaps(tx, libraryId)).ids);
            else set[COLUMN_OF[key]] = typeof value === 'number' ? value : storable(value);
            journaled.push({ patronId: id, field: key, oldValue: String(current[key]), newValue: String(value), kind: 'edit' });
          }
          if (Object.keys(set).length === 0) return current;
          // A name's folded copy, which the search reads (0017-search-fold), changes with it.
          for (const [column, folded] of Object.entries(FOLDED_COLUMN)) {
            if (typeof set[column] === 'string') set[folded] = foldName(set[column]);
          }
          // A GUID typed by hand belongs to no integration until a sync matches it (SPEC §3.2).
          if ('guid' in set) Object.assign(set, { guid_source: null, matched_by: null });
          const now = tx.now();
          // SPEC §3.10 "Transferred for more than N days" reads when Status last changed.
          if ('status' in set) set.status_changed_at = now;
          await tx.db
            .updateTable('patrons')
            .set({ ...set, updated_at: now, edited_by: options.editedBy, edited_at: now })
            .where('library_id', '=', libraryId)
            .where('id', '=', id)
            .execute();
          // SPEC §3.9: each applied change is journaled, with who made it — in this transaction.
          await appendJournal(tx, libraryId, { staffUserId: options.staffUserId ?? null, actor: options.editedBy }, journaled);
          await bumpPatronRevision(tx, libraryId);
          return (await readDetail(tx, libraryId, id))!;
        });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        throw new RollcallError(
          'conflict',
          `Another patron of this library already has the GUID "${changes.guid ?? ''}"; GUIDs are unique.`,
          { cause: e },
        );
      }
    },

    async countBySite(libraryId: number): Promise<Map<string, number>> {
      const { codes } = await siteMaps(ctx, libraryId);
      const rows = await ctx.db
        .selectFrom('patrons')
        .select(['site_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('library_id', '=', libraryId)
        .groupBy('site_id')
        .execute();
      const counts = new Map<string, number>();
      for (const r of rows) {
        const code = r.site_id === null ? '' : (codes.get(r.site_id) ?? '');
        counts.set(code, (counts.get(code) ?? 0) + Number(r.n));
      }
      return counts;
    },

    async countByPolicy(libraryId: number, siteIds: readonly number[]): Promise<Map<string, number>> {
      const counts = new Map<string, number>();
      if (siteIds.length === 0) return counts;
      const rows = await ctx.db
        .selectFrom('patrons')
        .select(['policy', (eb) => eb.fn.countAll<number>().as('n')])
        .where('library_id', '=', libraryId)
        .where('site_id', 'in', [...siteIds])
        .groupBy('policy')
        .execute();
      for (const r of rows) counts.set(r.policy, Number(r.n));
      return counts;
    },
  };
}

async function readDetail(ctx: RepoContext, libraryId: number, id: number): Promise<PatronDetail | undefined> {
  const row = await ctx.db
    .selectFrom('patrons')
    .select(DETAIL_COLUMNS)
    .where('library_id', '=', libraryId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const patron = patronFromObject(row as unknown as PatronRowObject, (await siteMaps(ctx, libraryId)).codes);
  return {
    ...patron,
    notes: row.notes,
    lastSyncOperationId: row.last_sync_operation_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    editedBy: row.edited_by,
    editedAt: row.edited_at,
  };
}
