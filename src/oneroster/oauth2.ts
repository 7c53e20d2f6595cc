/**
 * OAuth 2 client credentials for OneRoster servers (ONEROSTER.md §1.9): 1.2 servers use it
 * with the 1EdTech scopes, many 1.1 servers too. A token is fetched from the token endpoint
 * (client_secret_basic by default, client_secret_post when a server wants the secret in the
 * body), kept until shortly before it expires, and renewed once when the roster server answers
 * 401 with a token it still thought valid (revoked early, or a clock that runs ahead). The
 * secret and the tokens are never logged or put in a message.
 */
import { cap, sleep } from './request.ts';
import { isRollcallError, RollcallError } from '../domain/errors.ts';
import type { HttpResponse, HttpTransport } from './http.ts';
import { readTokenResponse, tokenRefusal, type IssuedToken } from './oauth2-response.ts';
import { classifyStatus, classifyTransportError, parseRetryAfterMs, retryDelayMs, type RetryPolicy } from './retry.ts';

/** The credentials of an OAuth 2 client credentials connection. */
export interface OAuth2Credentials {
  /** OAuth 2 client credentials. */
  kind: 'oauth2';
  /** The client id. */
  clientId: string;
  /** The client secret. */
  clientSecret: string;
  /** The token endpoint. */
  tokenUrl: string;
  /** Scopes to ask for (empty: none named, the server's default). */
  scopes: readonly string[];
  /** How the client authenticates at the token endpoint: HTTP Basic (default) or in the form body. */
  clientAuth?: 'basic' | 'post';
}

/** The 1EdTech rostering scopes of each OneRoster version (OAS 1.1 and 1.2 securitySchemes). */
export const ONEROSTER_SCOPES = {
  '1.1': {
    core: 'https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly',
    roster: 'https://purl.imsglobal.org/spec/or/v1p1/scope/roster.readonly',
    demographics: 'https://purl.imsglobal.org/spec/or/v1p1/scope/roster-demographics.readonly',
  },
  '1.2': {
    core: 'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
    roster: 'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly',
    demographics: 'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
  },
} as const;

/** A OneRoster REST version. */
export type OneRosterVersion = keyof typeof ONEROSTER_SCOPES;

/**
 * The scopes asked for when none are configured: roster-core (users, orgs, classes,
 * enrollments, sessions) and roster-demographics (Birthdate and Sex) — exactly what a sync
 * reads. A district that does not share demographics refuses that collection, which a sync
 * reports and goes on from (src/sync/fetch.ts).
 */
export function defaultScopes(version: OneRosterVersion): string[] {
  return [ONEROSTER_SCOPES[version].core, ONEROSTER_SCOPES[version].demographics];
}

/**
 * A token is renewed this long before the endpoint said it expires (a tenth of its life for
 * short-lived tokens), so a request never leaves with a token about to die on the way.
 */
const EXPIRY_MARGIN_MS = 60_000;

/** How the token source reaches the endpoint. */
export interface TokenSourceOptions {
  /** The transport (shared with the roster requests). */
  http: HttpTransport;
  /** Retries on 429/5xx/timeouts. */
  policy: RetryPolicy;
  /** The clock (default Date.now). */
  now?: () => number;
  /** Randomness for backoff jitter. */
  random?: () => number;
}

interface Held {
  token: string;
  /** Epoch ms after which the token is renewed before use (Infinity when no lifetime was given). */
  renewAt: number;
}

/** Fetches, caches and renews the tokens of one client. */
export class OAuth2TokenSource {
  private held: Held | null = null;
  private pending: Promise<Held> | null = null;
  private readonly endpoint: string;
  private readonly now: () => number;
  /** Token requests sent (retries included): tests count them. */
  requests = 0;

  constructor(
    private readonly credentials: OAuth2Credentials,
    private readonly options: TokenSourceOptions,
  ) {
    this.endpoint = `the token endpoint at ${describeUrl(credentials.tokenUrl)}`;
    this.now = options.now ?? Date.now;
  }

