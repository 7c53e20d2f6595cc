/**
 * `rollcall classlink configure` (SPEC §2 step 1): how Rollcall reaches the district's roster,
 * in one of three modes — partner (a Tenant ID looked up with the vendor's partner API key),
 * direct (the Roster Server's URL, key and secret: OAuth 1.0a) or proxy (a URL and a Bearer
 * token). Every mode is validated with one small roster request before anything is saved, so a
 * typo never replaces a working connection. Secrets go only to the encrypted secrets column and
 * to the client; they are never returned, printed or logged.
 */
import type { Config } from '../../config/load.ts';
import { resolveTenant } from './partner-api.ts';
import { RollcallError } from '../../domain/errors.ts';
import { lockedUpdate } from '../options.ts';
import { loadClassLink, saveClassLink, type ClassLinkSecrets } from './state.ts';
import type { ClassLinkSettings } from '../settings.ts';
import { OneRosterClient, type RosterAuth } from '../../oneroster/client.ts';
import { parseRosterBaseUrl } from '../../oneroster/roster-url.ts';
import type { Store } from '../../store/store.ts';

/** An admin is waiting on a probe: two tries, not a sync's six. */
const PROBE_ATTEMPTS = 2;
/** Longest wait for the probe's one small answer. */
const PROBE_TIMEOUT_MS = 20_000;

/** What to configure. */
export type ConnectRequest =
  | {
      /** Found through the partner API by Tenant ID. */
      mode: 'partner';
      /** The district's ClassLink Tenant ID. */
      tenantId: number;
    }
  | {
      /** The district's Roster Server, OAuth 1.0a. */
      mode: 'direct';
      /** Server base (before /ims/oneroster/v1p1). */
      rosterUrl: string;
      /** Consumer key. */
      clientId: string;
      /** Consumer secret. */
      clientSecret: string;
    }
  | {
      /** The ClassLink OneRoster proxy, Bearer token. */
      mode: 'proxy';
      /** Proxy base including the application id (before /ims/oneroster/v1p1). */
      rosterUrl: string;
      /** The access token. */
      bearer: string;
    };

/** A saved connection as shown to people: never a secret. */
export interface ConnectionView {
  /** partner, direct or proxy. */
  mode: 'partner' | 'direct' | 'proxy';
  /** The Tenant ID (partner mode), or null. */
  tenantId: number | null;
  /** The district's name as ClassLink lists it (partner mode), or ''. */
  tenantName: string;
  /** The roster base URL requests go to. */
  rosterUrl: string;
  /** oauth1 or bearer. */
  auth: 'oauth1' | 'bearer';
  /** The OAuth 1.0a key ('' for bearer). */
  clientId: string;
  /** When it was validated (ISO). */
  validatedAt: string;
  /** How many users the server declared when probed (null when it did not say). */
  declaredUsers: number | null;
}

/** What configuring needs. */
export interface ConnectDeps {
  /** The configuration (partner API host and key, pull timeouts). */
  config: Config;
  /** The store. */
  store: Store;
  /** The clock. */
  now: () => Date;
}

/** Validates a connection with the roster server and saves it; other settings are kept. */
export async function configureClassLink(deps: ConnectDeps, libraryId: number, request: ConnectRequest): Promise<ConnectionView> {
  if (request.mode === 'partner') await refuseTenantOfAnother(deps.store, libraryId, request.tenantId);
  const found = await connectionOf(deps.config, request);
  const probed = await probe(deps.config, found.rosterUrl, found.auth);
  const validatedAt = deps.now().toISOString();
  // The probe is done; now one locked read-change-write (see lockedUpdate).
  await lockedUpdate(deps.store, libraryId, 'classlink', async (tx) => {
    const current = await loadClassLink(tx, libraryId);
    const settings: ClassLinkSettings = {
      ...current.settings,
      connection: {
        mode: request.mode,
        tenantId: request.mode === 'partner' ? request.tenantId : null,
        rosterUrl: found.rosterUrl,
        auth: found.auth.kind,
        clientId: found.auth.kind === 'oauth1' ? found.auth.clientId : '',
        validatedAt,
      },
    };
    const secrets: ClassLinkSecrets =
      found.auth.kind === 'oauth1' ? { clientSecret: found.auth.clientSecret } : { bearer: found.auth.token };
    // The sign-in secret is not part of the roster connection: keep it.
    if (current.secrets.ssoClientSecret) secrets.ssoClientSecret = current.secrets.ssoClientSecret;
    await saveClassLink(tx, libraryId, { settings, secrets });
  });
  return {
    mode: request.mode,
    tenantId: request.mode === 'partner' ? request.tenantId : null,
    tenantName: found.tenantName,
    rosterUrl: found.rosterUrl,
    auth: found.auth.kind,
    clientId: found.auth.kind === 'oauth1' ? found.auth.clientId : '',
    validatedAt,
    declaredUsers: probed,
  };
}

