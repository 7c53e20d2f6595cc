/**
 * The ClassLink sign-in settings of a library (SPEC §4): "Allow log-in with ClassLink",
 * the district's Tenant ID when the roster connection does not carry one, and optionally the
 * library's own OAuth2 client (its secret encrypted at rest, never shown). Also the addresses
 * a district admin needs: the library's own redirect URI to register with its client (a
 * LaunchPad launch names its library only by the address it comes back to:
 * src/sso/redirect-uris.ts), the server client's one, and the URL of a LaunchPad tile.
 */
import type { Config } from '../../config/load.ts';
import { RollcallError } from '../../domain/errors.ts';
import { withinLimit } from '../../domain/text-limits.ts';
import { loadClassLink, saveClassLink } from './state.ts';
import { refuseTenantOfAnother } from './connect.ts';
import { lockedUpdate } from '../options.ts';
import type { Store } from '../../store/store.ts';
import { libraryCallbackUrl, serverCallbackUrl } from '../../sso/redirect-uris.ts';

/** What the pages, the API and the CLI show (never the secret). */
export interface SsoView {
  /** "Allow log-in with ClassLink". */
  enabled: boolean;
  /** The Tenant ID sign-ins must come from (connection's, else the sign-in setting), or null. */
  tenantId: number | null;
  /** Where the Tenant ID comes from. */
  tenantFrom: 'connection' | 'setting' | 'none';
  /** The library's own client id, or '' (the deployment's is used). */
  clientId: string;
  /** Whether the library's own client secret is stored. */
  clientSecretSet: boolean;
  /** Whether the deployment has a sign-in client (ROLLCALL_SSO_CLIENT_ID/SECRET). */
  deploymentClient: boolean;
  /** This library's redirect URI: register it with the library's own ClassLink client. */
  redirectUri: string;
  /**
   * The server client's redirect URI (registered once by whoever runs the server), used while
   * the library has no client of its own; null when the server has no client.
   */
  serverRedirectUri: string | null;
  /** A LaunchPad tile pointing here starts the sign-in at once. */
  launchUrl: string;
  /** The library's own sign-in page (its "Sign in with ClassLink" button uses its client). */
  loginUrl: string;
  /** Why sign-in cannot work yet, one sentence each (empty when it can). */
  problems: string[];
}

/** A change of the sign-in settings; absent fields are kept. */
export interface SsoChange {
  enabled?: boolean;
  tenantId?: number | null;
  clientId?: string;
  /** '' clears the stored secret. */
  clientSecret?: string;
}

/** The library's sign-in settings. */
export async function ssoView(config: Config, store: Store, libraryId: number, libraryCode: string): Promise<SsoView> {
  const cl = await loadClassLink(store, libraryId);
  const fromConnection = cl.settings.connection?.tenantId ?? null;
  const tenantId = fromConnection ?? cl.settings.ssoTenantId;
  const deploymentClient = Boolean(config.classlink.ssoClientId && config.classlink.ssoClientSecret);
  const ownClient = Boolean(cl.settings.ssoClientId && cl.secrets.ssoClientSecret);
  const problems: string[] = [];
  if (tenantId === null) problems.push("No Tenant ID: connect with a Tenant ID, or give the district's Tenant ID for sign-in.");
  if (!deploymentClient && !ownClient)
    problems.push('No ClassLink sign-in client: give a client id and secret (or set ROLLCALL_SSO_CLIENT_ID/SECRET on the server).');
  if (!cl.enabled) problems.push('ClassLink is not the enabled integration of this library.');
  return {
    enabled: cl.settings.sso,
    tenantId,
    tenantFrom: fromConnection !== null ? 'connection' : cl.settings.ssoTenantId !== null ? 'setting' : 'none',
    clientId: cl.settings.ssoClientId,
    clientSecretSet: Boolean(cl.secrets.ssoClientSecret),
    deploymentClient,
    redirectUri: libraryCallbackUrl(config.web.publicUrl, libraryCode),
    serverRedirectUri: deploymentClient ? serverCallbackUrl(config.web.publicUrl) : null,
    launchUrl: `${config.web.publicUrl}/sso/classlink/launch?library=${encodeURIComponent(libraryCode)}`,
    loginUrl: `${config.web.publicUrl}/login?library=${encodeURIComponent(libraryCode)}`,
    problems,
  };
}

/** Changes the sign-in settings. */
export async function changeSso(config: Config, store: Store, libraryId: number, libraryCode: string, change: SsoChange): Promise<SsoView> {
  if (change.clientId !== undefined) withinLimit('ssoClientId', 'The client ID', change.clientId.trim(), 'identifier');
  if (change.clientSecret !== undefined) withinLimit('ssoClientSecret', 'The client secret', change.clientSecret.trim(), 'secret');
  if (change.tenantId !== undefined && change.tenantId !== null) {
    if (!Number.isSafeInteger(change.tenantId) || change.tenantId <= 0)
      throw new RollcallError('invalid_input', 'A Tenant ID is a whole number, like 2.');
    await refuseTenantOfAnother(store, libraryId, change.tenantId);
  }
  // One locked read-change-write: a sync applying meanwhile keeps its barcode sequence and watermark.
  await lockedUpdate(store, libraryId, 'classlink', async (tx) => {
    const cl = await loadClassLink(tx, libraryId);
    const settings = { ...cl.settings };
    if (change.enabled !== undefined) settings.sso = change.enabled;
    if (change.tenantId !== undefined) settings.ssoTenantId = change.tenantId;
    if (change.clientId !== undefined) settings.ssoClientId = change.clientId.trim();
    const secrets = { ...cl.secrets };
    if (change.clientSecret !== undefined) {
      if (change.clientSecret.trim()) secrets.ssoClientSecret = change.clientSecret.trim();
      else delete secrets.ssoClientSecret;
    }
    await saveClassLink(tx, libraryId, { settings, secrets });
  });
  return ssoView(config, store, libraryId, libraryCode);
}
