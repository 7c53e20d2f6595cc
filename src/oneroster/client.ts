/**
 * The OneRoster REST client: reads collections from a Roster Server (ClassLink direct with
 * OAuth 1.0a, the ClassLink proxy with a Bearer token, any 1.1 server, or a 1.2 server with
 * OAuth 2 client credentials) and streams them as canonical records, page by page, with a plain
 * account of whether the read was complete.
 */
import { refuseUnlessAllowed, type HostPattern } from '../config/allowed-hosts.ts';
import { RollcallError } from '../domain/errors.ts';
import type { MalformedRecord, RosterCollection, RosterRecordOf, RosterUser } from '../domain/roster.ts';
import { authorizationHeader, credentialsHint, type RosterAuth } from './auth.ts';
import { collectionOf, parseJsonBody, UnreadableBody } from './envelope.ts';
import { HttpTransport } from './http.ts';
import { runPages, type FetchPage } from './page-run.ts';
import { parseLinkHeader, readCountHeader } from './paging.ts';
import { OAuth2TokenSource, type OAuth2Credentials, type OneRosterVersion } from './oauth2.ts';
import { PageReader, type CollectionSpecs, type ParsedPage } from './parse.ts';
import { RecordSplitter } from './record-splitter.ts';
import { COLLECTION_SPECS } from './schemas.ts';
import { encodePath, ONEROSTER_V1P1_PATH, ONEROSTER_V1P2_PATH, parseRosterBaseUrl, requestUrl } from './roster-url.ts';
import { V1P2_COLLECTION_SPECS } from './v1p2-schemas.ts';
import { getWithRetry, type RequestStats, type RetryContext } from './request.ts';
import { DEFAULT_BAD_RESPONSE_ATTEMPTS, DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_DELAY_MS } from './retry.ts';

export type { RosterAuth } from './auth.ts';
export type { OAuth2Credentials, OneRosterVersion } from './oauth2.ts';
export { ONEROSTER_V1P1_PATH, ONEROSTER_V1P2_PATH } from './roster-url.ts';

/** ClassLink's documented page-size ceiling, and what its best-practice guide recommends. */
export const DEFAULT_PAGE_SIZE = 10_000;
/** Page requests in flight at once per pull. */
export const DEFAULT_CONCURRENCY = 4;
/** Time allowed per request: a 10,000-record page can take a while on a busy server. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Attempts per request on 429/5xx/timeouts. */
export const DEFAULT_RETRY_ATTEMPTS = 6;
/** The Swift client's hard stop (ONEROSTER.md §1.7): no honest read needs more page requests. */
export const DEFAULT_MAX_REQUESTS = 10_000;
/** Malformed records kept in a result; the rest are only counted, so a broken feed cannot eat memory. */
export const MAX_MALFORMED_KEPT = 1000;

/** How to reach a Roster Server and how to read from it. */
export interface OneRosterClientOptions {
  /** The server base, ending before /ims/oneroster/v1p1 or …/rostering/v1p2 (a URL that includes it is accepted too). */
  baseUrl: string;
  /** OAuth 1.0a credentials, a Bearer token, or OAuth 2 client credentials. */
  auth: RosterAuth | OAuth2Credentials;
  /** The OneRoster version the server speaks: 1.1 (default) or 1.2 (its paths and user shape). */
  version?: OneRosterVersion;
  /** Records asked for per page (default 10,000). */
  pageSize?: number;
  /** Page requests in flight at once (default 4). */
  concurrency?: number;
  /** Time allowed per request in ms (default 60 s). */
  timeoutMs?: number;
  /** Attempts per request on 429/5xx/timeouts/dropped connections (default 6). */
  retryAttempts?: number;
  /** Attempts per request when a 200 body is unreadable (default 3). */
  badResponseAttempts?: number;
  /** First backoff in ms, before jitter (default 500). */
  baseDelayMs?: number;
  /** Longest wait between attempts in ms, Retry-After included (default 60 s). */
  maxDelayMs?: number;
  /** Page requests one pull may make (default 10,000). */
  maxRequests?: number;
  /** Randomness for backoff jitter (tests pin it). */
  random?: () => number;
  /**
   * The hosts the server and token URLs may name (ROLLCALL_ALLOWED_ROSTER_HOSTS); undefined:
   * any. Checked here, before anything is sent — configuring probes through this client, so an
   * address an admin types is refused before it is saved, and one saved before the setting is
   * refused when a sync opens it — and again by the transport at every request and redirect.
   */
  allowedHosts?: readonly HostPattern[] | undefined;
}

