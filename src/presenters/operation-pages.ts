/**
 * Operations Management for the web pages and the API (SPEC §3.7, §5): the list filtered
 * by type and state, one page of an operation's log filtered by level and text, one page of a
 * kind of its stored plan. Every list is paged in SQL (a log can hold 100,000 lines, a plan as
 * many changes): nothing here reads more than one page. The CLI's views (operations-view.ts)
 * supply the shapes.
 */
import { RollcallError } from '../domain/errors.ts';
import { SOURCE_NAMES, isIntegrationKind } from '../sources/registry.ts';
import type { LogEntry, LogLevel, OperationState, Store } from '../store/store.ts';
import { IMPORT_SOURCE, IMPORT_SOURCE_NAME, OPERATION_TYPE_NAMES, REMOVAL_SOURCE, REMOVAL_SOURCE_NAME } from '../domain/operation.ts';
import { META_KIND } from '../sync/stored-plan.ts';
import { PLAN_KINDS, operationView, requireOperation, type OperationView } from './operations-view.ts';
import { planItem, type PlanItem } from './plan-items.ts';

/** Operations per page of the list. */
export const OPERATIONS_PER_PAGE = 25;
/** Log lines per page. */
export const LOG_LINES_PER_PAGE = 100;
/** Plan changes per page, per kind. */
export const PLAN_CHANGES_PER_PAGE = 20;
/** The most a caller of the API may ask per page. */
export const MAX_PER_PAGE = 500;

/** Every state an operation can be in, in the order a person expects them (SPEC §3.7). */
export const OPERATION_STATES: readonly OperationState[] = [
  'queued',
  'running',
  'needs_review',
  'succeeded',
  'succeeded_with_warnings',
  'rejected',
  'failed',
];
/** The log levels, for a filter. */
export const LOG_LEVELS: readonly LogLevel[] = ['info', 'warning', 'error'];

/** A kind of plan change. */
export type PlanKind = (typeof PLAN_KINDS)[number];

/** One page of a longer list. */
export interface Paged<T> {
  /** This page's items. */
  items: T[];
  /** How many matched in all. */
  total: number;
  /** This page (from 1). */
  page: number;
  /** How many pages there are (at least 1). */
  pages: number;
  /** Items per page. */
  perPage: number;
}

/** Paging asked for: a page number from 1 and its size. */
export interface PageAsk {
  /** The page (from 1; 1 when absent). */
  page?: number | undefined;
  /** Its size (the list's default when absent; at most MAX_PER_PAGE). */
  perPage?: number | undefined;
}

/** An operation as Operations Management lists it: the view plus its source's name. */
export interface OperationRow extends OperationView {
  /** The source as people call it (`ClassLink`, `OneRoster CSV`). */
  sourceName: string;
}

/** Which operations to list. */
export interface OperationFilter extends PageAsk {
  /** Only this stored type (`classlink_full_sync`, `dry_run`, …). */
  type?: string | undefined;
  /** Only this state. */
  state?: OperationState | undefined;
}

/** Which log lines to show. */
export interface LogFilter extends PageAsk {
  /** Only these levels (all when absent or empty). */
  levels?: readonly LogLevel[] | undefined;
  /** Only lines whose message or sourcedId contains this (case-insensitive). */
  text?: string | undefined;
}

/** How many changes of each kind a stored plan holds. */
export interface PlanKindTotal {
  /** The kind. */
  kind: PlanKind;
  /** How many. */
  total: number;
}

/** The choices of the type filter: every known operation type with its display name. */
export function operationTypeChoices(): { value: string; label: string }[] {
  return Object.entries(OPERATION_TYPE_NAMES).map(([value, label]) => ({ value, label }));
}

/** Which page, its size and its offset, from what was asked (pure). */
export function pageWindow(ask: PageAsk, defaultPerPage: number): { page: number; perPage: number; offset: number } {
  const page = ask.page !== undefined && Number.isSafeInteger(ask.page) && ask.page >= 1 ? ask.page : 1;
  const wanted = ask.perPage !== undefined && Number.isSafeInteger(ask.perPage) && ask.perPage >= 1 ? ask.perPage : defaultPerPage;
  const perPage = Math.min(wanted, MAX_PER_PAGE);
  return { page, perPage, offset: (page - 1) * perPage };
}

