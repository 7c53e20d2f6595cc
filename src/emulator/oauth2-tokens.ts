/**
 * The emulator's OAuth 2 client credentials server (ONEROSTER.md §1.9): `POST /oauth/token`
 * with client_secret_basic or client_secret_post, `grant_type=client_credentials`, the 1EdTech
 * scopes checked (an unknown scope is refused; known ones the client was not granted are left
 * out of the token, as RFC 6749 §3.3 allows), tokens that expire on the emulator's clock; and
 * the check of a Bearer token on a roster request, scope by collection: demographics need
 * roster-demographics, the rest roster-core or roster (of the version of the path).
 */
import { randomBytes } from 'node:crypto';
import { bearerOf, imsxError, type Reply } from './http-io.ts';

/** The path of the token endpoint. */
export const TOKEN_PATH = '/oauth/token';

/** Lifetime of a token when none is configured (an hour, as most servers issue). */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

/** The rostering scopes of OneRoster 1.1 and 1.2. */
export const ROSTER_SCOPES = {
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

/** Every scope the endpoint knows. */
export const ALL_ROSTER_SCOPES: readonly string[] = Object.values(ROSTER_SCOPES).flatMap((v) => Object.values(v));

/** The one OAuth 2 client the emulator knows, and what it may have. */
export interface OAuth2Client {
  /** client_id. */
  clientId: string;
  /** client_secret. */
  clientSecret: string;
  /** Scopes the district granted this client. */
  grantedScopes: readonly string[];
}

interface Issued {
  scopes: ReadonlySet<string>;
  expiresAtMs: number;
}

/** Issues and checks tokens. */
export class OAuth2Tokens {
  private readonly issued = new Map<string, Issued>();
  /** Token requests answered (refused ones included). */
  requests = 0;

  constructor(
    private readonly client: OAuth2Client,
    private readonly ttlSeconds: number,
    private readonly now: () => Date,
  ) {}

  /** Answers `POST /oauth/token` (method and form body as received). */
  tokenReply(method: string, authorization: string | undefined, form: URLSearchParams): Reply {
    this.requests++;
    if (method !== 'POST') return { ...oauthError(405, 'invalid_request', 'Use POST.'), headers: { Allow: 'POST' } };
    const basic = basicCredentials(authorization);
    const posted = form.has('client_id') || form.has('client_secret');
    if (basic && posted) return oauthError(400, 'invalid_request', 'Send the client credentials one way only (Basic or form).');
    const id = basic?.id ?? form.get('client_id');
    const secret = basic?.secret ?? form.get('client_secret');
    if (id === null || secret === null || id !== this.client.clientId || secret !== this.client.clientSecret) {
      return {
        ...oauthError(401, 'invalid_client', 'Client authentication failed.'),
        headers: { 'WWW-Authenticate': 'Basic realm="oauth"' },
      };
    }
    const grant = form.get('grant_type');
    if (grant === null) return oauthError(400, 'invalid_request', 'grant_type is missing.');
    if (grant !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'Only client_credentials is offered.');
    const asked = (form.get('scope') ?? '').split(/[\s,]+/).filter((s) => s !== '');
    const unknown = asked.find((s) => !ALL_ROSTER_SCOPES.includes(s));
    if (unknown !== undefined) return oauthError(400, 'invalid_scope', `Unknown scope ${unknown}.`);
    const granted = asked.length === 0 ? [...this.client.grantedScopes] : asked.filter((s) => this.client.grantedScopes.includes(s));
    if (granted.length === 0) return oauthError(400, 'invalid_scope', 'None of the scopes asked for is granted to this client.');
    const token = randomBytes(24).toString('base64url');
    const nowMs = this.now().getTime();
    this.prune(nowMs);
    this.issued.set(token, { scopes: new Set(granted), expiresAtMs: nowMs + this.ttlSeconds * 1000 });
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
      body: { access_token: token, token_type: 'Bearer', expires_in: this.ttlSeconds, scope: granted.join(' ') },
    };
  }

  /**
   * Checks a roster request's Bearer token for a collection (null when the path names none):
   * a 401 for a missing, unknown or expired token, a 403 for a token without the scope, null
   * when let in.
   */
  refuse(authorization: string | undefined, version: keyof typeof ROSTER_SCOPES, collection: string | null): Reply | null {
    const token = bearerOf(authorization);
    if (token === undefined) return unauthorized('A Bearer access token is required.', 'Bearer realm="oneroster"');
    const found = this.issued.get(token);
    if (!found) return unauthorized('The access token is not known.', 'Bearer realm="oneroster", error="invalid_token"');
    if (this.now().getTime() >= found.expiresAtMs) {
      return unauthorized('The access token has expired.', 'Bearer realm="oneroster", error="invalid_token", error_description="expired"');
    }
    if (collection === null) return null;
    const s = ROSTER_SCOPES[version];
    const ok = collection === 'demographics' ? found.scopes.has(s.demographics) : found.scopes.has(s.core) || found.scopes.has(s.roster);
    if (ok) return null;
    const need = collection === 'demographics' ? s.demographics : `${s.core} or ${s.roster}`;
    return {
      ...imsxError(403, 'forbidden', `The access token lacks the scope ${need}.`),
      headers: { 'WWW-Authenticate': 'Bearer realm="oneroster", error="insufficient_scope"' },
    };
  }

  /** Ends every token at once (a server that revoked them early). */
  revokeAll(): void {
    this.issued.clear();
  }

  private prune(nowMs: number): void {
    for (const [t, i] of this.issued) if (i.expiresAtMs <= nowMs) this.issued.delete(t);
  }
}

/** The id and secret of an HTTP Basic header (each part form-decoded, RFC 6749 §2.3.1), or undefined. */
function basicCredentials(authorization: string | undefined): { id: string; secret: string } | undefined {
  const m = /^\s*Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: decode(text.slice(0, colon)), secret: decode(text.slice(colon + 1)) };
}

function oauthError(status: number, error: string, description: string): Reply {
  return { status, headers: { 'Cache-Control': 'no-store' }, body: { error, error_description: description } };
}

function unauthorized(description: string, challenge: string): Reply {
  return { ...imsxError(401, 'unauthorisedrequest', description), headers: { 'WWW-Authenticate': challenge } };
}

/** Largest token request body read (a form of a few fields). */
const MAX_FORM_BYTES = 64 * 1024;

/** Reads an application/x-www-form-urlencoded request body (empty when too large). */
export async function readForm(req: AsyncIterable<unknown>): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_FORM_BYTES) return new URLSearchParams();
    chunks.push(b);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
