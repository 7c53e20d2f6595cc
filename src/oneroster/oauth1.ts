/**
 * OAuth 1.0a one-legged request signing, as OneRoster 1.1 Roster Servers (ClassLink "direct")
 * expect it (ONEROSTER.md §1.9): HMAC-SHA256 by default, HMAC-SHA1 on request, query parameters
 * in the base string, RFC 3986 encoding, no token. The `oauth-1.0a` package builds the base
 * string and header; node:crypto computes the HMAC.
 */
import { createHmac, randomBytes } from 'node:crypto';
import OAuth from 'oauth-1.0a';

/** The signature methods Roster Servers accept. */
export type SignatureMethod = 'HMAC-SHA256' | 'HMAC-SHA1';

/** The consumer credentials of a direct Roster Server connection. */
export interface OAuth1Credentials {
  /** OAuth consumer key (ClassLink "client id" / "key"). */
  clientId: string;
  /** OAuth consumer secret. */
  clientSecret: string;
  /** HMAC-SHA256 (default, what ClassLink documents) or HMAC-SHA1. */
  signatureMethod?: SignatureMethod;
  /** Whether to send `oauth_version="1.0"` (default true; ClassLink's own libraries omit it). */
  includeVersion?: boolean;
}

/** Nonce and timestamp, fixed only by tests reproducing a known-answer vector. */
export interface OAuth1Fixed {
  /** The oauth_nonce to use instead of a random one. */
  nonce?: string;
  /** The oauth_timestamp (unix seconds) to use instead of the clock. */
  timestamp?: number;
}

/** Everything a signature was computed from, for tests and diagnostics (never logged). */
export interface OAuth1Signed {
  /** The signature base string. */
  baseString: string;
  /** The base64 signature. */
  signature: string;
  /** The `Authorization` header value. */
  header: string;
}

/** Bytes of randomness per nonce: 16 bytes give 32 hex characters, all unreserved. */
const NONCE_BYTES = 16;

const HASH_BY_METHOD: Record<SignatureMethod, string> = { 'HMAC-SHA256': 'sha256', 'HMAC-SHA1': 'sha1' };

/** Percent-encodes a string as RFC 3986 (and OAuth 1.0a §3.6) require: only A-Z a-z 0-9 - . _ ~ stay raw. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Splits a URL into its base (no query, no fragment) and its decoded query parameters, as
 * OAuth 1.0a §3.4.1.3.1 reads them (`+` is a space; repeated names become arrays).
 */
export function splitQuery(url: string): { baseUrl: string; params: Record<string, string | string[]> } {
  const noFragment = url.split('#')[0] ?? '';
  const q = noFragment.indexOf('?');
  const baseUrl = q < 0 ? noFragment : noFragment.slice(0, q);
  const params: Record<string, string | string[]> = {};
  if (q < 0) return { baseUrl, params };
  for (const part of noFragment.slice(q + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    // Split at the first '=' only: filter values such as role='student' may carry more.
    const name = decodeForm(eq < 0 ? part : part.slice(0, eq));
    const value = decodeForm(eq < 0 ? '' : part.slice(eq + 1));
    const prior = params[name];
    if (prior === undefined) params[name] = value;
    else params[name] = Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return { baseUrl, params };
}

function decodeForm(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    // A stray '%' is sent as-is by some servers' Link headers; sign what was written.
    return s;
  }
}

/** Signs one request: returns the base string, the signature and the Authorization header. */
export function signOAuth1(credentials: OAuth1Credentials, method: string, url: string, fixed: OAuth1Fixed = {}): OAuth1Signed {
  const signatureMethod = credentials.signatureMethod ?? 'HMAC-SHA256';
  const hash = HASH_BY_METHOD[signatureMethod];
  const oauth = new OAuth({
    consumer: { key: credentials.clientId, secret: credentials.clientSecret },
    signature_method: signatureMethod,
    hash_function: (base, key) => createHmac(hash, key).update(base).digest('base64'),
  });
  const oauthData: OAuth.Data = {
    oauth_consumer_key: credentials.clientId,
    oauth_nonce: fixed.nonce ?? randomBytes(NONCE_BYTES).toString('hex'),
    oauth_signature_method: signatureMethod,
    oauth_timestamp: fixed.timestamp ?? Math.floor(Date.now() / 1000),
  } as OAuth.Data;
  if (credentials.includeVersion !== false) oauthData.oauth_version = '1.0';

  // The library mixes query params from the URL into the object it is given, and its own URL
  // parser cuts values at a second '=' (filter=role='x'): give it copies and parsed params.
  const { baseUrl, params } = splitQuery(url);
  const request: OAuth.RequestOptions = { url: baseUrl, method, data: { ...params } };
  const baseString = oauth.getBaseString({ ...request, data: { ...params } }, { ...oauthData });
  const signature = oauth.getSignature(request, undefined, { ...oauthData });
  const header = oauth.toHeader({ ...oauthData, oauth_signature: signature }).Authorization;
  return { baseString, signature, header };
}
