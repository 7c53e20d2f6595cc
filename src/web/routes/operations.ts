/**
 * Operations Management (SPEC §3.5, §3.7): the list of the library's
 * operations, one operation with live progress while it runs, its log (filtered, paged,
 * downloaded as text or CSV), its stored plan when held for review or a dry run, and Approve /
 * Reject for admins. The same as JSON under /api/v1/operations. Librarians read; only admins
 * decide on a held sync.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { COUNT_KEYS } from '../../domain/counts.ts';
import { RollcallError } from '../../domain/errors.ts';
import { openAlerts } from '../../services/alerts/open-alerts.ts';
import { changesText, countsArePlanned, duration, stateText } from '../../presenters/format.ts';
import {
  LOG_LEVELS,
  MAX_PER_PAGE,
  OPERATION_STATES,
  awaitsReview,
  findOperations,
  operationDetail,
  operationLogPage,
  operationPlanPage,
  operationTypeChoices,
  planTotals,
  type Paged,
} from '../../presenters/operation-pages.ts';
import { LOG_CSV_START, PLAN_KINDS, logCsvLine, logTextLine, operationLog } from '../../presenters/operations-view.ts';
import type { PlanItem } from '../../presenters/plan-items.ts';
import { logLevelsOf, operationStateOf, pageNumberOf, planKindOf } from '../forms/operation-query.ts';
import { approveSync, rejectSync, syncJson, type SyncResult } from '../../services/syncs/sync-actions.ts';
import type { LogEntry, OperationState } from '../../store/store.ts';
import { OPERATION_TYPES } from '../../domain/operation.ts';
import { staffOf, type WebDeps } from '../context.ts';
import { PAGE_NAMES } from '../page-names.ts';
import { defineNotices } from '../render.ts';

defineNotices({
  'operation-approved': 'The plan was approved and applied.',
  'operation-held-again': 'The plan was approved, but the patrons had changed and the new plan is bigger: it waits for review again.',
  'operation-approve-failed': 'The plan was approved, but applying it failed; the log below says why.',
  'operation-rejected': 'The plan was rejected: nothing was written.',
});

/** The largest id a database identity column holds on both engines: past it, nothing exists. */
const MAX_ID = 2_147_483_647;
/** The states in which an operation's page follows it live. */
const LIVE_STATES: readonly OperationState[] = ['queued', 'running'];

/** Display names of the plan's kinds of change. */
const KIND_TITLES: Record<(typeof PLAN_KINDS)[number], string> = {
  create: 'New patrons',
  update: 'Updates',
  transfer: 'Transfers',
  reactivate: 'Reactivations',
  conflict: 'Conflicts',
  skip: 'Skipped',
  locked: 'Locked fields kept',
};

/** The log level choices of the filter (value → label). */
const LEVEL_CHOICES = [
  { value: '', label: 'All levels' },
  { value: 'warning,error', label: 'Warnings and errors' },
  ...LOG_LEVELS.map((l) => ({ value: l, label: l === 'info' ? 'Info' : l === 'warning' ? 'Warnings' : 'Errors' })),
];

/** What the templates use to format values. */
const FORMAT = { duration, state: stateText, changes: changesText };

type Query = Record<string, unknown>;

// ---- JSON schemas (they build the OpenAPI document and strip anything not listed) ----

const COUNTS_SCHEMA = {
  type: 'object',
  properties: Object.fromEntries(COUNT_KEYS.map((k) => [k, { type: 'integer' }])),
} as const;

