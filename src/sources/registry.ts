/**
 * The roster sources (SPEC §1.3): ClassLink, a generic OneRoster REST server, and OneRoster CSV
 * packages, each declared once (its definition.ts) and listed here (SOURCES). The sync engine is
 * source-agnostic; this module is where a sync learns which source it runs for, whether that
 * source is configured and may sync now (maySyncNow, the one rule the pages, the API and the
 * CLI ask), reads its sync settings, and opens its reader.
 *
 * At most one source is enabled per library. Turning one ON (switch.ts) turns the others OFF
 * and clears their identifiers in one transaction.
 */
import type { Config } from '../config/load.ts';
import { RollcallError } from '../domain/errors.ts';
import type { IntegrationKind } from '../domain/patron.ts';
import type { Repositories, Site, Store } from '../store/store.ts';
import type { SyncProgress, SyncReader } from '../sync/ports.ts';
import type { SyncSettings } from '../sync/core/types.ts';
import { CLASSLINK_SOURCE } from './classlink/definition.ts';
import { plannerDefaults, readCreationDefaults, saveBarcodeProgress, type CreationDefaults } from './creation-defaults.ts';
import { CSV_SOURCE } from './csv/definition.ts';
import { SOURCE_COMMANDS, SOURCE_KINDS, SOURCE_NAMES, isSourceKind, type SourceKind } from './kinds.ts';
import { ONEROSTER_SOURCE } from './oneroster/definition.ts';
import { syncRefused, type Asker, type Refusal } from './phrases.ts';
import { SOURCE_SYNC_SETTINGS, type SourceSyncSettings } from './settings.ts';
import type { RosterSource } from './source.ts';

export { SOURCE_COMMANDS, SOURCE_NAMES };
export type { SourceKind, SourceSyncSettings };

/** Every source, in the order they are listed. */
export const SOURCES: readonly RosterSource[] = [CLASSLINK_SOURCE, ONEROSTER_SOURCE, CSV_SOURCE];

/** Every source kind, in the order they are listed (the stored name of the concept is "integration"). */
export const INTEGRATION_KINDS: readonly IntegrationKind[] = SOURCE_KINDS;

/** Whether a stored text names a source kind. */
export const isIntegrationKind = isSourceKind;

/** The definition of a source. */
export function sourceOf(kind: SourceKind): RosterSource {
  const source = SOURCES.find((s) => s.kind === kind);
  if (!source) throw new Error(`unknown source kind ${kind}`);
  return source;
}

/**
 * Whether a library's source is configured (SPEC §1.3: it may be turned ON and synced from),
 * as its definition says from its stored settings: a REST source needs a saved connection.
 */
export async function isConfigured(repos: Pick<Repositories, 'integrations'>, libraryId: number, kind: SourceKind): Promise<boolean> {
  const source = sourceOf(kind);
  const record = await repos.integrations.get(libraryId, kind);
  return source.isConfigured(source.settings.parse(record?.settings ?? {}));
}

