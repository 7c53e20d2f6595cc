/**
 * The roster sources (SPEC §1.3): ClassLink, a generic OneRoster REST server, and OneRoster CSV
 * packages. The sync engine is source-agnostic; this module is where a sync learns which
 * integration it runs for, reads that integration's sync settings, refuses a source that is not
 * the enabled one, and opens the source's reader.
 *
 * At most one integration is enabled per library. Enabling one (src/sources/switch.ts)
 * disables the others and clears their identifiers in one transaction.
 */
import type { z } from 'zod';
import type { Config } from '../config/load.ts';
import { RollcallError } from '../domain/errors.ts';
import type { IntegrationKind } from '../domain/patron.ts';
import type { Repositories, Site, Store } from '../store/store.ts';
import type { SyncProgress, SyncReader } from '../sync/ports.ts';
import type { SyncSettings } from '../sync/core/types.ts';
import { CLASSLINK_SETTINGS } from './settings.ts';

/** Every integration kind, in the order they are listed. */
export const INTEGRATION_KINDS: readonly IntegrationKind[] = ['classlink', 'oneroster', 'csv'];

/** How people call each integration. */
export const SOURCE_NAMES: Readonly<Record<IntegrationKind, string>> = {
  classlink: 'ClassLink',
  oneroster: 'OneRoster REST',
  csv: 'OneRoster CSV',
};

/** Each integration's `rollcall` command group. */
export const SOURCE_COMMANDS: Readonly<Record<IntegrationKind, string>> = {
  classlink: 'classlink',
  oneroster: 'oneroster',
  csv: 'csv',
};

/** Whether a stored text names an integration kind. */
export function isIntegrationKind(text: string): text is IntegrationKind {
  return (INTEGRATION_KINDS as readonly string[]).includes(text);
}

/**
 * The settings every source stores alike (roles, field mapping, thresholds, creation defaults,
 * delta watermark), with the same defaults as ClassLink's. Each source's own schema extends it
 * (ClassLink adds its connection and SSO; CSV its watched folder), so one reader serves a sync
 * whatever its source.
 */
export const SOURCE_SYNC_SETTINGS = CLASSLINK_SETTINGS.pick({
  roles: true,
  mapping: true,
  thresholds: true,
  defaults: true,
  lastSuccessAt: true,
});

/** The sync settings of one source, defaults filled. */
export type SourceSyncSettings = z.infer<typeof SOURCE_SYNC_SETTINGS>;

/** The library's enabled integration, or undefined when none is. */
export async function enabledIntegration(
  repos: Pick<Repositories, 'integrations'>,
  libraryId: number,
): Promise<IntegrationKind | undefined> {
  const enabled = (await repos.integrations.list(libraryId)).filter((r) => r.enabled).map((r) => r.kind);
  // Two enabled at once cannot be made through enableIntegration; if a hand-edited database has
  // them, the first in list order wins, the same one every time.
  return INTEGRATION_KINDS.find((k) => enabled.includes(k));
}

/**
 * The integration a sync reads from when the request names none: the enabled one; with none
 * enabled (a dry run before enabling), the only one configured, else ClassLink.
 */
export async function syncSourceOf(repos: Pick<Repositories, 'integrations'>, libraryId: number): Promise<IntegrationKind> {
  const saved = await repos.integrations.list(libraryId);
  const enabled = INTEGRATION_KINDS.find((k) => saved.some((r) => r.kind === k && r.enabled));
  if (enabled) return enabled;
  const configured = saved.map((r) => r.kind).filter(isIntegrationKind);
  return configured.length === 1 ? configured[0]! : 'classlink';
}

/**
 * Refuses a sync from a source that is not the library's enabled integration (SPEC §1.3: one
 * at a time). A dry run writes nothing, so it may read any source (a preview before switching).
 */
export async function checkSyncSource(
  repos: Pick<Repositories, 'integrations'>,
  libraryId: number,
  source: IntegrationKind,
  dryRun: boolean,
): Promise<void> {
  if (dryRun) return;
  const enabled = await enabledIntegration(repos, libraryId);
  if (enabled === source) return;
  const name = SOURCE_NAMES[source];
  const enable = `\`rollcall ${SOURCE_COMMANDS[source]} enable\``;
  if (enabled === undefined) {
    throw new RollcallError(
      'not_configured',
      `${name} is not enabled for this library (no integration is): run ${enable} first (a dry run works without it).`,
    );
  }
  throw new RollcallError(
    'not_configured',
    `${name} is not enabled for this library; ${SOURCE_NAMES[enabled]} is, and a library syncs from one integration at a time: to switch, run ${enable} (it clears ${SOURCE_NAMES[enabled]}'s identifiers).`,
  );
}

/** A source's stored state as a sync reads it. */
export interface SourceState {
  /** Whether it is the enabled integration. */
  enabled: boolean;
  /** Its sync settings. */
  settings: SourceSyncSettings;
}

