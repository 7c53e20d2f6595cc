/**
 * Turning the ClassLink integration on and off (SPEC §1.3). At most one integration is enabled
 * at a time: enabling ClassLink goes through integration-switch.ts, which turns the others off
 * and clears the identifiers that belonged to them (the CLI first shows how many and asks for
 * `--yes`).
 */
import { loadClassLink, saveClassLink } from './state.ts';
import type { Repositories, Store } from '../../store/store.ts';
import { enableIntegration } from '../switch.ts';

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

/** Enables ClassLink (and turns any other integration off, clearing its identifiers); refused (not_configured) until a connection is configured. */
export async function enableClassLink(store: Store, libraryId: number): Promise<SwitchResult> {
  const r = await enableIntegration(store, libraryId, 'classlink');
  return { enabled: true, unchanged: r.unchanged, matchedSites: r.matchedSites, notes: r.notes };
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
