/**
 * Reading the emulated sign-in's requests (pure): an authorization request checked against the
 * registered clients, the client credentials of a token request (client_secret_post or
 * client_secret_basic), and redirect URLs back to the app.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AuthRequest } from './sso-grants.ts';
import type { SsoClient } from './types.ts';

/** Scopes ClassLink lists (CLASSLINK.md §2.2); others are refused with invalid_scope. */
export const SSO_SCOPES = [
  'openid',
  'profile',
  'email',
  'oneroster',
  'full',
  'classes',
  'classes.readonly',
  'admin',
  'inbox',
  'files',
] as const;

/** An S256 code challenge: 43 base64url characters (RFC 7636 §4.2). */
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** The outcome of reading an authorization request. */
export type AuthRequestResult =
  | { kind: 'ok'; request: AuthRequest }
  /** Cannot go back to the app (unknown client, unregistered redirect URI): shown as a page. */
  | { kind: 'page'; message: string }
  /** Goes back to the app's redirect URI with `error` (and `state`). */
  | { kind: 'redirect'; redirectUri: string; error: string; description: string; state?: string };

/** Splits `scope`: ClassLink accepts spaces (most clients) and commas (yesod-auth-oauth2). */
export function splitScopes(scope: string): string[] {
  return scope.split(/[\s,]+/).filter((s) => s !== '');
}

/** Reads `/oauth2/v2/auth` parameters. */
export function readAuthRequest(params: URLSearchParams, clients: readonly SsoClient[]): AuthRequestResult {
  const clientId = params.get('client_id') ?? '';
  const client = clients.find((c) => c.clientId === clientId);
  if (!client) return { kind: 'page', message: clientId ? `There is no app with client_id ${clientId}.` : 'client_id is missing.' };
  const redirectUri = params.get('redirect_uri') ?? '';
  if (!client.redirectUris.includes(redirectUri)) {
    return {
      kind: 'page',
      message: redirectUri
        ? `redirect_uri ${redirectUri} is not registered for this app (registered: ${client.redirectUris.join(', ') || 'none'}).`
        : 'redirect_uri is missing.',
    };
  }
  const state = params.get('state') ?? undefined;
  const back = (error: string, description: string): AuthRequestResult => ({
    kind: 'redirect',
    redirectUri,
    error,
    description,
    ...(state !== undefined ? { state } : {}),
  });
  const responseType = params.get('response_type');
  if (responseType !== 'code') return back('unsupported_response_type', `response_type must be "code", not "${responseType ?? ''}".`);
  const scopes = splitScopes(params.get('scope') ?? '');
  if (scopes.length === 0) return back('invalid_scope', 'scope is missing.');
  const unknown = scopes.filter((s) => !(SSO_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) return back('invalid_scope', `Unknown scope: ${unknown.join(', ')}.`);
  const challenge = params.get('code_challenge') ?? undefined;
  const method = params.get('code_challenge_method') ?? undefined;
  if (challenge !== undefined || method !== undefined) {
    if (method !== 'S256') return back('invalid_request', 'code_challenge_method must be S256.');
    if (challenge === undefined || !CODE_CHALLENGE.test(challenge))
      return back('invalid_request', 'code_challenge must be 43 base64url characters.');
  }
  const nonce = params.get('nonce') ?? undefined;
  return {
    kind: 'ok',
    request: {
      clientId,
      redirectUri,
      scopes,
      launch: false,
      ...(state !== undefined ? { state } : {}),
      ...(nonce !== undefined ? { nonce } : {}),
      ...(challenge !== undefined ? { codeChallenge: challenge } : {}),
    },
  };
}

/** The redirect URI with parameters added (after any query it already has). */
export function redirectWith(redirectUri: string, add: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(add)) if (v !== undefined) url.searchParams.append(k, v);
  return url.toString();
}

/** Client credentials as presented, and how. */
export interface PresentedClient {
  clientId: string;
  clientSecret: string | undefined;
  method: 'client_secret_basic' | 'client_secret_post';
}

/** Decodes one part of a Basic credential: RFC 6749 §2.3.1 form-encodes id and secret first. */
function formDecode(part: string): string {
  return decodeURIComponent(part.replace(/\+/g, ' '));
}

/**
 * The client credentials of a token request: HTTP Basic when present (then a `client_id` in
 * the form, if any, must agree), else `client_id` and `client_secret` in the form. A string is
 * an `invalid_request` description.
 */
export function presentedClient(authorization: string | undefined, form: URLSearchParams): PresentedClient | string {
  const m = /^\s*Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (m) {
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'The Basic credentials are malformed.';
    let clientId: string;
    let clientSecret: string;
    try {
      clientId = formDecode(decoded.slice(0, colon));
      clientSecret = formDecode(decoded.slice(colon + 1));
    } catch {
      return 'The Basic credentials are malformed.';
    }
    const inForm = form.get('client_id');
    if (inForm !== null && inForm !== clientId) return 'client_id in the body differs from the Basic credentials.';
    return { clientId, clientSecret, method: 'client_secret_basic' };
  }
  const clientId = form.get('client_id');
  if (clientId === null) return 'Client authentication is missing (client_secret_post or client_secret_basic).';
  return { clientId, clientSecret: form.get('client_secret') ?? undefined, method: 'client_secret_post' };
}

/** Whether a presented secret is the client's (in constant time). */
export function secretMatches(presented: string | undefined, actual: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}