/** Reads a source's enabled flag and sync settings (defaults when never configured). */
export async function loadSourceSettings(
  repos: Pick<Repositories, 'integrations'>,
  libraryId: number,
  source: IntegrationKind,
): Promise<SourceState> {
  const record = await repos.integrations.get(libraryId, source);
  return { enabled: record?.enabled ?? false, settings: SOURCE_SYNC_SETTINGS.parse(record?.settings ?? {}) };
}

/**
 * Saves a sync's progress into its source's settings, leaving every other setting of that
 * source (connection, folder, …) exactly as stored. Call it inside the apply transaction.
 */
export async function saveSyncProgress(
  repos: Pick<Repositories, 'integrations'>,
  libraryId: number,
  source: IntegrationKind,
  progress: SyncProgress,
): Promise<void> {
  const record = await repos.integrations.get(libraryId, source);
  const raw = record?.settings && typeof record.settings === 'object' ? structuredClone(record.settings as Record<string, unknown>) : {};
  const filled = SOURCE_SYNC_SETTINGS.parse(raw);
  for (const [role, next] of Object.entries(progress.nextBarcode) as [keyof SourceSyncSettings['defaults'], number][]) {
    const b = filled.defaults[role].barcode;
    if (b.kind === 'sequence') b.next = next;
  }
  const settings: Record<string, unknown> = { ...raw, defaults: filled.defaults };
  if (progress.lastSuccessAt !== undefined) settings.lastSuccessAt = progress.lastSuccessAt;
  await repos.integrations.save(libraryId, source, { settings });
}

/**
 * The sites a source's sync uses: those matched for it, and those whose match records no
 * source (made by code that predates the record; they belong to whichever integration runs).
 */
export function sitesOfSource(source: IntegrationKind, sites: readonly Site[]): Site[] {
  return sites.filter((s) => s.orgGuid !== '' && (s.orgGuidSource === null || s.orgGuidSource === source));
}

/** The planner's settings for a source's sync, from its stored settings and the library's sites (SPEC §2–§3). */
export function sourceSyncSettings(source: IntegrationKind, settings: SourceSyncSettings, sites: readonly Site[]): SyncSettings {
  const siteByOrg = new Map<string, string>();
  for (const s of sitesOfSource(source, sites)) siteByOrg.set(s.orgGuid, s.code);
  const role = (r: SourceSyncSettings['defaults']['student']) => ({ ...r, barcode: { ...r.barcode }, fixed: { ...r.fixed } });
  return {
    integration: source,
    roles: [...settings.roles],
    siteByOrg,
    mapping: { barcode: settings.mapping.barcode, communityId: settings.mapping.communityId, location: settings.mapping.location },
    thresholds: { ...settings.thresholds },
    defaults: { student: role(settings.defaults.student), teacher: role(settings.defaults.teacher), admin: role(settings.defaults.admin) },
  };
}

/** What opening a source's reader needs beyond the library. */
export interface ReaderOptions {
  /** The source to read. */
  source: IntegrationKind;
  /** The operation reading it (a CSV package is found by it when approving a held plan). */
  operationId?: number;
  /** A CSV sync's package (a .zip or a folder); else the one the operation read. */
  csvPackage?: string;
}

/**
 * Opens the roster reader of a library's source, from its stored settings and secrets: a fresh
 * one per sync, since the settings may have changed since the last. A CSV source reads the
 * package given, or — approving a held plan — the package that operation read, if unchanged.
 */
export async function openReaderFor(config: Config, store: Store, libraryId: number, options: ReaderOptions): Promise<SyncReader> {
  switch (options.source) {
    case 'classlink': {
      // Loaded here: commands that never read a roster skip the HTTP client's start-up.
      const { loadClassLink, rosterAuthOf, rosterClient } = await import('./classlink/state.ts');
      return rosterClient(config, rosterAuthOf(await loadClassLink(store, libraryId)));
    }
    case 'oneroster': {
      const { loadOneRoster, oneRosterReader } = await import('./oneroster/state.ts');
      return oneRosterReader(config, await loadOneRoster(store, libraryId));
    }
    case 'csv': {
      const { csvReader, packageOfOperation, openCsvSource } = await import('./csv/source.ts');
      const path =
        options.csvPackage ??
        (options.operationId === undefined ? undefined : await packageOfOperation(store, libraryId, options.operationId));
      if (path !== undefined) return csvReader(await openCsvSource(path));
      // A sync asked for without a package (Sync Now, a schedule) has nothing to read.
      throw new RollcallError(
        'not_configured',
        'A OneRoster CSV sync reads a package: give one with `rollcall sync --from-csv FILE`, or let `rollcall csv watch` take them from the watched folder.',
      );
    }
  }
}
