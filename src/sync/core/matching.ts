/**
 * Who is who (SPEC §3.2): each roster user against the patrons, by GUID, then Community ID,
 * Barcode and Email. Indexes are built once (a Map per key), so matching a million users
 * against a million patrons is linear.
 */
import type { IntegrationKind, Patron } from '../../domain/patron.ts';
import type { FieldMapping, ConflictCandidate, ConflictCause, MatchKey } from './types.ts';
import type { RosterUser } from '../../domain/roster.ts';
import { rosterKeyValues, type MappedValues } from './patron-values.ts';

/** The secondary keys, in the order SPEC §3.2 tries them. */
export const SECONDARY_KEYS = ['communityId', 'barcode', 'email'] as const;

/** A secondary matching key. */
export type SecondaryKey = (typeof SECONDARY_KEYS)[number];

/** A user's secondary key values, normalised; a key is absent when unmapped or blank. */
export type SecondaryKeys = Partial<Record<SecondaryKey, string>>;

/** The patrons indexed by each key (normalised values; blank values are not indexed). */
export interface PatronIndex {
  /** Patrons by GUID (several when a file import duplicated one). */
  byGuid: Map<string, Patron[]>;
  /** Patrons by each mapped secondary key (an unmapped key's map stays empty). */
  byKey: Record<SecondaryKey, Map<string, Patron[]>>;
}

/** One roster user to match. */
export interface MatchRequest {
  /** The user's sourcedId (its GUID). */
  sourcedId: string;
  /** Its secondary key values. */
  keys: SecondaryKeys;
  /** Match by GUID only (a user outside the matched sites: only its own record may be found). */
  guidOnly: boolean;
}

/** A patron another key of a GUID-matched user also found (logged, left alone). */
export interface PossibleDuplicate {
  /** The other patron. */
  patron: Patron;
  /** The key that found it. */
  key: SecondaryKey;
}

/** The outcome of matching one roster user. */
export type MatchResult =
  | { kind: 'matched'; patron: Patron; by: MatchKey; duplicates: PossibleDuplicate[] }
  | { kind: 'none' }
  | { kind: 'conflict'; cause: ConflictCause; candidates: ConflictCandidate[]; rivals: string[] };

/**
 * A key value as compared: trimmed; emails also case-folded ("compared trimmed and
 * case-insensitively", SPEC §3.2). Blank stays blank, and "a blank value never matches".
 */
export function normalizeKey(key: MatchKey, value: string): string {
  const trimmed = value.trim();
  return key === 'email' ? trimmed.toLowerCase() : trimmed;
}

/** Whether a secondary key takes part in matching: "only when Community ID / Barcode is mapped"; Email always. */
export function isKeyMapped(key: SecondaryKey, mapping: FieldMapping): boolean {
  return key === 'email' || mapping[key].kind !== 'none';
}

/** Indexes patrons of every status ("a returning student finds their old record") by every usable key. */
export function buildPatronIndex(patrons: readonly Patron[], mapping: FieldMapping): PatronIndex {
  const index: PatronIndex = {
    byGuid: new Map(),
    byKey: { communityId: new Map(), barcode: new Map(), email: new Map() },
  };
  for (const p of patrons) {
    add(index.byGuid, normalizeKey('guid', p.guid), p);
    for (const key of SECONDARY_KEYS) {
      if (isKeyMapped(key, mapping)) add(index.byKey[key], normalizeKey(key, p[key]), p);
    }
  }
  return index;
}

function add(map: Map<string, Patron[]>, value: string, p: Patron): void {
  if (value === '') return;
  const list = map.get(value);
  if (list) list.push(p);
  else map.set(value, [p]);
}

/** A user's secondary key values from its cleaned mapped values (an unmapped field is never matched on). */
export function secondaryKeysOf(values: MappedValues, mapping: FieldMapping): SecondaryKeys {
  const keys: SecondaryKeys = {};
  for (const key of SECONDARY_KEYS) {
    const value = normalizeKey(key, values[key] ?? '');
    if (value !== '' && isKeyMapped(key, mapping)) keys[key] = value;
  }
  return keys;
}

/** A roster user's secondary keys: its cleaned Barcode, Community ID and Email, normalised (what the plan matches it by). */
export function userSecondaryKeys(user: RosterUser, mapping: FieldMapping): SecondaryKeys {
  return secondaryKeysOf(rosterKeyValues(user, mapping), mapping);
}

/**
 * Matches every user, then settles patrons claimed by more than one user. `integration` is the
 * running one: whose GUIDs make a patron someone else's (`passesOver`). The outcome of each user
 * depends only on the patrons and on the users read with it (two claiming one patron), never on
 * which other users happen to be in the read — so a full sync and a delta decide alike.
 */
export function matchUsers(requests: readonly MatchRequest[], index: PatronIndex, integration: IntegrationKind): Map<string, MatchResult> {
  const results = new Map<string, MatchResult>();
  for (const r of requests) results.set(r.sourcedId, matchOne(r, index, integration));
  settleClaims(results);
  return results;
}

