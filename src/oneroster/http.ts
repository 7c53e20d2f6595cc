/**
 * The HTTP edge of the roster clients: GET over undici with keep-alive connections and a time
 * limit per request. This is the only module that imports undici. It reads the whole body as
 * text (a 10,000-record page is a few megabytes) and leaves judging it to its callers.
 *
 * Redirects are never followed (undici's request does not, and no redirect interceptor is
 * installed): a 3xx reaches the caller as an answer. With an allow-list of hosts
 * (ROLLCALL_ALLOWED_ROSTER_HOSTS) every request's URL is checked before it is sent, and a
 * redirect's target too, so a refusal names the setting rather than "HTTP 302".
 */
import { Agent, request } from 'undici';
import { refuseUnlessAllowed, type CheckedUrl, type HostPattern } from '../config/allowed-hosts.ts';

/** A response as the clients need it. */
export interface HttpResponse {
  /** HTTP status. */
  status: number;
  /** Headers, by lower-case name (repeated headers joined with ", "). */
  headers: Record<string, string>;
  /** The body as text. */
  body: string;
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
  async get(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<HttpResponse> {
    refuseUnlessAllowed(this.allowedHosts, url, 'roster URL');
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await request(url, { method: 'GET', headers, dispatcher: this.agent, signal: combined });
      const body = await res.body.text();
      return this.answer(url, 'roster URL', { status: res.statusCode, headers: flattenHeaders(res.headers), body });
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw timeout.reason;
      throw e;
    }
  }

  /**
   * One POST of a form (an OAuth 2 token request), with the same time limit and errors as get.
   */
  async postForm(url: string, headers: Record<string, string>, form: string, signal?: AbortSignal): Promise<HttpResponse> {
    refuseUnlessAllowed(this.allowedHosts, url, 'token URL');
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
        dispatcher: this.agent,
        signal: combined,
      });
      const body = await res.body.text();
      return this.answer(url, 'token URL', { status: res.statusCode, headers: flattenHeaders(res.headers), body });
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

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
