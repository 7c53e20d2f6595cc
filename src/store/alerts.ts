/**
 * Alerts: raised once per library, kind and operation, resolved when the condition
 * clears, and stamped per channel when sent, so a condition that lasts is sent once — not at
 * every check. Deliveries are claimed by compare-and-set on `attempts`, so of several workers
 * checking at once only one sends.
 */
import type { Selectable } from 'kysely';
import { atomically } from './context.ts';
import type { RepoContext } from './context.ts';
import type { AlertsTable } from './tables.ts';

/** What an alert is about. */
export type AlertKind = 'sync_failed' | 'needs_review' | 'stale' | 'webhook_failing';

/** An alert to raise (or keep open). */
export interface NewAlert {
  /** Its kind. */
  kind: AlertKind;
  /** The operation it concerns, or null (a stale library that never synced). */
  operationId: number | null;
  /** One line for people: what happened and what to do. */
  message: string;
}

/** A stored alert. */
export interface AlertRecord extends NewAlert {
  /** The store's id. */
  id: number;
  /** The library. */
  libraryId: number;
  /** When raised (ISO 8601 UTC). */
  raisedAt: string;
  /** When its condition cleared, or null while open. */
  resolvedAt: string | null;
  /** When the webhook took it, or null. */
  webhookSentAt: string | null;
  /** When the e-mail was sent, or null. */
  emailSentAt: string | null;
  /** Delivery attempts so far. */
  attempts: number;
  /** The last delivery failure in one line, or ''. */
  lastError: string;
}

/** The outcome of one delivery attempt. */
export interface AlertDelivery {
  /** The webhook took it. */
  webhook?: boolean;
  /** The e-mail was sent. */
  email?: boolean;
  /** What failed, in one line, or ''. */
  error: string;
}

/** The alert repository. */
export interface AlertRepository {
  /**
   * Makes the library's open alerts exactly `current`: new ones are raised, one resolved
   * earlier whose condition came back is opened again (and sent again), and open ones not in
   * `current` are resolved. An alert already open is left as it is (it is not sent again).
   */
  reconcile(libraryId: number, current: readonly NewAlert[]): Promise<void>;
  /** The library's open alerts, oldest first. */
  open(libraryId: number): Promise<AlertRecord[]>;
  /** The library's alerts, open and resolved, newest first. */
  list(libraryId: number, options?: { limit?: number }): Promise<AlertRecord[]>;
  /** Takes the right to deliver an alert: true for exactly one caller that saw `attempts`. */
  claimDelivery(libraryId: number, id: number, attempts: number): Promise<boolean>;
  /** Records what a delivery attempt achieved. */
  recordDelivery(libraryId: number, id: number, delivery: AlertDelivery): Promise<void>;
}

/** Alerts per `list` unless asked otherwise. */
const DEFAULT_LIST_LIMIT = 50;

/** The alert repository over a context. */
export function alertRepository(ctx: RepoContext): AlertRepository {
  const openRows = (c: RepoContext, libraryId: number) =>
    c.db.selectFrom('alerts').selectAll().where('library_id', '=', libraryId).where('resolved_at', 'is', null).orderBy('id').execute();

  return {
    async reconcile(libraryId, current) {
      await atomically(ctx, async (tx) => {
        const now = tx.now();
        for (const alert of current) {
          await tx.db
            .insertInto('alerts')
            .values({
              library_id: libraryId,
              kind: alert.kind,
              operation_id: alert.operationId ?? 0,
              message: alert.message,
              raised_at: now,
            })
            .onConflict((oc) =>
              oc
                .columns(['library_id', 'kind', 'operation_id'])
                .doUpdateSet({
                  message: alert.message,
                  raised_at: now,
                  resolved_at: null,
                  webhook_sent_at: null,
                  email_sent_at: null,
                  attempts: 0,
                  last_error: '',
                })
                .where('alerts.resolved_at', 'is not', null),
            )
            .execute();
        }
        const keep = new Set(current.map((a) => keyOf(a.kind, a.operationId ?? 0)));
        const gone = (await openRows(tx, libraryId)).filter((r) => !keep.has(keyOf(r.kind, r.operation_id))).map((r) => r.id);
        if (gone.length > 0) {
          await tx.db.updateTable('alerts').set({ resolved_at: now }).where('library_id', '=', libraryId).where('id', 'in', gone).execute();
        }
      });
    },

    async open(libraryId) {
      return (await openRows(ctx, libraryId)).map(toAlert);
    },

    async list(libraryId, options = {}) {
      const rows = await ctx.db
        .selectFrom('alerts')
        .selectAll()
        .where('library_id', '=', libraryId)
        .orderBy('id', 'desc')
        .limit(options.limit ?? DEFAULT_LIST_LIMIT)
        .execute();
      return rows.map(toAlert);
    },

    async claimDelivery(libraryId, id, attempts) {
      const result = await ctx.db
        .updateTable('alerts')
        .set({ attempts: attempts + 1 })
        .where('library_id', '=', libraryId)
        .where('id', '=', id)
        .where('attempts', '=', attempts)
        .where('resolved_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async recordDelivery(libraryId, id, delivery) {
      const now = ctx.now();
      await ctx.db
        .updateTable('alerts')
        .set({
          ...(delivery.webhook ? { webhook_sent_at: now } : {}),
          ...(delivery.email ? { email_sent_at: now } : {}),
          last_error: delivery.error,
        })
        .where('library_id', '=', libraryId)
        .where('id', '=', id)
        .execute();
    },
  };
}

function keyOf(kind: string, operationId: number): string {
  return `${kind}:${operationId}`;
}

function toAlert(row: Selectable<AlertsTable>): AlertRecord {
  return {
    id: row.id,
    libraryId: row.library_id,
    kind: row.kind as AlertKind,
    operationId: row.operation_id === 0 ? null : row.operation_id,
    message: row.message,
    raisedAt: row.raised_at,
    resolvedAt: row.resolved_at,
    webhookSentAt: row.webhook_sent_at,
    emailSentAt: row.email_sent_at,
    attempts: row.attempts,
    lastError: row.last_error,
  };
}