const OPERATION_PROPERTIES = {
  id: { type: 'integer' },
  type: { type: 'string', description: 'Stored type: classlink_full_sync, classlink_delta_sync, dry_run, …' },
  typeName: { type: 'string', description: 'Display name: ClassLink Full Sync, …' },
  source: { type: 'string', description: "The integration it read (classlink, oneroster, csv; '' for ClassLink in older operations)" },
  sourceName: { type: 'string' },
  state: { type: 'string', enum: OPERATION_STATES },
  requestedBy: { type: 'string' },
  createdAt: { type: 'string' },
  startedAt: { type: 'string', nullable: true },
  finishedAt: { type: 'string', nullable: true },
  durationMs: { type: 'integer', nullable: true },
  progress: { type: 'object', properties: { done: { type: 'integer' }, total: { type: 'integer' } } },
  counts: COUNTS_SCHEMA,
  complete: {
    type: 'boolean',
    nullable: true,
    description: 'Whether the roster read was complete (removals are held back when not); null when not known',
  },
  summary: { type: 'string' },
  error: { type: 'string' },
  undoOf: { type: 'integer', nullable: true, description: "An undo's: the operation it undid (SPEC §3.9); else null" },
  undoneBy: { type: 'integer', nullable: true, description: 'The undo that undid this operation, or null' },
} as const;

const OPERATION_SCHEMA = { type: 'object', properties: OPERATION_PROPERTIES } as const;

const PLAN_TOTALS_SCHEMA = {
  type: 'array',
  nullable: true,
  items: { type: 'object', properties: { kind: { type: 'string', enum: PLAN_KINDS }, total: { type: 'integer' } } },
} as const;

const OPERATION_DETAIL_SCHEMA = {
  type: 'object',
  properties: {
    ...OPERATION_PROPERTIES,
    plan: {
      ...PLAN_TOTALS_SCHEMA,
      description: 'Changes of each kind in the stored plan (held and dry-run operations); null when none is stored',
    },
  },
} as const;

const LOG_ENTRY_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string' },
    level: { type: 'string', enum: LOG_LEVELS },
    sourcedId: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

const PLAN_ITEM_SCHEMA = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    kind: { type: 'string' },
    sourcedId: { type: 'string' },
    patronId: { type: 'integer', nullable: true },
    name: { type: 'string' },
    reason: { type: 'string' },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          number: { type: 'integer', nullable: true },
          label: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
        },
      },
    },
    conflict: {
      type: 'object',
      nullable: true,
      properties: {
        cause: { type: 'string' },
        user: { type: 'object', properties: { name: { type: 'string' }, role: { type: 'string' } } },
        candidates: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              patronId: { type: 'integer' },
              name: { type: 'string' },
              guid: { type: 'string' },
              matchedOn: { type: 'array', items: { type: 'string' } },
            },
          },
        },
        rivals: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

/** A page of items of `items` schema. */
function pagedSchema(items: object, extra: Record<string, object> = {}) {
  return {
    type: 'object',
    properties: {
      ...extra,
      items: { type: 'array', items },
      total: { type: 'integer' },
      page: { type: 'integer' },
      pages: { type: 'integer' },
      perPage: { type: 'integer' },
    },
  } as const;
}

/** SPEC §8's sync result. */
const SYNC_JSON_SCHEMA = {
  type: 'object',
  properties: {
    operation: { type: 'integer' },
    state: { type: 'string', enum: OPERATION_STATES },
    counts: COUNTS_SCHEMA,
    complete: { type: 'boolean' },
  },
} as const;

const ID_PARAMS = { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: MAX_ID } }, required: ['id'] } as const;
const PAGING = { page: { type: 'integer', minimum: 1 }, perPage: { type: 'integer', minimum: 1, maximum: MAX_PER_PAGE } } as const;
const LOG_FILTER = {
  level: { type: 'string', description: 'info, warning or error; several comma-separated (warning,error)' },
  q: { type: 'string', description: 'Text or sourcedId the line contains (case-insensitive)' },
} as const;

