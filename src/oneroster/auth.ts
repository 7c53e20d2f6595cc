/**
 * How requests to a Roster Server are authenticated: OAuth 1.0a signatures (direct connection)
 * or a static Bearer token (the ClassLink OneRoster proxy). Each attempt is signed afresh, so a
 * retried request never reuses a nonce.
 */
import { signOAuth1, type SignatureMethod } from './oauth1.ts';

/** The credentials of a roster connection. */
export type RosterAuth =
  | {
      /** OAuth 1.0a one-legged signing (ClassLink direct, any OneRoster 1.1 server). */
      kind: 'oauth1';
      /** Consumer key. */
      clientId: string;
      /** Consumer secret. */
      clientSecret: string;
      /** HMAC-SHA256 (default) or HMAC-SHA1. */
      signatureMethod?: SignatureMethod;
      /** Whether to send oauth_version (default true). */
      includeVersion?: boolean;
    }
  | {
      /** A static Bearer token (ClassLink OneRoster proxy). */
      kind: 'bearer';
      /** The access token. */
      token: string;
    };

/** The Authorization header value for one GET of this exact URL (query included). */
export function authorizationHeader(auth: RosterAuth, method: string, url: string): string {
  if (auth.kind === 'bearer') return `Bearer ${auth.token}`;
  return signOAuth1(auth, method, url).header;
}

/** What to tell a person whose credentials were refused. */
export function credentialsHint(auth: RosterAuth): string {
  return auth.kind === 'bearer' ? 'check the access token (or validate the Tenant ID again)' : 'check the client id (key) and secret';
}
