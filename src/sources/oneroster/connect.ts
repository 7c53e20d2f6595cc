/**
 * `rollcall oneroster configure`: how Rollcall reaches a district's OneRoster server — its base
 * URL, the version it speaks, and OAuth 1.0a (1.1 only) or OAuth 2 client credentials (a token
 * URL, the scopes). Validated with one small roster request (after fetching a token, for OAuth
 * 2) before anything is saved, so a typo never replaces a working connection. The secret goes
 * only to the encrypted secrets column and to the client; it is never returned or printed.
 */
import type { Config } from '../../config/load.ts';
import { RollcallError } from '../../domain/errors.ts';
import {
  endpointOf,
  loadOneRoster,
  oneRosterClient,
  oneRosterEndpoint,
  saveOneRoster,
  type OneRosterConnection,
  type OneRosterSettings,
} from './state.ts';
import { defaultScopes, ONEROSTER_SCOPES, type OneRosterVersion } from '../../oneroster/oauth2.ts';
import { parseRosterBaseUrl } from '../../oneroster/roster-url.ts';
import type { Store } from '../../store/store.ts';
import { lockedUpdate, type OptionsStore } from '../options.ts';
import type { SchoolSource } from '../schools.ts';

/** An admin is waiting on a probe: two tries, not a sync's six. */
const PROBE_ATTEMPTS = 2;
/** Longest wait for the probe's one small answer. */
const PROBE_TIMEOUT_MS = 20_000;
/** Where the token endpoint is looked for when none is given: `<base URL>/oauth/token`. */
export const DEFAULT_TOKEN_PATH = '/oauth/token';

/** What to configure, as given on the command line (or a form). */
export interface OneRosterConnectRequest {
  /** The server base (a URL ending in /ims/oneroster/v1p1 or …/rostering/v1p2 is cut back). */
  baseUrl: string;
  /** The version the server speaks. */
  version: OneRosterVersion;
  /** oauth1 or oauth2; unset: oauth2 for 1.2 or when a token URL is given, else oauth1. */
  auth?: 'oauth1' | 'oauth2';
  /** Client id / consumer key. */
  clientId: string;
  /** Client secret / consumer secret. */
  clientSecret: string;
  /** OAuth 2 token endpoint; unset: `<base URL>/oauth/token`. */
  tokenUrl?: string;
  /** OAuth 2 scopes: full URIs, or the short names core, roster, demographics; unset: core and demographics. */
  scopes?: string[];
  /** How to send the secret to the token endpoint (default basic). */
  clientAuth?: 'basic' | 'post';
}

/** A saved connection as shown to people: never the secret. */
export interface OneRosterConnectionView {
  /** The server base requests go to. */
  baseUrl: string;
  /** 1.1 or 1.2. */
  version: OneRosterVersion;
  /** oauth1 or oauth2. */
  auth: 'oauth1' | 'oauth2';
  /** The client id. */
  clientId: string;
  /** The token endpoint ('' for oauth1). */
  tokenUrl: string;
  /** The scopes asked for (empty for oauth1). */
  scopes: string[];
  /** basic or post (oauth2). */
  clientAuth: 'basic' | 'post';
  /** When it was validated (ISO). */
  validatedAt: string;
  /** How many users the server declared when probed (null when it did not say). */
  declaredUsers: number | null;
}

/** What configuring needs. */
export interface OneRosterConnectDeps {
  /** The configuration (pull timeouts). */
  config: Config;
  /** The store. */
  store: Store;
  /** The clock. */
  now: () => Date;
}

/**
 * The connection a request describes (pure): the auth inferred, the token URL and scopes
 * filled in, every value checked. Throws a usage RollcallError naming the option at fault.
 */
export function resolveConnection(request: OneRosterConnectRequest): Omit<OneRosterConnection, 'validatedAt'> {
  const baseUrl = parseRosterBaseUrl(request.baseUrl).base;
  const clientId = required(request.clientId, '--client-id');
  required(request.clientSecret, '--client-secret');
  const tokenGiven = request.tokenUrl !== undefined && request.tokenUrl.trim() !== '';
  const auth = request.auth ?? (request.version === '1.2' || tokenGiven ? 'oauth2' : 'oauth1');
  if (auth === 'oauth1') {
    if (request.version === '1.2')
      throw new RollcallError('usage', 'OneRoster 1.2 servers use OAuth 2 client credentials: leave out --auth oauth1.');
    if (tokenGiven || request.scopes || request.clientAuth) {
      throw new RollcallError('usage', '--token-url, --scopes and --client-auth are for OAuth 2: leave them out with --auth oauth1.');
    }
    return { baseUrl, version: request.version, auth, clientId, tokenUrl: '', scopes: [], clientAuth: 'basic' };
  }
  const tokenUrl = tokenGiven ? checkedTokenUrl(request.tokenUrl!) : `${baseUrl}${DEFAULT_TOKEN_PATH}`;
  const scopes = request.scopes ? expandScopes(request.scopes, request.version) : defaultScopes(request.version);
  return { baseUrl, version: request.version, auth, clientId, tokenUrl, scopes, clientAuth: request.clientAuth ?? 'basic' };
}