  /** A valid token: the cached one until it is about to expire, else a new one. */
  async token(signal?: AbortSignal): Promise<string> {
    if (this.held && this.now() < this.held.renewAt) return this.held.token;
    return (await this.fetchOnce(signal)).token;
  }

  /** The token last obtained ('' before the first). */
  current(): string {
    return this.held?.token ?? '';
  }

  /**
   * Called when the roster server refused `stale` with 401: a new token is fetched unless
   * another request already replaced it. Resolves true when a different token is in place.
   */
  async renew(stale: string, signal?: AbortSignal): Promise<boolean> {
    if (this.held && this.held.token !== stale) return true;
    this.held = null;
    const fresh = await this.fetchOnce(signal);
    return fresh.token !== stale;
  }

  /** One token request at a time: concurrent callers share it. */
  private fetchOnce(signal?: AbortSignal): Promise<Held> {
    if (!this.pending) {
      this.pending = this.request(signal)
        .then((issued) => {
          this.held = { token: issued.accessToken, renewAt: this.renewTime(issued) };
          return this.held;
        })
        .finally(() => {
          this.pending = null;
        });
    }
    return this.pending;
  }

  private renewTime(issued: IssuedToken): number {
    if (issued.expiresIn === null) return Infinity;
    const lifeMs = issued.expiresIn * 1000;
    return this.now() + lifeMs - Math.min(EXPIRY_MARGIN_MS, lifeMs / 10);
  }

  private async request(signal?: AbortSignal): Promise<IssuedToken> {
    const { policy } = this.options;
    const c = this.credentials;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (c.scopes.length > 0) form.set('scope', c.scopes.join(' '));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (c.clientAuth === 'post') {
      form.set('client_id', c.clientId);
      form.set('client_secret', c.clientSecret);
    } else {
      // RFC 6749 §2.3.1: each part form-encoded before joining.
      headers.authorization = `Basic ${Buffer.from(`${formEncode(c.clientId)}:${formEncode(c.clientSecret)}`).toString('base64')}`;
    }
    const body = form.toString();
    for (let attempt = 1; ; attempt++) {
      this.requests++;
      let res: HttpResponse;
      try {
        res = await this.options.http.postForm(c.tokenUrl, headers, body, signal);
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        // A refusal of the transport's own (a host ROLLCALL_ALLOWED_ROSTER_HOSTS does not allow) is final.
        if (isRollcallError(e)) throw e;
        const failure = classifyTransportError(e);
        if (failure.retryable && attempt < policy.attempts) {
          await sleep(retryDelayMs(attempt - 1, policy, undefined, this.options.random), signal);
          continue;
        }
        const verb = failure.noConnection ? 'Could not connect to' : 'Lost the connection to';
        throw new RollcallError(
          'source_unreachable',
          `${verb} ${this.endpoint} (${failure.reason}); check the token URL and that the server is online.`,
          { cause: e },
        );
      }
      if (res.status === 404 || res.status === 405) {
        throw new RollcallError(
          'not_found',
          `There is no token endpoint at ${describeUrl(c.tokenUrl)} (HTTP ${res.status}); check the token URL.`,
        );
      }
      switch (classifyStatus(res.status)) {
        case 'ok':
          return readTokenResponse(res.body, { endpoint: this.endpoint });
        case 'retryable':
          if (attempt < policy.attempts) {
            await sleep(
              retryDelayMs(attempt - 1, policy, parseRetryAfterMs(res.headers['retry-after'], Date.now()), this.options.random),
              signal,
            );
            continue;
          }
          throw new RollcallError(
            'source_unavailable',
            `${cap(this.endpoint)} kept answering HTTP ${res.status} after ${attempt} attempts; try again later.`,
          );
        default:
          throw tokenRefusal(res.status, res.body, { endpoint: this.endpoint });
      }
    }
  }
}

/** `host/path` of a URL, for messages (never its query, which could carry anything). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'an invalid address';
  }
}

/** application/x-www-form-urlencoded encoding of one value. */
function formEncode(s: string): string {
  return new URLSearchParams({ v: s }).toString().slice(2);
}
