/**
 * Operations Management (SPEC §3.7) as data: the list, one operation with — for a held or
 * dry-run one — a summary of its stored plan, and its log as text or CSV lines, paged out of
 * the store so a 100,000-line log never sits in memory.
 */
import { RollcallError } from '../domain/errors.ts';
import { CSV_BOM, csvLine } from '../csv/csv-write.ts';
import type { LogEntry, LogQuery, Operation, OperationCounts, OperationState, Store } from '../store/store.ts';
import { operationTypeName } from '../domain/operation.ts';
import { META_KIND } from '../sync/stored-plan.ts';
import { changeLine } from './plan-lines.ts';

/** Log lines read from the store per page. */
const LOG_PAGE_LINES = 5000;
/** Changes of each kind shown in a plan summary. */
export const PLAN_SAMPLE_SIZE = 5;
/** The kinds of change a plan summary shows, in this order. */
export const PLAN_KINDS = ['create', 'update', 'transfer', 'reactivate', 'conflict', 'skip', 'locked'] as const;

/** An operation as listed and shown. */
export interface OperationView {
  /** Its id. */
  id: number;
  /** Stored type (`classlink_full_sync`, …). */
  type: string;
  /** Display name (`ClassLink Full Sync`, `CSV Delta Sync`, …): it names the source. */
  typeName: string;
  /** The integration it ran for (`classlink`, `oneroster`, `csv`; '' for other operations). */
  source: string;
  /** Its state. */
  state: OperationState;
  /** Who or what started it. */
  requestedBy: string;
  /** When it was queued (ISO). */
  createdAt: string;
  /** When it started (ISO), or null. */
  startedAt: string | null;
  /** When it ended (ISO), or null. */
  finishedAt: string | null;
  /** How long it ran in ms (until now while it runs), or null before it starts. */
  durationMs: number | null;
  /** Work done so far and in all (0 and 0 when unknown), for a progress bar while it runs. */
  progress: { done: number; total: number };
  /** Its counts. */
  counts: OperationCounts;
  /** Whether the roster read was complete, or null when not known. */
  complete: boolean | null;
  /** A summary for people, or ''. */
  summary: string;
  /** The failure in one line, or ''. */
  error: string;
  /** An undo's: the id of the operation it undid, else null (SPEC §3.9). */
  undoOf: number | null;
  /** The undo that undid this operation, or null. */
  undoneBy: number | null;
}

/** One kind of change in a stored plan. */
export interface PlanKindSummary {
  /** create, update, transfer, reactivate, conflict, skip, locked (fields a lock kept). */
  kind: (typeof PLAN_KINDS)[number];
  /** How many changes of this kind. */
  total: number;
  /** The first few, one line each (old → new for updates). */
  first: string[];
}

/** An operation with its stored plan summarised (held and dry-run operations keep theirs). */
export interface OperationDetail extends OperationView {
  /** The plan, or null when none is stored (applied, rejected, failed). */
  plan: PlanKindSummary[] | null;
}

/** The library's operations, newest first. */
export async function listOperations(
  store: Pick<Store, 'operations'>,
  libraryId: number,
  now: Date,
  limit?: number,
): Promise<OperationView[]> {
  return (await store.operations.list(libraryId, limit === undefined ? {} : { limit })).map((op) => operationView(op, now));
}

/** One operation with its plan summary; not_found when the library has no such operation. */
export async function showOperation(store: Pick<Store, 'operations'>, libraryId: number, id: number, now: Date): Promise<OperationDetail> {
  const op = await requireOperation(store, libraryId, id);
  const meta = await store.operations.changes(libraryId, id, { kind: META_KIND, limit: 1 });
  let plan: PlanKindSummary[] | null = null;
  if (meta.total > 0) {
    plan = [];
    for (const kind of PLAN_KINDS) {
      const page = await store.operations.changes(libraryId, id, { kind, limit: PLAN_SAMPLE_SIZE });
      plan.push({ kind, total: page.total, first: page.items.map((c) => changeLine(c.detail)) });
    }
  }
  return { ...operationView(op, now), plan };
}

/** The operation's log (all of it, or the lines matching `filter`), page by page in order. */
export async function* operationLog(
  store: Pick<Store, 'operations'>,
  libraryId: number,
  id: number,
  filter: Pick<LogQuery, 'level' | 'text'> = {},
): AsyncGenerator<LogEntry[]> {
  await requireOperation(store, libraryId, id);
  for (let offset = 0; ; offset += LOG_PAGE_LINES) {
    const page = await store.operations.log(libraryId, id, { ...filter, offset, limit: LOG_PAGE_LINES });
    if (page.items.length > 0) yield page.items;
    if (page.items.length < LOG_PAGE_LINES) return;
  }
}

/** A log line as text: `time level [sourcedId] message`. */
export function logTextLine(e: LogEntry): string {
  return `${e.at} ${e.level}${e.sourcedId ? ` [${e.sourcedId}]` : ''} ${e.message}`;
}

/** The header of the CSV log. */
export const LOG_CSV_HEADER = 'time,level,sourcedId,message';

/** What a CSV log starts with: the byte-order mark and the header line (src/csv/csv-write.ts). */
export const LOG_CSV_START = `${CSV_BOM}${LOG_CSV_HEADER}\n`;

/** A log line as a CSV row: formula-safe, RFC 4180 quoting (src/csv/csv-write.ts). */
export function logCsvLine(e: LogEntry): string {
  return csvLine([e.at, e.level, e.sourcedId, e.message]);
}

/** The operation; not_found with a hint when it is not this library's. */
export async function requireOperation(store: Pick<Store, 'operations'>, libraryId: number, id: number): Promise<Operation> {
  const op = await store.operations.get(libraryId, id);
  if (!op)
    throw new RollcallError('not_found', `There is no operation ${id} in this library; list them with \`rollcall operations list\`.`);
  return op;
}

/** An operation as shown. */
export function operationView(op: Operation, now: Date): OperationView {
  const end = op.finishedAt ? Date.parse(op.finishedAt) : op.state === 'running' ? now.getTime() : null;
  const start = op.startedAt ? Date.parse(op.startedAt) : null;
  return {
    id: op.id,
    type: op.type,
    typeName: operationTypeName(op.type, op.source, op.undoOf),
    source: op.source,
    state: op.state,
    requestedBy: op.requestedBy,
    createdAt: op.createdAt,
    startedAt: op.startedAt,
    finishedAt: op.finishedAt,
    durationMs: start !== null && end !== null ? Math.max(0, end - start) : null,
    progress: { ...op.progress },
    counts: { ...op.counts },
    complete: op.complete,
    summary: op.summary,
    error: op.error,
    undoOf: op.undoOf?.id ?? null,
    undoneBy: op.undoneBy,
  };
}