/** Validates a connection with the server and saves it; the other settings are kept. */
export async function configureOneRoster(
  deps: OneRosterConnectDeps,
  libraryId: number,
  request: OneRosterConnectRequest,
): Promise<OneRosterConnectionView> {
  const resolved = resolveConnection(request);
  const secret = request.clientSecret.trim();
  const validatedAt = deps.now().toISOString();
  const connection: OneRosterConnection = { ...resolved, validatedAt };
  const client = oneRosterClient(deps.config, endpointOf(connection, secret), {
    retryAttempts: PROBE_ATTEMPTS,
    timeoutMs: Math.min(deps.config.pull.timeoutMs, PROBE_TIMEOUT_MS),
  });
  let declaredUsers: number | null;
  try {
    declaredUsers = (await client.probe()).declaredUsers;
  } finally {
    await client.close();
  }
  // The probe is done; now one locked read-change-write (options.ts lockedUpdate): the settings
  // also carry what a sync writes as it applies (its watermark) and the options a page saves,
  // which a read made before they were written would undo.
  await lockedUpdate(deps.store, libraryId, 'oneroster', async (tx) => {
    const current = await loadOneRoster(tx, libraryId);
    await saveOneRoster(tx, libraryId, { settings: { ...current.settings, connection }, secrets: { clientSecret: secret } });
  });
  return { ...viewOf(connection), declaredUsers };
}

/** The OneRoster server's schools, for site mapping (`rollcall oneroster schools|match-site`). */
export const ONEROSTER_SCHOOLS: SchoolSource = {
  kind: 'oneroster',
  label: 'The OneRoster server',
  command: 'oneroster',
  open: async (deps, libraryId) => oneRosterClient(deps.config, oneRosterEndpoint(await loadOneRoster(deps.store, libraryId))),
};

/** The OneRoster REST source's options (`rollcall oneroster options`): the shared ones, without sign-in. */
export const ONEROSTER_OPTIONS: OptionsStore<OneRosterSettings> = {
  kind: 'oneroster',
  load: async (repos, libraryId) => (await loadOneRoster(repos, libraryId)).settings,
  save: (repos, libraryId, settings) => saveOneRoster(repos, libraryId, { settings }),
};

/** The library's saved connection (without the secret), or null when there is none. */
export async function savedOneRosterConnection(
  store: Store,
  libraryId: number,
): Promise<Omit<OneRosterConnectionView, 'declaredUsers'> | null> {
  const c = (await loadOneRoster(store, libraryId)).settings.connection;
  return c ? viewOf(c) : null;
}

function viewOf(c: OneRosterConnection): Omit<OneRosterConnectionView, 'declaredUsers'> {
  return {
    baseUrl: c.baseUrl,
    version: c.version,
    auth: c.auth,
    clientId: c.clientId,
    tokenUrl: c.tokenUrl,
    scopes: [...c.scopes],
    clientAuth: c.clientAuth,
    validatedAt: c.validatedAt,
  };
}

/** Scopes as given: the short names core, roster and demographics stand for the version's URIs. */
export function expandScopes(given: readonly string[], version: OneRosterVersion): string[] {
  const named: Record<string, string> = ONEROSTER_SCOPES[version];
  const out: string[] = [];
  for (const raw of given) {
    const s = raw.trim();
    if (s === '') continue;
    const scope = named[s.toLowerCase()] ?? s;
    // RFC 6749 §3.3 scope-token: printable ASCII but space, `"` and `\`.
    if (!named[s.toLowerCase()] && !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))
      throw new RollcallError('usage', `--scopes: "${s}" is not a scope (a URI, or core, roster, demographics).`);
    if (!out.includes(scope)) out.push(scope);
  }
  if (out.length === 0) throw new RollcallError('usage', '--scopes needs at least one scope (a URI, or core, roster, demographics).');
  return out;
}

function checkedTokenUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new RollcallError('usage', '--token-url is not a valid address; it should look like https://sis.example.org/oauth/token.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RollcallError('usage', '--token-url must start with https:// (or http://).');
  return url.href;
}

function required(value: string, option: string): string {
  const v = value.trim();
  if (v === '') throw new RollcallError('usage', `${option} must not be empty.`);
  return v;
}
