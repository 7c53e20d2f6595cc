/**
 * The field-level journal (SPEC §3.9: "Each applied change is journaled per patron and field
 * (operation, old value, new value, when, who or which sync). A patron's page shows its
 * history."). Every patron write appends here in the same transaction as the write itself, so
 * a change and its journal rows land together or not at all; undo reads an operation's rows
 * back, the patron page a patron's, newest first.
 *
 * Values are text as the patron export shows them (status as its number, site as its code);
 * blank is NULL. A sync's create is one row per patron (field `*`, the non-blank created values
 * as compact JSON): per-field rows cost a 100,000-student first sync ~12 rows a patron for
 * nothing undo needs (undoing a create sets the patron Transferred, SPEC §3.9); see
 * docs/benchmarks.md, "Journal".
 *
 * Appends are bulk, as the patron writes are (patron-bulk.ts): SQLite one prepared statement
 * reused; PostgreSQL chunks of rows as one JSON array parameter. A create's `*` rows are written
 * by the database itself from the patrons just inserted (appendCreated: one INSERT … SELECT,
 * the JSON built in SQL), so a first sync pays no JavaScript object, string or statement call
 * per new patron. Within a library, a larger id committed later (see holdCommitOrder), so
 * "every change of the library in commit order" is the library's rows by id.
 */
import { CompiledQuery, sql } from 'kysely';
import { FIELDS, type PatronFieldKey } from '../domain/fields.ts';
import type { PatronValues } from '../domain/patron.ts';
import { atomically, onSqlite, type RepoContext } from './context.ts';
import { storable } from './dialect.ts';
import { PATRON_FIELD_COLUMN } from './patron-rows.ts';

/**
 * What wrote a change. A sync's kinds are those of its plan (create, update, transfer,
 * reactivate); `edit` is a hand edit (web or API), `import` a patron file import, `switch` the
 * identifiers cleared when another integration is turned on (SPEC §1.3). `undo` and `removal`
 * are for undoing an operation and removing patrons (SPEC §3.9, §3.10).
 */
export type JournalKind = 'create' | 'update' | 'transfer' | 'reactivate' | 'edit' | 'import' | 'switch' | 'undo' | 'removal';

/** Every kind, for validation and filters. */
export const JOURNAL_KINDS: readonly JournalKind[] = [
  'create',
  'update',
  'transfer',
  'reactivate',
  'edit',
  'import',
  'switch',
  'undo',
  'removal',
];

/** The `field` of a row recording a whole new patron (new value: the created values as JSON). */
export const CREATED_FIELD = '*';

/** A journaled field: a patron field, the hand-kept notes, or `*` for a whole created patron. */
export type JournalField = PatronFieldKey | 'notes' | typeof CREATED_FIELD;

/** One change to journal. */
export interface JournalWrite {
  /** The patron changed. */
  patronId: number;
  /** The field changed. */
  field: JournalField;
  /** The value before; '' or null when blank or absent (stored as NULL). */
  oldValue: string | null;
  /** The value after; '' or null when blank or absent (stored as NULL). */
  newValue: string | null;
  /** What wrote it. */
  kind: JournalKind;
}

/** Who or what made a batch of changes: an operation, or a staff account (a hand edit), or neither. */
export interface JournalBy {
  /** The operation (a sync, an import, an undo), or null. */
  operationId?: number | null;
  /** The staff account, for a hand edit, or null. */
  staffUserId?: number | null;
  /** A label for who it was as it read then (the staff username, `cli`), '' when none. */
  actor?: string;
}

/** A journal row as read back. */
export interface JournalEntry {
  /** Monotonic: later changes have larger ids. */
  id: number;
  /** The library. */
  libraryId: number;
  /** The patron. */
  patronId: number;
  /** The field. */
  field: JournalField;
  /** The value before, null when blank or absent. */
  oldValue: string | null;
  /** The value after, null when blank or absent. */
  newValue: string | null;
  /** What wrote it. */
  kind: JournalKind;
  /** The operation, or null. */
  operationId: number | null;
  /** The staff account, or null. */
  staffUserId: number | null;
  /** Who it was as recorded then, '' when none. */
  actor: string;
  /** When (ISO 8601 UTC). */
  at: string;
}

