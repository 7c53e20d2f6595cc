/**
 * Preferences › SIS Integrations › OneRoster REST and OneRoster CSV as the web pages and the
 * JSON API see them (SPEC §1.3): each source's state without a secret, the packages the CSV
 * pages list, and the list of the three sources. Turning them ON and OFF is switch.ts; their
 * schools for Site Mapping are their definitions (oneroster/, csv/ definition.ts).
 */
import type { IntegrationKind } from '../domain/patron.ts';
import { loadCsvSource } from './csv/source.ts';
import { loadOneRoster } from './oneroster/state.ts';
import { INTEGRATION_KINDS, SOURCE_NAMES, enabledIntegration, isConfigured, sitesOfSource } from './registry.ts';
import type { CsvPackageRecord } from '../store/csv-packages.ts';
import type { Store } from '../store/store.ts';
import { updateOptions, type OptionsView } from './options.ts';
import { CSV_OPTIONS } from './csv/options.ts';
import { ONEROSTER_OPTIONS, savedOneRosterConnection, type OneRosterConnectionView } from './oneroster/connect.ts';

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
  /** Whether it is configured (it may be turned ON): a REST source has a connection; CSV always is. */
  configured: boolean;
  /** Sites matched to its schools. */
  matchedSites: number;
}

/** The three integrations, which one is ON, and which are set up. */
export async function integrationList(store: Store, libraryId: number): Promise<IntegrationSummary[]> {
  const sites = await store.sites.list(libraryId);
  const enabled = await enabledIntegration(store, libraryId);
  const list: IntegrationSummary[] = [];
  for (const kind of INTEGRATION_KINDS) {
    list.push({
      kind,
      name: SOURCE_NAMES[kind],
      href: INTEGRATION_PAGES[kind],
      enabled: enabled === kind,
      configured: await isConfigured(store, libraryId, kind),
      matchedSites: sitesOfSource(kind, sites).length,
    });
  }
  return list;
}
