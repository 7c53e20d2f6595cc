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
import { updateOptions, type OptionSettings, type OptionsStore, type OptionsView } from './options.ts';
import { CSV_OPTIONS } from './csv/options.ts';
import { ONEROSTER_OPTIONS, savedOneRosterConnection, type OneRosterConnectionView } from './oneroster/connect.ts';

/** Where each integration's pages live. */
export const INTEGRATION_PAGES: Readonly<Record<IntegrationKind, string>> = {
  classlink: '/preferences/integrations/classlink',
  oneroster: '/preferences/integrations/oneroster',
  csv: '/preferences/integrations/csv',
};

/** What every source's overview shows (each source's adds its connection or folder). */
export interface SourceOverview {
  /** Whether it is the library's enabled source (its own ON flag). */
  enabled: boolean;
  /** The source enabled instead, if another one is. */
  otherEnabled: IntegrationKind | null;
  /** Roles, field mapping, thresholds (and, for ClassLink, sign-in). */
  options: OptionsView;
  /** Sites matched to one of its schools. */
  matchedSites: number;
}

/** The part of a source's overview every source shares, read from its stored record and the library's sites. */
export async function sourceOverview<S extends OptionSettings>(
  store: Store,
  libraryId: number,
  kind: IntegrationKind,
  options: OptionsStore<S>,
): Promise<SourceOverview> {
  const record = await store.integrations.get(libraryId, kind);
  const enabledKind = await enabledIntegration(store, libraryId);
  return {
    enabled: record?.enabled ?? false,
    otherEnabled: enabledKind !== undefined && enabledKind !== kind ? enabledKind : null,
    options: await updateOptions(store, libraryId, {}, options),
    matchedSites: sitesOfSource(kind, await store.sites.list(libraryId)).length,
  };
}

/** The OneRoster REST integration of a library, as its pages and `GET /integrations/oneroster` show it. */
export interface OneRosterOverview extends SourceOverview {
  /** The saved connection (never its secret), or null before one is validated. */
  connection: Omit<OneRosterConnectionView, 'declaredUsers'> | null;
  /** Whether the client secret is saved; the secret itself is never shown. */
  credentialsSaved: boolean;
}

/** The library's OneRoster REST integration, without its secret. */
export async function oneRosterOverview(store: Store, libraryId: number): Promise<OneRosterOverview> {
  const state = await loadOneRoster(store, libraryId);
  const connection = await savedOneRosterConnection(store, libraryId);
  return {
    ...(await sourceOverview(store, libraryId, 'oneroster', ONEROSTER_OPTIONS)),
    connection,
    credentialsSaved: connection !== null && Boolean(state.secrets.clientSecret),
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
export interface CsvOverview extends SourceOverview {
  /** The watched folder, or '' when none. */
  watchDir: string;
}

/** The library's OneRoster CSV integration. */
export async function csvOverview(store: Store, libraryId: number): Promise<CsvOverview> {
  const state = await loadCsvSource(store, libraryId);
  return { ...(await sourceOverview(store, libraryId, 'csv', CSV_OPTIONS)), watchDir: state.settings.watchDir };
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