/** A history row with what the page shows beside it. */
export interface HistoryEntry extends JournalEntry {
  /** The operation's type (`classlink_full_sync`, …), or null when no operation (or it is gone). */
  operationType: string | null;
  /** The operation's source (the integration it read), or null. */
  operationSource: string | null;
  /** An undo's: the operation it undid (its type and id), else null — names it "Undo of … 42". */
  operationUndoOf: { id: number; type: string } | null;
  /** The staff account's display name (else username) as it is now, or null. */
  staffName: string | null;
}

/** A page of a patron's history, newest first; `next` is the cursor for the older page, or null at the end. */
export interface HistoryPage {
  /** The rows, newest first. */
  items: HistoryEntry[];
  /** Pass as `before` for the next (older) page; null when there is none. */
  next: number | null;
}

/** How to page a patron's history. */
export interface HistoryQuery {
  /** Only rows older than this id (a page's `next`). */
  before?: number;
  /** Rows per page (default 50, at most 500). */
  limit?: number;
}

/** The journal repository. */
export interface JournalRepository {
  /** Appends changes (in the caller's transaction, else its own); blank values are stored as NULL. */
  append(libraryId: number, by: JournalBy, rows: readonly JournalWrite[]): Promise<void>;
  /**
   * Appends one `*` row per patron just created (ids in creation order), its new value the
   * patron's non-blank values as stored (createdValuesJson's JSON), read back in the same
   * transaction: call it right after the insert, before anything else writes those patrons.
   */
  appendCreated(libraryId: number, by: JournalBy, patronIds: readonly number[], kind: JournalKind): Promise<void>;
  /** A page of one patron's history, newest first (an empty page for another library's patron). */
  history(libraryId: number, patronId: number, query?: HistoryQuery): Promise<HistoryPage>;
  /** The rows one operation wrote, in the order written: up to `limit` after id `after` (all by default). */
  ofOperation(libraryId: number, operationId: number, options?: { after?: number; limit?: number }): Promise<JournalEntry[]>;
  /** The rows of these patrons written after journal id `afterId`, in order (undo's "changed again since"). */
  changedAfter(libraryId: number, patronIds: readonly number[], afterId: number): Promise<JournalEntry[]>;
  /** Deletes up to `batch` of the oldest rows (every library) written before `cutoff` (ISO 8601); returns how many. */
  prune(cutoff: string, batch?: number): Promise<number>;
  /** The oldest row still kept (every library: pruning is global), or undefined when the journal is empty. */
  oldest(): Promise<{ id: number; at: string } | undefined>;
  /**
   * The change feed's read: up to `limit` of the library's rows with an id above `afterId`, in id
   * (= commit) order. Within a library a larger id commits later (appendJournal), so a reader
   * that goes on from the last id it saw never passes a row that commits afterwards.
   */
  following(libraryId: number, afterId: number, limit: number): Promise<JournalEntry[]>;
  /** The highest id of the library's rows the retention reaper deleted (0: none): the feed's horizon. */
  horizon(libraryId: number): Promise<number>;
  /** The library's newest row id (0: none yet): where a consumer that just read a full export follows from. */
  head(libraryId: number): Promise<number>;
  /** The first and last row ids one operation wrote, or null when it wrote none. */
  rangeOf(libraryId: number, operationId: number): Promise<{ first: number; last: number } | null>;
}

/** Rows per PostgreSQL insert statement (one JSON parameter), as for patrons. */
const PG_CHUNK_ROWS = 5000;
/** History rows per page unless asked otherwise, and the most a page may hold. */
const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;
/** Ids per query of `changedAfter`. */
const IDS_PER_QUERY = 500;
/** Rows deleted per `prune` call unless asked otherwise. */
const DEFAULT_PRUNE_BATCH = 5000;

const COLUMNS = [
  'id',
  'library_id',
  'patron_id',
  'field',
  'old_value',
  'new_value',
  'kind',
  'operation_id',
  'staff_user_id',
  'actor',
  'at',
] as const;

/**
 * Appends journal rows through `ctx` — bound to the caller's transaction when it is one (the
 * patron write and its journal commit together), else in a transaction of its own.
 */
