/**
 * The ClassLink partner API (CLASSLINK.md §1.2): with the vendor's partner key, list the
 * districts that provisioned the app, read a district's direct Roster Server details, and turn a
 * Tenant ID into a roster connection — the ClassLink proxy with the district's Bearer token, or
 * the direct server with OAuth 1.0a credentials. Failures are one sentence an admin can act on.
 */
import { z } from 'zod';
import { RollcallError } from '../../domain/errors.ts';
import { collectionOf, parseJsonBody, UnreadableBody } from '../../oneroster/envelope.ts';
import { HttpTransport } from '../../oneroster/http.ts';
import { rosterBase } from '../../oneroster/roster-url.ts';
import { getWithRetry, type RetryContext } from '../../oneroster/request.ts';
import { DEFAULT_BAD_RESPONSE_ATTEMPTS, DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_DELAY_MS } from '../../oneroster/retry.ts';
import { flag, text, wireFlag, wireText } from '../../oneroster/wire-values.ts';

/** One district that provisioned the app, as `/applications` lists it. */
export interface PartnerApplication {
  /** The record's id. */
  id: string;
  /** The district's Tenant ID (a small integer, as text). */
  tenantId: string;
  /** The district's name. */
  tenantName: string;
  /** ClassLink's id of the vendor app. */
  applicationId: string;
  /** `oneroster_application_id`, already percent-encoded as ClassLink sends it: use verbatim. */
  appId: string;
  /** The district's proxy Bearer token ('' when ClassLink sent none). */
  bearer: string;
  /** The app's name. */
  name: string;
  /** `enabled` (a "true"/"false" string on the wire); true when absent, as in ClassLink's own sample. */
  enabled: boolean;
  /** `tenant_status` ("Active"), '' when absent. */
  tenantStatus: string;
}

/** A district's direct Roster Server details (`/applications/{id}/server`). */
export interface ServerDetails {
  /** The server base, cut to end before /ims/oneroster/v1p1 ('' when absent). */
  rosterUrl: string;
  /** OAuth 1.0a consumer key ('' when absent). */
  clientId: string;
  /** OAuth 1.0a consumer secret ('' when absent). */
  clientSecret: string;
}

/** How to reach a district's roster, found from its Tenant ID. */
export type TenantConnection =
  | { mode: 'proxy'; rosterUrl: string; bearer: string; tenantName: string; appId: string }
  | { mode: 'direct'; rosterUrl: string; clientId: string; clientSecret: string; tenantName: string; appId: string };

/** HTTP behaviour of partner API calls (defaults suit an admin waiting on a settings page). */
export interface PartnerApiOptions {
  /** Time allowed per request in ms (default 30 s). */
  timeoutMs?: number;
  /** Attempts per request on 429/5xx/timeouts (default 4). */
  retryAttempts?: number;
  /** First backoff in ms (default 500). */
  baseDelayMs?: number;
  /** Longest wait between attempts in ms (default 60 s). */
  maxDelayMs?: number;
  /** Records asked for per `/applications` page (default 100). */
  pageSize?: number;
  /** Cancels the call. */
  signal?: AbortSignal;
}

/** Districts per `/applications` page: ClassLink documents no maximum, so stay modest. */
const DEFAULT_PARTNER_PAGE_SIZE = 100;
/** No vendor has this many pages of districts; past it the listing is looping. */
const MAX_PARTNER_PAGES = 1000;
/** An admin is waiting: fewer, shorter attempts than a roster pull. */
const DEFAULT_PARTNER_TIMEOUT_MS = 30_000;
const DEFAULT_PARTNER_ATTEMPTS = 4;
const CREDENTIALS_HINT = 'check the partner API key (ROLLCALL_CLASSLINK_PARTNER_KEY)';

const applicationSchema = z.object({
  id: wireText,
  tenant_id: wireText,
  tenant_name: wireText,
  application_id: wireText,
  oneroster_application_id: wireText,
  bearer: wireText,
  name: wireText,
  enabled: wireFlag,
  tenant_status: wireText,
});

