/**
 * End of year in the web admin and the JSON API (SPEC §3.10): the removal rule page under
 * Patrons → its preview (the rule in words, the count, a paged list of exactly who would go) →
 * the archive download (the field-number CSV `patrons import` reads) → a confirmation typed as
 * the number of patrons → the Patron Removal operation's page, where the archive stays
 * downloadable for its retention. One patron is deleted from their page by typing their barcode
 * or name.
 *
 * Admins only, as imports and undos: a removal deletes patrons across the library, and the
 * archive holds their personal data.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError } from '../../domain/errors.ts';
import { STATUS_ACTIVE, STATUS_TRANSFERRED } from '../../domain/fields.ts';
import { type RemovalRule, parseRemovalRule, ruleFields } from '../../domain/removal.ts';
import { statusText } from '../../presenters/patron-pages.ts';
import { requirePatron } from '../../services/patrons/find-patron.ts';
import {
  type RemovalPreview,
  archiveName,
  deletePatron,
  previewRemoval,
  removalArchive,
  removePatrons,
} from '../../services/patrons/remove-patrons.ts';
import { staffOf, type WebDeps } from '../context.ts';
import { checked, objectOf, textOf } from '../forms/body.ts';
import { defineNotices } from '../render.ts';

defineNotices({
  'removal-applied': 'The patrons were removed: this is the removal. Its archive (below) brings them back with a patron import.',
  'patron-deleted': 'The patron was deleted.',
});

/** The largest id a database identity column holds on both engines: past it, nothing exists. */
const MAX_ID = 2_147_483_647;
/** Patrons per page of the preview. */
const PREVIEW_PER_PAGE = 50;

type Query = Record<string, unknown>;

/** The rule's fields as the form, the query string and the API carry them. */
const RULE_PROPERTIES = {
  status: { type: 'string', description: 'Status number of the patrons to remove (default 4, Transferred)' },
  site: { type: 'string', description: "Only this site's patrons (its code)" },
  policy: { type: 'string', description: 'Only patrons with this Policy (any case)' },
  changedBefore: { type: 'string', description: 'YYYY-MM-DD: only patrons in that Status since before this day' },
  olderThanDays: { type: 'string', description: 'Only patrons in that Status for more than this many days (instead of changedBefore)' },
  notSyncedSince: { type: 'string', description: 'YYYY-MM-DD: only patrons no sync has written since this day' },
} as const;

const PATRON_ROW = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    guid: { type: 'string' },
    barcode: { type: 'string' },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    site: { type: 'string' },
    status: { type: 'integer' },
    policy: { type: 'string' },
  },
} as const;

const PREVIEW_SCHEMA = {
  type: 'object',
  properties: {
    rule: { type: 'object', properties: { ...RULE_PROPERTIES, status: { type: 'integer' } } },
    ruleText: { type: 'string', description: 'The rule in words' },
    total: { type: 'integer', description: 'How many patrons the rule selects now: send it back as count to remove them' },
    unknownDates: {
      type: 'integer',
      description: 'With a date: patrons matching the rest of the rule whose Status change time is unknown (not selected)',
    },
    removesActive: { type: 'boolean', description: 'The rule takes Active patrons: removing needs includeActive' },
    offset: { type: 'integer' },
    items: { type: 'array', items: PATRON_ROW },
  },
} as const;

