/**
 * The conflict queue (SPEC §3.9): the Conflicts page (every item with both sides side by side
 * and the resolutions), one item with its journal, and the same under /api/v1/conflicts.
 * Librarians may resolve (the words: "Librarians may resolve"); a resolution takes
 * effect on the next sync that reads the user. A conflict line of an operation's log links here
 * through `/conflicts/for-log-line`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError } from '../../domain/errors.ts';
import { conflictDetail, conflictList, type ConflictListFilter } from '../../presenters/conflict-pages.ts';
import { resolveConflict, resolutionText, type ResolveRequest } from '../../services/conflicts/resolve-conflict.ts';
import { staffOf, type WebDeps } from '../context.ts';
import { defineNotices } from '../render.ts';
import { PAGE_NAMES } from '../page-names.ts';

defineNotices({
  'conflict-resolved': 'Resolved: it takes effect on the next sync that reads this user (Sync Now runs a full sync).',
});

/** The largest id a database identity column holds on both engines. */
const MAX_ID = 2_147_483_647;
/** Items per page. */
const PER_PAGE = 50;
const FILTERS: readonly ConflictListFilter[] = ['pending', 'open', 'all'];
const FILTER_LABELS: Record<ConflictListFilter, string> = { pending: 'Not closed', open: 'Open', all: 'All, closed too' };
const ACTIONS = ['link', 'create', 'ignore'] as const;

const PATRON_SIDE = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    exists: { type: 'boolean', description: 'false: the patron was deleted since the sync saw it' },
    guid: { type: 'string' },
    barcode: { type: 'string' },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    communityId: { type: 'string' },
    email: { type: 'string' },
    site: { type: 'string' },
    status: { type: 'integer', nullable: true },
    matchedOn: { type: 'array', items: { type: 'string' } },
  },
} as const;

const CONFLICT_PROPERTIES = {
  id: { type: 'integer' },
  operation: { type: 'integer', description: 'The sync that last saw it' },
  sourcedId: { type: 'string', description: 'The roster user' },
  reason: { type: 'string' },
  patrons: { type: 'array', items: PATRON_SIDE, description: 'The patron side, as the patrons are now' },
  state: { type: 'string', enum: ['open', 'ignored', 'resolved', 'closed'] },
  cause: { type: 'string', enum: ['guid-shared', 'key-shared', 'keys-disagree', 'identity-drift', 'claimed-twice'] },
  causeText: { type: 'string' },
  source: { type: 'string' },
  user: {
    type: 'object',
    description: 'The roster side',
    properties: {
      name: { type: 'string' },
      role: { type: 'string' },
      keys: { type: 'array', items: { type: 'object', properties: { label: { type: 'string' }, value: { type: 'string' } } } },
    },
  },
  rivals: { type: 'array', items: { type: 'string' } },
  seenCount: { type: 'integer' },
  firstSeenAt: { type: 'string' },
  lastSeenAt: { type: 'string' },
  firstOperation: { type: 'integer' },
  resolution: {
    type: 'object',
    nullable: true,
    properties: {
      action: { type: 'string', enum: ACTIONS },
      patronId: { type: 'integer', nullable: true },
      by: { type: 'string' },
      at: { type: 'string', nullable: true },
    },
  },
  note: { type: 'string' },
  closedAt: { type: 'string', nullable: true },
} as const;

const CONFLICT_SCHEMA = { type: 'object', properties: CONFLICT_PROPERTIES } as const;
const CONFLICT_DETAIL_SCHEMA = {
  type: 'object',
  properties: {
    ...CONFLICT_PROPERTIES,
    journal: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: { type: 'string' },
          by: { type: 'string' },
          action: { type: 'string' },
          patronId: { type: 'integer', nullable: true },
          note: { type: 'string' },
        },
      },
    },
  },
} as const;
const ID_PARAMS = { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: MAX_ID } }, required: ['id'] } as const;

