/**
 * Bulk patron writes, one implementation per engine, because this is where a sync of 100,000+
 * patrons spends its time. SQLite: one prepared statement reused for every row (no round trips
 * to save; multi-row statements measured no faster). PostgreSQL: chunks of rows sent as one
 * JSON array parameter, unpacked by `jsonb_array_elements` into an INSERT … SELECT or an
 * UPDATE … FROM, so 100,000 rows are 20 statements, not 100,000 round trips. JSON rather than
 * `unnest` of one array per column: pg's JS array encoding cost ~9× more client CPU, and the
 * server unpacked jsonb faster too (bench/store-bulk.ts). Callers run these in a transaction.
 */
import { CompiledQuery } from 'kysely';
import { atomically, onSqlite, type RepoContext } from './context.ts';
import {
  FOLDED_COLUMN,
  PATRON_FIELD_COLUMN,
  PATRON_INTEGER_COLUMNS,
  PATRON_WRITE_COLUMNS,
  writeValues,
  type PatronWriteColumn,
} from './patron-rows.ts';
import type { PatronUpdate, PatronWrite } from './records.ts';

/** Rows per PostgreSQL statement: large enough to amortise a round trip, small enough to bound memory. */
const PG_CHUNK_ROWS = 5000;

const COLUMN_LIST = PATRON_WRITE_COLUMNS.join(', ');

/** Inserts the rows; returns their new ids in row order. */
export async function insertPatronRows(
  ctx: RepoContext,
  libraryId: number,
  rows: readonly PatronWrite[],
  siteIds: ReadonlyMap<string, number>,
): Promise<number[]> {
  const now = ctx.now();
  if (ctx.dialect === 'sqlite') {
    return atomically(ctx, (tx) =>
      onSqlite(tx, (handle) => {
        const placeholders = PATRON_WRITE_COLUMNS.map(() => '?').join(', ');
        const insert = handle.prepare(
          `insert into patrons (library_id, created_at, updated_at, status_changed_at, ${COLUMN_LIST}) values (?, ?, ?, ?, ${placeholders})`,
        );
        const ids: number[] = new Array(rows.length);
        for (let i = 0; i < rows.length; i++) {
          ids[i] = Number(insert.run(libraryId, now, now, now, ...writeValues(rows[i]!, siteIds)).lastInsertRowid);
        }
        return ids;
      }),
    );
  }
  const text =
    `insert into patrons (library_id, created_at, updated_at, status_changed_at, ${COLUMN_LIST}) ` +
    `select $1, $2, $2, $2, ${PATRON_WRITE_COLUMNS.map((c) => `v.${c}`).join(', ')} ` +
    `from (select n, ${jsonFields(0)} from jsonb_array_elements($3::jsonb) with ordinality as e(r, n)) as v ` +
    'order by v.n returning id';
  const ids: number[] = [];
  for (let start = 0; start < rows.length; start += PG_CHUNK_ROWS) {
    const chunk = rows.slice(start, start + PG_CHUNK_ROWS);
    const json = JSON.stringify(chunk.map((row) => writeValues(row, siteIds)));
    const result = await ctx.db.executeQuery<{ id: number }>(CompiledQuery.raw(text, [libraryId, now, json]));
    // Identity values follow the insert order (ORDER BY n); RETURNING's order is not promised.
    ids.push(...result.rows.map((r) => r.id).sort((a, b) => a - b));
  }
  return ids;
}

/**
 * Overwrites each row's patron (when it belongs to the library) — its `fields` only, when given
 * (records.ts PatronUpdate) — and returns how many were written. Rows are grouped by the columns
 * they set: one statement per group.
 */
