/**
 * Who may read the roster: an OAuth 1.0a signature from an approved tenant's consumer key on
 * the direct Roster Server, or an approved tenant's Bearer token on its proxy path.
 */
import type { IncomingMessage } from 'node:http';
import { bearerOf, imsxError, type Reply } from './http-io.ts';
import type { OAuth1Verifier } from './oauth1-verify.ts';
import type { EmulatorTenant } from './types.ts';

/** What a request is checked against. */
export interface RosterAuth {
  /** Every tenant (only approved ones get in). */
  tenants: readonly EmulatorTenant[];
  /** Verifies OAuth 1.0a signatures (and remembers nonces). */
  verifier: OAuth1Verifier;
  /** `host:port` for the signature base URL when a request has no Host header. */
  fallbackHost: string;
}

/**
 * Checks a OneRoster request; a 401/404 reply when refused, null when let in. `appId` is the
 * proxy path's application id as sent, or null on the direct server.
 */
export function refuseRosterRequest(
  auth: RosterAuth,
  req: IncomingMessage,
  rawPath: string,
  rawQuery: string,
  appId: string | null,
): Reply | null {
  let tenant: EmulatorTenant | undefined;
  const challenge = appId === null ? 'OAuth realm="oneroster"' : 'Bearer';
  if (appId === null) {
    const verdict = auth.verifier.verify({
      method: req.method ?? 'GET',
      baseUrl: `http://${(req.headers.host ?? auth.fallbackHost).toLowerCase()}${rawPath}`,
      rawQuery,
      authorization: req.headers.authorization,
    });
    if (!verdict.ok) return unauthorized(`OAuth 1.0a refused: ${verdict.reason}.`, challenge);
    tenant = auth.tenants.find((t) => t.clientId === verdict.consumerKey);
  } else {
    tenant = auth.tenants.find((t) => t.appId === appId);
    if (!tenant) {
      return imsxError(404, 'unknownobject', 'No application has this id (send it exactly as listed, already percent-encoded).');
    }
    if (bearerOf(req.headers.authorization) !== tenant.bearerToken) return unauthorized('The Bearer token is missing or wrong.', challenge);
  }
  if (!tenant?.approved) return unauthorized('The district has not approved this application.', challenge);
  return null;
}

function unauthorized(description: string, challenge: string): Reply {
  return { ...imsxError(401, 'unauthorisedrequest', description), headers: { 'WWW-Authenticate': challenge } };
}
