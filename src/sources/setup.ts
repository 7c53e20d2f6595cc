/**
 * Preferences › SIS Integrations › OneRoster REST and OneRoster CSV as the web pages and the
 * JSON API see them (SPEC §1.3): each integration's state without a secret, its schools for
 * Site Mapping (ClassLink's page logic with another MappingSource), the ON switch's preview and
 * outcome, the checks before Sync Now, and the list of the three integrations. The work is done by
 * the services the CLI uses (oneroster-connect, csv-options, csv-sites, integration-switch); this
 * module words what a page needs around them, pointing at the page's steps, not at commands.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/load.ts';
import { RollcallError } from '../domain/errors.ts';
import type { IntegrationKind } from '../domain/patron.ts';
import { loadCsvSource } from './csv/source.ts';
import { loadOneRoster } from './oneroster/state.ts';
import { INTEGRATION_KINDS, SOURCE_NAMES, enabledIntegration, sitesOfSource, syncSourceOf } from './registry.ts';
import type { CsvPackageRecord } from '../store/csv-packages.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { EnableOutcome, EnablePreview, MappingSource } from './site-mapping.ts';
import { updateOptions, type OptionsView } from './options.ts';
import { listSchools, matchSite, type SchoolDeps, type SchoolView } from './schools.ts';
import { CSV_OPTIONS } from './csv/options.ts';
import { csvSchools, matchCsvSite } from './csv/sites.ts';
import { enableIntegration, switchPreview } from './switch.ts';
import { ONEROSTER_OPTIONS, ONEROSTER_SCHOOLS, savedOneRosterConnection, type OneRosterConnectionView } from './oneroster/connect.ts';

/** Where each integration's pages live. */
export const INTEGRATION_PAGES: Readonly<Record<IntegrationKind, string>> = {
  classlink: '/preferences/integrations/classlink',
  oneroster: '/preferences/integrations/oneroster',
  csv: '/preferences/integrations/csv',
};

/** The OneRoster REST integration of a library, as its pages and `GET /integrations/oneroster` show it. */
export interface OneRosterOverview {
  /** Whether OneRoster REST is the library's enabled integration. */
  enabled: boolean;
  /** The integration enabled instead, if another one is. */
  otherEnabled: IntegrationKind | null;
  /** The saved connection (never its secret), or null before one is validated. */
  connection: Omit<OneRosterConnectionView, 'declaredUsers'> | null;
  /** Whether the client secret is saved; the secret itself is never shown. */
  credentialsSaved: boolean;
  /** Roles, field mapping, thresholds. */
  options: OptionsView;
  /** Sites matched to a OneRoster REST school. */
  matchedSites: number;
}

/** The library's OneRoster REST integration, without its secret. */
export async function oneRosterOverview(store: Store, libraryId: number): Promise<OneRosterOverview> {
  const state = await loadOneRoster(store, libraryId);
  const connection = await savedOneRosterConnection(store, libraryId);
  const enabledKind = await enabledIntegration(store, libraryId);
  return {
    enabled: state.enabled,
    otherEnabled: enabledKind !== undefined && enabledKind !== 'oneroster' ? enabledKind : null,
    connection,
    credentialsSaved: connection !== null && Boolean(state.secrets.clientSecret),
    options: await updateOptions(store, libraryId, {}, ONEROSTER_OPTIONS),
    matchedSites: sitesOfSource('oneroster', await store.sites.list(libraryId)).length,
  };
}

/** A package as the CSV pages list it. */
export interface PackageView {
  /** The file's base name. */
  name: string;
  /** Bytes. */
  size: number;
  /** The sync that read it, or null (refused before a sync). */
  operationId: number | null;
  /** The operation's state when recorded, or `refused`. */
  outcome: string;
  /** Why it was refused ('' when none). */
  message: string;
  /** When it was recorded (ISO). */
  processedAt: string;
}

/** The OneRoster CSV integration of a library, as its pages and `GET /integrations/csv` show it. */
export interface CsvOverview {
  /** Whether OneRoster CSV is the library's enabled integration. */
  enabled: boolean;
  /** The integration enabled instead, if another one is. */
  otherEnabled: IntegrationKind | null;
  /** The watched folder, or '' when none. */
  watchDir: string;
  /** Roles, field mapping, thresholds. */
  options: OptionsView;
  /** Sites matched to an org of a package. */
  matchedSites: number;
}

