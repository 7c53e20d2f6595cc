/**
 * The ClassLink integration as the sync engine needs it: its stored settings and secrets, the
 * roster client they describe, and the SyncSettings the planner reads. Secrets are read here
 * and handed only to the client; they are never logged or returned.
 */
import type { Config } from '../../config/load.ts';
import { RollcallError } from '../../domain/errors.ts';
import { OneRosterClient } from '../../oneroster/client.ts';
import type { RosterAuth } from '../../oneroster/auth.ts';
import type { Repositories } from '../../store/store.ts';
import { readClassLinkSettings, type ClassLinkSettings } from '../settings.ts';

/** The secrets of a ClassLink connection (encrypted at rest). */
export interface ClassLinkSecrets {
  /** OAuth 1.0a consumer secret (direct mode). */
  clientSecret?: string;
  /** Proxy Bearer token (proxy mode, or partner mode with a bearer). */
  bearer?: string;
  /** The library's own ClassLink SSO client secret (when it has its own SSO client). */
  ssoClientSecret?: string;
}

/** A library's ClassLink integration as stored. */
export interface ClassLinkState {
  /** Whether ClassLink is the library's enabled integration. */
  enabled: boolean;
  /** Settings with defaults filled. */
  settings: ClassLinkSettings;
  /** Decrypted secrets. */
  secrets: ClassLinkSecrets;
}

/** Reads a library's ClassLink settings (defaults when never configured). */
export async function loadClassLink(repos: Pick<Repositories, 'integrations'>, libraryId: number): Promise<ClassLinkState> {
  const record = await repos.integrations.get(libraryId, 'classlink');
  return {
    enabled: record?.enabled ?? false,
    settings: readClassLinkSettings(record?.settings),
    secrets: (record?.secrets ?? {}) as ClassLinkSecrets,
  };
}

/** Saves ClassLink settings (and secrets when given), keeping the enabled flag unless told. */
export async function saveClassLink(
  repos: Pick<Repositories, 'integrations'>,
  libraryId: number,
  change: { settings: ClassLinkSettings; secrets?: ClassLinkSecrets; enabled?: boolean },
): Promise<void> {
  await repos.integrations.save(libraryId, 'classlink', {
    settings: change.settings,
    ...(change.secrets ? { secrets: definedStrings(change.secrets) } : {}),
    ...(change.enabled === undefined ? {} : { enabled: change.enabled }),
  });
}

/** The roster auth of a configured connection; not_configured when there is none. */
export function rosterAuthOf(state: ClassLinkState): { baseUrl: string; auth: RosterAuth } {
  const c = state.settings.connection;
  if (!c) throw new RollcallError('not_configured', 'ClassLink is not configured yet: run `rollcall classlink configure` first.');
  if (c.auth === 'bearer') {
    if (!state.secrets.bearer)
      throw new RollcallError('not_configured', 'The ClassLink proxy token is missing: run `rollcall classlink configure` again.');
    return { baseUrl: c.rosterUrl, auth: { kind: 'bearer', token: state.secrets.bearer } };
  }
  if (!state.secrets.clientSecret)
    throw new RollcallError('not_configured', 'The ClassLink client secret is missing: run `rollcall classlink configure` again.');
  return { baseUrl: c.rosterUrl, auth: { kind: 'oauth1', clientId: c.clientId, clientSecret: state.secrets.clientSecret } };
}

/** A OneRoster client for a roster connection, with the pull settings of the configuration. */
export function rosterClient(config: Config, connection: { baseUrl: string; auth: RosterAuth }): OneRosterClient {
  return new OneRosterClient({
    baseUrl: connection.baseUrl,
    auth: connection.auth,
    pageSize: config.pull.pageSize,
    concurrency: config.pull.concurrency,
    timeoutMs: config.pull.timeoutMs,
    retryAttempts: config.pull.retryAttempts,
    allowedHosts: config.allowedRosterHosts,
  });
}

function definedStrings(o: ClassLinkSecrets): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string' && v !== '') out[k] = v;
  return out;
}
