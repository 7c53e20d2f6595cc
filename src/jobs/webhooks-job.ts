/**
 * The 'webhooks' job: sends each applied operation's notice to the library's endpoints, signed
 * (services/webhooks/signing.ts), retried with backoff, and marks an endpoint failing once its
 * retries are spent (the alert check then raises one `webhook_failing` alert). The scheduler
 * sends it every minute (a notice leaves within a minute of its operation, whoever ran it: the
 * CLI, the web, a worker); several workers may run it at once — the
 * unique delivery per endpoint and operation and the compare-and-set on attempts keep each
 * notice to one enqueue and each attempt to one sender.
 *
 * 1. Enqueue: for each library with endpoints, its latest operations that were applied
 *    (isApplied: never a dry run or a held plan) and ended after the endpoint was registered.
 * 2. Deliver what is due: POST, no redirects, 10 s; a 2xx answer delivers it. Anything else
 *    (a timeout, a refused connection, 3xx/4xx/5xx) is retried after 1 min, 5 min, 30 min, 2 h
 *    and 8 h; the sixth failure gives up and marks the endpoint failing with the reason. The
 *    reason never holds the URL (it may carry a token in its path).
 */
import { randomUUID } from 'node:crypto';
import { oneLine } from '../domain/errors.ts';
import type { Library, Store, WebhookDelivery } from '../store/store.ts';
import { isApplied, operationNotice } from '../services/webhooks/notice.ts';
import { signedHeaders } from '../services/webhooks/signing.ts';
import type { JobHandler } from './types.ts';
import { countOf } from '../domain/words.ts';

/** Waits before attempts 2…6 (ms): backoff; the job's minute tick is the resolution. */
export const WEBHOOK_RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 8 * 3_600_000] as const;
/** Attempts per notice before the endpoint is marked failing. */
export const MAX_WEBHOOK_ATTEMPTS = WEBHOOK_RETRY_DELAYS_MS.length + 1;
/** Time allowed for one attempt unless told otherwise. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Operations looked at per library per run (as the alert check). */
const OPERATIONS_LOOKED_AT = 100;
/** Deliveries attempted per run. */
const DUE_PER_RUN = 200;

/** What the job needs. */
export interface WebhooksDeps {
  store: Store;
  now: () => Date;
  /** ROLLCALL_PUBLIC_URL, for the operation's link. */
  publicUrl: string;
  /** Time allowed per attempt (default 10 s). */
  timeoutMs?: number;
}

/** What one run did. */
export interface WebhooksRun {
  enqueued: number;
  delivered: number;
  retried: number;
  failed: number;
  /** One line per attempt that failed. */
  failures: string[];
}

/** Enqueues new notices and sends those due (see the module comment). */
export async function runWebhooks(deps: WebhooksDeps): Promise<WebhooksRun> {
  const run: WebhooksRun = { enqueued: 0, delivered: 0, retried: 0, failed: 0, failures: [] };
  for (const libraryId of await deps.store.webhooks.librariesWithEndpoints()) {
    const library = await deps.store.libraries.get(libraryId);
    if (library) run.enqueued += await enqueueNotices(deps, library);
  }
  for (const delivery of await deps.store.webhooks.due(deps.now().toISOString(), DUE_PER_RUN)) await attempt(deps, delivery, run);
  return run;
}

/** The 'webhooks' job handler: an outcome, never an exception. */
export function webhooksHandler(deps: WebhooksDeps): JobHandler<'webhooks'> {
  return async () => {
    try {
      const r = await runWebhooks(deps);
      const detail = `${countOf(r.enqueued, 'notice')} queued, ${r.delivered} delivered, ${r.retried} to retry, ${r.failed} given up`;
      const idle = r.enqueued + r.delivered + r.retried + r.failed === 0;
      return r.failures.length === 0 ? { ok: true, detail, idle } : { ok: false, error: `${detail}; ${r.failures.join('; ')}` };
    } catch (e) {
      return { ok: false, error: oneLine(e) };
    }
  };
}

