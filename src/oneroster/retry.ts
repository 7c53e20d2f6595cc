/**
 * When and how long to wait before retrying a roster request: exponential backoff with full
 * jitter (ClassLink asks for it on 429 and 5xx, CLASSLINK.md §1.9), never shorter than the
 * server's Retry-After, never longer than a cap. Pure: the clock and the randomness are passed in.
 */

/** How a request is retried. */
export interface RetryPolicy {
  /** Attempts per request (the first included) on 429/5xx/timeouts/connection errors. */
  attempts: number;
  /** Attempts per request when a 200 body is unreadable (truncated JSON, wrong envelope). */
  badResponseAttempts: number;
  /** The backoff before the first retry, before jitter. */
  baseDelayMs: number;
  /** No wait is ever longer than this, Retry-After included. */
  maxDelayMs: number;
}

/** Half a second, doubling: 0.5, 1, 2, 4, 8 s… before jitter. */
export const DEFAULT_BASE_DELAY_MS = 500;
/** A minute: long enough for a rate-limit cool-down, short enough that a sync stays alive. */
export const DEFAULT_MAX_DELAY_MS = 60_000;
/** Truncated bodies are usually transient (a proxy hiccup), but not worth many tries. */
export const DEFAULT_BAD_RESPONSE_ATTEMPTS = 3;

/** HTTP statuses worth retrying: rate limiting and gateway/server trouble. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** What kind of answer a status is. */
export type StatusClass = 'ok' | 'retryable' | 'credentials_refused' | 'not_found' | 'rejected';

/** Classifies an HTTP status for the retry loop. */
export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 401 || status === 403) return 'credentials_refused';
  if (status === 404) return 'not_found';
  if (RETRYABLE_STATUSES.has(status)) return 'retryable';
  return 'rejected';
}

/**
 * The backoff before retry number `retryIndex` (0 for the first retry): a uniformly random
 * wait between 0 and min(maxDelay, base·2^retryIndex) ("full jitter").
 */
export function backoffDelayMs(retryIndex: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryIndex));
  return Math.floor(random() * ceiling);
}

/**
 * Reads a Retry-After header (delta seconds or an HTTP date) as milliseconds from `nowMs`.
 * Undefined when absent or unreadable; 0 for a date in the past.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The wait before retry `retryIndex`: the backoff, or Retry-After when longer, within the cap. */
export function retryDelayMs(
  retryIndex: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const backoff = backoffDelayMs(retryIndex, policy, random);
  return Math.min(policy.maxDelayMs, Math.max(backoff, retryAfterMs ?? 0));
}

/** What went wrong on the wire, as far as retrying is concerned. */
export interface TransportFailure {
  /** Whether another attempt may succeed. */
  retryable: boolean;
  /** Whether no connection was made at all (refused, unknown host): the server is unreachable. */
  noConnection: boolean;
  /** A few words for a person: "connection refused", "timed out", … */
  reason: string;
}

const TRANSPORT_REASONS: Record<string, TransportFailure> = {
  ECONNREFUSED: { retryable: true, noConnection: true, reason: 'connection refused' },
  ENOTFOUND: { retryable: false, noConnection: true, reason: 'host name not found' },
  EAI_AGAIN: { retryable: true, noConnection: true, reason: 'host name lookup failed' },
  EHOSTUNREACH: { retryable: true, noConnection: true, reason: 'host unreachable' },
  ENETUNREACH: { retryable: true, noConnection: true, reason: 'network unreachable' },
  UND_ERR_CONNECT_TIMEOUT: { retryable: true, noConnection: true, reason: 'connection timed out' },
  ECONNRESET: { retryable: true, noConnection: false, reason: 'connection reset' },
  EPIPE: { retryable: true, noConnection: false, reason: 'connection reset' },
  UND_ERR_SOCKET: { retryable: true, noConnection: false, reason: 'connection closed by the server' },
  ETIMEDOUT: { retryable: true, noConnection: false, reason: 'timed out' },
  UND_ERR_HEADERS_TIMEOUT: { retryable: true, noConnection: false, reason: 'timed out' },
  UND_ERR_BODY_TIMEOUT: { retryable: true, noConnection: false, reason: 'timed out' },
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: { retryable: true, noConnection: false, reason: 'response cut short' },
};

/** Classifies an error thrown by the HTTP layer (undici, node:net, an abort by timeout). */
export function classifyTransportError(e: unknown): TransportFailure {
  const err = e as { name?: unknown; code?: unknown; cause?: { code?: unknown } } | null;
  if (err?.name === 'TimeoutError') return { retryable: true, noConnection: false, reason: 'timed out' };
  const code = typeof err?.code === 'string' ? err.code : typeof err?.cause?.code === 'string' ? err.cause.code : '';
  return TRANSPORT_REASONS[code] ?? { retryable: false, noConnection: false, reason: code ? `network error ${code}` : 'network error' };
}