/** Registers the routes. */
export function operationsRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store } = deps;
  const librarian = { access: 'librarian' as const };
  const admin = { access: 'admin' as const };

  /** The operation page, with an error line when an action on it was refused. */
  async function renderOperation(request: FastifyRequest, reply: FastifyReply, id: number, error = '', status = 200) {
    const libraryId = request.library!.id;
    const q = request.query as Query;
    const op = await operationDetail(store, libraryId, id, deps.now());
    const levelValue = text(q.level);
    const search = text(q.q);
    // Two tabs: the log (first, what a person opens an operation for) and the stored plan, which
    // for a large sync is thousands of lines and so gets its own paged tab. Only the shown tab
    // is read.
    const view = text(q.view) === 'plan' && op.plan !== null ? 'plan' : 'log';
    const log = await operationLogPage(store, libraryId, id, {
      levels: logLevelsOf(levelValue),
      text: search,
      page: view === 'log' ? pageNumberOf(q['log-page']) : 1,
      ...(view === 'log' ? {} : { perPage: 1 }),
    });
    const plan: { kind: string; title: string; page: Paged<PlanItem>; prev: string | null; next: string | null }[] = [];
    if (view === 'plan') {
      for (const k of op.plan ?? []) {
        if (k.total === 0) continue;
        const key = `${k.kind}-page`;
        const page = await operationPlanPage(store, libraryId, id, k.kind, { page: pageNumberOf(q[key]) });
        plan.push({ kind: k.kind, title: KIND_TITLES[k.kind], page, ...pagerLinks(request, `/operations/${id}`, key, page) });
      }
    }
    // Log lines name the patron they are about, linked to their page (a sourcedId is a GUID).
    const patronOf =
      view === 'log' ? await store.patrons.namesByGuid(libraryId, log.items.map((e) => e.sourcedId).filter(Boolean)) : new Map();
    const filter = { level: levelValue, q: search };
    return reply.page(
      'operation',
      {
        title: `Operation ${op.id}`,
        op,
        live: LIVE_STATES.includes(op.state),
        canDecide: awaitsReview(op) && staffOf(request.principal).role === 'admin',
        // The button leads to the preview, which says why when the operation wrote nothing (SPEC §3.9).
        canUndo:
          staffOf(request.principal).role === 'admin' &&
          (op.state === 'succeeded' || op.state === 'succeeded_with_warnings') &&
          op.type !== OPERATION_TYPES.dryRun &&
          // SPEC §3.10: a removal is brought back from its archive (patrons import), never undone.
          op.type !== OPERATION_TYPES.patronRemoval &&
          op.undoneBy === null,
        // A Patron Removal's rule, count and archive (SPEC §3.10); the archive is for admins.
        removal: op.type === OPERATION_TYPES.patronRemoval ? ((await store.removals.get(libraryId, op.id)) ?? null) : null,
        mayDownloadArchive: staffOf(request.principal).role === 'admin',
        countKeys: COUNT_KEYS,
        // A plan that was never applied (held, rejected, a dry run) counts what it would have
        // done: the page says "planned", so "1049 Updated" is not read as written.
        countsPlanned: countsArePlanned(op),
        log,
        logPatrons: patronOf,
        view,
        planTotal: (op.plan ?? []).reduce((n, k) => n + k.total, 0),
        logLinks: pagerLinks(request, `/operations/${op.id}`, 'log-page', log),
        levels: LEVEL_CHOICES,
        filter,
        downloads: { text: withQuery(`/operations/${op.id}/log.txt`, filter), csv: withQuery(`/operations/${op.id}/log.csv`, filter) },
        plan,
        planStored: op.plan !== null,
        isDryRun: op.type === OPERATION_TYPES.dryRun,
        error,
        fmt: FORMAT,
      },
      status,
    );
  }

  /** Streams the log (filtered as asked) as an attachment, page by page out of the store. */
  async function sendLog(request: FastifyRequest, reply: FastifyReply, id: number, format: 'text' | 'csv') {
    const q = request.query as Query;
    const levels = logLevelsOf(text(q.level));
    const search = text(q.q).trim();
    const pages = operationLog(store, request.library!.id, id, {
      ...(levels ? { level: levels } : {}),
      ...(search ? { text: search } : {}),
    });
    // The first page is read before a header is sent: an unknown id is a clean 404.
    const first = await pages.next();
    const line = format === 'csv' ? logCsvLine : logTextLine;
    async function* body(): AsyncGenerator<string> {
      if (format === 'csv') yield LOG_CSV_START;
      if (!first.done) yield lines(first.value, line);
      for await (const page of pages) yield lines(page, line);
    }
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="operation-${id}-log.${format === 'csv' ? 'csv' : 'txt'}"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(body()));
  }

  // ---- pages ----
  app.get('/operations', { config: librarian }, async (request, reply) => {
    const q = request.query as Query;
    const filter = { type: text(q.type), state: text(q.state) };
    const list = await findOperations(store, request.library!.id, deps.now(), {
      type: filter.type || undefined,
      state: operationStateOf(filter.state),
      page: pageNumberOf(q.page),
    });
    return reply.page('operations', {
      title: PAGE_NAMES.operations,
      list,
      links: pagerLinks(request, '/operations', 'page', list),
      filter,
      types: operationTypeChoices(),
      states: OPERATION_STATES,
      // Raised by the alerts job (jobs/alerts-job.ts): a failed sync, one waiting for review, a stale library.
      alerts: await openAlerts(store, request.library!.id),
      fmt: FORMAT,
    });
  });

  app.get<{ Params: { id: string } }>('/operations/:id', { config: librarian }, async (request, reply) =>
    renderOperation(request, reply, idOf(request.params.id)),
  );
  app.get<{ Params: { id: string } }>('/operations/:id/log.txt', { config: librarian }, async (request, reply) =>
    sendLog(request, reply, idOf(request.params.id), 'text'),
  );
  app.get<{ Params: { id: string } }>('/operations/:id/log.csv', { config: librarian }, async (request, reply) =>
    sendLog(request, reply, idOf(request.params.id), 'csv'),
  );

  for (const action of ['approve', 'reject'] as const) {
    app.post<{ Params: { id: string } }>(`/operations/:id/${action}`, { config: admin }, async (request, reply) => {
      const id = idOf(request.params.id);
      const by = staffOf(request.principal).user.username;
      try {
        const result =
          action === 'approve'
            ? await approveSync(deps.syncDeps, request.library!.id, id, by)
            : await rejectSync(deps.syncDeps, request.library!.id, id, by);
        return reply.redirect(`/operations/${id}?notice=${noticeOf(action, result)}`, 303);
      } catch (e) {
        if (!(e instanceof RollcallError) || e.kind === 'not_found') throw e;
        return renderOperation(request, reply, id, e.message, 400);
      }
    });
  }

  // ---- API ----
  const tags = ['operations'];
  app.get<{ Querystring: { type?: string; state?: string; page?: number; perPage?: number } }>(
    '/api/v1/operations',
    {
      config: librarian,
      schema: {
        tags,
        summary: "The library's operations, newest first, filtered by type and state, paged",
        querystring: {
          type: 'object',
          properties: { type: { type: 'string' }, state: { type: 'string', enum: OPERATION_STATES }, ...PAGING },
        },
        response: { 200: pagedSchema(OPERATION_SCHEMA) },
      },
    },
    async (request) => {
      const q = request.query;
      return findOperations(store, request.library!.id, deps.now(), {
        type: q.type || undefined,
        state: operationStateOf(q.state),
        page: q.page,
        perPage: q.perPage,
      });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/operations/:id',
    {
      config: librarian,
      schema: {
        tags,
        summary: 'One operation: state, progress, counts, completeness, times, who, summary, error, and its stored plan by kind',
        params: ID_PARAMS,
        response: { 200: OPERATION_DETAIL_SCHEMA },
      },
    },
    async (request) => operationDetail(store, request.library!.id, request.params.id, deps.now()),
  );

  app.get<{ Params: { id: number }; Querystring: { level?: string; q?: string; page?: number; perPage?: number } }>(
    '/api/v1/operations/:id/log',
    {
      config: librarian,
      schema: {
        tags,
        summary: "One page of the operation's log, filtered by level and text",
        params: ID_PARAMS,
        querystring: { type: 'object', properties: { ...LOG_FILTER, ...PAGING } },
        response: { 200: pagedSchema(LOG_ENTRY_SCHEMA) },
      },
    },
    async (request) => {
      const q = request.query;
      return operationLogPage(store, request.library!.id, request.params.id, {
        levels: logLevelsOf(q.level),
        text: q.q,
        page: q.page,
        perPage: q.perPage,
      });
    },
  );

  for (const format of ['csv', 'text'] as const) {
    const ext = format === 'csv' ? 'csv' : 'txt';
    app.get<{ Params: { id: number } }>(
      `/api/v1/operations/:id/log.${ext}`,
      {
        config: librarian,
        schema: {
          tags,
          summary: `The operation's whole log (or the lines matching level and q) as ${format === 'csv' ? 'CSV (time,level,sourcedId,message)' : 'text, one line each'}`,
          params: ID_PARAMS,
          querystring: { type: 'object', properties: LOG_FILTER },
        },
      },
      async (request, reply) => sendLog(request, reply, request.params.id, format),
    );
  }

  app.get<{ Params: { id: number }; Querystring: { kind?: string; page?: number; perPage?: number } }>(
    '/api/v1/operations/:id/plan',
    {
      config: librarian,
      schema: {
        tags,
        summary: 'One page of one kind of change of the stored plan (a sync held for review, or a dry run)',
        params: ID_PARAMS,
        querystring: { type: 'object', properties: { kind: { type: 'string', enum: PLAN_KINDS }, ...PAGING } },
        response: {
          200: pagedSchema(PLAN_ITEM_SCHEMA, {
            kind: { type: 'string', enum: PLAN_KINDS },
            kinds: { type: 'array', items: PLAN_TOTALS_SCHEMA.items },
          }),
        },
      },
    },
    async (request) => {
      const libraryId = request.library!.id;
      const id = request.params.id;
      const kind = planKindOf(request.query.kind);
      const page = await operationPlanPage(store, libraryId, id, kind, { page: request.query.page, perPage: request.query.perPage });
      return { kind, kinds: (await planTotals(store, libraryId, id)) ?? [], ...page };
    },
  );

  for (const action of ['approve', 'reject'] as const) {
    app.post<{ Params: { id: number } }>(
      `/api/v1/operations/:id/${action}`,
      {
        config: admin,
        schema: {
          tags,
          summary:
            action === 'approve'
              ? 'Approve a sync held for review: it applies (or, if the patrons changed and the new plan is bigger, waits for review again)'
              : 'Reject a sync held for review: its plan is discarded and nothing is written',
          params: ID_PARAMS,
          response: { 200: SYNC_JSON_SCHEMA },
        },
      },
      async (request) => {
        const libraryId = request.library!.id;
        const by = staffOf(request.principal).user.username;
        const result =
          action === 'approve'
            ? await approveSync(deps.syncDeps, libraryId, request.params.id, by)
            : await rejectSync(deps.syncDeps, libraryId, request.params.id, by);
        return syncJson(result);
      },
    );
  }
}

