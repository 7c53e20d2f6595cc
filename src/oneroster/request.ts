/**
 * One GET with retries, for the roster and partner API clients: backs off with jitter on 429,
 * 5xx, timeouts and dropped connections (honouring Retry-After), retries an unreadable 200 body
 * a few times, never retries refused credentials or a 404, and finally fails with one plain
 * sentence as a RollcallError. Messages name the host and path, never credentials or payloads.
 */
import { STATUS_CODES } from 'node:http';
import { isRollcallError, RollcallError } from '../domain/errors.ts';
import { describeStatus, findStatusInfo, UnreadableBody } from './envelope.ts';
import { BodyInterrupted, type HttpResponse, type HttpTransport } from './http.ts';
import {
  classifyStatus,
  classifyTransportError,
  parseRetryAfterMs,
  retryDelayMs,
  type RetryPolicy,
  type TransportFailure,
} from './retry.ts';

/** Words for the messages of one request. */
export interface RequestWording {
  /** Who answers: "the roster server at sandbox-vn-v2.oneroster.com". */
  server: string;
  /** What was asked: a path without its query. */
  what: string;
  /** What to check when the credentials are refused ("check the client id (key) and secret"). */
  credentialsHint: string;
}

/** Counters a caller may keep across requests. */
export interface RequestStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Retries (requests after the first of each logical request). */
  retries: number;
}

/** One logical GET. */
export interface RetryingGet<T> {
  /** The full URL, query included. */
  url: string;
  /** Headers for one attempt (called per attempt: OAuth signatures need a fresh nonce). */
  headers: () => Record<string, string>;
  /**
   * Reads a 2xx response; throws UnreadableBody for a body worth another attempt. With `stream`,
   * the body arrives as `res.chunks` (a connection lost while reading them is retried like one
   * lost before the answer).
   */
  read: (res: HttpResponse) => T | Promise<T>;
  /** Stream 2xx bodies (`res.chunks`) instead of reading them whole as text. */
  stream?: boolean;
  /**
   * Called once on a 401 (an OAuth 2 token that expired or was revoked early): resolves true
   * when fresh credentials are in place and the request is worth one more try.
   */
  onUnauthorized?: () => Promise<boolean>;
  /** Words for the messages. */
  wording: RequestWording;
}

/** Settings of the retry loop besides the policy. */
export interface RetryContext {
  /** How retries are spaced and bounded. */
  policy: RetryPolicy;
  /** The per-request time limit, named in timeout messages. */
  timeoutMs: number;
  /** Cancels waiting and requests; the promise rejects with its reason. */
  signal?: AbortSignal;
  /** Counters to add to. */
  stats?: RequestStats;
  /** Randomness for jitter (tests pin it). */
  random?: () => number;
}

/** Sends the GET, retrying per the policy; resolves with what `read` returns. */
export async function getWithRetry<T>(transport: HttpTransport, req: RetryingGet<T>, ctx: RetryContext): Promise<T> {
  const { policy, signal } = ctx;
  const w = req.wording;
  let attempt = 0;
  let unreadable = 0;
  let renewed = false;
  const backOff = async (retryAfterMs?: number) => {
    if (ctx.stats) ctx.stats.retries++;
    await sleep(retryDelayMs(attempt - 1, policy, retryAfterMs, ctx.random), signal);
  };
  for (;;) {
    attempt++;
    if (ctx.stats) ctx.stats.requests++;
    let res: HttpResponse;
    try {
      res = req.stream ? await transport.open(req.url, req.headers(), signal) : await transport.get(req.url, req.headers(), signal);
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      // A refusal of the transport's own (a host ROLLCALL_ALLOWED_ROSTER_HOSTS does not allow) is final.
      if (isRollcallError(e)) throw e;
      const failure = classifyTransportError(e);
      if (failure.retryable && attempt < policy.attempts) {
        await backOff();
        continue;
      }
      throw transportError(failure, w, attempt, ctx.timeoutMs, e);
    }

    switch (classifyStatus(res.status)) {
      case 'ok':
        try {
          return await req.read(res);
        } catch (e) {
          // A streamed body left unread (the reader failed half-way) would hold its connection
          // through the back-off.
          res.discard?.();
          if (e instanceof BodyInterrupted) {
            if (signal?.aborted) throw signal.reason;
            const failure = classifyTransportError(e.cause);
            if (failure.retryable && attempt < policy.attempts) {
              await backOff();
              continue;
            }
            throw transportError(failure, w, attempt, ctx.timeoutMs, e.cause);
          }
          if (!(e instanceof UnreadableBody)) throw e;
          unreadable++;
          if (unreadable < policy.badResponseAttempts && attempt < policy.attempts) {
            await backOff();
            continue;
          }
          const times = unreadable === 1 ? '' : `, ${unreadable} times in a row`;
          throw new RollcallError('bad_response', `${cap(w.server)} sent ${e.message} for ${w.what}${times}.`);
        }
      case 'credentials_refused':
        if (res.status === 401 && req.onUnauthorized && !renewed) {
          renewed = true;
          if (await req.onUnauthorized()) {
            if (ctx.stats) ctx.stats.retries++;
            continue;
          }
        }
        throw new RollcallError(
          'credentials_refused',
          `${cap(w.server)} refused the credentials (HTTP ${res.status}) for ${w.what}; ${w.credentialsHint}.`,
        );
      case 'not_found':
        throw new RollcallError('not_found', `${cap(w.server)} answered 404 Not Found for ${w.what}; check the server URL.`);
      case 'retryable':
        if (attempt < policy.attempts) {
          await backOff(parseRetryAfterMs(res.headers['retry-after'], Date.now()));
          continue;
        }
        throw new RollcallError(
          'source_unavailable',
          `${cap(w.server)} kept answering ${statusText(res.status)} for ${w.what} after ${attempt} attempts; try again later.`,
        );
      case 'rejected':
        throw new RollcallError('bad_response', `${cap(w.server)} rejected ${w.what} with ${statusText(res.status)}${reportOf(res)}.`);
    }
  }
}

function transportError(f: TransportFailure, w: RequestWording, attempts: number, timeoutMs: number, cause: unknown): RollcallError {
  const tries = attempts === 1 ? '' : ` after ${attempts} attempts`;
  if (f.noConnection) {
    return new RollcallError(
      'source_unreachable',
      `Could not connect to ${w.server} (${f.reason})${tries}; check the address and that the server is online.`,
      { cause },
    );
  }
  if (f.reason === 'timed out') {
    return new RollcallError(
      'source_unreachable',
      `${cap(w.server)} did not answer ${w.what} within ${Number((timeoutMs / 1000).toFixed(1))} s${tries}; try again later.`,
      { cause },
    );
  }
  return new RollcallError(
    'source_unreachable',
    `Lost the connection to ${w.server} on ${w.what} (${f.reason})${tries}; try again later.`,
    {
      cause,
    },
  );
}

function statusText(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `HTTP ${status} ${text}` : `HTTP ${status}`;
}

/** The server's own error report, when the body carries one: `: an error report "…" (code)`. */
function reportOf(res: HttpResponse): string {
  try {
    const info = findStatusInfo(JSON.parse(res.body));
    return info ? `: ${describeStatus(info)}` : '';
  } catch {
    return '';
  }
}

/** The sentence-start form of a phrase. */
export function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Waits, or rejects with the signal's reason as soon as it is cancelled. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
