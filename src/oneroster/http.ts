/**
 * The HTTP edge of the roster clients: GET over undici with keep-alive connections and a time
 * limit per request. This is the only module that imports undici. `get` reads the whole body as
 * text; `open` hands a 2xx body on as its bytes arrive (a 10,000-record page is 10–20 MB, which
 * the roster client cuts into records as it streams rather than holding it as one string), and
 * leaves judging it to its callers.
 *
 * Redirects are never followed (undici's request does not, and no redirect interceptor is
 * installed): a 3xx reaches the caller as an answer. With an allow-list of hosts
 * (ROLLCALL_ALLOWED_ROSTER_HOSTS) every request's URL is checked before it is sent, and a
 * redirect's target too, so a refusal names the setting rather than "HTTP 302".
 */
import { Agent, request, type Dispatcher } from 'undici';
import { refuseUnlessAllowed, type CheckedUrl, type HostPattern } from '../config/allowed-hosts.ts';

/** A response as the clients need it. */
export interface HttpResponse {
  /** HTTP status. */
  status: number;
  /** Headers, by lower-case name (repeated headers joined with ", "). */
  headers: Record<string, string>;
  /** The body as text ('' when it is streamed: see `chunks`). */
  body: string;
  /**
   * From `open`, for a 2xx answer: the body's bytes as they arrive (read them once, or call
   * `discard`). A failure while reading rejects with BodyInterrupted, or with the caller's
   * cancellation reason.
   */
  chunks?: AsyncIterable<Uint8Array>;
  /** From `open`: stops reading a streamed body and frees its connection (harmless once read). */
  discard?: () => void;
}

/**
 * The connection failed (dropped, timed out) while a streamed body was being read: `cause` is
 * the transport's error, to be judged like a failure before the answer arrived.
 */
export class BodyInterrupted extends Error {
  override readonly name = 'BodyInterrupted';
  constructor(override readonly cause: unknown) {
    super('the connection failed while the body was read');
  }
}

/** How the transport behaves. */
export interface HttpTransportOptions {
  /** Time allowed for one request, headers and body together. */
  timeoutMs: number;
  /** Connections kept per host (at least the number of concurrent page requests). */
  connections?: number;
  /** The hosts requests may go to (ROLLCALL_ALLOWED_ROSTER_HOSTS); undefined: any. */
  allowedHosts?: readonly HostPattern[] | undefined;
}

/** Idle keep-alive sockets are closed after this long (servers usually allow 60 s or more). */
const KEEP_ALIVE_MS = 30_000;
/** Time allowed to open a connection; a longer wait means the host is unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

/** A keep-alive HTTP client for one roster connection. Close it when done. */
export class HttpTransport {
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly allowedHosts: readonly HostPattern[] | undefined;

  constructor(options: HttpTransportOptions) {
    this.timeoutMs = options.timeoutMs;
    this.allowedHosts = options.allowedHosts;
    this.agent = new Agent({
      keepAliveTimeout: KEEP_ALIVE_MS,
      connections: options.connections ?? null,
      connect: { timeout: CONNECT_TIMEOUT_MS },
    });
  }

  /**
   * One GET. Rejects with the transport's error (undici/node codes, or a TimeoutError when the
   * time limit passed), or with `signal.reason` when the caller cancelled.
   */
  get(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<HttpResponse> {
    return this.send(url, 'roster URL', { method: 'GET', headers }, signal, async (res) => ({
      status: res.statusCode,
      headers: flattenHeaders(res.headers),
      body: await res.body.text(),
    }));
  }

  /**
   * One GET whose 2xx body is streamed (`chunks`; `body` is then ''); other answers are read
   * as text, as `get` reads them. The time limit covers the body too. Rejects as `get` does.
   */
  open(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<HttpResponse> {
    return this.send(url, 'roster URL', { method: 'GET', headers }, signal, async (res, timeout) => {
      const flat = flattenHeaders(res.headers);
      if (res.statusCode < 200 || res.statusCode >= 300) return { status: res.statusCode, headers: flat, body: await res.body.text() };
      const body = res.body;
      return {
        status: res.statusCode,
        headers: flat,
        body: '',
        chunks: streamed(body, signal, timeout),
        discard: () => body.destroy(),
      };
    });
  }

  /**
   * One POST of a form (an OAuth 2 token request), with the same time limit and errors as get.
   */
  postForm(url: string, headers: Record<string, string>, form: string, signal?: AbortSignal): Promise<HttpResponse> {
    const init = { method: 'POST' as const, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: form };
    return this.send(url, 'token URL', init, signal, async (res) => ({
      status: res.statusCode,
      headers: flattenHeaders(res.headers),
      body: await res.body.text(),
    }));
  }

  /**
   * One request to an allowed host under the time limit: `read` makes the answer of the response
   * (the redirect check is applied to it). A failure, while sending or while `read` reads, rejects
   * with the caller's cancellation reason, the time limit's, or the transport's own error.
   */
  private async send(
    url: string,
    what: CheckedUrl,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
    signal: AbortSignal | undefined,
    read: (res: Dispatcher.ResponseData, timeout: AbortSignal) => Promise<HttpResponse>,
  ): Promise<HttpResponse> {
    refuseUnlessAllowed(this.allowedHosts, url, what);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await request(url, { ...init, dispatcher: this.agent, signal: combined });
      return this.answer(url, what, await read(res, timeout));
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw timeout.reason;
      throw e;
    }
  }

  /** The response, unless it redirects to a host that is not allowed (refused, naming the setting). */
  private answer(url: string, what: CheckedUrl, res: HttpResponse): HttpResponse {
    const location = res.headers['location'];
    if (this.allowedHosts !== undefined && res.status >= 300 && res.status < 400 && location !== undefined) {
      let target: URL | undefined;
      try {
        target = new URL(location, url);
      } catch {
        target = undefined;
      }
      if (target) refuseUnlessAllowed(this.allowedHosts, target, what, new URL(url).host);
    }
    return res;
  }

  /** Closes the kept-alive connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** A body's chunks, with a failure while reading told apart from the reader's own errors. */
async function* streamed(
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal | undefined,
  timeout: AbortSignal,
): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    throw new BodyInterrupted(timeout.aborted ? timeout.reason : e);
  }
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