/** What to read, beyond the collection. */
export interface PullOptions {
  /** A path under /ims/oneroster/v1p1 to read instead of the collection's own, e.g. `schools/{id}/students` (segments are encoded here). */
  path?: string;
  /** A OneRoster filter expression, e.g. `dateLastModified>'2026-01-01T00:00:00Z'` (encoded here). */
  filter?: string;
  /** The field to sort by for stable offsets (default sourcedId, ascending). */
  sort?: string;
  /** Only these fields (`fields=`); fields left out are then not required of a record. */
  fields?: readonly string[];
  /**
   * What the caller keeps of each user (a pull of users only), applied as each record is read:
   * up to `concurrency` + 1 pages are held at once while they wait their turn, and a page held
   * as whole records kept V8's heap (and the floor's memory) growing with the district.
   */
  keepUser?: (user: RosterUser) => RosterUser;
  /** Cancels the pull; it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each page with the records read so far and the declared total (null when none). */
  onProgress?: (received: number, total: number | null) => void;
}

/** What a pull found. */
export interface PullResult {
  /** The collection read. */
  collection: RosterCollection;
  /** The path read, under /ims/oneroster/v1p1. */
  path: string;
  /** Records delivered to onRecords. */
  received: number;
  /** Records set aside as malformed (the first MAX_MALFORMED_KEPT). */
  malformed: MalformedRecord[];
  /** How many records were malformed in all. */
  malformedCount: number;
  /** The server's X-Total-Count, or null when it sent none. */
  declaredTotal: number | null;
  /** Every page fetched and the records add up to the declared total. */
  complete: boolean;
  /** Why not complete, one line; '' when complete. */
  incompleteReason: string;
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Retries among them. */
  retries: number;
  /** The page size used in the end (smaller than asked when the server clamps). */
  pageSize: number;
  /** Observations worth a log line (e.g. a clamped page size). */
  notes: string[];
}

/** What a probe found. */
export interface ProbeResult {
  /** The number of users the server declares (X-Total-Count), or null. */
  declaredUsers: number | null;
}

/** A client for one Roster Server connection. Call close() when done. */
export class OneRosterClient {
  private readonly root: string;
  private readonly server: string;
  private readonly http: HttpTransport;
  private readonly o: Required<Omit<OneRosterClientOptions, 'random' | 'allowedHosts'>> & Pick<OneRosterClientOptions, 'random'>;
  private readonly specs: CollectionSpecs;
  /** The OAuth 2 tokens, for an oauth2 connection (null otherwise). */
  readonly tokens: OAuth2TokenSource | null;

  /** Pulls a caller may run at once (RosterReader): as many as the pages one pull keeps in flight. */
  get concurrentPulls(): number {
    return this.o.concurrency;
  }

  /**
   * Whether a full sync may read per school (RosterReader): the 1.1 paths and roles are what the
   * per-school read asks for (ClassLink speaks 1.1, CLASSLINK.md §1.4); a 1.2 server is read whole.
   */
  get servesSchools(): boolean {
    return this.o.version === '1.1';
  }

