/**
 * Webhook endpoints and their deliveries (issue "Patrons reach the circulation system": "an
 * admin registers endpoints (URL, secret) per library; after each applied operation Rollcall
 * POSTs a small signed JSON notice, retried with backoff, delivery history on the page").
 *
 * The secret is sealed by the store's SecretBox and read back only to sign (`secretOf`); no
 * listing returns it. One delivery per endpoint and operation (a unique index): the scan that
 * finds applied operations may run on several workers at once and enqueues each notice once.
 * An attempt is claimed by compare-and-set on `attempts`, so of several workers one sends it.
 */
import type { Selectable } from 'kysely';
import { RollcallError } from '../domain/errors.ts';
import type { RepoContext } from './context.ts';
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from './tables.ts';

/** A registered endpoint (never its secret). */
export interface WebhookEndpoint {
  id: number;
  libraryId: number;
  url: string;
  description: string;
  createdAt: string;
  createdBy: string;
  /** When its deliveries began to fail for good (every retry spent), or null. */
  failingSince: string | null;
  /** Why, in one line ('' when not failing). */
  failingReason: string;
}

/** A delivery's state. */
export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** One notice to one endpoint, and how its attempts went. */
export interface WebhookDelivery {
  id: number;
  libraryId: number;
  endpointId: number;
  operationId: number;
  /** The `webhook-id` header (the same on every attempt). */
  messageId: string;
  /** The JSON body. */
  payload: string;
  state: DeliveryState;
  attempts: number;
  /** When the next attempt is due (pending). */
  nextAttemptAt: string;
  /** The last HTTP status received, or null (no answer). */
  lastStatus: number | null;
  /** The last failure in one line, or ''. */
  lastError: string;
  createdAt: string;
  /** When it was delivered or given up, or null. */
  finishedAt: string | null;
}

/** The webhook repository. */
export interface WebhookRepository {
  /** Registers an endpoint; the secret is encrypted before it is stored. */
  addEndpoint(
    libraryId: number,
    endpoint: { url: string; description: string; secret: string; createdBy: string },
  ): Promise<WebhookEndpoint>;
  /** The library's endpoints, oldest first. */
  endpoints(libraryId: number): Promise<WebhookEndpoint[]>;
  /** One endpoint; `not_found` when it is not the library's. */
  endpoint(libraryId: number, id: number): Promise<WebhookEndpoint>;
  /** The endpoint's secret, decrypted (to sign with; never to show). */
  secretOf(libraryId: number, id: number): Promise<string>;
  /** Deletes an endpoint and its delivery history; `not_found` when it is not the library's. */
  removeEndpoint(libraryId: number, id: number): Promise<void>;
  /** The libraries that have at least one endpoint. */
  librariesWithEndpoints(): Promise<number[]>;
  /** Enqueues a notice unless this endpoint already has one for this operation; whether it was new. */
  enqueue(
    libraryId: number,
    delivery: { endpointId: number; operationId: number; messageId: string; payload: string; at: string },
  ): Promise<boolean>;
  /** Pending deliveries due at `now` (every library), oldest first. */
  due(now: string, limit: number): Promise<WebhookDelivery[]>;
  /** Takes the right to make attempt `attempts + 1`: true for exactly one caller that saw `attempts`. */
  claim(libraryId: number, id: number, attempts: number): Promise<boolean>;
  /** Records an attempt's outcome: delivered, retried at `nextAttemptAt`, or failed for good. */
  recordAttempt(
    libraryId: number,
    id: number,
    outcome: { state: DeliveryState; nextAttemptAt?: string; status: number | null; error: string },
  ): Promise<void>;
  /** Marks an endpoint failing (once: a failing one keeps its first time) or, with null, well again. */
  setFailing(libraryId: number, endpointId: number, reason: string | null): Promise<void>;
  /** The library's deliveries, newest first. */
  deliveries(libraryId: number, options?: { limit?: number; endpointId?: number }): Promise<WebhookDelivery[]>;
}

const DEFAULT_HISTORY = 50;

