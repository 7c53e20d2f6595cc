/**
 * Server-side OAuth 1.0a (RFC 5849) verification of two-legged requests, as a OneRoster Roster
 * Server does it: HMAC-SHA1 or HMAC-SHA256, `oauth_version` optional, query parameters in the
 * signature base string, key `enc(secret)&`. Written independently of the client's signer so
 * that each checks the other.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signature methods accepted, with their node:crypto hash names. */
const METHODS: Record<string, string> = { 'HMAC-SHA1': 'sha1', 'HMAC-SHA256': 'sha256' };

/** RFC 3986 percent-encoding: everything but unreserved characters (A-Z a-z 0-9 - . _ ~). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Decodes one form-encoded query component (`+` is a space, RFC 5849 §3.4.1.3.1); null when malformed. */
function formDecode(value: string): string | null {
  return percentDecode(value.replace(/\+/g, ' '));
}

/** Decodes percent-escapes (a header value's `+` stays a plus); null when malformed. */
function percentDecode(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

/** The name/value pairs of a raw query string (without `?`); null when malformed. */
export function queryPairs(rawQuery: string): [string, string][] | null {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = formDecode(eq < 0 ? part : part.slice(0, eq));
    const value = formDecode(eq < 0 ? '' : part.slice(eq + 1));
    if (name === null || value === null) return null;
    pairs.push([name, value]);
  }
  return pairs;
}

/** The signature base string: METHOD & enc(base URL) & enc(sorted, encoded parameters). */
export function signatureBaseString(method: string, baseUrl: string, params: readonly [string, string][]): string {
  const encoded = params.map(([k, v]) => [percentEncode(k), percentEncode(v)] as const);
  encoded.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const normalized = encoded.map(([k, v]) => `${k}=${v}`).join('&');
  return `${method.toUpperCase()}&${percentEncode(baseUrl)}&${percentEncode(normalized)}`;
}

/** The base64 HMAC signature of a base string with key `enc(consumerSecret)&` (no token). */
export function sign(signatureMethod: string, baseString: string, consumerSecret: string): string {
  const hash = METHODS[signatureMethod];
  if (!hash) throw new Error(`unsupported signature method ${signatureMethod}`);
  return createHmac(hash, `${percentEncode(consumerSecret)}&`)
    .update(baseString)
    .digest('base64');
}

/**
 * The parameters of an `Authorization: OAuth …` header, or null when it is not one. Accepts
 * `OAuth k="v", …` and the `OAuth, k="v"` form of ClassLink's .NET library; values are
 * percent-decoded; `realm` is dropped (it is not signed).
 */
export function parseOAuthHeader(header: string): Map<string, string> | null {
  const m = /^\s*OAuth\b\s*,?\s*/i.exec(header);
  if (!m) return null;
  const params = new Map<string, string>();
  const pair = /\s*([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"\s*(?:,|$)/y;
  pair.lastIndex = m[0].length;
  while (pair.lastIndex < header.length) {
    const p = pair.exec(header);
    if (!p) return null;
    const name = percentDecode(p[1]!);
    const value = percentDecode(p[2]!);
    if (name === null || value === null) return null;
    if (name !== 'realm') params.set(name, value);
  }
  return params;
}

/** Why a request was refused, or the consumer key it was signed with. */
export type Verdict = { ok: true; consumerKey: string } | { ok: false; reason: string };

/** Settings of a verifier. */
export interface VerifierOptions {
  /** The secret of a consumer key, or undefined when the key is unknown. */
  secretOf(consumerKey: string): string | undefined;
  /** Largest accepted distance between oauth_timestamp and the clock, in seconds. */
  maxClockSkewSeconds: number;
  /** The clock. */
  now(): Date;
}

/** The request as the verifier needs it. */
export interface SignedRequest {
  /** HTTP method. */
  method: string;
  /** `scheme://host[:port]/path` as the client addressed it (no query). */
  baseUrl: string;
  /** Raw query string, without `?`. */
  rawQuery: string;
  /** The Authorization header, if any. */
  authorization: string | undefined;
}

/** Verifies signed requests and remembers nonces so that a replay is refused. */
export class OAuth1Verifier {
  private readonly seen = new Map<string, number>();
  private sweepAt = NONCE_SWEEP_SIZE;

  constructor(private readonly options: VerifierOptions) {}

  /** Checks a request's signature, timestamp and nonce. */
  verify(request: SignedRequest): Verdict {
    const oauth = request.authorization ? parseOAuthHeader(request.authorization) : null;
    if (!oauth) return refuse('an OAuth 1.0a Authorization header is required');
    const key = oauth.get('oauth_consumer_key');
    const method = oauth.get('oauth_signature_method') ?? '';
    const timestamp = oauth.get('oauth_timestamp') ?? '';
    const nonce = oauth.get('oauth_nonce');
    const signature = oauth.get('oauth_signature');
    if (!key || !nonce || !signature) return refuse('oauth_consumer_key, oauth_nonce and oauth_signature are required');
    if (!METHODS[method]) return refuse(`signature method "${method}" is not supported (use HMAC-SHA256 or HMAC-SHA1)`);
    const version = oauth.get('oauth_version');
    if (version !== undefined && version !== '1.0') return refuse(`oauth_version must be 1.0`);
    const secret = this.options.secretOf(key);
    if (secret === undefined) return refuse('the consumer key is not known');
    if (!/^\d+$/.test(timestamp)) return refuse('oauth_timestamp must be whole seconds');
    const nowSeconds = Math.floor(this.options.now().getTime() / 1000);
    if (Math.abs(nowSeconds - Number(timestamp)) > this.options.maxClockSkewSeconds) {
      return refuse('the timestamp is too far from the server clock');
    }
    const query = queryPairs(request.rawQuery);
    if (!query) return refuse('the query string is not validly encoded');
    const params: [string, string][] = [...query];
    for (const [k, v] of oauth) if (k !== 'oauth_signature') params.push([k, v]);
    const expected = sign(method, signatureBaseString(request.method, request.baseUrl, params), secret);
    if (!sameText(expected, signature)) return refuse('the signature does not match');
    const nonceKey = `${key}\u0000${timestamp}\u0000${nonce}`;
    this.forgetOld(nowSeconds);
    if (this.seen.has(nonceKey)) return refuse('the nonce was already used');
    this.seen.set(nonceKey, Number(timestamp));
    return { ok: true, consumerKey: key };
  }

  /** Nonces older than the skew window can no longer be replayed (their timestamp is stale). */
  private forgetOld(nowSeconds: number): void {
    if (this.seen.size < this.sweepAt) return;
    for (const [k, ts] of this.seen) if (nowSeconds - ts > this.options.maxClockSkewSeconds) this.seen.delete(k);
    // Sweep again only after the map has doubled, so sweeps stay amortised O(1) per request.
    this.sweepAt = Math.max(NONCE_SWEEP_SIZE, this.seen.size * 2);
  }
}

/** Nonces kept before the first sweep of old ones (a sweep is linear, so not on every request). */
const NONCE_SWEEP_SIZE = 10_000;

function refuse(reason: string): Verdict {
  return { ok: false, reason };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
