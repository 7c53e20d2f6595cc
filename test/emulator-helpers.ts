/**
 * Test helpers for the emulator's own tests: requests signed with the oauth-1.0a package (as
 * Rollcall's client signs), or by a small signer that mimics ClassLink's Node library (no
 * oauth_version, 10-character nonce, encodeURIComponent plus `'`), and proxy requests.
 */
import { createHmac, randomBytes } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { RunningEmulator } from '../src/emulator/types.ts';

/** The OneRoster 1.1 base path. */
export const V1P1 = '/ims/oneroster/v1p1';

/** How to sign one request. */
export interface SignOptions {
  /** Signature method (default HMAC-SHA256). */
  method?: 'HMAC-SHA1' | 'HMAC-SHA256';
  /** Sign like ClassLink's Node library (no oauth_version) instead of with oauth-1.0a. */
  classlinkStyle?: boolean;
  /** Consumer key and secret (default: the emulator's). */
  key?: string;
  /** Consumer secret. */
  secret?: string;
  /** oauth_timestamp (classlinkStyle only; default now). */
  timestamp?: number;
  /** oauth_nonce (classlinkStyle only; default random). */
  nonce?: string;
  /** Header prefix `OAuth, ` as ClassLink's .NET library writes it. */
  commaPrefix?: boolean;
}

/** The Authorization header for a GET of `url`. */
export function oauthHeader(url: string, key: string, secret: string, opts: SignOptions = {}): string {
  const method = opts.method ?? 'HMAC-SHA256';
  const hash = method === 'HMAC-SHA1' ? 'sha1' : 'sha256';
  let header: string;
  if (opts.classlinkStyle) {
    header = classlinkStyleHeader(url, key, secret, hash, method, opts);
  } else {
    const oauth = new OAuth({
      consumer: { key, secret },
      signature_method: method,
      hash_function: (base, signingKey) => createHmac(hash, signingKey).update(base).digest('base64'),
    });
    header = oauth.toHeader(oauth.authorize({ url, method: 'GET' })).Authorization;
  }
  return opts.commaPrefix ? header.replace(/^OAuth /, 'OAuth, ') : header;
}

/** encodeURIComponent with `'` re-encoded, as ClassLink's Node library does. */
function clEncode(s: string): string {
  return encodeURIComponent(s).replace(/'/g, '%27');
}

function classlinkStyleHeader(url: string, key: string, secret: string, hash: string, method: string, opts: SignOptions): string {
  const [base, query = ''] = url.split('?') as [string, string?];
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? randomBytes(8).toString('hex').slice(0, 10);
  const oauth: Record<string, string> = {
    oauth_consumer_key: key,
    oauth_signature_method: method,
    oauth_timestamp: timestamp,
    oauth_nonce: nonce,
  };
  const params: string[] = [];
  for (const part of query.split('&').filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const k = decodeURIComponent(part.slice(0, eq));
    const v = decodeURIComponent(part.slice(eq + 1));
    params.push(`${clEncode(k)}=${clEncode(v)}`);
  }
  for (const [k, v] of Object.entries(oauth)) params.push(`${clEncode(k)}=${clEncode(v)}`);
  params.sort();
  const baseString = `GET&${clEncode(base)}&${clEncode(params.join('&'))}`;
  const signature = createHmac(hash, `${clEncode(secret)}&`)
    .update(baseString)
    .digest('base64');
  const fields = { ...oauth, oauth_signature: signature };
  return `OAuth ${Object.entries(fields)
    .map(([k, v]) => `${k}="${clEncode(v)}"`)
    .join(',')}`;
}

/** A signed GET of a OneRoster path (after /ims/oneroster/v1p1) on the direct Roster Server. */
export async function rosterGet(emu: RunningEmulator, path: string, opts: SignOptions = {}): Promise<Response> {
  const url = `${emu.url}${V1P1}${path}`;
  const header = oauthHeader(url, opts.key ?? emu.credentials.clientId, opts.secret ?? emu.credentials.clientSecret, opts);
  return fetch(url, { headers: { Authorization: header } });
}

/** A GET through the proxy (`/{appId}/ims/oneroster/v1p1/…`) with a Bearer token. */
export async function proxyGet(
  emu: RunningEmulator,
  path: string,
  token = emu.credentials.bearerToken,
  appId = emu.credentials.appId,
): Promise<Response> {
  return fetch(`${emu.url}/${appId}${V1P1}${path}`, { headers: { Authorization: `Bearer ${token}` } });
}

/** GETs a OneRoster path and parses the JSON body (expects 200). */
export async function rosterJson<T = Record<string, unknown>>(emu: RunningEmulator, path: string): Promise<{ res: Response; body: T }> {
  const res = await rosterGet(emu, path);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return { res, body: JSON.parse(text) as T };
}

/** Fetches every page of a collection path (limit given in the path's own query is replaced). */
export async function pullAll<T = Record<string, unknown>>(emu: RunningEmulator, path: string, key: string, limit = 10_000): Promise<T[]> {
  const out: T[] = [];
  const sep = path.includes('?') ? '&' : '?';
  for (let offset = 0; ; offset += limit) {
    const { body } = await rosterJson<Record<string, T[]>>(emu, `${path}${sep}limit=${limit}&offset=${offset}`);
    const page = body[key]!;
    out.push(...page);
    if (page.length < limit) return out;
  }
}

/** Percent-encodes a filter (or any) query value with %20 for spaces, as careful clients do. */
export function q(value: string): string {
  return encodeURIComponent(value);
}