/**
 * Whether a secondary key's hit on patron `p` is passed over: it is neither a candidate for
 * user `sourcedId` nor a possible duplicate. The one rule for full and delta syncs alike:
 * - A patron holding a GUID of this integration other than the user's is **owned**: another
 *   roster user's, whatever the snapshot holds (a delta reads only changed users, so "is its
 *   owner in this read" would give a full sync and a delta different answers).
 * - An owned patron is passed over by Email only: siblings share a parent's e-mail and are two
 *   people ("a patron already holding a different GUID is never taken over"), so the user is
 *   created beside it. The price: a student re-issued a new sourcedId and matched only by Email
 *   gets a new patron, and the old one leaves at the next complete full sync (absent, SPEC §3.4).
 * - An owned patron found by Barcode or Community ID is not passed over: it stays a candidate,
 *   so the user is a conflict (identity drift, SPEC §3.2) and no second patron is ever created
 *   with the same barcode or Student #.
 * - A patron holding a GUID that belongs to no sync of this integration (a file import's) is
 *   not owned: any key finding it makes a conflict, until a sync matches it by GUID.
 */
export function passesOver(p: Patron, key: SecondaryKey, sourcedId: string, integration: IntegrationKind): boolean {
  if (key !== 'email' || p.guidSource !== integration) return false;
  const guid = normalizeKey('guid', p.guid);
  return guid !== '' && guid !== sourcedId;
}

function matchOne(r: MatchRequest, index: PatronIndex, integration: IntegrationKind): MatchResult {
  // 1. GUID — "A GUID match is final: the secondary keys are consulted only when no patron holds the user's GUID."
  const byGuid = index.byGuid.get(normalizeKey('guid', r.sourcedId)) ?? [];
  if (byGuid.length > 1) {
    return { kind: 'conflict', cause: 'guid-shared', candidates: byGuid.map((p) => candidate(p, ['guid'])), rivals: [] };
  }
  const guidPatron = byGuid[0];
  if (guidPatron) {
    return {
      kind: 'matched',
      patron: guidPatron,
      by: 'guid',
      duplicates: r.guidOnly ? [] : duplicatesOf(r, guidPatron, index, integration),
    };
  }
  if (r.guidOnly) return { kind: 'none' };

  // 2–4. Community ID, Barcode, Email, each only when mapped and not blank.
  const found = new Map<number, { patron: Patron; keys: MatchKey[] }>();
  let keyShared = false;
  for (const key of SECONDARY_KEYS) {
    const value = r.keys[key];
    if (value === undefined) continue;
    const hits = (index.byKey[key].get(value) ?? []).filter((p) => !passesOver(p, key, r.sourcedId, integration));
    // "one key points at several patrons: conflict"
    if (hits.length > 1) keyShared = true;
    for (const p of hits) {
      const entry = found.get(p.id);
      if (entry) entry.keys.push(key);
      else found.set(p.id, { patron: p, keys: [key] });
    }
  }
  const candidates = [...found.values()].map((e) => candidate(e.patron, e.keys));
  if (keyShared) return { kind: 'conflict', cause: 'key-shared', candidates, rivals: [] };
  // "If the secondary keys point at different patrons ... conflict"
  if (candidates.length > 1) return { kind: 'conflict', cause: 'keys-disagree', candidates, rivals: [] };
  const only = [...found.values()][0];
  if (!only) return { kind: 'none' };
  // "A patron already holding a different GUID is never taken over by a secondary key: that is
  // a conflict (identity drift), not a match." (An owned patron found by Email alone was passed over.)
  if (normalizeKey('guid', only.patron.guid) !== '') {
    return { kind: 'conflict', cause: 'identity-drift', candidates, rivals: [] };
  }
  return { kind: 'matched', patron: only.patron, by: only.keys[0]!, duplicates: [] };
}

/**
 * "If a secondary key of a GUID-matched user also finds another patron, that is logged as a
 * possible duplicate, and the other patron is left alone." A patron passed over (`passesOver`:
 * a sibling's, by Email) is not a duplicate.
 */
function duplicatesOf(r: MatchRequest, matched: Patron, index: PatronIndex, integration: IntegrationKind): PossibleDuplicate[] {
  const out: PossibleDuplicate[] = [];
  const seen = new Set<number>([matched.id]);
  for (const key of SECONDARY_KEYS) {
    const value = r.keys[key];
    if (value === undefined) continue;
    for (const p of index.byKey[key].get(value) ?? []) {
      if (seen.has(p.id) || passesOver(p, key, r.sourcedId, integration)) continue;
      seen.add(p.id);
      out.push({ patron: p, key });
    }
  }
  return out;
}

/**
 * "two roster users claim the same patron: conflict". A GUID claim is final and keeps the
 * patron; claims by secondary keys on a patron claimed twice all become conflicts.
 */
function settleClaims(results: Map<string, MatchResult>): void {
  const claimants = new Map<number, string[]>();
  for (const [sourcedId, result] of results) {
    if (result.kind !== 'matched') continue;
    const list = claimants.get(result.patron.id);
    if (list) list.push(sourcedId);
    else claimants.set(result.patron.id, [sourcedId]);
  }
  for (const ids of claimants.values()) {
    if (ids.length < 2) continue;
    for (const sourcedId of ids) {
      const result = results.get(sourcedId);
      if (result?.kind !== 'matched' || result.by === 'guid') continue;
      results.set(sourcedId, {
        kind: 'conflict',
        cause: 'claimed-twice',
        candidates: [candidate(result.patron, [result.by])],
        rivals: ids.filter((id) => id !== sourcedId),
      });
    }
  }
}

/** A patron as a conflict report shows it. */
export function candidate(p: Patron, matchedOn: MatchKey[]): ConflictCandidate {
  return {
    patronId: p.id,
    guid: p.guid.trim(),
    name: [p.firstName, p.lastName]
      .map((s) => s.trim())
      .filter(Boolean)
      .join(' '),
    matchedOn,
  };
}
