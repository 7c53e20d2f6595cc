/**
 * An operation's log: appended in batches while it runs, read back filtered and paged for the
 * Operations Management page and the text/CSV download.
 */
import { sql } from 'kysely';
import { atomically, onSqlite, type RepoContext } from './context.ts';
import { NO_LIMIT, containsPattern, storable } from './dialect.ts';
import { INSERT_CHUNK_ROWS, assertOperationOf } from './operation-scope.ts';
import type { LogEntry, LogLevel, LogLine, Page } from './records.ts';

/** How to filter and page a log. */
export interface LogQuery {
  /** Only these levels. */
  level?: LogLevel | readonly LogLevel[];
  /** Only lines whose message or sourcedId contains this text (case-insensitive). */
  text?: string;
  /** At most this many lines (all when absent). */
  limit?: number;
  /** Skip this many first. */
  offset?: number;
}

/** The log methods of the operation repository. */
export interface OperationLogMethods {
  /** Appends lines to an operation's log (in one transaction). */
  appendLog(libraryId: number, operationId: number, lines: readonly LogLine[]): Promise<void>;
  /** The operation's log lines in the order appended, filtered and paged, with the total that matched. */
  log(libraryId: number, operationId: number, query?: LogQuery): Promise<Page<LogEntry>>;
}

/** The log methods over a context. */
export function operationLogMethods(ctx: RepoContext): OperationLogMethods {
  return {
    async appendLog(libraryId, operationId, lines) {
      if (lines.length === 0) return;
      await atomically(ctx, async (tx) => {
        await assertOperationOf(tx, libraryId, operationId);
        const now = tx.now();
        if (tx.dialect === 'sqlite') {
          // One prepared statement for every line: building and compiling a 1,000-row insert
          // through the query builder cost ~0.5 s of a 100,000-line first sync.
          return onSqlite(tx, (handle) => {
            const insert = handle.prepare(
              'insert into operation_log (operation_id, library_id, at, level, sourced_id, message) values (?, ?, ?, ?, ?, ?)',
            );
            for (const line of lines)
              insert.run(operationId, libraryId, line.at ?? now, line.level, storable(line.sourcedId ?? ''), storable(line.message));
          });
        }
        for (let start = 0; start < lines.length; start += INSERT_CHUNK_ROWS) {
          const values = lines.slice(start, start + INSERT_CHUNK_ROWS).map((line) => ({
            operation_id: operationId,
            library_id: libraryId,
            at: line.at ?? now,
            level: line.level,
            sourced_id: storable(line.sourcedId ?? ''),
            message: storable(line.message),
          }));
          await tx.db.insertInto('operation_log').values(values).execute();
        }
      });
    },

    async log(libraryId, operationId, query = {}) {
      let base = ctx.db.selectFrom('operation_log').where('library_id', '=', libraryId).where('operation_id', '=', operationId);
      if (query.level !== undefined) {
        const levels = typeof query.level === 'string' ? [query.level] : [...query.level];
        base = base.where('level', 'in', levels.length > 0 ? levels : ['']);
      }
      const text = query.text?.trim();
      if (text) {
        const like = containsPattern(text);
        base = base.where((eb) =>
          eb.or([sql<boolean>`lower(message) like ${like} escape '\\'`, sql<boolean>`lower(sourced_id) like ${like} escape '\\'`]),
        );
      }
      const rows = base
        .select(['id', 'at', 'level', 'sourced_id', 'message'])
        .orderBy('id')
        .limit(query.limit ?? NO_LIMIT)
        .offset(query.offset ?? 0);
      const [items, total] = await Promise.all([
        rows.execute(),
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return {
        items: items.map((r) => ({ id: r.id, at: r.at, level: r.level as LogLevel, sourcedId: r.sourced_id, message: r.message })),
        total: Number(total.n),
      };
    },
  };
}