export async function appendJournal(ctx: RepoContext, libraryId: number, by: JournalBy, rows: readonly JournalWrite[]): Promise<void> {
  if (rows.length === 0) return;
  const at = ctx.now();
  const operationId = by.operationId ?? null;
  const staffUserId = by.staffUserId ?? null;
  const actor = storable(by.actor ?? '');
  await atomically(ctx, async (tx) => {
    if (tx.dialect === 'sqlite') {
      return onSqlite(tx, (handle) => {
        const insert = handle.prepare(
          'insert into patron_journal (library_id, patron_id, field, old_value, new_value, kind, operation_id, staff_user_id, actor, at) ' +
            'values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        );
        for (const r of rows) {
          insert.run(
            libraryId,
            r.patronId,
            r.field,
            blankAsNull(r.oldValue),
            blankAsNull(r.newValue),
            r.kind,
            operationId,
            staffUserId,
            actor,
            at,
          );
        }
      });
    }
    await holdCommitOrder(tx, libraryId);
    const text =
      'insert into patron_journal (library_id, patron_id, field, old_value, new_value, kind, operation_id, staff_user_id, actor, at) ' +
      'select $1, (r->>0)::integer, r->>1, r->>2, r->>3, r->>4, $2, $3, $4, $5 ' +
      'from jsonb_array_elements($6::jsonb) with ordinality as e(r, n) order by n';
    for (let start = 0; start < rows.length; start += PG_CHUNK_ROWS) {
      const chunk = rows.slice(start, start + PG_CHUNK_ROWS);
      const json = JSON.stringify(chunk.map((r) => [r.patronId, r.field, blankAsNull(r.oldValue), blankAsNull(r.newValue), r.kind]));
      await tx.db.executeQuery(CompiledQuery.raw(text, [libraryId, operationId, staffUserId, actor, at, json]));
    }
  });
}

/**
 * PostgreSQL hands out identity values when rows are inserted, not when they commit: two
 * transactions writing one library could commit in the other order than their ids. Holding the
 * library's row lock (which every patron write takes anyway, bumping its revision) until commit
 * makes a library's journal ids follow commit order, so a reader following a library by id never
 * passes a row that commits later. SQLite has one writer: always in order, nothing to hold.
 */
async function holdCommitOrder(tx: RepoContext, libraryId: number): Promise<void> {
  if (tx.dialect === 'postgres') {
    await tx.db.executeQuery(CompiledQuery.raw('select id from libraries where id = $1 for update', [libraryId]));
  }
}

/** Ids per `appendCreated` statement (one JSON array parameter). */
const CREATED_IDS_PER_STATEMENT = 10_000;

/**
 * The `*` rows of patrons just created, written by one INSERT … SELECT per chunk of ids: the
 * database reads the new rows and builds each one's JSON itself (see createdJsonSql).
 */
export async function appendCreated(
  ctx: RepoContext,
  libraryId: number,
  by: JournalBy,
  patronIds: readonly number[],
  kind: JournalKind,
): Promise<void> {
  if (patronIds.length === 0) return;
  const at = ctx.now();
  const actor = storable(by.actor ?? '');
  const sqlite = ctx.dialect === 'sqlite';
  const p = (n: number) => (sqlite ? '?' : `$${n}`);
  const ids = sqlite ? 'select value from json_each(?)' : `select jsonb_array_elements_text(${p(7)}::jsonb)::integer`;
  const text =
    'insert into patron_journal (library_id, patron_id, field, old_value, new_value, kind, operation_id, staff_user_id, actor, at) ' +
    `select p.library_id, p.id, '${CREATED_FIELD}', null, ${createdJsonSql(ctx.dialect)}, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)} ` +
    `from patrons p left join sites s on s.id = p.site_id where p.library_id = ${p(6)} and p.id in (${ids}) order by p.id`;
  await atomically(ctx, async (tx) => {
    await holdCommitOrder(tx, libraryId);
    for (let start = 0; start < patronIds.length; start += CREATED_IDS_PER_STATEMENT) {
      const chunk = JSON.stringify(patronIds.slice(start, start + CREATED_IDS_PER_STATEMENT));
      const params = [kind, by.operationId ?? null, by.staffUserId ?? null, actor, at, libraryId, chunk];
      await tx.db.executeQuery(CompiledQuery.raw(text, params));
    }
  });
}

/**
 * SQL for a patron's `*` JSON, the same object createdValuesJson builds in JavaScript: the
 * non-blank fields in SPEC §1.2's order, status a number, site its code (from `p` the patron
 * row, `s` its site). SQLite concatenates `json_quote`d values (its json_object cannot leave a
 * key out); PostgreSQL strips the nulls of `json_build_object` (json, not jsonb: keeps the order).
 */
function createdJsonSql(dialect: 'sqlite' | 'postgres'): string {
  const column = (key: PatronFieldKey) => (key === 'site' ? 's.code' : `p.${PATRON_FIELD_COLUMN[key]}`);
  if (dialect === 'postgres') {
    const pairs = FIELDS.map(({ key }) => `'${key}', ${key === 'status' ? column(key) : `nullif(${column(key)}, '')`}`);
    return `json_strip_nulls(json_build_object(${pairs.join(', ')}))::text`;
  }
  const parts = FIELDS.map(({ key }) =>
    key === 'status'
      ? `',"${key}":' || ${column(key)}`
      : `case when ${column(key)} <> '' then ',"${key}":' || json_quote(${column(key)}) else '' end`,
  );
  return `'{' || substr(${parts.join(' || ')}, 2) || '}'`;
}

/** The journal repository over a context. */
export function journalRepository(ctx: RepoContext): JournalRepository {
  return {
    append: (libraryId, by, rows) => appendJournal(ctx, libraryId, by, rows),
    appendCreated: (libraryId, by, patronIds, kind) => appendCreated(ctx, libraryId, by, patronIds, kind),

    async history(libraryId, patronId, query = {}) {
      const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? DEFAULT_PAGE)), MAX_PAGE);
      let q = ctx.db
        .selectFrom('patron_journal as j')
        .leftJoin('operations as o', (join) => join.onRef('o.id', '=', 'j.operation_id').onRef('o.library_id', '=', 'j.library_id'))
        .leftJoin('staff_users as s', (join) => join.onRef('s.id', '=', 'j.staff_user_id').onRef('s.library_id', '=', 'j.library_id'))
        .select(COLUMNS.map((c) => `j.${c}` as const))
        .select(['o.type as operation_type', 'o.source as operation_source', 'o.undo_of', 'o.undo_of_type', 's.display_name', 's.username'])
        .where('j.library_id', '=', libraryId)
        .where('j.patron_id', '=', patronId);
      if (query.before !== undefined) q = q.where('j.id', '<', query.before);
      // One more than asked: whether an older page exists, without a count.
      const rows = await q
        .orderBy('j.id', 'desc')
        .limit(limit + 1)
        .execute();
      const more = rows.length > limit;
      const items = rows.slice(0, limit).map(
        (r): HistoryEntry => ({
          ...entryOf(r),
          operationType: r.operation_type ?? null,
          operationSource: r.operation_source ?? null,
          operationUndoOf: r.undo_of === null || r.undo_of === undefined ? null : { id: r.undo_of, type: r.undo_of_type ?? '' },
          staffName: r.display_name || r.username || null,
        }),
      );
      return { items, next: more ? items[items.length - 1]!.id : null };
    },

    async ofOperation(libraryId, operationId, options = {}) {
      let q = ctx.db
        .selectFrom('patron_journal')
        .select(COLUMNS)
        .where('operation_id', '=', operationId)
        .where('library_id', '=', libraryId);
      if (options.after !== undefined) q = q.where('id', '>', options.after);
      if (options.limit !== undefined) q = q.limit(options.limit);
      return (await q.orderBy('id').execute()).map(entryOf);
    },

    async changedAfter(libraryId, patronIds, afterId) {
      const out: JournalEntry[] = [];
      for (let start = 0; start < patronIds.length; start += IDS_PER_QUERY) {
        const ids = patronIds.slice(start, start + IDS_PER_QUERY);
        const rows = await ctx.db
          .selectFrom('patron_journal')
          .select(COLUMNS)
          .where('library_id', '=', libraryId)
          .where('patron_id', 'in', ids)
          .where('id', '>', afterId)
          .execute();
        out.push(...rows.map(entryOf));
      }
      return out.sort((a, b) => a.id - b.id);
    },

    async following(libraryId, afterId, limit) {
      const rows = await ctx.db
        .selectFrom('patron_journal')
        .select(COLUMNS)
        .where('library_id', '=', libraryId)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(entryOf);
    },

    async horizon(libraryId) {
      const row = await ctx.db
        .selectFrom('journal_horizons')
        .select('pruned_through')
        .where('library_id', '=', libraryId)
        .executeTakeFirst();
      return row ? Number(row.pruned_through) : 0;
    },

    async head(libraryId) {
      const row = await ctx.db
        .selectFrom('patron_journal')
        .select('id')
        .where('library_id', '=', libraryId)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? Number(row.id) : 0;
    },

    async rangeOf(libraryId, operationId) {
      const row = await ctx.db
        .selectFrom('patron_journal')
        .select((eb) => [eb.fn.min('id').as('first'), eb.fn.max('id').as('last')])
        .where('operation_id', '=', operationId)
        .where('library_id', '=', libraryId)
        .executeTakeFirst();
      if (!row || row.first === null || row.last === null) return null;
      return { first: Number(row.first), last: Number(row.last) };
    },

    async prune(cutoff, batch = DEFAULT_PRUNE_BATCH) {
      // Rows are appended in time order, so the old ones are the first ids: look at the oldest
      // row by the primary key (the common case, nothing to prune, is one lookup), then read the
      // oldest `batch` and delete those written before the cutoff. No index on `at` (which every
      // append would pay for) and no scan past the first young rows.
      const first = await ctx.db.selectFrom('patron_journal').select('at').orderBy('id').limit(1).executeTakeFirst();
      if (!first || first.at >= cutoff) return 0;
      const oldest = await ctx.db.selectFrom('patron_journal').select(['id', 'library_id', 'at']).orderBy('id').limit(batch).execute();
      const old = oldest.filter((r) => r.at < cutoff);
      if (old.length === 0) return 0;
      // Each library's horizon moves in the same transaction as the delete: the change feed
      // answers a cursor below it "gone" (410) instead of silently skipping what was pruned.
      const horizons = new Map<number, number>();
      for (const r of old) horizons.set(r.library_id, Math.max(horizons.get(r.library_id) ?? 0, Number(r.id)));
      return atomically(ctx, async (tx) => {
        const result = await tx.db
          .deleteFrom('patron_journal')
          .where('id', '>=', old[0]!.id)
          .where('id', '<=', old[old.length - 1]!.id)
          .where('at', '<', cutoff)
          .executeTakeFirst();
        for (const [libraryId, through] of horizons) {
          await tx.db
            .insertInto('journal_horizons')
            .values({ library_id: libraryId, pruned_through: through })
            .onConflict((oc) =>
              oc.column('library_id').doUpdateSet({
                pruned_through: sql`case when excluded.pruned_through > journal_horizons.pruned_through then excluded.pruned_through else journal_horizons.pruned_through end`,
              }),
            )
            .execute();
        }
        return Number(result.numDeletedRows);
      });
    },

    async oldest() {
      // By the primary key: rows are appended in time order (see prune).
      return ctx.db.selectFrom('patron_journal').select(['id', 'at']).orderBy('id').limit(1).executeTakeFirst();
    },
  };
}

