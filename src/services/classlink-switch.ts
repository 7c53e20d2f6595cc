/**
 * Turning the ClassLink integration on and off (SPEC §1.3). At most one integration is enabled
 * at a time: turning one ON turns the others OFF and clears the identifiers that belonged to
 * them (patron GUIDs, site GUIDs) after telling the admin how many. ClassLink is the only
 * integration built so far, so there is nothing else to turn off or clear yet; when the generic
 * OneRoster and CSV providers arrive, enabling one of them goes through the same rule here.
 */
import { RollcallError } from '../domain/errors.ts';
import { loadClassLink, saveClassLink } from '../integrations/classlink.ts';
import type { Repositories } from '../store/store.ts';

/** The integration's state after a switch. */
export interface SwitchResult {
  /** Whether ClassLink is now enabled. */
  enabled: boolean;
  /** Whether it was already in that state. */
  unchanged: boolean;
  /** Sites matched to a ClassLink school. */
  matchedSites: number;
  /** Things the admin should know (one sentence each). */
  notes: string[];
}

/** Enables ClassLink; refused (not_configured) until a connection is configured. */
export async function enableClassLink(repos: Pick<Repositories, 'integrations' | 'sites'>, libraryId: number): Promise<SwitchResult> {
  const state = await loadClassLink(repos, libraryId);
  if (!state.settings.connection) {
    throw new RollcallError('not_configured', 'ClassLink cannot be enabled before it is configured: run `rollcall classlink configure` first.');
  }
  if (!state.enabled) await saveClassLink(repos, libraryId, { settings: state.settings, enabled: true });
  const matchedSites = await matchedSiteCount(repos, libraryId);
  const notes = matchedSites === 0 ? ['No site is matched to a ClassLink school yet: a sync needs at least one (`rollcall classlink match-site`).'] : [];
  return { enabled: true, unchanged: state.enabled, matchedSites, notes };
}

/** Disables ClassLink: syncs stop; patrons, GUIDs and matches are kept. */
export async function disableClassLink(repos: Pick<Repositories, 'integrations' | 'sites'>, libraryId: number): Promise<SwitchResult> {
  const state = await loadClassLink(repos, libraryId);
  if (state.enabled) await saveClassLink(repos, libraryId, { settings: state.settings, enabled: false });
  return { enabled: false, unchanged: !state.enabled, matchedSites: await matchedSiteCount(repos, libraryId), notes: [] };
}

async function matchedSiteCount(repos: Pick<Repositories, 'sites'>, libraryId: number): Promise<number> {
  return (await repos.sites.list(libraryId)).filter((s) => s.orgGuid !== '').length;
}