/**
 * A Tenant ID is one district's: on a deployment hosting many libraries, a library may not
 * connect to (or accept sign-ins from) a tenant another library already uses — with the vendor's
 * partner key, anyone could otherwise read any district's roster by typing its number.
 */
export async function refuseTenantOfAnother(store: Store, libraryId: number, tenantId: number): Promise<void> {
  for (const library of await store.libraries.list()) {
    if (library.id === libraryId) continue;
    const { settings } = await loadClassLink(store, library.id);
    if (settings.connection?.tenantId === tenantId || settings.ssoTenantId === tenantId) {
      throw new RollcallError(
        'conflict',
        `Tenant ID ${tenantId} is already used by another library of this Rollcall; each district's Tenant ID belongs to one library.`,
      );
    }
  }
}

/** The library's saved connection (without secrets), or null when there is none. */
export async function savedConnection(
  store: Store,
  libraryId: number,
): Promise<Omit<ConnectionView, 'declaredUsers' | 'tenantName'> | null> {
  const c = (await loadClassLink(store, libraryId)).settings.connection;
  if (!c) return null;
  return { mode: c.mode, tenantId: c.tenantId, rosterUrl: c.rosterUrl, auth: c.auth, clientId: c.clientId, validatedAt: c.validatedAt };
}

/** The roster base and credentials a request describes (partner mode asks ClassLink). */
async function connectionOf(config: Config, request: ConnectRequest): Promise<{ rosterUrl: string; auth: RosterAuth; tenantName: string }> {
  switch (request.mode) {
    case 'partner': {
      const tenant = await resolveTenant(config.classlink.partnerUrl, config.classlink.partnerKey, request.tenantId, {
        retryAttempts: PROBE_ATTEMPTS,
        timeoutMs: Math.min(config.pull.timeoutMs, PROBE_TIMEOUT_MS),
      });
      const auth: RosterAuth =
        tenant.mode === 'proxy'
          ? { kind: 'bearer', token: tenant.bearer }
          : { kind: 'oauth1', clientId: tenant.clientId, clientSecret: tenant.clientSecret };
      return { rosterUrl: parseRosterBaseUrl(tenant.rosterUrl).base, auth, tenantName: tenant.tenantName };
    }
    case 'direct':
      required(request.clientId, '--client-id');
      required(request.clientSecret, '--client-secret');
      return {
        rosterUrl: parseRosterBaseUrl(request.rosterUrl).base,
        auth: { kind: 'oauth1', clientId: request.clientId.trim(), clientSecret: request.clientSecret.trim() },
        tenantName: '',
      };
    case 'proxy':
      required(request.bearer, '--bearer');
      return {
        rosterUrl: parseRosterBaseUrl(request.rosterUrl).base,
        auth: { kind: 'bearer', token: request.bearer.trim() },
        tenantName: '',
      };
  }
}

/** One small roster request; resolves with the declared user count or throws why not. */
async function probe(config: Config, rosterUrl: string, auth: RosterAuth): Promise<number | null> {
  const client = new OneRosterClient({
    baseUrl: rosterUrl,
    auth,
    retryAttempts: PROBE_ATTEMPTS,
    timeoutMs: Math.min(config.pull.timeoutMs, PROBE_TIMEOUT_MS),
    allowedHosts: config.allowedRosterHosts,
  });
  try {
    return (await client.probe()).declaredUsers;
  } finally {
    await client.close();
  }
}

function required(value: string, option: string): void {
  if (value.trim() === '') throw new RollcallError('usage', `${option} must not be empty.`);
}