/**
 * A patron's non-blank values as compact JSON (status a number), in SPEC §1.2's field order:
 * the value of a `*` row written from JavaScript (a removed patron's old values). A create's
 * `*` row is built in SQL to the same object (createdJsonSql; test/store-journal.test.ts holds
 * the two to each other).
 */
export function createdValuesJson(values: PatronValues): string {
  const out: Record<string, string | number> = {};
  for (const { key } of FIELDS) {
    const v = values[key];
    if (v !== '') out[key] = v;
  }
  return JSON.stringify(out);
}

/** '' and null are both "blank": stored as NULL, made storable otherwise. */
function blankAsNull(value: string | null): string | null {
  return value === null || value === '' ? null : storable(value);
}

function entryOf(r: {
  id: number;
  library_id: number;
  patron_id: number;
  field: string;
  old_value: string | null;
  new_value: string | null;
  kind: string;
  operation_id: number | null;
  staff_user_id: number | null;
  actor: string;
  at: string;
}): JournalEntry {
  return {
    id: Number(r.id),
    libraryId: r.library_id,
    patronId: r.patron_id,
    field: r.field as JournalField,
    oldValue: r.old_value,
    newValue: r.new_value,
    kind: r.kind as JournalKind,
    operationId: r.operation_id,
    staffUserId: r.staff_user_id,
    actor: r.actor,
    at: r.at,
  };
}