export async function updatePatronRows(
  ctx: RepoContext,
  libraryId: number,
  rows: readonly PatronUpdate[],
  siteIds: ReadonlyMap<string, number>,
): Promise<number> {
  const now = ctx.now();
  const groups = byColumns(rows);
  if (ctx.dialect === 'sqlite') {
    return atomically(ctx, (tx) =>
      onSqlite(tx, (handle) => {
        let written = 0;
        for (const { columns, positions, rows: group } of groups) {
          const setsStatus = columns.includes('status');
          // In SET, `status` is still the old value: the time moves only when the Status does.
          const sets = [...columns.map((c) => `${c} = ?`), ...(setsStatus ? [STATUS_CHANGED_SQLITE] : [])].join(', ');
          const update = handle.prepare(`update patrons set ${sets}, updated_at = ? where id = ? and library_id = ?`);
          for (const row of group) {
            const values = writeValues(row, siteIds);
            const changed = setsStatus ? [values[STATUS_POSITION], now] : [];
            written += update.run(...positions.map((i) => values[i]), ...changed, now, row.id, libraryId).changes;
          }
        }
        return written;
      }),
    );
  }
  let written = 0;
  for (const { columns, rows: group } of groups) {
    // Every column travels in the JSON; only the group's are set.
    const text =
      `update patrons as p set ${columns.map((c) => `${c} = v.${c}`).join(', ')}, ` +
      `${columns.includes('status') ? STATUS_CHANGED_PG : ''}updated_at = $2 ` +
      `from (select (r->>0)::integer as id, ${jsonFields(1)} from jsonb_array_elements($3::jsonb) as e(r)) as v ` +
      'where p.id = v.id and p.library_id = $1';
    for (let start = 0; start < group.length; start += PG_CHUNK_ROWS) {
      const chunk = group.slice(start, start + PG_CHUNK_ROWS);
      const json = JSON.stringify(chunk.map((row) => [row.id, ...writeValues(row, siteIds)]));
      const result = await ctx.db.executeQuery(CompiledQuery.raw(text, [libraryId, now, json]));
      written += Number(result.numAffectedRows ?? 0);
    }
  }
  return written;
}

/**
 * `status_changed_at` (0011-removal) moves with Status, in the same statement (no extra query
 * per row: a first sync writes 100,000 patrons): SPEC §3.10's "Transferred for more than N days"
 * reads it. The right-hand sides of an UPDATE see the row as it was, on both engines.
 */
const STATUS_CHANGED_SQLITE = 'status_changed_at = case when status <> ? then ? else status_changed_at end';
const STATUS_CHANGED_PG = 'status_changed_at = case when p.status is distinct from v.status then $2 else p.status_changed_at end, ';
/** Where Status sits in `writeValues`. */
const STATUS_POSITION = PATRON_WRITE_COLUMNS.indexOf('status');

/** Columns every update sets: who owns the GUID, how the patron was matched, which sync wrote it. */
const OWNERSHIP_COLUMNS: ReadonlySet<PatronWriteColumn> = new Set(['guid_source', 'matched_by', 'last_sync_operation_id']);

/** Update rows grouped by the columns they set (in PATRON_WRITE_COLUMNS order, with their positions there). */
function byColumns(rows: readonly PatronUpdate[]): { columns: PatronWriteColumn[]; positions: number[]; rows: PatronUpdate[] }[] {
  const groups = new Map<string, { columns: PatronWriteColumn[]; positions: number[]; rows: PatronUpdate[] }>();
  for (const row of rows) {
    // A name's folded copy (the search's, 0017-search-fold) is set whenever the name is.
    const wanted = row.fields ? new Set(row.fields.flatMap((f) => foldedToo(PATRON_FIELD_COLUMN[f]))) : undefined;
    const positions: number[] = [];
    PATRON_WRITE_COLUMNS.forEach((c, i) => {
      if (!wanted || wanted.has(c) || OWNERSHIP_COLUMNS.has(c)) positions.push(i);
    });
    const key = positions.join(',');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { columns: positions.map((i) => PATRON_WRITE_COLUMNS[i]!), positions, rows: [] }));
    group.rows.push(row);
  }
  return [...groups.values()];
}

/** A column, and its folded copy when it has one. */
function foldedToo(column: PatronWriteColumn): PatronWriteColumn[] {
  const folded = FOLDED_COLUMN[column];
  return folded ? [column, folded] : [column];
}

/** The select list reading the write columns from a JSON array `r`, starting at element `first`. */
function jsonFields(first: number): string {
  return PATRON_WRITE_COLUMNS.map((c, i) =>
    PATRON_INTEGER_COLUMNS.has(c) ? `(r->>${first + i})::integer as ${c}` : `r->>${first + i} as ${c}`,
  ).join(', ');
}