/** The webhook repository over a context. */
export function webhookRepository(ctx: RepoContext): WebhookRepository {
  const endpointRows = (libraryId: number) => ctx.db.selectFrom('webhook_endpoints').selectAll().where('library_id', '=', libraryId);

  const repo: WebhookRepository = {
    async addEndpoint(libraryId, e) {
      const row = await ctx.db
        .insertInto('webhook_endpoints')
        .values({
          library_id: libraryId,
          url: e.url,
          description: e.description,
          secret: ctx.secrets().encrypt(e.secret),
          created_at: ctx.now(),
          created_by: e.createdBy,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEndpoint(row);
    },

    async endpoints(libraryId) {
      return (await endpointRows(libraryId).orderBy('id').execute()).map(toEndpoint);
    },

    async endpoint(libraryId, id) {
      const row = await endpointRows(libraryId).where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound();
      return toEndpoint(row);
    },

    async secretOf(libraryId, id) {
      const row = await ctx.db
        .selectFrom('webhook_endpoints')
        .select('secret')
        .where('library_id', '=', libraryId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound();
      return ctx.secrets().decrypt(row.secret);
    },

    async removeEndpoint(libraryId, id) {
      const r = await ctx.db.deleteFrom('webhook_endpoints').where('library_id', '=', libraryId).where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound();
    },

    async librariesWithEndpoints() {
      const rows = await ctx.db.selectFrom('webhook_endpoints').select('library_id').distinct().orderBy('library_id').execute();
      return rows.map((r) => r.library_id);
    },

    async enqueue(libraryId, d) {
      const r = await ctx.db
        .insertInto('webhook_deliveries')
        .values({
          library_id: libraryId,
          endpoint_id: d.endpointId,
          operation_id: d.operationId,
          message_id: d.messageId,
          payload: d.payload,
          state: 'pending',
          next_attempt_at: d.at,
          created_at: d.at,
        })
        .onConflict((oc) => oc.columns(['endpoint_id', 'operation_id']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async due(now, limit) {
      const rows = await ctx.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toDelivery);
    },

    async claim(libraryId, id, attempts) {
      const r = await ctx.db
        .updateTable('webhook_deliveries')
        .set({ attempts: attempts + 1 })
        .where('library_id', '=', libraryId)
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where('attempts', '=', attempts)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async recordAttempt(libraryId, id, outcome) {
      await ctx.db
        .updateTable('webhook_deliveries')
        .set({
          state: outcome.state,
          last_status: outcome.status,
          last_error: outcome.error,
          ...(outcome.nextAttemptAt ? { next_attempt_at: outcome.nextAttemptAt } : {}),
          ...(outcome.state === 'pending' ? {} : { finished_at: ctx.now() }),
        })
        .where('library_id', '=', libraryId)
        .where('id', '=', id)
        .execute();
    },

    async setFailing(libraryId, endpointId, reason) {
      let q = ctx.db
        .updateTable('webhook_endpoints')
        .set(reason === null ? { failing_since: null, failing_reason: '' } : { failing_since: ctx.now(), failing_reason: reason })
        .where('library_id', '=', libraryId)
        .where('id', '=', endpointId);
      q = reason === null ? q.where('failing_since', 'is not', null) : q.where('failing_since', 'is', null);
      await q.execute();
    },

    async deliveries(libraryId, options = {}) {
      let q = ctx.db.selectFrom('webhook_deliveries').selectAll().where('library_id', '=', libraryId);
      if (options.endpointId !== undefined) q = q.where('endpoint_id', '=', options.endpointId);
      const rows = await q
        .orderBy('id', 'desc')
        .limit(options.limit ?? DEFAULT_HISTORY)
        .execute();
      return rows.map(toDelivery);
    },
  };
  return repo;
}

function notFound(): RollcallError {
  return new RollcallError('not_found', 'There is no such webhook endpoint.');
}

function toEndpoint(r: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return {
    id: r.id,
    libraryId: r.library_id,
    url: r.url,
    description: r.description,
    createdAt: r.created_at,
    createdBy: r.created_by,
    failingSince: r.failing_since,
    failingReason: r.failing_reason,
  };
}

function toDelivery(r: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    id: r.id,
    libraryId: r.library_id,
    endpointId: r.endpoint_id,
    operationId: r.operation_id,
    messageId: r.message_id,
    payload: r.payload,
    state: r.state === 'delivered' || r.state === 'failed' ? r.state : 'pending',
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}