/** Registers the routes. */
export function conflictRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store } = deps;
  const librarian = { access: 'librarian' as const };

  async function renderItem(request: FastifyRequest, reply: FastifyReply, id: number, error = '', status = 200) {
    const item = await conflictDetail(store, request.library!.id, id);
    return reply.page('conflict', { title: `Conflict ${id}`, item, error, fmt: { resolution: resolutionText } }, status);
  }

  // ---- pages ----
  app.get('/conflicts', { config: librarian }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const show = FILTERS.find((f) => f === q.show) ?? 'pending';
    const page = Math.max(1, Math.min(Number.parseInt(String(q.page ?? '1'), 10) || 1, 1_000_000));
    const list = await conflictList(store, request.library!.id, show, { limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
    const pages = Math.max(1, Math.ceil(list.total / PER_PAGE));
    return reply.page('conflicts', {
      title: PAGE_NAMES.conflicts,
      list,
      show,
      filters: FILTERS.map((f) => ({ value: f, label: FILTER_LABELS[f] })),
      page,
      pages,
      fmt: { resolution: resolutionText },
    });
  });

  // A conflict line of an operation's log → its item (the one that operation saw, else the user's latest).
  app.get('/conflicts/for-log-line', { config: librarian }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const operation = Number(q.operation);
    const user = typeof q.user === 'string' ? q.user : '';
    const id =
      Number.isSafeInteger(operation) && user !== '' ? await store.conflicts.forLogLine(request.library!.id, user, operation) : undefined;
    if (id === undefined) {
      throw new RollcallError(
        'not_found',
        'This conflict has no item in the queue: dry runs, and syncs held for review until approved, do not add to it.',
      );
    }
    return reply.redirect(`/conflicts/${id}`, 303);
  });

  app.get<{ Params: { id: string } }>('/conflicts/:id', { config: librarian }, async (request, reply) =>
    renderItem(request, reply, idOf(request.params.id)),
  );

  app.post<{ Params: { id: string } }>('/conflicts/:id/resolve', { config: librarian }, async (request, reply) => {
    const id = idOf(request.params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      await resolveConflict(store, request.library!.id, id, formRequest(body), staffOf(request.principal).user.username);
      return reply.redirect(`/conflicts/${id}?notice=conflict-resolved`, 303);
    } catch (e) {
      if (!(e instanceof RollcallError) || (e.kind === 'not_found' && !(await store.conflicts.get(request.library!.id, id)))) throw e;
      return renderItem(request, reply, id, e.message, e.kind === 'conflict' ? 409 : 400);
    }
  });

  // ---- API ----
  const tags = ['conflicts'];
  app.get<{ Querystring: { show?: ConflictListFilter; page?: number; perPage?: number } }>(
    '/api/v1/conflicts',
    {
      config: librarian,
      schema: {
        tags,
        summary: 'The conflict queue: items with both sides, open first then newest (show: pending = not closed, open, all)',
        querystring: {
          type: 'object',
          properties: {
            show: { type: 'string', enum: FILTERS },
            page: { type: 'integer', minimum: 1 },
            perPage: { type: 'integer', minimum: 1, maximum: 500 },
          },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: CONFLICT_SCHEMA }, total: { type: 'integer' } } } },
      },
    },
    async (request) => {
      const perPage = request.query.perPage ?? PER_PAGE;
      const offset = ((request.query.page ?? 1) - 1) * perPage;
      return conflictList(store, request.library!.id, request.query.show ?? 'pending', { limit: perPage, offset });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/conflicts/:id',
    {
      config: librarian,
      schema: {
        tags,
        summary: 'One conflict with both sides and its journal',
        params: ID_PARAMS,
        response: { 200: CONFLICT_DETAIL_SCHEMA },
      },
    },
    async (request) => conflictDetail(store, request.library!.id, request.params.id),
  );

  app.post<{ Params: { id: number }; Body: { action: (typeof ACTIONS)[number]; patronId?: number; barcode?: string } }>(
    '/api/v1/conflicts/:id/resolve',
    {
      config: librarian,
      schema: {
        tags,
        summary:
          'Resolve an open conflict: link the user to a patron (patronId or barcode), create a new patron, or ignore it until its data changes. Takes effect on the next sync; 409 when someone resolved it first',
        params: ID_PARAMS,
        body: {
          type: 'object',
          required: ['action'],
          properties: {
            action: { type: 'string', enum: ACTIONS },
            patronId: { type: 'integer', minimum: 1, maximum: MAX_ID },
            barcode: { type: 'string', maxLength: 200 },
          },
        },
        response: { 200: CONFLICT_DETAIL_SCHEMA },
      },
    },
    async (request) => {
      const libraryId = request.library!.id;
      await resolveConflict(store, libraryId, request.params.id, apiRequest(request.body), staffOf(request.principal).user.username);
      return conflictDetail(store, libraryId, request.params.id);
    },
  );
}

function apiRequest(body: { action: (typeof ACTIONS)[number]; patronId?: number; barcode?: string }): ResolveRequest {
  if (body.action !== 'link') return { action: body.action };
  return {
    action: 'link',
    ...(body.patronId !== undefined ? { patronId: body.patronId } : {}),
    ...(body.barcode !== undefined ? { barcode: body.barcode } : {}),
  };
}

/** The form: `action` link (with `patron`, an id) / create / ignore. */
function formRequest(body: Record<string, unknown>): ResolveRequest {
  const action = typeof body.action === 'string' ? body.action : '';
  if (action === 'create' || action === 'ignore') return { action };
  if (action !== 'link') throw new RollcallError('invalid_input', 'Choose a resolution: link, create a new patron, or ignore.');
  const patron = Number(body.patron);
  if (!Number.isSafeInteger(patron) || patron < 1) {
    const barcode = typeof body.barcode === 'string' ? body.barcode.trim() : '';
    if (barcode === '') throw new RollcallError('invalid_input', 'Choose the patron to link, or type its Barcode.');
    return { action: 'link', barcode };
  }
  return { action: 'link', patronId: patron };
}

function idOf(value: unknown): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 1 || id > MAX_ID)
    throw new RollcallError('not_found', 'There is no such conflict in this library.');
  return id;
}