const serverSchema = z.object({
  server: z.object({ client_id: wireText, client_secret: wireText, endpoint_url: wireText }),
});

/** Lists every district that provisioned the app, paging by limit/offset until a short page. */
export async function listApplications(
  partnerUrl: string,
  partnerKey: string | undefined,
  options: PartnerApiOptions = {},
): Promise<PartnerApplication[]> {
  const key = requireKey(partnerKey);
  const base = stripSlash(partnerUrl);
  const limit = options.pageSize ?? DEFAULT_PARTNER_PAGE_SIZE;
  const http = new HttpTransport({ timeoutMs: options.timeoutMs ?? DEFAULT_PARTNER_TIMEOUT_MS });
  const all: PartnerApplication[] = [];
  const seen = new Set<string>();
  try {
    for (let page = 0; page < MAX_PARTNER_PAGES; page++) {
      const raws = await getWithRetry(
        http,
        {
          url: `${base}/applications?limit=${limit}&offset=${page * limit}`,
          headers: () => ({ accept: 'application/json', authorization: `Bearer ${key}` }),
          read: (res) => collectionOf(parseJsonBody(res.body), 'applications'),
          wording: wording(base, '/applications'),
        },
        retryContext(options),
      );
      let added = 0;
      for (const raw of raws) {
        const parsed = applicationSchema.safeParse(raw);
        if (!parsed.success) continue;
        const app = toApplication(parsed.data);
        const id = `${app.id}|${app.tenantId}|${app.appId}`;
        if (seen.has(id)) continue;
        seen.add(id);
        all.push(app);
        added++;
      }
      // /applications sends no count headers: a short page is the end. A page of nothing new
      // means the server ignores offset and would repeat itself forever.
      if (raws.length < limit || added === 0) break;
    }
    return all;
  } finally {
    await http.close();
  }
}

/** Reads a district's direct Roster Server details; `appId` is used verbatim (already encoded). */
export async function getServerDetails(
  partnerUrl: string,
  partnerKey: string | undefined,
  onerosterAppId: string,
  options: PartnerApiOptions = {},
): Promise<ServerDetails> {
  const key = requireKey(partnerKey);
  const base = stripSlash(partnerUrl);
  const path = `/applications/${onerosterAppId}/server`;
  const http = new HttpTransport({ timeoutMs: options.timeoutMs ?? DEFAULT_PARTNER_TIMEOUT_MS });
  try {
    return await getWithRetry(
      http,
      {
        url: `${base}${path}`,
        headers: () => ({ accept: 'application/json', authorization: `Bearer ${key}` }),
        read: (res) => {
          const parsed = serverSchema.safeParse(parseJsonBody(res.body));
          if (!parsed.success) throw new UnreadableBody('a response without Roster Server details');
          const s = parsed.data.server;
          return { rosterUrl: rosterBase(text(s.endpoint_url)), clientId: text(s.client_id).trim(), clientSecret: text(s.client_secret) };
        },
        wording: wording(base, path),
      },
      retryContext(options),
    );
  } finally {
    await http.close();
  }
}

/**
 * Finds the district with this Tenant ID among those that provisioned the app and returns how
 * to reach its roster: the proxy when ClassLink gave it a Bearer token, else the direct server.
 */
