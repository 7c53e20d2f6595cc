/**
 * Reading an OAuth 2 token endpoint's answer (RFC 6749 §5.1, §5.2) for the client credentials
 * grant, pure: a token with its lifetime, or the one plain sentence that says why not. The
 * server's `error_description` is left out of messages (it is free text from outside); the
 * `error` code is kept, since it says what to check.
 */
import { RollcallError } from '../domain/errors.ts';

/** A token as the endpoint issued it. */
export interface IssuedToken {
  /** The access token (a secret: never logged). */
  accessToken: string;
  /** Seconds it is valid for, or null when the endpoint did not say. */
  expiresIn: number | null;
  /** The scopes granted (space-separated in the response), or null when the endpoint did not say. */
  scopes: string[] | null;
}

/** Words for the messages: `the token endpoint at id.example.org/oauth/token`. */
export interface TokenEndpointWording {
  /** Who answers. */
  endpoint: string;
}

/** Reads a 2xx body; throws a bad_response RollcallError when it holds no usable token. */
export function readTokenResponse(body: string, w: TokenEndpointWording): IssuedToken {
  const json = parseObject(body);
  if (!json) throw new RollcallError('bad_response', `${cap(w.endpoint)} sent something other than a JSON token response.`);
  const token = json['access_token'];
  if (typeof token !== 'string' || token.trim() === '') {
    throw new RollcallError('bad_response', `${cap(w.endpoint)} sent a token response without an access_token.`);
  }
  const type = json['token_type'];
  // RFC 6749 makes token_type required and case-insensitive; a server that leaves it out still
  // means Bearer in practice. Another type (mac, DPoP) is one Rollcall cannot send.
  if (typeof type === 'string' && type.trim().toLowerCase() !== 'bearer') {
    throw new RollcallError(
      'bad_response',
      `${cap(w.endpoint)} issued a "${type.slice(0, 20)}" token; Rollcall can only use Bearer tokens.`,
    );
  }
  const rawExpiry = json['expires_in'];
  const expiresIn =
    typeof rawExpiry === 'number' ? rawExpiry : typeof rawExpiry === 'string' && /^\s*\d+\s*$/.test(rawExpiry) ? Number(rawExpiry) : null;
  const rawScope = json['scope'];
  return {
    accessToken: token.trim(),
    expiresIn: expiresIn !== null && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : null,
    scopes: typeof rawScope === 'string' ? rawScope.split(/[\s,]+/).filter((s) => s !== '') : null,
  };
}

/** The RollcallError for a refusal (4xx other than 404/405/429), from its status and error code. */
export function tokenRefusal(status: number, body: string, w: TokenEndpointWording): RollcallError {
  const code = errorCode(body);
  const at = cap(w.endpoint);
  switch (code) {
    case 'invalid_scope':
      return new RollcallError(
        'credentials_refused',
        `${at} refused the scopes asked for (invalid_scope); ask the district which OneRoster scopes this client is granted and set them with --scopes.`,
      );
    case 'unsupported_grant_type':
      return new RollcallError(
        'bad_response',
        `${at} does not offer the client credentials grant (unsupported_grant_type); check the token URL.`,
      );
    case 'invalid_client':
    case 'unauthorized_client':
    case 'invalid_grant':
    case 'access_denied':
      return new RollcallError(
        'credentials_refused',
        `${at} refused the client credentials (${code}, HTTP ${status}); check the client id and secret.`,
      );
    default:
      if (status === 401 || status === 403 || code === '') {
        return new RollcallError(
          'credentials_refused',
          `${at} refused the client credentials (HTTP ${status}); check the client id and secret.`,
        );
      }
      return new RollcallError('bad_response', `${at} rejected the token request with HTTP ${status} (${code.slice(0, 40)}).`);
  }
}

/** The `error` code of an RFC 6749 error body ('' when there is none). */
function errorCode(body: string): string {
  const value = parseObject(body)?.['error'];
  return typeof value === 'string' ? value.trim() : '';
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