/** The library's OneRoster CSV integration. */
export async function csvOverview(store: Store, libraryId: number): Promise<CsvOverview> {
  const state = await loadCsvSource(store, libraryId);
  const enabledKind = await enabledIntegration(store, libraryId);
  return {
    enabled: state.enabled,
    otherEnabled: enabledKind !== undefined && enabledKind !== 'csv' ? enabledKind : null,
    watchDir: state.settings.watchDir,
    options: await updateOptions(store, libraryId, {}, CSV_OPTIONS),
    matchedSites: sitesOfSource('csv', await store.sites.list(libraryId)).length,
  };
}

/** How many processed packages the pages list. */
export const PACKAGES_SHOWN = 25;

/** The packages processed lately (uploaded or taken from the watched folder), newest first. */
export async function recentPackages(store: Pick<Store, 'csvPackages'>, libraryId: number, limit = PACKAGES_SHOWN): Promise<PackageView[]> {
  return (await store.csvPackages.recent(libraryId, limit)).map(packageView);
}

function packageView(r: CsvPackageRecord): PackageView {
  // The path stays out: it names the server's folders (and an upload's temporary file).
  return { name: r.name, size: r.size, operationId: r.operationId, outcome: r.outcome, message: r.message, processedAt: r.processedAt };
}

/** OneRoster REST's schools for the Site Mapping page, through its saved connection. */
export const ONEROSTER_MAPPING: MappingSource = {
  kind: 'oneroster',
  name: 'OneRoster REST',
  schools: async (deps, libraryId) => {
    if ((await loadOneRoster(deps.store, libraryId)).settings.connection === null) {
      throw new RollcallError(
        'not_configured',
        'Connect to the OneRoster server first (step 1, Settings): the schools come from its roster.',
      );
    }
    return listSchools(deps, libraryId, ONEROSTER_SCHOOLS);
  },
  match: (deps, libraryId, siteCode, org) => matchSite(deps, libraryId, siteCode, org, ONEROSTER_SCHOOLS),
};

/** Where a library's uploaded packages are written while they sync (under the data directory). */
export function csvUploadDir(config: Config, libraryId: number): string {
  return join(config.database.dataDir, 'uploads', 'csv', String(libraryId));
}

/** The package kept for Site Mapping when there is no watched folder (replaced by the next one read for schools). */
export function csvSchoolsPackage(config: Config, libraryId: number): string {
  return join(csvUploadDir(config, libraryId), 'schools.zip');
}

/**
 * The package whose schools the CSV Site Mapping page lists: the newest of the watched folder's
 * .zip files and the package last uploaded for its schools; not_configured when there is none.
 */
export async function csvMappingPackage(config: Config, repos: Pick<Repositories, 'integrations'>, libraryId: number): Promise<string> {
  const candidates: { path: string; mtimeMs: number }[] = [];
  const kept = csvSchoolsPackage(config, libraryId);
  const keptInfo = await stat(kept).catch(() => undefined);
  if (keptInfo?.isFile()) candidates.push({ path: kept, mtimeMs: keptInfo.mtimeMs });
  const { watchDir } = (await loadCsvSource(repos, libraryId)).settings;
  if (watchDir !== '') {
    for (const d of await readdir(watchDir, { withFileTypes: true }).catch(() => [])) {
      if (!d.isFile() || d.name.startsWith('.') || !d.name.toLowerCase().endsWith('.zip')) continue;
      const path = join(watchDir, d.name);
      const s = await stat(path).catch(() => undefined);
      if (s) candidates.push({ path, mtimeMs: s.mtimeMs });
    }
  }
  const newest = candidates.sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
  if (!newest) {
    throw new RollcallError(
      'not_configured',
      'No package to read the schools from yet: upload one below ("Read the schools of a package"), or set a watched folder that has one (step 1, Settings).',
    );
  }
  return newest.path;
}

/** OneRoster CSV's schools for the Site Mapping page: the orgs of the package csvMappingPackage finds. */
export function csvMapping(config: Config): MappingSource {
  return {
    kind: 'csv',
    name: 'OneRoster CSV',
    schools: async (deps, libraryId) => {
      const listed = await csvSchools(deps.store, libraryId, await csvMappingPackage(config, deps.store, libraryId));
      return listed.schools.map((s) => schoolOf(s));
    },
    match: async (deps: SchoolDeps, libraryId, siteCode, org) => {
      const r = await matchCsvSite(deps.store, libraryId, siteCode, org, await csvMappingPackage(config, deps.store, libraryId));
      return { site: r.site, school: schoolOf(r.school) };
    },
  };
}

function schoolOf(s: { sourcedId: string; name: string; identifier: string; siteCode: string }): SchoolView {
  return { sourcedId: s.sourcedId, name: s.name, identifier: s.identifier, status: 'active', siteCode: s.siteCode };
}

