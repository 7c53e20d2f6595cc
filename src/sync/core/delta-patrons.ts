/**
 * What a delta sync needs of the library, without loading every patron (a delta after
 * 1% of changes should cost a few percent of a full sync, and reading all 100,000 patrons was
 * most of it).
 *
 * A delta's plan looks patrons up only by the keys of the users it read — each user's GUID, its
 * secondary keys (SPEC §3.2), and the GUIDs of changed demographics — and never looks for
 * absentees (those are full syncs only). Beyond those patrons it needs three library-wide facts:
 * the denominators of the safety thresholds (SPEC §3.5: how many patrons are in scope, and how
 * many Active ones the running integration owns — a delta transfers no absentee, but its
 * tobedeleted users are transferred) and which barcodes are taken (sequence barcodes of new
 * patrons, SPEC §3.3). All come from one pass over every patron's keys
 * (`PatronRepository.scanKeys`: nine columns, paged on SQLite), normalised here by the same
 * functions the plan matches with, so a patron whose stored key has stray spaces or another case
 * is still found.
 * The wanted keys may be a superset of what the plan looks up: a patron loaded but never found
 * by a lookup changes nothing in the plan.
 */
import type { PatronKeys } from '../../domain/patron.ts';
import { isKeyMapped, normalizeKey, SECONDARY_KEYS, userSecondaryKeys, type SecondaryKey } from './matching.ts';
import { countsAsOwned, countsInScope, fold, scopeOf } from './scope.ts';
import type { LibraryFacts, Snapshot, SyncSettings } from './types.ts';

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
    const keys = userSecondaryKeys(user, settings.mapping);
    for (const key of SECONDARY_KEYS) {
      const value = keys[key];
      if (value !== undefined) wanted.byKey[key].add(value);
    }
  }
  for (const id of snapshot.demographics.keys()) wanted.guids.add(normalizeKey('guid', id));
  wanted.guids.delete('');
  return wanted;
}

/** One pass over every patron's keys: the patrons a delta needs, and the library facts. */
export interface DeltaScan {
  /** Takes the next patron's keys (scanKeys' visitor). */
  visit: (p: PatronKeys) => void;
  /** The ids of the patrons holding a wanted key (of any status: a returning student finds their record), in visit order. */
  readonly ids: number[];
  /** The library-wide facts, once every patron was visited. */
  facts: () => LibraryFacts;
}

/** Whether a plan of these settings can assign sequence barcodes (BarcodeSequences: only when Barcode is not mapped). */
function assignsBarcodes(settings: SyncSettings): boolean {
  return settings.mapping.barcode.kind === 'none' && settings.roles.some((r) => settings.defaults[r].barcode.kind === 'sequence');
}

/** Starts a scan for a delta wanting these keys. */
export function deltaScan(wanted: WantedKeys, settings: SyncSettings): DeltaScan {
  const mapped = SECONDARY_KEYS.filter((key) => isKeyMapped(key, settings.mapping) && wanted.byKey[key].size > 0);
  const scope = scopeOf(settings);
  // Folded as BarcodeSequences compares them; kept only when a sequence may be used.
  const barcodes: string[] | undefined = assignsBarcodes(settings) ? [] : undefined;
  const ids: number[] = [];
  let inScope = 0;
  let owned = 0;
  return {
    ids,
    visit(p) {
      if (wanted.guids.has(normalizeKey('guid', p.guid)) || mapped.some((key) => wanted.byKey[key].has(normalizeKey(key, p[key]))))
        ids.push(p.id);
      if (countsInScope(p, scope)) inScope++;
      if (countsAsOwned(p, settings.integration)) owned++;
      if (barcodes && p.barcode !== '') barcodes.push(fold(p.barcode));
    },
    facts: () => ({
      inScopePatronCount: inScope,
      ownedPatronCount: owned,
      takenBarcodes: () => {
        if (!barcodes) throw new Error('The taken barcodes were not collected: these settings assign none.');
        return barcodes;
      },
    }),
  };
}