/** The library's enabled integration, or undefined when none is. */
export async function enabledIntegration(
  repos: Pick<Repositories, 'integrations'>,
  libraryId: number,
): Promise<IntegrationKind | undefined> {
  const enabled = (await repos.integrations.list(libraryId)).filter((r) => r.enabled).map((r) => r.kind);
  // Two enabled at once cannot be made through switch.ts turnOn; if a hand-edited database has
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
 * What a sync reads: `named` — the source the request names (a CSV package, the engine running
 * a source's sync); `library` — the library's source, whichever syncSourceOf finds (Sync Now on
 * a source's page or through the API).
 */
export type SyncReads = 'named' | 'library';

/**
 * Whether a library may sync from `kind` now (SPEC §1.3, §3); undefined when it may, else why not.
 * A sync that writes reads the enabled source only: `kind` must be ON. A dry run writes
 * nothing, so it may preview a source before switching to it — as long as the sync reads that
 * source: one that reads the library's source (Sync Now) reads the enabled one, or with none ON
 * the one syncSourceOf picks, so that must be `kind`, and `kind` must be configured (a named
 * source's reader says itself what it lacks).
 */
export async function maySyncNow(
  repos: Pick<Repositories, 'integrations'>,
  libraryId: number,
  kind: SourceKind,
  dryRun: boolean,
  reads: SyncReads,
): Promise<Refusal | undefined> {
  const enabled = await enabledIntegration(repos, libraryId);
  if (reads === 'named') {
    if (dryRun || enabled === kind) return undefined;
    return enabled === undefined ? { reason: 'off' } : { reason: 'other_on', enabled };
  }
  if (enabled !== undefined && enabled !== kind) return { reason: 'other_on', enabled };
  if (!(await isConfigured(repos, libraryId, kind))) return { reason: 'not_configured' };
  if (!dryRun) return enabled === kind ? undefined : { reason: 'off' };
  const reading = await syncSourceOf(repos, libraryId);
  return reading === kind ? undefined : { reason: 'reads_other', reads: reading };
}

/** Refuses (maySyncNow) a sync that may not run now, in the asker's words (phrases.ts). */
export async function requireSyncNow(
  repos: Pick<Repositories, 'integrations'>,
  libraryId: number,
  kind: SourceKind,
  dryRun: boolean,
  reads: SyncReads,
  asker: Asker,
): Promise<void> {
  const refusal = await maySyncNow(repos, libraryId, kind, dryRun, reads);
  if (refusal) throw syncRefused(kind, refusal, asker);
}

/**
 * Refuses, in the command line's words, a sync from a source that is not the library's enabled
 * one (maySyncNow, the source named); a dry run may read any source.
 */
export async function checkSyncSource(
  repos: Pick<Repositories, 'integrations'>,
  libraryId: number,
  source: IntegrationKind,
  dryRun: boolean,
): Promise<void> {
  await requireSyncNow(repos, libraryId, source, dryRun, 'named', 'cli');
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
 * Saves a sync's progress: its delta watermark into its source's settings, leaving every other
 * setting of that source (connection, folder, …) exactly as stored, and its barcode sequences
 * into the library's creation defaults. Call it inside the apply transaction.
 */
export async function saveSyncProgress(
  repos: Pick<Repositories, 'integrations' | 'creationDefaults'>,
  libraryId: number,
  source: IntegrationKind,
  progress: SyncProgress,
): Promise<void> {
  await saveBarcodeProgress(repos, libraryId, progress.nextBarcode);
  if (progress.lastSuccessAt === undefined) return;
  const record = await repos.integrations.get(libraryId, source);
  const raw = record?.settings && typeof record.settings === 'object' ? structuredClone(record.settings as Record<string, unknown>) : {};
  await repos.integrations.save(libraryId, source, { settings: { ...raw, lastSuccessAt: progress.lastSuccessAt } });
}

/**
 * The sites a source's sync uses: those matched for it, and those whose match records no
 * source (made by code that predates the record; they belong to whichever integration runs).
 */
export function sitesOfSource(source: IntegrationKind, sites: readonly Site[]): Site[] {
  return sites.filter((s) => s.orgGuid !== '' && (s.orgGuidSource === null || s.orgGuidSource === source));
}

/**
 * The planner's settings for a source's sync, from its stored settings, the library's sites and
 * its creation defaults (SPEC §2–§3; the defaults are the library's, whatever the source).
 */
export function sourceSyncSettings(
  source: IntegrationKind,
  settings: SourceSyncSettings,
  sites: readonly Site[],
  defaults: CreationDefaults = readCreationDefaults(undefined),
): SyncSettings {
  const siteByOrg = new Map<string, string>();
  for (const s of sitesOfSource(source, sites)) siteByOrg.set(s.orgGuid, s.code);
  return {
    integration: source,
    roles: [...settings.roles],
    siteByOrg,
    mapping: { barcode: settings.mapping.barcode, communityId: settings.mapping.communityId, location: settings.mapping.location },
    thresholds: { ...settings.thresholds },
    defaults: plannerDefaults(defaults),
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
