/**
 * What every source's Syncing and Field Mapping steps send, and their options API (PATCH
 * …/options), read into an options change (pure): the choices the pages offer for roles,
 * Barcode / Community ID and Location, the Field Mapping form and the PATCH body. A form and a
 * script are refused with the same sentence, naming the field as the page labels it.
 */
import type { SyncRole } from '../../domain/roster.ts';
import type { OptionsChange } from '../../sources/options.ts';
import type { IdMappingSetting } from '../../sources/settings.ts';
import type { LocationMapping } from '../../sync/core/types.ts';
import { checked, invalid, limitedTextOf, listOf, objectOf, textOf, type Body } from './body.ts';

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

function idMappingOf(field: string, kind: unknown, type: unknown): IdMappingSetting {
  const k = textOf(kind).toLowerCase() || 'none';
  if (k === 'none' || k === 'identifier' || k === 'username') return { kind: k };
  if (k === 'userid') {
    const t = limitedTextOf(type, 'type', `The identifier type of ${field}`, 'short');
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
