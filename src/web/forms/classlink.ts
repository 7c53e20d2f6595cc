/**
 * What the ClassLink settings pages and their JSON API send, read into the services' requests
 * (pure). Forms send text (`roles=student&roles=admin`, `maxUpdatePct=20`), the API sends JSON
 * (`{"roles": ["student"]}`); both come here, so a page and a script are refused with the same
 * sentence — one that names the field as the page labels it, never a command-line option.
 */
import { RollcallError } from '../../domain/errors.ts';
import type { SyncRole } from '../../domain/roster.ts';
import type { IdMappingSetting } from '../../sources/settings.ts';
import type { LocationMapping } from '../../sync/core/types.ts';
import type { ConnectRequest } from '../../sources/classlink/connect.ts';
import type { OptionsChange } from '../../sources/options.ts';

/** ClassLink Tenant IDs are small positive integers. */
const MAX_TENANT_ID = 2 ** 31 - 1;

/** The roles, in the order the page lists them. */
export const ROLE_CHOICES: readonly { role: SyncRole; label: string }[] = [
  { role: 'student', label: 'Student' },
  { role: 'teacher', label: 'Teacher' },
  { role: 'admin', label: 'Admin (Staff)' },
];

/** Where Barcode / Community ID may come from, as the page offers it. */
export const ID_MAPPING_CHOICES: readonly { kind: IdMappingSetting['kind']; label: string }[] = [
  { kind: 'none', label: 'Not mapped' },
  { kind: 'identifier', label: 'identifier' },
  { kind: 'username', label: 'username' },
  { kind: 'userid', label: 'userIds of type…' },
];

/** Where Location may come from, as the page offers it. */
export const LOCATION_CHOICES: readonly { value: LocationMapping; label: string }[] = [
  { value: 'none', label: 'Not mapped' },
  { value: 'homeroom-code', label: 'Homeroom class code' },
  { value: 'homeroom-location', label: 'Homeroom class location' },
  { value: 'homeroom-teacher', label: 'Homeroom teacher name' },
];

/** A form or JSON body. */
export type Body = Record<string, unknown>;

/**
 * The connection a body asks for: `mode` (partner, direct, proxy) or, without it, the mode its
 * fields make (a Tenant ID is partner mode, a bearer token proxy mode, an OAuth secret direct).
 */
export function connectRequestOf(body: Body): ConnectRequest {
  const mode =
    textOf(body.mode) || (present(body.tenantId) ? 'partner' : present(body.bearer) ? 'proxy' : present(body.clientSecret) ? 'direct' : '');
  switch (mode) {
    case 'partner':
      return { mode, tenantId: tenantIdOf(body.tenantId) };
    case 'direct': {
      const rosterUrl = rosterUrlOf(body.rosterUrl);
      const clientId = textOf(body.clientId);
      const clientSecret = textOf(body.clientSecret);
      if (clientId === '' || clientSecret === '')
        throw invalid("Direct mode needs the OAuth key and the OAuth secret of the district's Roster Server.");
      return { mode, rosterUrl, clientId, clientSecret };
    }
    case 'proxy': {
      const rosterUrl = rosterUrlOf(body.rosterUrl);
      const bearer = textOf(body.bearer);
      if (bearer === '') throw invalid('Proxy mode needs the bearer token ClassLink gave for this district.');
      return { mode, rosterUrl, bearer };
    }
    default:
      throw invalid(
        'Give a Tenant ID; or, under Advanced, a Roster Server URL with its OAuth key and secret, or a proxy URL with its bearer token.',
      );
  }
}

/** The synced roles a body lists (`roles`, one value or many); at least one. */
export function rolesOf(value: unknown): SyncRole[] {
  const roles: SyncRole[] = [];
  for (const raw of listOf(value)) {
    const name = textOf(raw).toLowerCase();
    const role = ROLE_CHOICES.find((c) => c.role === name)?.role ?? (name === 'staff' || name === 'administrator' ? 'admin' : undefined);
    if (!role) throw invalid(`"${textOf(raw)}" is not a role Rollcall syncs: choose Student, Teacher or Admin.`);
    if (!roles.includes(role)) roles.push(role);
  }
  if (roles.length === 0) throw invalid('Choose at least one role to sync: Student, Teacher or Admin.');
  return roles;
}

