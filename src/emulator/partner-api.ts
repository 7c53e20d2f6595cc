/**
 * ClassLink's partner (vendor) API: `GET /applications` lists the districts that provisioned
 * the app; `GET /applications/{oneroster_application_id}/server` gives a district's direct
 * Roster Server connection. Both take the partner key as a Bearer token (CLASSLINK.md §1.2).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { bearerOf, type Reply } from './http-io.ts';
import type { EmulatorCredentials, EmulatorOptions, EmulatorTenant } from './types.ts';

/** First `id` of application records (an internal ClassLink number, unlike tenant_id). */
const FIRST_RECORD_ID = 1176;
/** ClassLink's `application_id` of the app (the same for every district). */
const APPLICATION_ID = 57;
/** The app's name as districts see it. */
const APP_NAME = 'Rollcall Library Sync';
/** Tenant IDs are small integers; made-up ones fall in this range. */
const TENANT_ID_RANGE = [100, 10_000] as const;

/** A random token of n bytes, URL-safe. */
function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** A made-up `oneroster_application_id`: base64 of 8 bytes ends in `=`, sent as `%3D`. */
function appId(): string {
  return encodeURIComponent(randomBytes(8).toString('base64'));
}

/** The credentials of the main tenant: given ones, the rest made up. */
export function mainCredentials(given: Partial<EmulatorCredentials> = {}): EmulatorCredentials {
  return {
    tenantId: given.tenantId ?? randomInt(TENANT_ID_RANGE[0], TENANT_ID_RANGE[1]),
    partnerKey: given.partnerKey ?? token(24),
    appId: given.appId ?? appId(),
    clientId: given.clientId ?? token(12),
    clientSecret: given.clientSecret ?? token(24),
    bearerToken: given.bearerToken ?? token(32),
  };
}

/** Every tenant: the main one (approved), then the given extras or one not-approved tenant. */
export function buildTenants(main: EmulatorCredentials, districtName: string, options: EmulatorOptions): EmulatorTenant[] {
  const first: EmulatorTenant = {
    tenantId: main.tenantId,
    tenantName: districtName,
    appId: main.appId,
    bearerToken: main.bearerToken,
    clientId: main.clientId,
    clientSecret: main.clientSecret,
    approved: true,
  };
  const extras = options.tenants ?? [{ tenantName: 'Pending Valley School District' }];
  const made = extras.map(
    (t, k): EmulatorTenant => ({
      tenantId: t.tenantId ?? main.tenantId + 1 + k,
      tenantName: t.tenantName ?? `District ${main.tenantId + 1 + k}`,
      appId: t.appId ?? appId(),
      bearerToken: t.bearerToken ?? token(32),
      clientId: t.clientId ?? token(12),
      clientSecret: t.clientSecret ?? token(24),
      approved: t.approved ?? false,
    }),
  );
  return [first, ...made];
}

/** Handles a partner API request (path starts with `/applications`). */
export function partnerReply(
  rawPath: string,
  params: URLSearchParams,
  authorization: string | undefined,
  tenants: readonly EmulatorTenant[],
  partnerKey: string,
  endpointUrl: string,
): Reply {
  if (bearerOf(authorization) !== partnerKey) {
    return { status: 401, body: { status: 0, message: 'Unauthorized: the partner API key is missing or wrong.' } };
  }
  if (rawPath === '/applications' || rawPath === '/applications/') return listReply(params, tenants);
  // The application id is matched exactly as sent: it is already percent-encoded.
  const m = /^\/applications\/([^/]+)\/server\/?$/.exec(rawPath);
  const tenant = m ? tenants.find((t) => t.appId === m[1]) : undefined;
  if (!tenant) return { status: 404, body: { status: 0, message: 'Application not found.' } };
  return {
    status: 200,
    body: {
      status: 1,
      server: { client_id: tenant.clientId, client_secret: tenant.clientSecret, endpoint_url: endpointUrl },
      message: '',
    },
  };
}

/** `/applications`: honours limit/offset but, like ClassLink, sends no count headers. */
function listReply(params: URLSearchParams, tenants: readonly EmulatorTenant[]): Reply {
  const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);
  const limitParam = Number.parseInt(params.get('limit') ?? '', 10);
  const limit = Number.isFinite(limitParam) && limitParam > 0 ? limitParam : tenants.length;
  const applications = tenants.slice(offset, offset + limit).map((t, k) => ({
    id: FIRST_RECORD_ID + offset + k,
    tenant_name: t.tenantName,
    tenant_id: t.tenantId,
    application_id: APPLICATION_ID,
    bearer: t.bearerToken,
    name: APP_NAME,
    oneroster_application_id: t.appId,
    enabled: t.approved ? 'true' : 'false',
    tenant_status: t.approved ? 'Active' : 'Inactive',
  }));
  return { status: 200, body: { status: 1, applications } };
}
