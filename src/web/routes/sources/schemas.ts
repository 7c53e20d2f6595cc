/**
 * The JSON schemas the sources' API routes share. Response schemas list every field shown:
 * anything else, a secret included, is dropped from the response.
 */

/** A Barcode / Community ID mapping as the API shows it. */
export const ID_MAPPING_SCHEMA = { type: 'object', properties: { kind: { type: 'string' }, type: { type: 'string' } } } as const;

/** The options as the API shows them. */
export const OPTIONS_SCHEMA = {
  type: 'object',
  properties: {
    roles: { type: 'array', items: { type: 'string' } },
    mapping: { type: 'object', properties: { barcode: ID_MAPPING_SCHEMA, communityId: ID_MAPPING_SCHEMA, location: { type: 'string' } } },
    thresholds: { type: 'object', properties: { maxTransferPct: { type: 'number' }, maxUpdatePct: { type: 'number' } } },
  },
} as const;

/** The options of a source with sign-in (ClassLink): "Allow log-in with ClassLink" beside the others. */
export const OPTIONS_WITH_SSO_SCHEMA = {
  type: 'object',
  properties: {
    roles: OPTIONS_SCHEMA.properties.roles,
    mapping: OPTIONS_SCHEMA.properties.mapping,
    sso: { type: 'boolean' },
    thresholds: OPTIONS_SCHEMA.properties.thresholds,
  },
} as const;

/** A site as the mapping API shows it. */
export const SITE_SCHEMA = {
  type: 'object',
  properties: { code: { type: 'string' }, name: { type: 'string' }, orgSourcedId: { type: 'string' } },
} as const;

/** A school as the mapping API shows it (matched site code included). */
export const SCHOOL_FIELDS = {
  sourcedId: { type: 'string' },
  name: { type: 'string' },
  identifier: { type: 'string' },
  status: { type: 'string' },
  siteCode: { type: 'string' },
} as const;

/** A school with the site suggested for it by name. */
export const SCHOOL_SCHEMA = { type: 'object', properties: { ...SCHOOL_FIELDS, suggestedSiteCode: { type: 'string' } } } as const;

/** What turning an integration ON would clear (enable-preview). */
export const PREVIEW_SCHEMA = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    current: { type: 'string', nullable: true },
    patronGuids: { type: 'object', additionalProperties: { type: 'integer' } },
    patronGuidTotal: { type: 'integer' },
    siteGuids: { type: 'integer' },
    total: { type: 'integer' },
    alreadyEnabled: { type: 'boolean' },
    configured: { type: 'boolean' },
    matchedSites: { type: 'integer' },
    message: { type: 'string' },
  },
} as const;

/** What turning an integration ON confirms: the total of the preview the admin was shown. */
export const ENABLE_BODY_SCHEMA = {
  type: 'object',
  nullable: true,
  properties: { previewedTotal: { type: 'integer', minimum: 0 } },
} as const;

/** A turn-on refused because what it clears is not what was previewed: nothing changed; the new preview. */
export const PREVIEW_CHANGED_SCHEMA = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { kind: { type: 'string' }, message: { type: 'string' } } },
    preview: PREVIEW_SCHEMA,
  },
} as const;

/** What turning an integration ON or OFF did. */
export const ENABLE_SCHEMA = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean' },
    unchanged: { type: 'boolean' },
    disabled: { type: 'array', items: { type: 'string' } },
    clearedPatronGuids: { type: 'integer' },
    clearedSiteGuids: { type: 'integer' },
    matchedSites: { type: 'integer' },
    notes: { type: 'array', items: { type: 'string' } },
  },
} as const;
