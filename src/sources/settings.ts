/**
 * A library's integration settings as stored (integration_settings.settings, JSON) and their
 * defaults. Secrets (client secret, bearer token) are NOT here: they live in the encrypted
 * `secrets` column. The zod schema fills defaults, so an old row keeps working when a new
 * option is added.
 */
import { z } from 'zod';

/** Where Barcode / Community ID come from (SPEC §2 step 4). */
export const ID_MAPPING = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('identifier') }),
  z.object({ kind: z.literal('username') }),
  z.object({ kind: z.literal('userid'), type: z.string().min(1) }),
]);

/** Where Location (1004) comes from. */
export const LOCATION_MAPPING = z.enum(['none', 'homeroom-code', 'homeroom-location', 'homeroom-teacher']);

/** How Rollcall reaches the roster server. */
export const CONNECTION = z.object({
  /** partner: found by Tenant ID through the partner API; direct: OAuth 1.0a; proxy: Bearer. */
  mode: z.enum(['partner', 'direct', 'proxy']),
  /** The district's ClassLink Tenant ID (partner mode). */
  tenantId: z.number().int().nullable().default(null),
  /** Roster server base, before /ims/oneroster/v1p1. */
  rosterUrl: z.string(),
  /** How requests are authenticated: OAuth 1.0a (direct) or Bearer (proxy). */
  auth: z.enum(['oauth1', 'bearer']),
  /** OAuth 1.0a consumer key (not a secret; the secret is encrypted elsewhere). */
  clientId: z.string().default(''),
  /** When the connection was last validated (ISO). */
  validatedAt: z.string().default(''),
});

/**
 * The settings every source stores alike (roles, field mapping, thresholds, delta watermark;
 * the creation defaults are the library's, shared by every source: creation-defaults.ts). Each source's own schema extends it (ClassLink adds its connection and
 * sign-in; OneRoster REST its connection; CSV its watched folder), so one reader serves a sync
 * whatever its source.
 */
export const SOURCE_SYNC_SETTINGS = z.object({
  roles: z.array(z.enum(['student', 'teacher', 'admin'])).default(['student', 'teacher']),
  mapping: z
    .object({
      barcode: ID_MAPPING.default({ kind: 'none' }),
      communityId: ID_MAPPING.default({ kind: 'none' }),
      location: LOCATION_MAPPING.default('none'),
    })
    .default({ barcode: { kind: 'none' }, communityId: { kind: 'none' }, location: 'none' }),
  thresholds: z
    .object({
      maxTransferPct: z.number().min(0).max(100).default(10),
      maxUpdatePct: z.number().min(0).max(100).default(50),
    })
    .default({ maxTransferPct: 10, maxUpdatePct: 50 }),
  /** When the last successful sync started (ISO): the delta watermark. */
  lastSuccessAt: z.string().default(''),
});

/** The sync settings of one source, defaults filled. */
export type SourceSyncSettings = z.infer<typeof SOURCE_SYNC_SETTINGS>;

/** The ClassLink source's settings: the shared ones, its connection and sign-in. */
export const CLASSLINK_SETTINGS = SOURCE_SYNC_SETTINGS.extend({
  connection: CONNECTION.nullable().default(null),
  /** "Allow log-in with ClassLink" (SPEC §2 step 6). */
  sso: z.boolean().default(false),
  /**
   * The library's own ClassLink OAuth2 client id for sign-in; '' uses the deployment's
   * (ROLLCALL_SSO_CLIENT_ID). Its secret is with the other secrets (encrypted).
   */
  ssoClientId: z.string().default(''),
  /**
   * The district's Tenant ID for sign-in when the roster connection does not give one (direct
   * or proxy mode); in partner mode the connection's Tenant ID is used.
   */
  ssoTenantId: z.number().int().positive().nullable().default(null),
});

/** Stored ClassLink settings with defaults filled. */
export type ClassLinkSettings = z.infer<typeof CLASSLINK_SETTINGS>;
/** How Barcode / Community ID are mapped. */
export type IdMappingSetting = z.infer<typeof ID_MAPPING>;

/** Reads stored settings (unknown JSON) into a complete settings object. */
export function readClassLinkSettings(raw: unknown): ClassLinkSettings {
  return CLASSLINK_SETTINGS.parse(raw ?? {});
}
