/**
 * Undo of an operation (SPEC §3.9) in the web admin and the JSON API: the operation page's Undo
 * button leads to the preview (what would be put back, what kept because it changed since);
 * confirming posts the counts that were previewed, so a preview that no longer holds is shown
 * again rather than applied; the applied undo is an operation of its own, whose page follows.
 *
 * Admins only, as Approve/Reject: an undo rewrites patrons across the whole library, like a
 * sync, which is the admin's to decide; librarians edit one patron at a time (and may read the
 * undo's operation page and log like any other).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError } from '../../domain/errors.ts';
import {
  applyUndo,
  previewUndo,
  undoJson,
  type UndoExpect,
  type UndoKeptLine,
  type UndoPreview,
  type UndoRevertLine,
} from '../../services/operations/undo-operation.ts';
import { invalid, objectOf, textOf } from '../forms/body.ts';
import { staffOf, type WebDeps } from '../context.ts';
import { defineNotices } from '../render.ts';

defineNotices({
  'undo-applied': 'The undo was applied: it is this operation. It can itself be undone.',
});

/** The largest id a database identity column holds on both engines: past it, nothing exists. */
const MAX_ID = 2_147_483_647;
/** Counts a confirmation may carry (a preview's counts are never negative). */
const MAX_COUNT = 2_147_483_647;

const ID_PARAMS = { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: MAX_ID } }, required: ['id'] } as const;

const PATRON_REF = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' }, barcode: { type: 'string' } },
} as const;

/** The preview as the API gives it. */
const PREVIEW_SCHEMA = {
  type: 'object',
  properties: {
    operation: { type: 'integer', description: 'The operation the undo would undo' },
    name: { type: 'string', description: 'Its display name' },
    reverted: {
      type: 'integer',
      description: 'Fields that would be put back (a created patron set Transferred counts one); send it back to apply',
    },
    kept: { type: 'integer', description: 'Fields that would be kept: changed again since; send it back to apply' },
    patrons: {
      type: 'object',
      properties: { transferred: { type: 'integer' }, reactivated: { type: 'integer' }, updated: { type: 'integer' } },
    },
    reverts: {
      type: 'array',
      description: 'The first 100 reverts',
      items: {
        type: 'object',
        properties: {
          patron: PATRON_REF,
          field: { type: 'string' },
          label: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          kind: { type: 'string', enum: ['uncreate', 'restore'] },
        },
      },
    },
    keptFields: {
      type: 'array',
      description: 'The first 500 fields kept, each with why',
      items: {
        type: 'object',
        properties: {
          patron: PATRON_REF,
          field: { type: 'string' },
          label: { type: 'string' },
          wrote: { type: 'string' },
          now: { type: 'string' },
          reason: { type: 'string' },
        },
      },
    },
  },
} as const;

/** SPEC §8's `operations undo --json`. */
const UNDO_JSON_SCHEMA = {
  type: 'object',
  properties: {
    operation: { type: 'integer', description: 'The undo operation' },
    state: { type: 'string' },
    reverted: { type: 'integer' },
    kept: { type: 'integer' },
  },
} as const;

