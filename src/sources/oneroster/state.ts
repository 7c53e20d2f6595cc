/**
 * The generic OneRoster REST integration (SPEC §1.3): any server that speaks OneRoster
 * 1.1 (OAuth 1.0a or OAuth 2 client credentials) or 1.2 (OAuth 2 client credentials with the
 * 1EdTech scopes) — a SIS such as PowerSchool or Infinite Campus, or a district's own. Its
 * settings as stored (the same roles, mapping, thresholds and creation defaults as ClassLink's,
 * a connection of its own, no sign-in), its secret, and the roster client they describe.
 * The client secret is read here and handed only to the client; it is never logged or returned.
 */
import { z } from 'zod';
import type { Config } from '../../config/load.ts';
import { RollcallError } from '../../domain/errors.ts';
import type { RosterAuth } from '../../oneroster/auth.ts';
import { OneRosterClient, type OneRosterClientOptions } from '../../oneroster/client.ts';
import { defaultScopes, type OAuth2Credentials, type OneRosterVersion } from '../../oneroster/oauth2.ts';
import type { Repositories } from '../../store/store.ts';
import { SOURCE_SYNC_SETTINGS } from '../settings.ts';

/** How Rollcall reaches a OneRoster server. */
export const ONEROSTER_CONNECTION = z.object({
  /** The server base, ending before /ims/oneroster/v1p1 or /ims/oneroster/rostering/v1p2. */
  baseUrl: z.string(),
  /** The OneRoster version it speaks. */
  version: z.enum(['1.1', '1.2']),
  /** OAuth 1.0a signatures (1.1 only) or OAuth 2 client credentials. */
  auth: z.enum(['oauth1', 'oauth2']),
  /** The client id / consumer key (not a secret; the secret is encrypted elsewhere). */
  clientId: z.string(),
  /** The OAuth 2 token endpoint ('' for oauth1). */
  tokenUrl: z.string().default(''),
  /** OAuth 2 scopes asked for; empty: the version's roster-core and roster-demographics. */
  scopes: z.array(z.string()).default([]),
  /** How the client authenticates at the token endpoint: HTTP Basic or in the form body. */
  clientAuth: z.enum(['basic', 'post']).default('basic'),
  /** When the connection was last validated (ISO). */
  validatedAt: z.string().default(''),
});

/**
 * The OneRoster REST source's settings: the shared ones (roles, mapping, thresholds, defaults,
 * the delta watermark) and its connection; it has no sign-in option.
 */
export const ONEROSTER_SETTINGS = SOURCE_SYNC_SETTINGS.extend({
  connection: ONEROSTER_CONNECTION.nullable().default(null),
});

/** Stored OneRoster settings with defaults filled. */
export type OneRosterSettings = z.infer<typeof ONEROSTER_SETTINGS>;
/** A stored OneRoster connection. */
export type OneRosterConnection = z.infer<typeof ONEROSTER_CONNECTION>;

/** The secrets of a OneRoster connection (encrypted at rest). */
export interface OneRosterSecrets {
  /** The OAuth client secret (OAuth 1.0a consumer secret or OAuth 2 client secret). */
  clientSecret?: string;
}

/** A library's OneRoster integration as stored. */
export interface OneRosterState {
  /** Whether it is the library's enabled integration. */
  enabled: boolean;
  /** Settings with defaults filled. */
  settings: OneRosterSettings;
  /** Decrypted secrets. */
  secrets: OneRosterSecrets;
}

/** Reads stored settings (unknown JSON) into a complete settings object. */
export function readOneRosterSettings(raw: unknown): OneRosterSettings {
  return ONEROSTER_SETTINGS.parse(raw ?? {});
}

/** Reads a library's OneRoster integration (defaults when never configured). */
export async function loadOneRoster(repos: Pick<Repositories, 'integrations'>, libraryId: number): Promise<OneRosterState> {
  const record = await repos.integrations.get(libraryId, 'oneroster');
  const secret = record?.secrets['clientSecret'];
  return {
    enabled: record?.enabled ?? false,
    settings: readOneRosterSettings(record?.settings),
    secrets: secret ? { clientSecret: secret } : {},
  };
}

/** Saves OneRoster settings (and the secret when given), keeping the enabled flag unless told. */
export async function saveOneRoster(
  repos: Pick<Repositories, 'integrations'>,
  libraryId: number,
  change: { settings: OneRosterSettings; secrets?: OneRosterSecrets; enabled?: boolean },
): Promise<void> {
  await repos.integrations.save(libraryId, 'oneroster', {
    settings: change.settings,
    ...(change.secrets ? { secrets: change.secrets.clientSecret ? { clientSecret: change.secrets.clientSecret } : {} } : {}),
    ...(change.enabled === undefined ? {} : { enabled: change.enabled }),
  });
}

/** A roster connection as the client takes it. */
export interface OneRosterEndpoint {
  /** The server base. */
  baseUrl: string;
  /** The OneRoster version. */
  version: OneRosterVersion;
  /** The credentials. */
  auth: RosterAuth | OAuth2Credentials;
}

/** The client connection a stored connection and secret describe (pure). */
export function endpointOf(connection: OneRosterConnection, clientSecret: string): OneRosterEndpoint {
  const auth: RosterAuth | OAuth2Credentials =
    connection.auth === 'oauth1'
      ? { kind: 'oauth1', clientId: connection.clientId, clientSecret }
      : {
          kind: 'oauth2',
          clientId: connection.clientId,
          clientSecret,
          tokenUrl: connection.tokenUrl,
          scopes: connection.scopes.length > 0 ? connection.scopes : defaultScopes(connection.version),
          clientAuth: connection.clientAuth,
        };
  return { baseUrl: connection.baseUrl, version: connection.version, auth };
}

/** The configured connection of a library's state; not_configured when there is none. */
export function oneRosterEndpoint(state: OneRosterState): OneRosterEndpoint {
  const c = state.settings.connection;
  if (!c) throw new RollcallError('not_configured', 'OneRoster is not configured yet: run `rollcall oneroster configure` first.');
  if (!state.secrets.clientSecret) {
    throw new RollcallError('not_configured', 'The OneRoster client secret is missing: run `rollcall oneroster configure` again.');
  }
  return endpointOf(c, state.secrets.clientSecret);
}

/** A roster client for an endpoint, with the pull settings of the configuration (and any overrides). */
export function oneRosterClient(
  config: Config,
  endpoint: OneRosterEndpoint,
  overrides: Partial<OneRosterClientOptions> = {},
): OneRosterClient {
  return new OneRosterClient({
    baseUrl: endpoint.baseUrl,
    version: endpoint.version,
    auth: endpoint.auth,
    pageSize: config.pull.pageSize,
    concurrency: config.pull.concurrency,
    timeoutMs: config.pull.timeoutMs,
    retryAttempts: config.pull.retryAttempts,
    allowedHosts: config.allowedRosterHosts,
    ...overrides,
  });
}

/**
 * The roster reader of a library's OneRoster integration (a RosterReader for src/sync/fetch.ts,
 * with close()); not_configured when there is no connection.
 */
export function oneRosterReader(config: Config, loaded: OneRosterState): OneRosterClient {
  return oneRosterClient(config, oneRosterEndpoint(loaded));
}