  constructor(options: OneRosterClientOptions) {
    const base = parseRosterBaseUrl(options.baseUrl);
    refuseUnlessAllowed(options.allowedHosts, base.base, 'roster URL');
    if (options.auth.kind === 'oauth2') refuseUnlessAllowed(options.allowedHosts, options.auth.tokenUrl, 'token URL');
    const version = options.version ?? '1.1';
    this.root = `${base.base}${version === '1.2' ? ONEROSTER_V1P2_PATH : ONEROSTER_V1P1_PATH}`;
    this.specs = version === '1.2' ? V1P2_COLLECTION_SPECS : COLLECTION_SPECS;
    this.server = `the roster server at ${base.host}`;
    this.o = {
      pageSize: DEFAULT_PAGE_SIZE,
      concurrency: DEFAULT_CONCURRENCY,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      retryAttempts: DEFAULT_RETRY_ATTEMPTS,
      badResponseAttempts: DEFAULT_BAD_RESPONSE_ATTEMPTS,
      baseDelayMs: DEFAULT_BASE_DELAY_MS,
      maxDelayMs: DEFAULT_MAX_DELAY_MS,
      maxRequests: DEFAULT_MAX_REQUESTS,
      ...definedOnly(options),
      baseUrl: options.baseUrl,
      auth: options.auth,
      version,
    };
    checkCounts(this.o);
    this.http = new HttpTransport({ timeoutMs: this.o.timeoutMs, allowedHosts: options.allowedHosts });
    this.tokens =
      options.auth.kind === 'oauth2'
        ? new OAuth2TokenSource(options.auth, { http: this.http, policy: this.retryContext(undefined).policy, random: this.o.random })
        : null;
  }

  /**
   * Reads a collection page by page, handing each page's canonical records to `onRecords` in
   * offset order (awaited: a slow consumer slows the read, never piles up pages). Rejects with a
   * RollcallError when a request finally fails; records already delivered stay delivered.
   */
  async pull<C extends RosterCollection>(
    collection: C,
    options: PullOptions,
    onRecords: (records: RosterRecordOf[C][]) => void | Promise<void>,
  ): Promise<PullResult> {
    const path = options.path ?? collection;
    const projection = options.fields ? new Set(options.fields) : undefined;
    const keep = collection === 'users' ? (options.keepUser as ((r: RosterRecordOf[C]) => RosterRecordOf[C]) | undefined) : undefined;
    const stats: RequestStats = { requests: 0, retries: 0 };
    const malformed: MalformedRecord[] = [];
    let malformedCount = 0;
    let received = 0;
    let read = 0;

    // Pages are parsed as they arrive: a page waiting behind a slow one then holds compact
    // canonical records rather than raw JSON.
    const fetchPage: FetchPage<ParsedPage<C>> = async (segment, signal) => {
      const url = this.url(path, {
        limit: String(segment.limit),
        offset: String(segment.offset),
        sort: options.sort ?? 'sourcedId',
        orderBy: 'asc',
        filter: options.filter,
        fields: options.fields?.join(','),
      });
      const what = `${this.pathOf(path)}${segment.offset > 0 ? ` (offset ${segment.offset})` : ''}`;
      await this.tokens?.token(signal);
      return getWithRetry(
        this.http,
        {
          url,
          headers: () => this.headers(url),
          ...this.renewal(signal),
          stream: true,
          read: async (res) => {
            // Each record is read as soon as it is cut out of the arriving body; the page is
            // handed on only once the whole body proved good (never a half-read page).
            const page = new PageReader(collection, segment, projection, this.specs, keep);
            const splitter = new RecordSplitter(collection, page.add);
            for await (const chunk of res.chunks!) splitter.push(chunk);
            const sent = splitter.end();
            return {
              page: page.result(),
              // A server that ignores limit would overlap the next page: keep what was asked for.
              size: Math.min(sent, segment.limit),
              sent,
              total: readCountHeader(res.headers['x-total-count']),
              count: readCountHeader(res.headers['x-count']),
              links: parseLinkHeader(res.headers['link']),
            };
          },
          wording: { server: this.server, what, credentialsHint: this.credentialsHint() },
        },
        { ...this.retryContext(signal), stats },
      );
    };

    const run = await runPages(fetchPage, {
      noun: collection,
      pageSize: this.o.pageSize,
      concurrency: this.o.concurrency,
      maxRequests: this.o.maxRequests,
      signal: options.signal,
      onPage: async (page, size, _offset, total) => {
        read += size;
        if (page) {
          malformedCount += page.malformed.length;
          for (const m of page.malformed) if (malformed.length < MAX_MALFORMED_KEPT) malformed.push(m);
          if (page.records.length > 0) {
            received += page.records.length;
            await onRecords(page.records);
          }
        }
        options.onProgress?.(read, total);
      },
    });

    return {
      collection,
      path,
      received,
      malformed,
      malformedCount,
      declaredTotal: run.declaredTotal,
      complete: run.incompleteReason === '',
      incompleteReason: run.incompleteReason,
      requests: stats.requests,
      retries: stats.retries,
      pageSize: run.pageSize,
      notes: run.notes,
    };
  }

