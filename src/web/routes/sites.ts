/**
 * Sites (SPEC §1.1, §5): the library's sites with the roster school each is
 * matched to and its patron count, for every staff member; adding a site and changing a
 * site's code or name, and deleting a site no patron uses, for admins. Matching a site to a school is the integration's Site
 * Mapping step (routes/sources/shared.ts). The same as JSON under /api/v1/sites.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError } from '../../domain/errors.ts';
import { TEXT_LIMITS, TextTooLongError } from '../../domain/text-limits.ts';
import { deleteSite, SiteInUseError, siteRows, updateSite } from '../../services/sites/site-admin.ts';
import { addSite, requireSite, type SiteView } from '../../services/sites/sites.ts';
import { staffOf, type WebDeps } from '../context.ts';
import { defineNotices } from '../render.ts';
import { PAGE_NAMES } from '../page-names.ts';

defineNotices({
  'site-added': 'The site was added.',
  'site-changed': 'The site was changed.',
  'site-deleted': 'The site was deleted.',
});

/** The body of an add or a change: the limits are the pages' `maxlength` and the services' checks. */
const SITE_BODY_PROPERTIES = {
  code: { type: 'string', maxLength: TEXT_LIMITS.siteCode, description: `Up to ${TEXT_LIMITS.siteCode} characters` },
  name: { type: 'string', maxLength: TEXT_LIMITS.siteName, description: `Up to ${TEXT_LIMITS.siteName} characters` },
} as const;

/** A refused form: the sentence, and the field it belongs beside ('' for the form as a whole). */
interface FormError {
  message: string;
  field: string;
}

function formErrorOf(e: RollcallError): FormError {
  return { message: e.message, field: e instanceof TextTooLongError ? e.field : '' };
}

const SITE_PROPERTIES = {
  code: { type: 'string', description: 'Short code, unique in the library (field 1050 of its patrons)' },
  name: { type: 'string' },
  orgSourcedId: { type: 'string', description: "The sourcedId of the roster school it is matched to, or ''" },
} as const;

const SITE_SCHEMA = { type: 'object', properties: SITE_PROPERTIES } as const;

const SITE_ROW_SCHEMA = {
  type: 'object',
  properties: {
    ...SITE_PROPERTIES,
    orgSource: { type: 'string', description: "The integration the match belongs to (ClassLink, …), or ''" },
    patronCount: { type: 'integer' },
  },
} as const;

const CODE_PARAMS = { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] } as const;

type Body = Record<string, unknown>;

/** Registers the routes. */
export function siteRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store } = deps;
  const librarian = { access: 'librarian' as const };
  const admin = { access: 'admin' as const };

  async function renderList(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { error?: FormError; form?: { code: string; name: string }; inUse?: SiteInUseError; status?: number } = {},
  ) {
    const { sites, withoutSite } = await siteRows(store, request.library!.id);
    return reply.page(
      'sites',
      {
        title: PAGE_NAMES.sites,
        sites,
        withoutSite,
        isAdmin: staffOf(request.principal).role === 'admin',
        form: options.form ?? { code: '', name: '' },
        error: options.error ?? { message: '', field: '' },
        inUse: options.inUse ? { code: options.inUse.siteCode, count: options.inUse.patronCount } : null,
      },
      options.status ?? 200,
    );
  }

  async function renderEdit(
    reply: FastifyReply,
    site: SiteView,
    options: { error?: FormError; form?: { code: string; name: string }; status?: number } = {},
  ) {
    return reply.page(
      'site-edit',
      {
        title: `Edit site ${site.code}`,
        site,
        form: options.form ?? { code: site.code, name: site.name },
        error: options.error ?? { message: '', field: '' },
      },
      options.status ?? 200,
    );
  }

  // ---- pages ----
  app.get('/sites', { config: librarian }, async (request, reply) => renderList(request, reply));

  app.post<{ Body: Body }>('/sites', { config: admin }, async (request, reply) => {
    const form = { code: text(request.body?.code), name: text(request.body?.name) };
    try {
      await addSite(store, request.library!.id, form);
      return reply.redirect('/sites?notice=site-added', 303);
    } catch (e) {
      if (!(e instanceof RollcallError)) throw e;
      return renderList(request, reply, { error: formErrorOf(e), form, status: 400 });
    }
  });

  app.post<{ Params: { code: string } }>('/sites/:code/delete', { config: admin }, async (request, reply) => {
    try {
      await deleteSite(store, request.library!.id, request.params.code);
      return reply.redirect('/sites?notice=site-deleted', 303);
    } catch (e) {
      if (!(e instanceof RollcallError) || e.kind === 'not_found') throw e;
      const inUse = e instanceof SiteInUseError ? e : undefined;
      return renderList(request, reply, { error: { message: e.message, field: '' }, ...(inUse ? { inUse } : {}), status: 409 });
    }
  });

  app.get<{ Params: { code: string } }>('/sites/:code/edit', { config: admin }, async (request, reply) => {
    const site = await requireSite(store, request.library!.id, request.params.code);
    return renderEdit(reply, { code: site.code, name: site.name, orgSourcedId: site.orgGuid });
  });

  app.post<{ Params: { code: string }; Body: Body }>('/sites/:code/edit', { config: admin }, async (request, reply) => {
    const libraryId = request.library!.id;
    const site = await requireSite(store, libraryId, request.params.code);
    const form = { code: text(request.body?.code), name: text(request.body?.name) };
    try {
      await updateSite(store, libraryId, site.code, form);
      return reply.redirect('/sites?notice=site-changed', 303);
    } catch (e) {
      if (!(e instanceof RollcallError)) throw e;
      return renderEdit(
        reply,
        { code: site.code, name: site.name, orgSourcedId: site.orgGuid },
        { error: formErrorOf(e), form, status: 400 },
      );
    }
  });

  // ---- API ----
  const tags = ['sites'];
  app.get(
    '/api/v1/sites',
    {
      config: librarian,
      schema: {
        tags,
        summary: "The library's sites by code, with the roster school each is matched to and its patron count",
        response: { 200: { type: 'array', items: SITE_ROW_SCHEMA } },
      },
    },
    async (request) => (await siteRows(store, request.library!.id)).sites,
  );

  app.post<{ Body: { code: string; name: string } }>(
    '/api/v1/sites',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Add a site (admins)',
        body: { type: 'object', required: ['code', 'name'], properties: SITE_BODY_PROPERTIES },
        response: { 201: SITE_SCHEMA },
      },
    },
    async (request, reply) => reply.code(201).send(await addSite(store, request.library!.id, request.body)),
  );

  app.patch<{ Params: { code: string }; Body: { code?: string; name?: string } }>(
    '/api/v1/sites/:code',
    {
      config: admin,
      schema: {
        tags,
        summary: "Change a site's code and/or name (admins); its patrons follow it",
        params: CODE_PARAMS,
        body: { type: 'object', properties: SITE_BODY_PROPERTIES },
        response: { 200: SITE_SCHEMA },
      },
    },
    async (request) => updateSite(store, request.library!.id, request.params.code, request.body ?? {}),
  );

  app.delete<{ Params: { code: string } }>(
    '/api/v1/sites/:code',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Delete a site no patron uses and no integration has matched (admins); 409 with the reason otherwise',
        params: CODE_PARAMS,
        response: { 200: SITE_SCHEMA },
      },
    },
    async (request) => deleteSite(store, request.library!.id, request.params.code),
  );
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
