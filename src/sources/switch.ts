/**
 * One integration at a time (SPEC §1.3): enabling ClassLink, OneRoster REST or OneRoster CSV
 * turns the others off and clears every identifier that belonged to them — patron GUIDs whose
 * source is another integration, and site matches made for another integration — in one
 * transaction, after the admin has been told how many (switchPreview).
 *
 * What is NOT cleared, and why: a patron GUID with no source (from a file import, or typed in)
 * belongs to no integration until a sync matches it (SPEC §3.2), so it stays for the new
 * integration to match; and the enabled integration's own identifiers stay. A site match that
 * records no source (made by code predating the record) is cleared: nobody can say it is the
 * new integration's.
 */
import { RollcallError } from '../domain/errors.ts';
import type { IntegrationKind } from '../domain/patron.ts';
import { INTEGRATION_KINDS, SOURCE_COMMANDS, SOURCE_NAMES, enabledIntegration, sitesOfSource } from './registry.ts';
import type { Repositories, Store } from '../store/store.ts';

/** What enabling an integration would clear and turn off. */
export interface SwitchPreview {
  /** The integration to enable. */
  kind: IntegrationKind;
  /** The integration enabled now, if any. */
  current: IntegrationKind | undefined;
  /** Patron GUIDs that would be cleared, per integration they belong to (only those with any). */
  patronGuids: Partial<Record<IntegrationKind, number>>;
  /** Patron GUIDs that would be cleared, in all. */
  patronGuidTotal: number;
  /** Site matches that would be cleared (made for another integration, or recording none). */
  siteGuids: number;
  /** Everything that would be cleared: patron GUIDs and site matches. */
  total: number;
}

/** What enabling did. */
export interface SwitchResult {
  /** The integration now enabled. */
  kind: IntegrationKind;
  /** It was enabled already. */
  unchanged: boolean;
  /** The integrations turned off. */
  disabled: IntegrationKind[];
  /** Patron GUIDs cleared, per integration. */
  clearedPatronGuids: Partial<Record<IntegrationKind, number>>;
  /** Site matches cleared. */
  clearedSiteGuids: number;
  /** Sites matched for the enabled integration. */
  matchedSites: number;
  /** Things the admin should know (one sentence each). */
  notes: string[];
}

/** How many identifiers enabling `kind` would clear (SPEC §1.3: told before confirming). */
export async function switchPreview(
  repos: Pick<Repositories, 'integrations' | 'patrons' | 'sites'>,
  libraryId: number,
  kind: IntegrationKind,
): Promise<SwitchPreview> {
  const patronGuids: Partial<Record<IntegrationKind, number>> = {};
  let patronGuidTotal = 0;
  for (const other of INTEGRATION_KINDS) {
    if (other === kind) continue;
    const n = await repos.patrons.count(libraryId, { guidSource: other });
    if (n > 0) patronGuids[other] = n;
    patronGuidTotal += n;
  }
  const siteGuids = (await repos.sites.list(libraryId)).filter((s) => s.orgGuid !== '' && s.orgGuidSource !== kind).length;
  return {
    kind,
    current: await enabledIntegration(repos, libraryId),
    patronGuids,
    patronGuidTotal,
    siteGuids,
    total: patronGuidTotal + siteGuids,
  };
}

/**
 * Enables an integration: in one transaction, the others are turned off and their identifiers
 * cleared, and this one is turned on. An integration that was off starts afresh: its delta
 * watermark is reset, so its first sync is a full one. Refused (not_configured) for an
 * integration that needs a connection and has none.
 */
export async function enableIntegration(store: Store, libraryId: number, kind: IntegrationKind): Promise<SwitchResult> {
  await requireConfigured(store, libraryId, kind);
  const result = await store.transaction(async (tx) => {
    const saved = await tx.integrations.list(libraryId);
    const clearedPatronGuids: Partial<Record<IntegrationKind, number>> = {};
    for (const other of INTEGRATION_KINDS) {
      if (other === kind) continue;
      const n = await tx.patrons.clearGuids(libraryId, other);
      if (n > 0) clearedPatronGuids[other] = n;
    }
    const clearedSiteGuids = await tx.sites.clearOrgGuidsExcept(libraryId, kind);
    const disabled: IntegrationKind[] = [];
    for (const r of saved) {
      if (r.kind === kind || !r.enabled) continue;
      await tx.integrations.save(libraryId, r.kind, { enabled: false });
      disabled.push(r.kind);
    }
    const own = saved.find((r) => r.kind === kind);
    const unchanged = own?.enabled ?? false;
    if (!unchanged) {
      // Initialise its own (SPEC §1.3): identifiers it set before may have been cleared since,
      // so the first sync must be a full one that matches everybody again.
      const settings =
        own && typeof own.settings === 'object' && own.settings !== null
          ? { ...(own.settings as Record<string, unknown>), lastSuccessAt: '' }
          : {};
      await tx.integrations.save(libraryId, kind, { enabled: true, settings });
    }
    return { kind, unchanged, disabled, clearedPatronGuids, clearedSiteGuids };
  });
  const matchedSites = sitesOfSource(kind, await store.sites.list(libraryId)).length;
  const notes =
    matchedSites === 0
      ? [
          `No site is matched to a ${SOURCE_NAMES[kind]} school yet: a sync needs at least one (\`rollcall ${SOURCE_COMMANDS[kind]} match-site\`).`,
        ]
      : [];
  return { ...result, matchedSites, notes };
}

/** Disables an integration: syncs stop; patrons, GUIDs and site matches are kept. Returns whether it was enabled. */
export async function disableIntegration(
  repos: Pick<Repositories, 'integrations'>,
  libraryId: number,
  kind: IntegrationKind,
): Promise<boolean> {
  const own = (await repos.integrations.list(libraryId)).find((r) => r.kind === kind);
  if (!own?.enabled) return false;
  await repos.integrations.save(libraryId, kind, { enabled: false });
  return true;
}

/** The sentence a CLI or page shows before confirming: what enabling would clear and turn off. */
export function previewSentence(p: SwitchPreview): string {
  const parts: string[] = [];
  for (const k of INTEGRATION_KINDS) {
    const n = p.patronGuids[k];
    if (n) parts.push(`${n} patron GUID${n === 1 ? '' : 's'} of ${SOURCE_NAMES[k]}`);
  }
  if (p.siteGuids > 0) parts.push(`${p.siteGuids} site match${p.siteGuids === 1 ? '' : 'es'} to other integrations' schools`);
  const off = p.current !== undefined && p.current !== p.kind ? ` and turns ${SOURCE_NAMES[p.current]} off` : '';
  if (parts.length === 0) return `Enabling ${SOURCE_NAMES[p.kind]} clears no identifiers${off}.`;
  return `Enabling ${SOURCE_NAMES[p.kind]} clears ${joinAnd(parts)}${off}.`;
}

/** Integrations reached over a connection must have one before they can be enabled. */
async function requireConfigured(repos: Pick<Repositories, 'integrations'>, libraryId: number, kind: IntegrationKind): Promise<void> {
  if (kind === 'csv') return; // packages are given to each sync, or taken from the watched folder
  const saved = (await repos.integrations.list(libraryId)).find((r) => r.kind === kind);
  const settings = (saved?.settings ?? {}) as { connection?: unknown };
  if (settings.connection === undefined || settings.connection === null) {
    throw new RollcallError(
      'not_configured',
      `${SOURCE_NAMES[kind]} cannot be enabled before it is configured: run \`rollcall ${SOURCE_COMMANDS[kind]} configure\` first.`,
    );
  }
}

function joinAnd(parts: readonly string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
