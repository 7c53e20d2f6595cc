/**
 * Webhook endpoints (admins): the page `/admin/webhooks` (register, remove, delivery history)
 * and the same under `/api/v1/webhooks`. The secret is write-only: stored encrypted, never in a
 * response — except one Rollcall made, shown once on the response that made it (as API tokens).
 * Rules: services/webhooks/endpoints.ts; sending: jobs/webhooks-job.ts.
 */
import type { FastifyInstance } from 'fastify';
import { RollcallError } from '../../domain/errors.ts';
import { TEXT_LIMITS, TextTooLongError } from '../../domain/text-limits.ts';
import { registerEndpoint } from '../../services/webhooks/endpoints.ts';
import type { WebhookDelivery, WebhookEndpoint } from '../../store/store.ts';
import { staffOf, type WebDeps } from '../context.ts';
import { defineNotices } from '../render.ts';
import { PAGE_NAMES } from '../page-names.ts';

defineNotices({ 'webhook-removed': 'The endpoint was removed; it receives no more notices.' });

const ENDPOINT_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    url: { type: 'string' },
    description: { type: 'string' },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    failingSince: { type: 'string', nullable: true },
    failingReason: { type: 'string' },
  },
} as const;

const DELIVERY_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    endpointId: { type: 'integer' },
    operationId: { type: 'integer' },
    messageId: { type: 'string' },
    state: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'string' },
    lastStatus: { type: 'integer', nullable: true },
    lastError: { type: 'string' },
    createdAt: { type: 'string' },
    finishedAt: { type: 'string', nullable: true },
  },
} as const;

function idOf(value: unknown): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0) throw new RollcallError('not_found', 'There is no such webhook endpoint.');
  return id;
}

/** Registers the routes. */
export function webhookRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store } = deps;
  const admin = { access: 'admin' as const };
  const server = { publicUrl: deps.config.web.publicUrl, port: deps.config.web.port };

  async function page(
    libraryId: number,
    extra: { error?: string; errorField?: string; created?: { secret: string } | null; form?: Record<string, unknown> },
  ) {
    const form = extra.form ?? {};
    return {
      title: PAGE_NAMES.webhooks,
      endpoints: await store.webhooks.endpoints(libraryId),
      deliveries: await store.webhooks.deliveries(libraryId, { limit: 50 }),
      error: extra.error ?? '',
      errorField: extra.errorField ?? '',
      created: extra.created ?? null,
      // Never the secret: a refused form comes back without it.
      form: { url: String(form.url ?? ''), description: String(form.description ?? '') },
    };
  }

  app.get('/admin/webhooks', { config: admin }, async (request, reply) => reply.page('webhooks', await page(request.library!.id, {})));
  app.post<{ Body: Record<string, unknown> }>('/admin/webhooks', { config: admin }, async (request, reply) => {
    const body = request.body ?? {};
    const libraryId = request.library!.id;
    try {
      const { generatedSecret } = await registerEndpoint(
        store,
        server,
        libraryId,
        { url: String(body.url ?? ''), secret: String(body.secret ?? ''), description: String(body.description ?? '') },
        staffOf(request.principal).user.username,
      );
      return reply.page('webhooks', await page(libraryId, { created: generatedSecret ? { secret: generatedSecret } : null }), 201);
    } catch (e) {
      if (!(e instanceof RollcallError)) throw e;
      const errorField = e instanceof TextTooLongError ? e.field : '';
      return reply.page('webhooks', await page(libraryId, { error: e.message, errorField, form: body }), 400);
    }
  });
  app.post<{ Params: { id: string } }>('/admin/webhooks/:id/delete', { config: admin }, async (request, reply) => {
    await store.webhooks.removeEndpoint(request.library!.id, idOf(request.params.id));
    return reply.redirect('/admin/webhooks?notice=webhook-removed', 303);
  });

  // ---- API ----
  const idParam = { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } as const;
  app.get(
    '/api/v1/webhooks',
    {
      config: admin,
      schema: {
        tags: ['webhooks'],
        summary: "The library's webhook endpoints (never their secrets)",
        response: { 200: { type: 'array', items: ENDPOINT_SCHEMA } },
      },
    },
    async (request) => (await store.webhooks.endpoints(request.library!.id)).map(endpointJson),
  );
  app.post<{ Body: { url: string; secret?: string; description?: string } }>(
    '/api/v1/webhooks',
    {
      config: admin,
      schema: {
        tags: ['webhooks'],
        summary: 'Register an endpoint; a secret Rollcall makes (none given) is in this response only',
        body: {
          type: 'object',
          required: ['url'],
          properties: {
            url: { type: 'string', maxLength: TEXT_LIMITS.webhookUrl, description: 'http:// or https://, not this server' },
            secret: { type: 'string', description: 'Standard Webhooks secret `whsec_…`; absent: Rollcall makes one' },
            description: { type: 'string', maxLength: TEXT_LIMITS.webhookDescription },
          },
        },
        response: { 201: { type: 'object', properties: { endpoint: ENDPOINT_SCHEMA, secret: { type: 'string', nullable: true } } } },
      },
    },
    async (request, reply) => {
      const { endpoint, generatedSecret } = await registerEndpoint(
        store,
        server,
        request.library!.id,
        request.body,
        staffOf(request.principal).user.username,
      );
      return reply.code(201).send({ endpoint: endpointJson(endpoint), secret: generatedSecret });
    },
  );
  app.delete<{ Params: { id: number } }>(
    '/api/v1/webhooks/:id',
    {
      config: admin,
      schema: {
        tags: ['webhooks'],
        summary: 'Remove an endpoint and its delivery history',
        params: idParam,
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      await store.webhooks.removeEndpoint(request.library!.id, request.params.id);
      return reply.code(204).send();
    },
  );
  app.get<{ Querystring: { limit?: number } }>(
    '/api/v1/webhooks/deliveries',
    {
      config: admin,
      schema: {
        tags: ['webhooks'],
        summary: 'Delivery history, newest first',
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } } },
        response: { 200: { type: 'array', items: DELIVERY_SCHEMA } },
      },
    },
    async (request) => (await store.webhooks.deliveries(request.library!.id, { limit: request.query.limit ?? 50 })).map(deliveryJson),
  );
}

function endpointJson(e: WebhookEndpoint) {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    createdAt: e.createdAt,
    createdBy: e.createdBy,
    failingSince: e.failingSince,
    failingReason: e.failingReason,
  };
}

function deliveryJson(d: WebhookDelivery) {
  const { payload: _payload, libraryId: _libraryId, ...rest } = d;
  return rest;
}