  /**
   * One small request (`users?limit=1&fields=sourcedId`) to check a configuration: resolves when
   * the server answers with a readable users list, or throws the RollcallError that says why not.
   */
  async probe(options: { signal?: AbortSignal } = {}): Promise<ProbeResult> {
    const url = this.url('users', { limit: '1', offset: '0', fields: 'sourcedId' });
    await this.tokens?.token(options.signal);
    return getWithRetry(
      this.http,
      {
        url,
        headers: () => this.headers(url),
        ...this.renewal(options.signal),
        read: (res) => {
          // With fields=sourcedId a user has nothing else: check only that much.
          const users = collectionOf(parseJsonBody(res.body), 'users');
          const first = users[0] as { sourcedId?: unknown } | undefined;
          if (users.length > 0 && (typeof first !== 'object' || first === null || first.sourcedId == null)) {
            throw new UnreadableBody('a users list whose records have no sourcedId');
          }
          return { declaredUsers: readCountHeader(res.headers['x-total-count']) };
        },
        wording: { server: this.server, what: this.pathOf('users'), credentialsHint: this.credentialsHint() },
      },
      this.retryContext(options.signal),
    );
  }

  /** Closes the kept-alive connections. */
  async close(): Promise<void> {
    await this.http.close();
  }

  private retryContext(signal: AbortSignal | undefined): RetryContext {
    return {
      policy: {
        attempts: this.o.retryAttempts,
        badResponseAttempts: this.o.badResponseAttempts,
        baseDelayMs: this.o.baseDelayMs,
        maxDelayMs: this.o.maxDelayMs,
      },
      timeoutMs: this.o.timeoutMs,
      signal,
      random: this.o.random,
    };
  }

  private headers(url: string): Record<string, string> {
    const auth = this.o.auth;
    const authorization = auth.kind === 'oauth2' ? `Bearer ${this.tokens!.current()}` : authorizationHeader(auth, 'GET', url);
    return { accept: 'application/json', authorization };
  }

  /** For OAuth 2: on a 401, one fresh token and one more try (the token may have been revoked early). */
  private renewal(signal: AbortSignal | undefined): { onUnauthorized?: () => Promise<boolean> } {
    const tokens = this.tokens;
    if (!tokens) return {};
    // The token this request was sent with: captured now, before another request may renew it.
    const sent = tokens.current();
    return { onUnauthorized: () => tokens.renew(sent, signal) };
  }

  private credentialsHint(): string {
    const auth = this.o.auth;
    return auth.kind === 'oauth2' ? 'check the client id and secret, and the scopes the district granted' : credentialsHint(auth);
  }

  private pathOf(path: string): string {
    return `${new URL(this.root).pathname}/${encodePath(path)}`;
  }

  private url(path: string, params: Record<string, string | undefined>): string {
    return requestUrl(this.root, path, params);
  }
}

/** The numeric options that must be whole numbers of at least 1. */
const POSITIVE_OPTIONS = ['pageSize', 'concurrency', 'timeoutMs', 'retryAttempts', 'badResponseAttempts', 'maxRequests'] as const;

function checkCounts(o: Record<(typeof POSITIVE_OPTIONS)[number] | 'baseDelayMs' | 'maxDelayMs', number>): void {
  for (const key of POSITIVE_OPTIONS) {
    if (!Number.isInteger(o[key]) || o[key] < 1)
      throw new RollcallError('config_invalid', `The roster client's ${key} must be a whole number of at least 1.`);
  }
  for (const key of ['baseDelayMs', 'maxDelayMs'] as const) {
    if (!(o[key] >= 0)) throw new RollcallError('config_invalid', `The roster client's ${key} must not be negative.`);
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