/** Whether an integration can be turned ON now (a REST one needs a saved connection; CSV needs nothing). */
async function configured(store: Store, libraryId: number, kind: IntegrationKind): Promise<boolean> {
  if (kind === 'csv') return true;
  const record = (await store.integrations.list(libraryId)).find((r) => r.kind === kind);
  const connection = (record?.settings as { connection?: unknown } | undefined)?.connection;
  return connection !== undefined && connection !== null;
}

/** What turning an integration ON would clear (SPEC §1.3), for its ON / OFF step and `GET …/enable-preview`. */
export async function sourcePreview(store: Store, libraryId: number, kind: IntegrationKind): Promise<EnablePreview> {
  const preview = await switchPreview(store, libraryId, kind);
  return {
    ...preview,
    alreadyEnabled: preview.current === kind,
    configured: await configured(store, libraryId, kind),
    matchedSites: sitesOfSource(kind, await store.sites.list(libraryId)).length,
  };
}

/** Turns an integration ON (the others OFF, their identifiers cleared in one transaction), with sentences for its page. */
export async function turnSourceOn(store: Store, libraryId: number, kind: IntegrationKind): Promise<EnableOutcome> {
  if (!(await configured(store, libraryId, kind))) {
    throw new RollcallError(
      'not_configured',
      `${SOURCE_NAMES[kind]} cannot be turned ON before it is connected: save its settings (step 1, Settings) first.`,
    );
  }
  const r = await enableIntegration(store, libraryId, kind);
  const notes =
    r.matchedSites === 0
      ? [`No site is matched to a ${SOURCE_NAMES[kind]} school yet: a sync needs at least one (step 2, Site Mapping).`]
      : [];
  return {
    unchanged: r.unchanged,
    disabled: r.disabled,
    clearedPatronGuids: Object.values(r.clearedPatronGuids).reduce((a, b) => a + (b ?? 0), 0),
    clearedSiteGuids: r.clearedSiteGuids,
    matchedSites: r.matchedSites,
    notes,
  };
}

/**
 * Refuses OneRoster REST's Sync Now when it could not run, before anything is queued. Sync Now
 * reads the library's enabled integration; a dry run (nothing written) reads the integration a
 * sync would read with none ON, so it must be this one (src/sources/registry.ts syncSourceOf).
 */
export async function checkOneRosterSyncNow(store: Store, libraryId: number, dryRun: boolean): Promise<void> {
  const enabled = await enabledIntegration(store, libraryId);
  if (enabled !== undefined && enabled !== 'oneroster') {
    throw new RollcallError(
      'not_configured',
      `${SOURCE_NAMES[enabled]} is ON for this library, not OneRoster REST: turn OneRoster REST ON first to sync from it.`,
    );
  }
  if ((await loadOneRoster(store, libraryId)).settings.connection === null) {
    throw new RollcallError('not_configured', 'OneRoster REST is not connected yet: save its settings (step 1, Settings) before syncing.');
  }
  if (dryRun ? (await syncSourceOf(store, libraryId)) !== 'oneroster' : enabled !== 'oneroster') {
    throw new RollcallError(
      'not_configured',
      dryRun
        ? 'Another integration is configured too, so a dry run would not know which to read: turn OneRoster REST ON first.'
        : 'OneRoster REST is OFF: turn it ON before Sync Now, or start a dry run, which writes nothing.',
    );
  }
}

/** One integration on the Integrations page. */
export interface IntegrationSummary {
  /** classlink, oneroster or csv. */
  kind: IntegrationKind;
  /** How people call it. */
  name: string;
  /** Its pages. */
  href: string;
  /** Whether it is the library's enabled integration. */
  enabled: boolean;
  /** Whether it has settings saved (a connection, or for CSV any settings). */
  configured: boolean;
  /** Sites matched to its schools. */
  matchedSites: number;
}

/** The three integrations, which one is ON, and which are set up. */
export async function integrationList(store: Store, libraryId: number): Promise<IntegrationSummary[]> {
  const saved = await store.integrations.list(libraryId);
  const sites = await store.sites.list(libraryId);
  const enabled = await enabledIntegration(store, libraryId);
  return INTEGRATION_KINDS.map((kind) => {
    const record = saved.find((r) => r.kind === kind);
    const connection = (record?.settings as { connection?: unknown } | undefined)?.connection;
    return {
      kind,
      name: SOURCE_NAMES[kind],
      href: INTEGRATION_PAGES[kind],
      enabled: enabled === kind,
      configured: kind === 'csv' ? record !== undefined : connection !== undefined && connection !== null,
      matchedSites: sitesOfSource(kind, sites).length,
    };
  });
}