/** Registers the routes. */
export function operationUndoRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store } = deps;
  const admin = { access: 'admin' as const };

  async function renderPreview(request: FastifyRequest, reply: FastifyReply, id: number, notice = '', status = 200) {
    let preview: UndoPreview | undefined;
    let error = '';
    try {
      preview = await previewUndo(store, request.library!.id, id);
    } catch (e) {
      if (!(e instanceof RollcallError) || e.kind === 'not_found') throw e;
      error = e.message;
    }
    return reply.page('operation-undo', { title: `Undo operation ${id}`, id, preview, error, notice }, error ? 400 : status);
  }

  app.get<{ Params: { id: string } }>('/operations/:id/undo', { config: admin }, async (request, reply) =>
    renderPreview(request, reply, idOf(request.params.id)),
  );

  app.post<{ Params: { id: string } }>('/operations/:id/undo', { config: admin }, async (request, reply) => {
    const id = idOf(request.params.id);
    const expect = expectOf(objectOf(request.body));
    try {
      const result = await applyUndo(store, request.library!.id, id, { requestedBy: staffOf(request.principal).user.username, expect });
      if (result.status === 'changed')
        return renderPreview(
          request,
          reply,
          id,
          'The patrons changed since that preview: here is what an undo would do now. Nothing was written.',
          409,
        );
      return reply.redirect(`/operations/${result.operation.id}?notice=undo-applied`, 303);
    } catch (e) {
      if (!(e instanceof RollcallError) || e.kind === 'not_found') throw e;
      return reply.page('operation-undo', { title: `Undo operation ${id}`, id, preview: undefined, error: e.message, notice: '' }, 400);
    }
  });

  const tags = ['operations'];
  app.get<{ Params: { id: number } }>(
    '/api/v1/operations/:id/undo',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Preview the undo of an operation (a sync, an approved plan, an import or an undo): what would be put back, and what kept because it changed since; nothing is written',
        params: ID_PARAMS,
        response: { 200: PREVIEW_SCHEMA },
      },
    },
    async (request) => previewJson(await previewUndo(store, request.library!.id, request.params.id)),
  );

  app.post<{ Params: { id: number }; Body: { reverted: number; kept: number } }>(
    '/api/v1/operations/:id/undo',
    {
      config: admin,
      schema: {
        tags,
        summary:
          "Undo an operation in one transaction, as an operation of its own. Send the preview's reverted and kept: when they no longer hold, nothing is applied and the new preview comes back (409)",
        params: ID_PARAMS,
        body: {
          type: 'object',
          properties: { reverted: { type: 'integer', minimum: 0 }, kept: { type: 'integer', minimum: 0 } },
          required: ['reverted', 'kept'],
        },
        response: {
          200: UNDO_JSON_SCHEMA,
          409: {
            type: 'object',
            properties: {
              error: { type: 'object', properties: { kind: { type: 'string' }, message: { type: 'string' } } },
              preview: PREVIEW_SCHEMA,
            },
          },
        },
      },
    },
    async (request, reply) => {
      const by = staffOf(request.principal).user.username;
      const result = await applyUndo(store, request.library!.id, request.params.id, { requestedBy: by, expect: request.body });
      if (result.status === 'changed') {
        const message = 'The patrons changed since that preview; nothing was applied. Here is the new preview.';
        return reply.code(409).send({ error: { kind: 'conflict', message }, preview: previewJson(result.preview) });
      }
      return undoJson(result);
    },
  );
}

function previewJson(p: UndoPreview) {
  const ref = (l: UndoRevertLine | UndoKeptLine) => l.patron;
  return {
    operation: p.operation.id,
    name: p.name,
    reverted: p.reverted,
    kept: p.kept,
    patrons: p.patrons,
    reverts: p.reverts.map((r) => ({ patron: ref(r), field: r.field, label: r.label, from: r.from, to: r.to, kind: r.kind })),
    keptFields: p.keptFields.map((k) => ({ patron: ref(k), field: k.field, label: k.label, wrote: k.wrote, now: k.now, reason: k.reason })),
  };
}

/** What the confirmation form carries: the previewed counts. */
function expectOf(body: Record<string, unknown>): UndoExpect {
  const count = (name: string) => {
    const v = textOf(body[name]);
    if (!/^\d+$/.test(v) || Number(v) > MAX_COUNT) throw invalid('Open the undo preview again and confirm from there.');
    return Number(v);
  };
  return { reverted: count('reverted'), kept: count('kept') };
}

function idOf(value: unknown): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 1 || id > MAX_ID)
    throw new RollcallError('not_found', 'There is no such operation in this library.');
  return id;
}