/** Items of one page with the paging facts (pure). */
export function paged<T>(items: T[], total: number, window: { page: number; perPage: number }): Paged<T> {
  return { items, total, page: window.page, perPage: window.perPage, pages: Math.max(1, Math.ceil(total / window.perPage)) };
}

/** The library's operations newest first, filtered, one page. */
export async function findOperations(
  store: Pick<Store, 'operations'>,
  libraryId: number,
  now: Date,
  filter: OperationFilter = {},
): Promise<Paged<OperationRow>> {
  const w = pageWindow(filter, OPERATIONS_PER_PAGE);
  const found = await store.operations.search(libraryId, {
    ...(filter.type ? { type: filter.type } : {}),
    ...(filter.state ? { state: filter.state } : {}),
    limit: w.perPage,
    offset: w.offset,
  });
  return paged(
    found.items.map((op) => operationRow(operationView(op, now))),
    found.total,
    w,
  );
}

/** One operation as shown, with how many changes of each kind its stored plan holds (null: no plan stored). */
export async function operationDetail(
  store: Pick<Store, 'operations'>,
  libraryId: number,
  id: number,
  now: Date,
): Promise<OperationRow & { plan: PlanKindTotal[] | null }> {
  const op = await requireOperation(store, libraryId, id);
  return { ...operationRow(operationView(op, now)), plan: await planTotals(store, libraryId, id) };
}

/** One page of the operation's log, filtered; not_found when the library has no such operation. */
export async function operationLogPage(
  store: Pick<Store, 'operations'>,
  libraryId: number,
  id: number,
  filter: LogFilter = {},
): Promise<Paged<LogEntry>> {
  await requireOperation(store, libraryId, id);
  const w = pageWindow(filter, LOG_LINES_PER_PAGE);
  const text = filter.text?.trim();
  const found = await store.operations.log(libraryId, id, {
    ...(filter.levels && filter.levels.length > 0 ? { level: filter.levels } : {}),
    ...(text ? { text } : {}),
    limit: w.perPage,
    offset: w.offset,
  });
  return paged(found.items, found.total, w);
}

/** How many changes of each kind the operation's stored plan holds, or null when none is stored. */
export async function planTotals(store: Pick<Store, 'operations'>, libraryId: number, id: number): Promise<PlanKindTotal[] | null> {
  const meta = await store.operations.changes(libraryId, id, { kind: META_KIND, limit: 1 });
  if (meta.total === 0) return null;
  const totals: PlanKindTotal[] = [];
  for (const kind of PLAN_KINDS) {
    // A page of none still counts them: the store returns the total that matched.
    const page = await store.operations.changes(libraryId, id, { kind, limit: 1 });
    totals.push({ kind, total: page.total });
  }
  return totals;
}

/**
 * One page of one kind of change of the operation's stored plan. not_found when the library
 * has no such operation, or when it keeps no plan (only held and dry-run operations do).
 */
export async function operationPlanPage(
  store: Pick<Store, 'operations'>,
  libraryId: number,
  id: number,
  kind: PlanKind,
  ask: PageAsk = {},
): Promise<Paged<PlanItem>> {
  await requireOperation(store, libraryId, id);
  const meta = await store.operations.changes(libraryId, id, { kind: META_KIND, limit: 1 });
  if (meta.total === 0) {
    throw new RollcallError('not_found', `Operation ${id} keeps no plan: only a sync waiting for review and a dry run keep theirs.`);
  }
  const w = pageWindow(ask, PLAN_CHANGES_PER_PAGE);
  const found = await store.operations.changes(libraryId, id, { kind, limit: w.perPage, offset: w.offset });
  return paged(found.items.map(planItem), found.total, w);
}

/** Whether the operation can be approved or rejected now (a sync held for review). */
export function awaitsReview(op: Pick<OperationView, 'state'>): boolean {
  return op.state === 'needs_review';
}

function operationRow(v: OperationView): OperationRow {
  // Operations stored before there were several sources have '': they were ClassLink's.
  const sourceName = isIntegrationKind(v.source)
    ? SOURCE_NAMES[v.source]
    : v.source === ''
      ? SOURCE_NAMES.classlink
      : v.source === IMPORT_SOURCE
        ? IMPORT_SOURCE_NAME
        : v.source === REMOVAL_SOURCE
          ? REMOVAL_SOURCE_NAME
          : v.source;
  return { ...v, sourceName };
}