export async function resolveTenant(
  partnerUrl: string,
  partnerKey: string | undefined,
  tenantId: number | string,
  options: PartnerApiOptions = {},
): Promise<TenantConnection> {
  const app = chooseApplication(await listApplications(partnerUrl, partnerKey, options), tenantId);
  const label = `the district "${app.tenantName || 'unnamed'}" (Tenant ID ${app.tenantId})`;
  if (app.appId === '') {
    throw new RollcallError('bad_response', `ClassLink listed ${label} without a OneRoster application id; try again later.`);
  }
  if (app.bearer !== '') {
    return {
      mode: 'proxy',
      rosterUrl: `${stripSlash(partnerUrl)}/${app.appId}`,
      bearer: app.bearer,
      tenantName: app.tenantName,
      appId: app.appId,
    };
  }
  let details: ServerDetails;
  try {
    details = await getServerDetails(partnerUrl, partnerKey, app.appId, options);
  } catch (e) {
    if (e instanceof RollcallError && e.kind === 'not_found') throw noRosterYet(label);
    throw e;
  }
  if (details.rosterUrl === '' || details.clientId === '') throw noRosterYet(label);
  return { mode: 'direct', ...details, tenantName: app.tenantName, appId: app.appId };
}

/**
 * The application record for a Tenant ID (pure): the first approved one, else a plain refusal —
 * `unknown_tenant` when the district is not listed, `app_not_approved` when it is listed but
 * not enabled or not Active.
 */
export function chooseApplication(apps: readonly PartnerApplication[], tenantId: number | string): PartnerApplication {
  const wanted = String(tenantId).trim();
  const matches = apps.filter((a) => a.tenantId.trim() === wanted);
  const approved = matches.find(isApproved);
  if (approved) return approved;
  const first = matches[0];
  if (!first) {
    throw new RollcallError(
      'unknown_tenant',
      `ClassLink Tenant ID ${wanted} is not among the districts that have approved this app; check the Tenant ID, or ask the district to approve the app in ClassLink.`,
    );
  }
  const status = [
    first.enabled ? '' : 'not enabled',
    first.tenantStatus && !isActive(first.tenantStatus) ? `status ${first.tenantStatus}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  throw new RollcallError(
    'app_not_approved',
    `The district "${first.tenantName || 'unnamed'}" (Tenant ID ${wanted}) has the app but has not approved it yet (${status}); ask the district's ClassLink administrator to enable it.`,
  );
}

/** Whether ClassLink lists the district as enabled and Active (missing fields count as yes). */
export function isApproved(app: PartnerApplication): boolean {
  return app.enabled && (app.tenantStatus === '' || isActive(app.tenantStatus));
}

function isActive(status: string): boolean {
  return status.trim().toLowerCase() === 'active';
}

function noRosterYet(label: string): RollcallError {
  return new RollcallError(
    'app_not_approved',
    `ClassLink has no Roster Server connection for ${label} yet; ask the district's ClassLink administrator to share its roster with the app.`,
  );
}

function toApplication(w: z.infer<typeof applicationSchema>): PartnerApplication {
  return {
    id: text(w.id),
    tenantId: text(w.tenant_id).trim(),
    tenantName: text(w.tenant_name).trim(),
    applicationId: text(w.application_id),
    appId: text(w.oneroster_application_id).trim(),
    bearer: text(w.bearer).trim(),
    name: text(w.name),
    // An unreadable "enabled" is not an approval.
    enabled: flag(w.enabled, true) ?? false,
    tenantStatus: text(w.tenant_status).trim(),
  };
}

function requireKey(key: string | undefined): string {
  if (!key || key.trim() === '') {
    throw new RollcallError(
      'not_configured',
      'The ClassLink partner API key is not set (ROLLCALL_CLASSLINK_PARTNER_KEY); set it, or configure the Roster Server directly.',
    );
  }
  return key.trim();
}

function retryContext(options: PartnerApiOptions): RetryContext {
  return {
    policy: {
      attempts: options.retryAttempts ?? DEFAULT_PARTNER_ATTEMPTS,
      badResponseAttempts: DEFAULT_BAD_RESPONSE_ATTEMPTS,
      baseDelayMs: options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
      maxDelayMs: options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
    },
    timeoutMs: options.timeoutMs ?? DEFAULT_PARTNER_TIMEOUT_MS,
    signal: options.signal,
  };
}

function wording(base: string, path: string) {
  return { server: `ClassLink at ${hostOf(base)}`, what: path, credentialsHint: CREDENTIALS_HINT };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
