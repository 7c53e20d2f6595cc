/**
 * The 'alerts' job: for every library, work out its alerts now (alerts.ts), record
 * them (raised, kept, resolved) and send each new one once to the configured channels. The
 * scheduler sends this job every minute (daily-operations.ts); several workers may run it at
 * once — the store's compare-and-set on delivery lets only one of them send.
 */
import { oneLine } from '../domain/errors.ts';
import type { AlertRecord, Library, Store } from '../store/store.ts';
import { alertsFor, type AlertNotice, type AlertSubject } from './alerts.ts';
import { postWebhook, sendAlertEmail, type AlertChannels } from './alerts-delivery.ts';
import type { JobHandler } from './types.ts';
import { countOf } from '../domain/words.ts';

/** Operations read per library per check: enough to find the last success behind a run of failures. */
const OPERATIONS_LOOKED_AT = 100;
/** Deliveries tried per alert (one per check, so about a minute apart) before giving up. */
export const MAX_DELIVERY_ATTEMPTS = 5;

/** What the check needs. */
export interface AlertsDeps {
  /** The store. */
  store: Store;
  /** Configuration: the threshold, the channels, and the public URL for links. */
  alerts: AlertChannels & { staleHours: number };
  /** ROLLCALL_PUBLIC_URL. */
  publicUrl: string;
  /** The clock. */
  now: () => Date;
  /** Time allowed per delivery (default 10 s). */
  deliveryTimeoutMs?: number;
}

/** What one check did. */
export interface AlertsCheck {
  /** Alerts open after the check, every library. */
  open: number;
  /** Deliveries that succeeded (a webhook and an e-mail of one alert count two). */
  sent: number;
  /** One line per delivery or library that failed. */
  failures: string[];
}

/** Checks every library and sends what is new (see the module comment). */
export async function checkAlerts(deps: AlertsDeps): Promise<AlertsCheck> {
  const result: AlertsCheck = { open: 0, sent: 0, failures: [] };
  for (const library of await deps.store.libraries.list()) {
    try {
      const now = deps.now();
      const subject = await subjectOf(deps.store, library);
      const operations = await deps.store.operations.list(library.id, { limit: OPERATIONS_LOOKED_AT });
      await deps.store.alerts.reconcile(library.id, alertsFor(subject, operations, now, { staleHours: deps.alerts.staleHours }));
      const open = await deps.store.alerts.open(library.id);
      result.open += open.length;
      for (const alert of open) await deliver(deps, library, alert, result);
    } catch (e) {
      result.failures.push(`${library.code}: ${oneLine(e)}`);
    }
  }
  return result;
}

/** The 'alerts' job handler: an outcome, never an exception. */
export function alertsHandler(deps: AlertsDeps): JobHandler<'alerts'> {
  return async () => {
    try {
      const r = await checkAlerts(deps);
      const detail = `${countOf(r.open, 'alert')} open, ${countOf(r.sent, 'delivery', 'deliveries')} made`;
      const idle = r.open === 0 && r.sent === 0;
      return r.failures.length === 0 ? { ok: true, detail, idle } : { ok: false, error: `${detail}; ${r.failures.join('; ')}` };
    } catch (e) {
      return { ok: false, error: oneLine(e) };
    }
  };
}

/** Whether a library is expected to sync by itself, and since when. */
async function subjectOf(store: Store, library: Library): Promise<AlertSubject> {
  const integration = (await store.integrations.list(library.id)).find((i) => i.enabled);
  const schedule = await store.schedules.get(library.id);
  return {
    id: library.id,
    code: library.code,
    name: library.name,
    watched: integration !== undefined && (schedule?.enabled ?? false),
    watchedSince: integration?.updatedAt ?? library.createdAt,
    failingWebhooks: (await store.webhooks.endpoints(library.id))
      .filter((e) => e.failingSince !== null)
      .map((e) => ({ id: e.id, reason: e.failingReason })),
  };
}

/** Sends an open alert to each configured channel that has not taken it yet. */
async function deliver(deps: AlertsDeps, library: Library, alert: AlertRecord, result: AlertsCheck): Promise<void> {
  const { webhookUrl, email } = deps.alerts;
  const toWebhook = webhookUrl !== undefined && alert.webhookSentAt === null;
  const toEmail = email !== undefined && alert.emailSentAt === null;
  if ((!toWebhook && !toEmail) || alert.attempts >= MAX_DELIVERY_ATTEMPTS) return;
  if (!(await deps.store.alerts.claimDelivery(library.id, alert.id, alert.attempts))) return; // another worker has it
  const notice: AlertNotice = { alert, library: { code: library.code, name: library.name }, publicUrl: deps.publicUrl };
  const errors: string[] = [];
  const sent = { webhook: false, email: false };
  if (toWebhook) {
    try {
      await postWebhook(webhookUrl, notice, deps.deliveryTimeoutMs);
      sent.webhook = true;
    } catch (e) {
      errors.push(oneLine(e));
    }
  }
  if (toEmail) {
    try {
      await sendAlertEmail(email, notice, deps.deliveryTimeoutMs);
      sent.email = true;
    } catch (e) {
      errors.push(oneLine(e));
    }
  }
  result.sent += Number(sent.webhook) + Number(sent.email);
  for (const error of errors) result.failures.push(`${library.code}: alert ${alert.id}: ${error}`);
  await deps.store.alerts.recordDelivery(library.id, alert.id, { ...sent, error: errors.join(' ') });
}
