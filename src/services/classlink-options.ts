/**
 * The ClassLink options (SPEC §2 steps 3, 4 and 6, §3.5): which roles are synced, where
 * Barcode, Community ID and Location come from, "Allow log-in with ClassLink", and the safety
 * thresholds. Changing them needs no connection; omitted options keep their values.
 */
import type { SyncRole } from '../domain/roster.ts';
import { loadClassLink, saveClassLink } from '../integrations/classlink.ts';
import type { ClassLinkSettings, IdMappingSetting } from '../integrations/settings.ts';
import type { Repositories } from '../store/store.ts';
import type { LocationMapping } from '../sync/types.ts';

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
  /** Stop for review past this share of in-scope patrons transferred (%). */
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
  /** "Allow log-in with ClassLink". */
  sso: boolean;
  /** Safety thresholds, in percent. */
  thresholds: { maxTransferPct: number; maxUpdatePct: number };
}

/** Applies a change (none: just reads) and returns the resulting options. */
export async function updateOptions(repos: Pick<Repositories, 'integrations'>, libraryId: number, change: OptionsChange = {}): Promise<OptionsView> {
  const current = await loadClassLink(repos, libraryId);
  const next = withChange(current.settings, change);
  if (JSON.stringify(next) !== JSON.stringify(current.settings)) await saveClassLink(repos, libraryId, { settings: next });
  return optionsView(next);
}

/** The settings with a change applied (pure). */
export function withChange(settings: ClassLinkSettings, change: OptionsChange): ClassLinkSettings {
  return {
    ...settings,
    roles: change.roles ? [...change.roles] : settings.roles,
    mapping: {
      barcode: change.barcode ?? settings.mapping.barcode,
      communityId: change.communityId ?? settings.mapping.communityId,
      location: change.location ?? settings.mapping.location,
    },
    sso: change.sso ?? settings.sso,
    thresholds: {
      maxTransferPct: change.maxTransferPct ?? settings.thresholds.maxTransferPct,
      maxUpdatePct: change.maxUpdatePct ?? settings.thresholds.maxUpdatePct,
    },
  };
}

/** The options part of the settings. */
export function optionsView(s: ClassLinkSettings): OptionsView {
  return {
    roles: [...s.roles],
    mapping: { barcode: s.mapping.barcode, communityId: s.mapping.communityId, location: s.mapping.location },
    sso: s.sso,
    thresholds: { ...s.thresholds },
  };
}