/** Registers the routes. */
export function patronRemovalRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store } = deps;
  const admin = { access: 'admin' as const };

  async function renderRule(request: FastifyRequest, reply: FastifyReply, input: Query, extra: { error?: string; status?: number } = {}) {
    const libraryId = request.library!.id;
    const form = formOf(input);
    const asked = Object.values(form).some((v) => v !== '') || textOf(input.preview) !== '';
    let preview: RemovalPreview | undefined;
    let error = extra.error ?? '';
    const page = Math.max(1, Math.min(1_000_000, Number.parseInt(textOf(input.page), 10) || 1));
    if (asked) {
      try {
        const rule = parseRemovalRule(form, deps.now());
        preview = await previewRemoval(store, libraryId, rule, { limit: PREVIEW_PER_PAGE, offset: (page - 1) * PREVIEW_PER_PAGE });
      } catch (e) {
        if (!(e instanceof RollcallError)) throw e;
        error ||= e.message;
      }
    }
    const query = preview ? new URLSearchParams(ruleFields(preview.rule)).toString() : '';
    return reply.page(
      'patron-removal',
      {
        title: 'End of year: remove patrons',
        form,
        sites: await store.sites.list(libraryId),
        preview,
        rows: (preview?.items ?? []).map((p) => ({ ...p, statusText: statusText(p.status) })),
        ruleFields: preview ? ruleFields(preview.rule) : {},
        archiveUrl: preview ? `/patrons/removal/archive.csv?${query}` : '',
        prev: preview && page > 1 ? `/patrons/removal?${query}&page=${page - 1}` : null,
        next: preview && page * PREVIEW_PER_PAGE < preview.total ? `/patrons/removal?${query}&page=${page + 1}` : null,
        first: preview ? preview.offset + 1 : 0,
        statuses: { active: STATUS_ACTIVE, transferred: STATUS_TRANSFERRED },
        error,
      },
      extra.status ?? (error ? 400 : 200),
    );
  }

  app.get('/patrons/removal', { config: admin }, async (request, reply) => renderRule(request, reply, request.query as Query));

  app.get('/patrons/removal/archive.csv', { config: admin }, async (request, reply) => {
    const rule = ruleOf(request.query as Query, deps.now());
    const { csv } = await removalArchive(store, request.library!.id, rule);
    return sendCsv(reply, archiveName(null, deps.now()), csv);
  });

  app.post<{ Body: Record<string, unknown> }>('/patrons/removal', { config: admin }, async (request, reply) => {
    const body = objectOf(request.body);
    const typed = textOf(body.count).trim();
    if (!/^\d{1,9}$/.test(typed))
      return renderRule(request, reply, body, { error: 'Type the number of patrons the preview shows to confirm; nothing was removed.' });
    try {
      const rule = parseRemovalRule(formOf(body), deps.now());
      const result = await removePatrons(store, request.library!.id, rule, {
        requestedBy: staffOf(request.principal).user.username,
        expectCount: Number(typed),
        allowActive: checked(body.includeActive),
        archiveDays: deps.config.jobs.removalArchiveDays,
      });
      return reply.redirect(`/operations/${result.operation.id}?notice=removal-applied`, 303);
    } catch (e) {
      if (!(e instanceof RollcallError) || e.kind === 'not_found') throw e;
      // A stale count, nothing matching, Active without the yes, a sync running: the preview again, as it is now.
      return renderRule(request, reply, body, { error: e.message, status: e.kind === 'conflict' ? 409 : 400 });
    }
  });

  app.get<{ Params: { id: string } }>('/operations/:id/archive.csv', { config: admin }, async (request, reply) => {
    const id = idOf(request.params.id, 'operation');
    const archive = await store.removals.archive(request.library!.id, id);
    if (!archive) throw new RollcallError('not_found', `Operation ${id} keeps no removal archive (not a removal, or past its retention).`);
    return sendCsv(reply, archive.name, archive.csv);
  });

  // ---- one patron ----
  async function renderDelete(request: FastifyRequest, reply: FastifyReply, id: number, error = '', status = 200) {
    const patron = await requirePatron(store, request.library!.id, id);
    const name = [patron.firstName, patron.lastName].filter(Boolean).join(' ') || `Patron #${patron.id}`;
    return reply.page('patron-delete', { title: `Delete ${name}`, patron, name, error }, status);
  }

  app.get<{ Params: { id: string } }>('/patrons/:id/delete', { config: admin }, async (request, reply) =>
    renderDelete(request, reply, idOf(request.params.id, 'patron')),
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/patrons/:id/delete', { config: admin }, async (request, reply) => {
    const id = idOf(request.params.id, 'patron');
    const user = staffOf(request.principal).user;
    try {
      await deletePatron(store, request.library!.id, id, {
        confirm: textOf(objectOf(request.body).confirm),
        staffUserId: user.id,
        actor: user.username,
      });
      return reply.redirect('/patrons?notice=patron-deleted', 303);
    } catch (e) {
      if (!(e instanceof RollcallError) || e.kind === 'not_found') throw e;
      return renderDelete(request, reply, id, e.message, e.kind === 'conflict' ? 409 : 400);
    }
  });

  // ---- API ----
  const tags = ['patrons'];
  app.get<{ Querystring: Record<string, string | undefined> & { limit?: number; offset?: number } }>(
    '/api/v1/patrons/removal',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Preview an end-of-year removal (SPEC §3.10): the rule in words, how many patrons it selects now and a page of them; nothing is written',
        querystring: {
          type: 'object',
          properties: {
            ...RULE_PROPERTIES,
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: { 200: PREVIEW_SCHEMA },
      },
    },
    async (request) => {
      const q = request.query;
      const preview = await previewRemoval(store, request.library!.id, ruleOf(q, deps.now()), {
        limit: q.limit ?? 50,
        offset: q.offset ?? 0,
      });
      return {
        ...preview,
        items: preview.items.map((p) => ({
          id: p.id,
          guid: p.guid,
          barcode: p.barcode,
          firstName: p.firstName,
          lastName: p.lastName,
          site: p.site,
          status: p.status,
          policy: p.policy,
        })),
      };
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/patrons/removal/archive',
    {
      config: admin,
      schema: {
        tags,
        summary: 'The archive of who a removal rule selects now: the field-number CSV `patrons import` reads (download it before removing)',
        querystring: { type: 'object', properties: RULE_PROPERTIES },
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const { csv } = await removalArchive(store, request.library!.id, ruleOf(request.query, deps.now()));
      return sendCsv(reply, archiveName(null, deps.now()), csv);
    },
  );

  app.post<{ Body: Record<string, unknown> & { count: number; includeActive?: boolean } }>(
    '/api/v1/patrons/removal',
    {
      config: admin,
      schema: {
        tags,
        summary:
          "Remove the patrons a rule selects, in one transaction, as a Patron Removal operation. Send the preview's total as count: when it no longer holds, nothing is removed (409)",
        body: {
          type: 'object',
          properties: {
            ...RULE_PROPERTIES,
            count: { type: 'integer', minimum: 0, description: "The preview's total" },
            includeActive: { type: 'boolean', description: 'The explicit yes a rule taking Active patrons needs' },
          },
          required: ['count'],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              operation: { type: 'integer' },
              removed: { type: 'integer' },
              archive: { type: 'string', description: "The archive's URL (GET, CSV)" },
            },
          },
        },
      },
    },
    async (request) => {
      const body = request.body;
      const result = await removePatrons(store, request.library!.id, ruleOf(body, deps.now()), {
        requestedBy: staffOf(request.principal).user.username,
        expectCount: body.count,
        allowActive: body.includeActive === true,
        archiveDays: deps.config.jobs.removalArchiveDays,
      });
      return {
        operation: result.operation.id,
        removed: result.removed,
        archive: `/api/v1/operations/${result.operation.id}/archive`,
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/operations/:id/archive',
    {
      config: admin,
      schema: {
        tags: ['operations'],
        summary: "A Patron Removal's archive (CSV), while it is kept (ROLLCALL_REMOVAL_ARCHIVE_DAYS)",
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: MAX_ID } }, required: ['id'] },
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const archive = await store.removals.archive(request.library!.id, request.params.id);
      if (!archive)
        throw new RollcallError(
          'not_found',
          `Operation ${request.params.id} keeps no removal archive (not a removal, or past its retention).`,
        );
      return sendCsv(reply, archive.name, archive.csv);
    },
  );

  app.delete<{ Params: { id: number }; Querystring: { confirm: string } }>(
    '/api/v1/patrons/:id',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Delete one patron (SPEC §3.10): confirm with its barcode or name. Journaled as a removal by your account; their sign-in sessions end and conflicts naming them close',
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: MAX_ID } }, required: ['id'] },
        querystring: {
          type: 'object',
          properties: { confirm: { type: 'string', description: "The patron's barcode or name" } },
          required: ['confirm'],
        },
        response: { 200: { type: 'object', properties: { deleted: { type: 'integer' } } } },
      },
    },
    async (request) => {
      const user = staffOf(request.principal).user;
      const gone = await deletePatron(store, request.library!.id, request.params.id, {
        confirm: request.query.confirm,
        staffUserId: user.id,
        actor: user.username,
      });
      return { deleted: gone.id };
    },
  );
}

/** The rule's fields of a form, a query string or a body, as text. */
function formOf(input: Query): Record<keyof typeof RULE_PROPERTIES, string> {
  return {
    status: textOf(input.status),
    site: textOf(input.site),
    policy: textOf(input.policy),
    changedBefore: textOf(input.changedBefore),
    olderThanDays: textOf(input.olderThanDays),
    notSyncedSince: textOf(input.notSyncedSince),
  };
}

function ruleOf(input: Query, now: Date): RemovalRule {
  return parseRemovalRule(formOf(input), now);
}

function sendCsv(reply: FastifyReply, name: string, csv: string): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'no-store')
    .send(csv);
}

function idOf(value: unknown, what: 'patron' | 'operation'): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 1 || id > MAX_ID)
    throw new RollcallError(
      'not_found',
      what === 'patron' ? 'There is no such patron in this library.' : 'There is no such operation in this library.',
    );
  return id;
}
