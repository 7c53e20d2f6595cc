/**
 * Rollcall's ClassLink sign-in client (SPEC §4), on openid-client: discovery at the
 * LaunchPad host, the authorization-code flow with state, nonce and PKCE when we start it, the
 * code exchange with the id_token checked (issuer, audience, expiry, nonce — and its RS256
 * signature against the JWKS, which openid-client skips for token-endpoint responses unless
 * asked: enableNonRepudiationChecks), then who the person is from ClassLink's `/v2/my/info`.
 *
 * A LaunchPad tile sends the browser to our callback with a code and no state (ClassLink's
 * IdP-initiated launch, CLASSLINK.md §2.5): that code is exchanged without state, nonce or PKCE
 * checks — acceptable only because the person is then matched to an Active patron of a library
 * that allows ClassLink sign-in, and nothing is ever created.
 */
import * as oidc from 'openid-client';
import { RollcallError } from '../domain/errors.ts';
import type { MyInfo } from './decide.ts';

/** Where ClassLink is and which client we are. */
export interface SsoClientConfig {
  /** The LaunchPad host = the OIDC issuer (ROLLCALL_CLASSLINK_LAUNCHPAD_URL). */
  issuer: string;
  /** The host of `/v2/my/info` (ROLLCALL_CLASSLINK_API_URL). */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /**
   * Our callback, as registered with ClassLink: where an app-initiated flow asks to come back
   * to, and at the callback the address the code arrived at (sent again with the code).
   */
  redirectUri: string;
}

/** What we remember between sending the person to ClassLink and their return. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  /** The library the flow was started for, when one was named. */
  library: string;
}

/** The scopes asked for (ClassLink's docs: `profile`, `oneroster`; `openid` for the id_token). */
const SCOPES = 'openid profile email oneroster';
/** Discovery documents are kept this long. */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;
/** ClassLink's requests get this long. */
const TIMEOUT_SECONDS = 15;

const discovered = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

/** The openid-client configuration for ClassLink (cached; a failed discovery is not). */
async function configurationOf(c: SsoClientConfig): Promise<oidc.Configuration> {
  const key = `${c.issuer}\0${c.clientId}\0${c.clientSecret}`;
  const hit = discovered.get(key);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
  const config = (async () => {
    const insecure = c.issuer.startsWith('http:');
    const configuration = await oidc.discovery(
      new URL(c.issuer),
      c.clientId,
      { client_secret: c.clientSecret },
      oidc.ClientSecretPost(c.clientSecret),
      {
        // Only a plain-http issuer (the emulator on loopback) needs this; ClassLink is https.
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        timeout: TIMEOUT_SECONDS,
      },
    );
    oidc.enableNonRepudiationChecks(configuration);
    return configuration;
  })();
  discovered.set(key, { at: Date.now(), config });
  config.catch(() => discovered.delete(key));
  return config;
}

/** Starts an app-initiated sign-in: the URL to send the browser to, and what to remember. */
export async function beginSignIn(c: SsoClientConfig, library: string): Promise<{ url: string; pending: PendingSignIn }> {
  const config = await reach(() => configurationOf(c));
  const pending: PendingSignIn = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier(), library };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: c.redirectUri,
    scope: SCOPES,
    response_type: 'code',
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
  });
  return { url: url.href, pending };
}

/**
 * Finishes a sign-in at the callback: exchanges the code (checking state, nonce and PKCE when
 * `pending` is given — the app-initiated flow — none of them for a LaunchPad launch), checks
 * the id_token, and asks ClassLink who the person is. `query` is the callback's query string;
 * the token request sends `c.redirectUri` as redirect_uri (openid-client sends the callback
 * address without its query, which is why it is built from c.redirectUri here). Throws
 * RollcallError('credentials_refused') with a sentence for anything wrong.
 */
export async function finishSignIn(c: SsoClientConfig, query: URLSearchParams, pending: PendingSignIn | null): Promise<MyInfo> {
  const config = await reach(() => configurationOf(c));
  const callbackUrl = new URL(c.redirectUri);
  callbackUrl.search = query.toString();
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(
      config,
      callbackUrl,
      pending
        ? { expectedState: pending.state, expectedNonce: pending.nonce, pkceCodeVerifier: pending.verifier, idTokenExpected: true }
        : { idTokenExpected: true },
    );
  } catch (e) {
    throw new RollcallError(
      'credentials_refused',
      `ClassLink's answer could not be trusted (${describeOidcError(e)}); nothing was signed in.`,
      { cause: e },
    );
  }
  return myInfo(c, tokens.access_token);
}

/** Reads `/v2/my/info` with the person's access token. */
async function myInfo(c: SsoClientConfig, accessToken: string): Promise<MyInfo> {
  let response: Response;
  try {
    response = await fetch(`${c.apiUrl.replace(/\/+$/, '')}/v2/my/info`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(TIMEOUT_SECONDS * 1000),
    });
  } catch (e) {
    throw new RollcallError('source_unreachable', 'ClassLink could not be reached to find out who you are; try again in a moment.', {
      cause: e,
    });
  }
  if (!response.ok) {
    throw new RollcallError(
      'bad_response',
      `ClassLink did not say who you are (it answered ${response.status} to /v2/my/info); try again in a moment.`,
    );
  }
  const body = (await response.json().catch(() => null)) as Partial<MyInfo> | null;
  const tenant = Number(body?.TenantId);
  if (!body || typeof body.SourcedId !== 'string' || !Number.isFinite(tenant)) {
    throw new RollcallError('bad_response', 'ClassLink answered /v2/my/info without a SourcedId or TenantId; nothing was signed in.');
  }
  return { ...(body as MyInfo), TenantId: tenant, UserId: Number(body.UserId) };
}

async function reach<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw new RollcallError(
      'source_unreachable',
      `ClassLink sign-in is not reachable right now (${describeOidcError(e)}); try again in a moment.`,
      { cause: e },
    );
  }
}

/** A short, secret-free description of an openid-client failure. */
function describeOidcError(e: unknown): string {
  const err = e as { code?: string; error?: string; message?: string };
  const text = err.error ?? err.message ?? String(e);
  return text.replace(/\s+/g, ' ').slice(0, 160);
}