function noticeOf(action: 'approve' | 'reject', r: SyncResult): string {
  if (action === 'reject') return 'operation-rejected';
  if (r.state === 'needs_review') return 'operation-held-again';
  if (r.state === 'failed') return 'operation-approve-failed';
  return 'operation-approved';
}

function idOf(value: unknown): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 1 || id > MAX_ID)
    throw new RollcallError('not_found', 'There is no such operation in this library.');
  return id;
}

function text(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v : '';
}

function lines(entries: readonly LogEntry[], line: (e: LogEntry) => string): string {
  return entries.map((e) => `${line(e)}\n`).join('');
}

/** `path?k=v…` with the non-empty values. */
function withQuery(path: string, query: Record<string, string>): string {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== ''));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

/** Links to the previous and next page of a list, keeping the request's other parameters. */
function pagerLinks(
  request: FastifyRequest,
  path: string,
  key: string,
  page: Pick<Paged<unknown>, 'page' | 'pages'>,
): { prev: string | null; next: string | null } {
  const current: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.query as Query)) if (k !== 'notice' && text(v) !== '') current[k] = text(v);
  const at = (n: number) => withQuery(path, { ...current, [key]: n === 1 ? '' : String(n) });
  return { prev: page.page > 1 ? at(Math.min(page.page - 1, page.pages)) : null, next: page.page < page.pages ? at(page.page + 1) : null };
}
