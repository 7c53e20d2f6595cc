/**
 * What a delta sync needs of the library, without loading every patron (issue 4: a delta after
 * 1% of changes should cost a few percent of a full sync, and reading all 100,000 patrons was
 * most of it).
 *
 * A delta's plan looks patrons up only by the keys of the users it read — each user's GUID, its
 * secondary keys (SPEC §3.2), and the GUIDs of changed demographics — and never looks for
 * absentees (those are full syncs only). Beyond those patrons it needs two library-wide facts:
 * how many patrons are in scope (the safety thresholds, SPEC §3.5) and which barcodes are taken
 * (sequence barcodes of new patrons, SPEC §3.3). Both come from every patron's keys
 * (`PatronRepository.loadKeys`, a few columns), normalised here by the same functions the plan
 * matches with, so a patron whose stored key has stray spaces or another case is still found.
 * The wanted keys may be a superset of what the plan looks up: a patron loaded but never found
 * by a lookup changes nothing in the plan.
 */
import { STATUS_TRANSFERRED } from '../domain/fields.ts';
import type { PatronKeys } from '../store/patrons.ts';
import { isKeyMapped, normalizeKey, SECONDARY_KEYS, secondaryKeysOf, type SecondaryKey } from './matching.ts';
import { fold, isPatronInScope, scopeOf } from './scope.ts';
import type { LibraryFacts, Snapshot, SyncSettings } from './types.ts';
import { rosterKeyValues } from './values.ts';

/** The normalised keys a delta's plan may look patrons up by. */
export interface WantedKeys {
  /** Users' sourcedIds and changed demographics' ids, trimmed. */
  guids: Set<string>;
  /** Each mapped secondary key's normalised values. */
  byKey: Record<SecondaryKey, Set<string>>;
}

/** Every key a plan of this snapshot could look a patron up by. */
export function wantedKeys(snapshot: Pick<Snapshot, 'users' | 'demographics'>, settings: SyncSettings): WantedKeys {
  const wanted: WantedKeys = { guids: new Set(), byKey: { communityId: new Set(), barcode: new Set(), email: new Set() } };
  for (const user of snapshot.users) {
    wanted.guids.add(normalizeKey('guid', user.sourcedId));
    const keys = secondaryKeysOf(rosterKeyValues(user, settings.mapping), settings.mapping);
    for (const key of SECONDARY_KEYS) {
      const value = keys[key];
      if (value !== undefined) wanted.byKey[key].add(value);
    }
  }
  for (const id of snapshot.demographics.keys()) wanted.guids.add(normalizeKey('guid', id));
  wanted.guids.delete('');
  return wanted;
}

/** The ids of the patrons holding any wanted key (of any status: a returning student finds their record). */
export function patronIdsWanted(patrons: readonly PatronKeys[], wanted: WantedKeys, settings: Pick<SyncSettings, 'mapping'>): number[] {
  const mapped = SECONDARY_KEYS.filter((key) => isKeyMapped(key, settings.mapping) && wanted.byKey[key].size > 0);
  const ids: number[] = [];
  for (const p of patrons) {
    if (wanted.guids.has(normalizeKey('guid', p.guid)) || mapped.some((key) => wanted.byKey[key].has(normalizeKey(key, p[key])))) ids.push(p.id);
  }
  return ids;
}

/** The library-wide facts of SPEC §3.3 and §3.5, from every patron's keys. */
export function libraryFacts(patrons: readonly PatronKeys[], settings: SyncSettings): LibraryFacts {
  const scope = scopeOf(settings);
  let inScope = 0;
  for (const p of patrons) if (p.status !== STATUS_TRANSFERRED && isPatronInScope(p, scope)) inScope++;
  return {
    inScopePatronCount: inScope,
    // Folded as BarcodeSequences compares them; only built when a sequence is used.
    takenBarcodes: () => patrons.map((p) => fold(p.barcode)),
  };
}
