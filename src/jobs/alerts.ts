/**
 * Failure you can see (a failed, held or stale sync is told, not found), pure: which alerts a library has now, from its recent
 * operations and the clock; and what an alert says (e-mail text, webhook body).
 *
 * - **sync_failed**: the latest sync since the last success failed. One alert per failed
 *   operation, so three failed nights send three alerts; a success resolves it. A sync an admin
 *   rejected is a decision, not a failure, and raises nothing. Dry runs never alert.
 * - **needs_review**: a sync stopped for review (SPEC §3.5), one alert per operation, resolved
 *   when it is approved or rejected.
 * - **stale**: no successful sync for more than the threshold (default 36 hours), counted from
 *   the last success, or — never synced — from when syncing was set up. Only a library that is
 *   expected to sync (integration enabled and Daily Operations on) can go stale.
 *
 * - **webhook_failing**: one of the library's webhook endpoints spent every retry of a notice
 *   (jobs/webhooks-job.ts). One alert for the library while any endpoint fails, raised once,
 *   resolved when every endpoint delivers again (or the failing ones are removed).
 *
 * The store (alerts.ts there) turns "the alerts now" into raised/resolved rows, each sent once.
 */
import type { AlertKind, AlertRecord, NewAlert, Operation } from '../store/store.ts';
import { OPERATION_TYPE_NAMES, countsAsSync } from '../domain/operation.ts';

/** The library an alert check looks at. */
export interface AlertSubject {
  /** The library's id. */
  id: number;
  /** Its code. */
  code: string;
  /** Its name. */
  name: string;
  /** Whether it is expected to sync by itself (integration enabled and Daily Operations on). */
  watched: boolean;
  /** Since when (ISO 8601 UTC) it has been expected to sync: the stale clock of a library that never synced. */
  watchedSince: string;
  /** Its webhook endpoints marked failing, with why (none when absent). */
  failingWebhooks?: readonly { id: number; reason: string }[];
}

/** Thresholds of the check. */
export interface AlertOptions {
  /** Hours without a successful sync before the library is stale. */
  staleHours: number;
}

const MS_PER_HOUR = 3_600_000;
const SUCCESS_STATES = new Set(['succeeded', 'succeeded_with_warnings']);

/** The alerts `library` has at `now`, from its operations newest first (as the store lists them). */
export function alertsFor(library: AlertSubject, operations: readonly Operation[], now: Date, options: AlertOptions): NewAlert[] {
  const syncs = operations.filter((o) => countsAsSync(o.type));
  const alerts: NewAlert[] = [];

  for (const op of syncs) {
    if (op.state === 'needs_review') {
      alerts.push({
        kind: 'needs_review',
        operationId: op.id,
        message: `${typeName(op)} ${op.id} stopped in "needs review": approve or reject it (rollcall operations show ${op.id}).`,
      });
    }
  }

  const lastSuccess = syncs.find((o) => SUCCESS_STATES.has(o.state));
  // A rejection ends a run of failures as a success would (someone has looked at the library) but
  // raises nothing itself.
  const lastEnded = syncs.find((o) => o.state === 'failed' || o.state === 'rejected' || SUCCESS_STATES.has(o.state));
  if (lastEnded && lastEnded.state === 'failed') {
    alerts.push({
      kind: 'sync_failed',
      operationId: lastEnded.id,
      message: `${typeName(lastEnded)} ${lastEnded.id} failed: ${lastEnded.error || 'no reason recorded'}`,
    });
  }

  if (library.watched) {
    const since = lastSuccess ? (lastSuccess.finishedAt ?? lastSuccess.startedAt ?? lastSuccess.createdAt) : library.watchedSince;
    if (now.getTime() - Date.parse(since) > options.staleHours * MS_PER_HOUR) {
      alerts.push({
        kind: 'stale',
        operationId: lastSuccess?.id ?? null,
        message: lastSuccess
          ? `No successful sync since ${utc(since)} UTC (more than ${options.staleHours} hours).`
          : `No successful sync yet, though syncing was set up ${utc(since)} UTC (more than ${options.staleHours} hours ago).`,
      });
    }
  }
  const failing = library.failingWebhooks ?? [];
  if (failing.length > 0) {
    const which = failing.map((w) => `endpoint ${w.id}: ${w.reason}`).join('; ');
    alerts.push({
      kind: 'webhook_failing',
      operationId: null,
      message: `Webhook notices are not arriving (${which}). Check the receiving system; the next notice it takes clears this.`,
    });
  }
  return alerts;
}

/** An alert with the library it belongs to, as delivered. */
export interface AlertNotice {
  /** The alert. */
  alert: Pick<AlertRecord, 'id' | 'kind' | 'operationId' | 'message' | 'raisedAt'>;
  /** Its library. */
  library: { code: string; name: string };
  /** Where people reach Rollcall (ROLLCALL_PUBLIC_URL), for a link to the operation. */
  publicUrl: string;
}

/** Headlines by kind. */
const HEADLINES: Record<AlertKind, string> = {
  sync_failed: 'sync failed',
  needs_review: 'sync needs review',
  stale: 'no recent successful sync',
  webhook_failing: 'webhook endpoint failing',
};

/** The e-mail of an alert: a subject and a plain-text body. */
export function alertEmailText(notice: AlertNotice): { subject: string; text: string } {
  const { alert, library } = notice;
  const subject = `Rollcall alert: ${HEADLINES[alert.kind]}, ${library.name} (${library.code})`;
  const lines = [
    `Library: ${library.name} (${library.code})`,
    `Alert: ${HEADLINES[alert.kind]}`,
    `Raised: ${utc(alert.raisedAt)} UTC`,
    '',
    alert.message,
  ];
  const link = operationLink(notice);
  if (link) lines.push('', `Operation: ${link}`);
  lines.push('', `From the command line: rollcall status --library ${library.code}`);
  return { subject, text: `${lines.join('\n')}\n` };
}

/** The JSON a webhook receives: the alert's fields, plus `text` for Slack/Teams-style incoming webhooks. */
export function alertWebhookBody(notice: AlertNotice): Record<string, unknown> {
  const { alert, library } = notice;
  return {
    source: 'rollcall',
    alert: {
      id: alert.id,
      kind: alert.kind,
      operationId: alert.operationId,
      message: alert.message,
      raisedAt: alert.raisedAt,
      url: operationLink(notice),
    },
    library: { code: library.code, name: library.name },
    text: `Rollcall — ${library.name} (${library.code}): ${alert.message}`,
  };
}

function operationLink(notice: AlertNotice): string | null {
  const id = notice.alert.operationId;
  return id === null ? null : `${notice.publicUrl.replace(/\/+$/, '')}/operations/${id}`;
}

function typeName(op: Operation): string {
  return OPERATION_TYPE_NAMES[op.type] ?? op.type;
}

/** `2026-03-08T07:00:00.000Z` → `2026-03-08 07:00`. */
function utc(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, '');
}
