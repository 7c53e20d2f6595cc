/**
 * A source's options (SPEC §2 steps 3, 4 and 6, §3.5): which roles are synced, where Barcode,
 * Community ID and Location come from, the safety thresholds, and — ClassLink only — "Allow
 * log-in with ClassLink". Changing them needs no connection; omitted options keep their values.
 * Every caller passes the source's OptionsStore.
 */
import type { SyncRole } from '../domain/roster.ts';
import type { IntegrationKind } from '../domain/patron.ts';
import type { IdMappingSetting, SourceSyncSettings } from './settings.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { LocationMapping } from '../sync/core/types.ts';

/** A change of options; absent fields stay as they are. */
export interface OptionsChange {
  /** The synced roles. */
  roles?: SyncRole[];
  /** Where Barcode (1000) comes from. */
  barcode?: IdMappingSetting;
  /** Where Community ID (1001) comes from. */
  communityId?: IdMappingSetting;
  /** Where Location (1004) comes from. */
  location?: LocationMapping;
  /** "Allow log-in with ClassLink". */
  sso?: boolean;
  /** Stop for review past this share of the Active patrons synced from the source transferred (%). */
  maxTransferPct?: number;
  /** Stop for review past this share of in-scope patrons updated (%). */
  maxUpdatePct?: number;
}

/** The options as shown. */
export interface OptionsView {
  /** The synced roles. */
  roles: SyncRole[];
  /** Field mapping. */
  mapping: { barcode: IdMappingSetting; communityId: IdMappingSetting; location: LocationMapping };
  /** "Allow log-in with ClassLink" (ClassLink only: absent for other integrations). */
  sso?: boolean;
  /** Safety thresholds, in percent. */
  thresholds: { maxTransferPct: number; maxUpdatePct: number };
}

/** The part of an integration's settings the options are (`sso` only where sign-in exists). */
export type OptionSettings = Pick<SourceSyncSettings, 'roles' | 'mapping' | 'thresholds'> & { sso?: boolean };

/** Where an integration keeps its settings, for updateOptions. */
export interface OptionsStore<S extends OptionSettings> {
  /** The integration whose settings these are. */
  kind: IntegrationKind;
  /** The library's settings (defaults when never saved). */
  load(repos: Pick<Repositories, 'integrations'>, libraryId: number): Promise<S>;
  /** Saves them. */
  save(repos: Pick<Repositories, 'integrations'>, libraryId: number, settings: S): Promise<void>;
}

/** Applies a change (none: just reads) to a source's options and returns them. */
export async function updateOptions<S extends OptionSettings>(
  repos: Pick<Repositories, 'integrations'> | Store,
  libraryId: number,
  change: OptionsChange,
  kept: OptionsStore<S>,
): Promise<OptionsView> {
  if (Object.keys(change).length === 0) return optionsView(await kept.load(repos, libraryId));
  // Read, change and write in one transaction holding the row: the settings also carry what a
  // sync writes as it applies (barcode sequence, watermark), which a stale write would undo.
  return lockedUpdate(repos, libraryId, kept.kind, async (tx) => {
    const current = await kept.load(tx, libraryId);
    const next = withChange(current, change);
    if (JSON.stringify(next) !== JSON.stringify(current)) await kept.save(tx, libraryId, next);
    return optionsView(next);
  });
}

/**
 * Runs a read-change-write of an integration's settings in one transaction that holds its row
 * (integrations.lock); given a transaction's repositories, runs in that one.
 */
export async function lockedUpdate<T>(
  repos: Pick<Repositories, 'integrations'> | Store,
  libraryId: number,
  kind: IntegrationKind,
  work: (tx: Pick<Repositories, 'integrations'>) => Promise<T>,
): Promise<T> {
  const run = async (tx: Pick<Repositories, 'integrations'>) => {
    await tx.integrations.lock(libraryId, kind);
    return work(tx);
  };
  return 'transaction' in repos ? repos.transaction(run) : run(repos);
}

/** The settings with a change applied (pure); `sso` is changed only where the settings have it. */
export function withChange<S extends OptionSettings>(settings: S, change: OptionsChange): S {
  return {
    ...settings,
    roles: change.roles ? [...change.roles] : settings.roles,
    mapping: {
      barcode: change.barcode ?? settings.mapping.barcode,
      communityId: change.communityId ?? settings.mapping.communityId,
      location: change.location ?? settings.mapping.location,
    },
    ...(settings.sso === undefined ? {} : { sso: change.sso ?? settings.sso }),
    thresholds: {
      maxTransferPct: change.maxTransferPct ?? settings.thresholds.maxTransferPct,
      maxUpdatePct: change.maxUpdatePct ?? settings.thresholds.maxUpdatePct,
    },
  };
}

/** The options part of the settings. */
export function optionsView(s: OptionSettings): OptionsView {
  return {
    roles: [...s.roles],
    mapping: { barcode: s.mapping.barcode, communityId: s.mapping.communityId, location: s.mapping.location },
    ...(s.sso === undefined ? {} : { sso: s.sso }),
    thresholds: { ...s.thresholds },
  };
}