/**
 * The Field Mapping form (every field present): Barcode and Community ID (`barcode` plus
 * `barcodeType` for userIds), Location, the two thresholds and "Allow log-in with ClassLink"
 * (a checkbox: absent means off).
 */
export function fieldMappingFormOf(body: Body): OptionsChange {
  return {
    barcode: idMappingOf('Barcode', body.barcode, body.barcodeType),
    communityId: idMappingOf('Community ID', body.communityId, body.communityIdType),
    location: locationOf(body.location),
    maxTransferPct: percentOf('Maximum transferred', body.maxTransferPct),
    maxUpdatePct: percentOf('Maximum updated', body.maxUpdatePct),
    sso: checked(body.sso),
  };
}

/** The options PATCH body: `{roles?, mapping?: {barcode?, communityId?, location?}, thresholds?: {…}, sso?}`. */
export function optionsPatchOf(body: Body): OptionsChange {
  const change: OptionsChange = {};
  if (body.roles !== undefined) change.roles = rolesOf(body.roles);
  const mapping = objectOf(body.mapping);
  if (mapping.barcode !== undefined) change.barcode = idMappingJson('Barcode', mapping.barcode);
  if (mapping.communityId !== undefined) change.communityId = idMappingJson('Community ID', mapping.communityId);
  if (mapping.location !== undefined) change.location = locationOf(mapping.location);
  const thresholds = objectOf(body.thresholds);
  if (thresholds.maxTransferPct !== undefined) change.maxTransferPct = percentOf('maxTransferPct', thresholds.maxTransferPct);
  if (thresholds.maxUpdatePct !== undefined) change.maxUpdatePct = percentOf('maxUpdatePct', thresholds.maxUpdatePct);
  if (body.sso !== undefined) {
    if (typeof body.sso !== 'boolean') throw invalid('sso is true or false.');
    change.sso = body.sso;
  }
  return change;
}

/** Whether a form's checkbox or a flag is on (`on`, `true`, `1`, true). */
export function checked(value: unknown): boolean {
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  return v === true || ['on', 'true', '1', 'yes'].includes(textOf(v).toLowerCase());
}

function tenantIdOf(value: unknown): number {
  const v = textOf(value);
  if (v === '') throw invalid("Enter the district's ClassLink Tenant ID (a number, like 1234).");
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_TENANT_ID)
    throw invalid(`A ClassLink Tenant ID is a whole number, like 1234; "${v}" is not one.`);
  return Number(v);
}

function rosterUrlOf(value: unknown): string {
  const v = textOf(value);
  if (v === '') throw invalid('Enter the server URL, like https://example.oneroster.com.');
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw invalid(`"${v}" is not a web address; it should look like https://example.oneroster.com.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('The server URL must start with https:// (or http://).');
  return v;
}

function idMappingOf(field: string, kind: unknown, type: unknown): IdMappingSetting {
  const k = textOf(kind).toLowerCase() || 'none';
  if (k === 'none' || k === 'identifier' || k === 'username') return { kind: k };
  if (k === 'userid') {
    const t = textOf(type);
    if (t === '') throw invalid(`${field} from userIds needs the identifier type (as the district names it, e.g. FED or Library).`);
    return { kind: 'userid', type: t };
  }
  throw invalid(`${field} can come from nothing, identifier, username or a userIds type; "${textOf(kind)}" is none of them.`);
}

function idMappingJson(field: string, value: unknown): IdMappingSetting {
  const o = objectOf(value);
  return idMappingOf(field, o.kind, o.type);
}

function locationOf(value: unknown): LocationMapping {
  const v = textOf(value).toLowerCase() || 'none';
  const found = LOCATION_CHOICES.find((c) => c.value === v);
  if (!found)
    throw invalid(`Location can come from ${LOCATION_CHOICES.map((c) => c.value).join(', ')}; "${textOf(value)}" is none of them.`);
  return found.value;
}

function percentOf(field: string, value: unknown): number {
  const v = textOf(value);
  const n = typeof value === 'number' ? value : Number(v);
  if (v === '' || !Number.isFinite(n) || n < 0 || n > 100) throw invalid(`${field} is a percentage from 0 to 100, not "${v}".`);
  return n;
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

function objectOf(value: unknown): Body {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid('The request is not valid: an object was expected.');
  return value as Body;
}

function present(value: unknown): boolean {
  return textOf(value) !== '';
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

function invalid(message: string): RollcallError {
  return new RollcallError('invalid_input', message);
}