async function enqueueNotices(deps: WebhooksDeps, library: Library): Promise<number> {
  const { store } = deps;
  const endpoints = await store.webhooks.endpoints(library.id);
  const operations = (await store.operations.list(library.id, { limit: OPERATIONS_LOOKED_AT })).filter(isApplied);
  let enqueued = 0;
  for (const endpoint of endpoints) {
    const known = new Set(
      (await store.webhooks.deliveries(library.id, { endpointId: endpoint.id, limit: 2 * OPERATIONS_LOOKED_AT })).map((d) => d.operationId),
    );
    // Oldest first, so a receiver gets them in the order they were applied.
    for (const op of [...operations].reverse()) {
      if (known.has(op.id) || (op.finishedAt ?? op.createdAt) < endpoint.createdAt) continue;
      const payload = operationNotice(library, op, await store.journal.rangeOf(library.id, op.id), deps.publicUrl);
      const at = deps.now().toISOString();
      if (
        await store.webhooks.enqueue(library.id, {
          endpointId: endpoint.id,
          operationId: op.id,
          messageId: `msg_${randomUUID()}`,
          payload,
          at,
        })
      )
        enqueued++;
    }
  }
  return enqueued;
}

async function attempt(deps: WebhooksDeps, d: WebhookDelivery, run: WebhooksRun): Promise<void> {
  const { store } = deps;
  if (!(await store.webhooks.claim(d.libraryId, d.id, d.attempts))) return; // another worker has it
  const n = d.attempts + 1;
  let endpoint: Awaited<ReturnType<Store['webhooks']['endpoint']>>;
  let secret: string;
  try {
    endpoint = await store.webhooks.endpoint(d.libraryId, d.endpointId);
    secret = await store.webhooks.secretOf(d.libraryId, d.endpointId);
  } catch (e) {
    await store.webhooks.recordAttempt(d.libraryId, d.id, { state: 'failed', status: null, error: oneLine(e) });
    return;
  }
  const { status, error } = await post(endpoint.url, secret, d, deps.now(), deps.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
  if (error === '') {
    await store.webhooks.recordAttempt(d.libraryId, d.id, { state: 'delivered', status, error: '' });
    await store.webhooks.setFailing(d.libraryId, d.endpointId, null);
    run.delivered++;
    return;
  }
  run.failures.push(`library ${d.libraryId} endpoint ${d.endpointId} operation ${d.operationId}: ${error}`);
  if (n >= MAX_WEBHOOK_ATTEMPTS) {
    await store.webhooks.recordAttempt(d.libraryId, d.id, { state: 'failed', status, error });
    await store.webhooks.setFailing(d.libraryId, d.endpointId, `${error} (operation ${d.operationId}'s notice, ${countOf(n, 'attempt')})`);
    run.failed++;
    return;
  }
  const next = new Date(deps.now().getTime() + WEBHOOK_RETRY_DELAYS_MS[n - 1]!).toISOString();
  await store.webhooks.recordAttempt(d.libraryId, d.id, { state: 'pending', nextAttemptAt: next, status, error });
  run.retried++;
}

/** One POST; the status received (or null) and the failure in words ('' when delivered). */
async function post(
  url: string,
  secret: string,
  d: WebhookDelivery,
  now: Date,
  timeoutMs: number,
): Promise<{ status: number | null; error: string }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Rollcall webhooks',
        ...signedHeaders(secret, d.messageId, now, d.payload),
      },
      body: d.payload,
      // A redirect is not followed: the answer we want is the endpoint's own.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    return { status: null, error: `the endpoint ${unreachable(e, timeoutMs)}` };
  }
  // The body is not read (nor kept): it is the receiver's business, and may be large.
  await response.body?.cancel().catch(() => {});
  if (response.status >= 200 && response.status <= 299) return { status: response.status, error: '' };
  return { status: response.status, error: `the endpoint answered HTTP ${response.status}` };
}

/** Why a fetch failed, in words, never with the URL. */
function unreachable(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; cause?: { code?: string; name?: string } };
  if (err.name === 'TimeoutError' || err.cause?.name === 'TimeoutError') return `did not answer within ${timeoutMs / 1000} s`;
  const code = err.cause?.code;
  return `could not be reached${code ? ` (${code})` : ''}`;
}
