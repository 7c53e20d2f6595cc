/**
 * Preferences › SIS Integrations › ClassLink as the web pages and the JSON API see it (SPEC §2):
 * the integration's state without a secret, the site mapping with suggestions by name, the
 * "Unenrolled Users" note, the ON switch's preview, and the checks before Sync Now. The work
 * itself is done by the services the CLI uses (classlink-connect, -schools, -options and
 * integration-switch); this module adds what a page needs around them, with sentences that
 * point at the page's controls instead of `rollcall` commands.
 */
import { RollcallError, isRollcallError } from '../domain/errors.ts';
import type { IntegrationKind } from '../domain/patron.ts';
import { loadClassLink } from './classlink/state.ts';
import { SOURCE_NAMES, enabledIntegration, sitesOfSource } from './registry.ts';
import type { Repositories, Store } from '../store/store.ts';
import { noAdminsWarning } from '../sync/core/reasons.ts';
import { OPERATION_TYPES } from '../domain/operation.ts';
import { savedConnection, type ConnectionView } from './classlink/connect.ts';
import { updateOptions, type OptionsView } from './options.ts';
import { listSchools, matchSite, unmatchSite, type SchoolDeps, type SchoolView } from './schools.ts';
import { disableIntegration, enableIntegration, switchPreview, type SwitchPreview } from './switch.ts';
import { suggestMatches } from './site-suggestions.ts';
import type { SiteView } from '../services/sites/sites.ts';

/** The saved connection as shown (never a secret). */
export type SavedConnection = Omit<ConnectionView, 'declaredUsers' | 'tenantName'>;

/** The ClassLink integration of a library, as the Settings page and `GET /integrations/classlink` show it. */
export interface ClassLinkOverview {
  /** Whether ClassLink is the library's enabled integration. */
  enabled: boolean;
  /** The integration enabled instead, if another one is. */
  otherEnabled: IntegrationKind | null;
  /** The saved connection, or null before one is validated. */
  connection: SavedConnection | null;
  /** Whether the connection's secret (OAuth secret or bearer token) is saved; the secret itself is never shown. */
  credentialsSaved: boolean;
  /** Roles, field mapping, thresholds, sign-in. */
  options: OptionsView;
  /** Sites matched to a ClassLink school. */
  matchedSites: number;
}

/** The library's ClassLink integration, without secrets. */
export async function classLinkOverview(store: Store, libraryId: number): Promise<ClassLinkOverview> {
  const state = await loadClassLink(store, libraryId);
  const connection = await savedConnection(store, libraryId);
  const credentialsSaved =
    connection !== null && (connection.auth === 'bearer' ? Boolean(state.secrets.bearer) : Boolean(state.secrets.clientSecret));
  const enabledKind = await enabledIntegration(store, libraryId);
  return {
    enabled: state.enabled,
    otherEnabled: enabledKind !== undefined && enabledKind !== 'classlink' ? enabledKind : null,
    connection,
    credentialsSaved,
    options: await updateOptions(store, libraryId),
    matchedSites: sitesOfSource('classlink', await store.sites.list(libraryId)).length,
  };
}

/** One library site on the Site Mapping page. */
export interface MappingSite extends SiteView {
  /** The name of the school it is matched to ('' when not matched, or when ClassLink does not list it). */
  schoolName: string;
  /** The integration whose org it is matched to, when that is not ClassLink (it is cleared when ClassLink is turned ON). */
  otherSource: string;
  /** The school suggested for it by name (unmatched sites only), or null. */
  suggestion: { sourcedId: string; name: string } | null;
}

/** One ClassLink school on the Site Mapping page (and in `GET …/schools`). */
export interface MappingSchool extends SchoolView {
  /** The site suggested for it by name ('' when none). */
  suggestedSiteCode: string;
}

/** The Site Mapping page: sites on the left, schools on the right. */
export interface SiteMapping {
  /** The library's sites, by code. */
  sites: MappingSite[];
  /** ClassLink's schools, by name (empty when they could not be read). */
  schools: MappingSchool[];
  /** Why the schools could not be read ('' when they were). */
  schoolsError: string;
  /** How many suggestions there are. */
  suggestions: number;
}

/**
 * Where a Site Mapping page's schools come from and how a match is made: ClassLink's by default;
 * OneRoster REST and OneRoster CSV pass their own (src/sources/setup.ts), so the three
 * integrations share this page logic and its sentences.
 */
export interface MappingSource {
  /** The integration whose schools they are (a site matched to another one's is flagged). */
  kind: IntegrationKind;
  /** How the page names it: "ClassLink", "OneRoster REST". */
  name: string;
  /** Its schools with their matched sites; a RollcallError (worded for the page) when they cannot be read. */
  schools(deps: SchoolDeps, libraryId: number): Promise<SchoolView[]>;
  /** Matches a site to one of its schools (not_found when it lists no such school). */
  match(deps: SchoolDeps, libraryId: number, siteCode: string, orgSourcedId: string): Promise<{ site: SiteView; school: SchoolView }>;
}

/** ClassLink's schools, through its saved connection. */
export const CLASSLINK_MAPPING: MappingSource = {
  kind: 'classlink',
  name: 'ClassLink',
  schools: (deps, libraryId) => schoolsOf(deps, libraryId),
  match: (deps, libraryId, siteCode, org) => matchSite(deps, libraryId, siteCode, org),
};

/** Sites, schools and suggestions; a connection that fails leaves the schools empty with the reason. */
export async function siteMapping(deps: SchoolDeps, libraryId: number, source: MappingSource = CLASSLINK_MAPPING): Promise<SiteMapping> {
  const sites = await deps.store.sites.list(libraryId);
  let schools: SchoolView[] = [];
  let schoolsError = '';
  try {
    schools = await source.schools(deps, libraryId);
  } catch (e) {
    if (!isRollcallError(e)) throw e;
    schoolsError = e.message;
  }
  const views = sites.map((s) => ({ code: s.code, name: s.name, orgSourcedId: s.orgGuid }));
  const suggested = suggestMatches(views, schools);
  const schoolById = new Map(schools.map((s) => [s.sourcedId, s]));
  const siteBySuggestion = new Map([...suggested].map(([code, org]) => [org, code]));
  return {
    sites: sites.map((s) => {
      const suggestion = suggested.get(s.code);
      return {
        code: s.code,
        name: s.name,
        orgSourcedId: s.orgGuid,
        schoolName: schoolById.get(s.orgGuid)?.name ?? '',
        otherSource: s.orgGuidSource !== null && s.orgGuidSource !== source.kind ? SOURCE_NAMES[s.orgGuidSource] : '',
        suggestion: suggestion ? { sourcedId: suggestion, name: schoolById.get(suggestion)?.name ?? suggestion } : null,
      };
    }),
    schools: schools.map((s) => ({ ...s, suggestedSiteCode: siteBySuggestion.get(s.sourcedId) ?? '' })),
    schoolsError,
    suggestions: suggested.size,
  };
}

/** ClassLink's schools with suggested sites (`GET /integrations/classlink/schools`); errors when they cannot be read. */
export async function schoolsWithSuggestions(
  deps: SchoolDeps,
  libraryId: number,
  source: MappingSource = CLASSLINK_MAPPING,
): Promise<MappingSchool[]> {
  await source.schools(deps, libraryId); // throws the plain reason when the schools cannot be read
  const mapping = await siteMapping(deps, libraryId, source);
  return mapping.schools;
}

/**
 * Matches a site to a school (the Match button, `PUT /sites/{code}/match`). A site or school
 * already matched elsewhere is refused with what to clear first, as the page names it.
 */
export async function matchSiteToSchool(
  deps: SchoolDeps,
  libraryId: number,
  siteCode: string,
  orgSourcedId: string,
  source: MappingSource = CLASSLINK_MAPPING,
): Promise<{ site: SiteView; school: SchoolView }> {
  const code = siteCode.trim();
  const org = orgSourcedId.trim();
  if (code === '' || org === '')
    throw new RollcallError(
      'invalid_input',
      `Select a library site on the left and a ${source.name} school on the right, then press Match.`,
    );
  const sites = await deps.store.sites.list(libraryId);
  const site = sites.find((s) => s.code === code);
  if (!site) throw new RollcallError('not_found', `There is no site with code "${code}" in this library.`);
  const holder = sites.find((s) => s.orgGuid === org && s.code !== code);
  if (holder) throw new RollcallError('conflict', `That school is already matched to site ${holder.code}; clear that match (×) first.`);
  if (site.orgGuid !== '' && site.orgGuid !== org)
    throw new RollcallError('conflict', `Site ${site.code} is already matched to another school; clear its match (×) first.`);
  try {
    return await source.match(deps, libraryId, code, org);
  } catch (e) {
    if (isRollcallError(e, 'not_found'))
      throw new RollcallError('not_found', `${source.name} lists no school with the id "${org}"; reload the page for the current list.`);
    throw e;
  }
}

/** Clears a site's match (the × button, `DELETE /sites/{code}/match`); returns the school it was matched to ('' when none). */
export async function clearSiteMatch(store: Store, libraryId: number, siteCode: string): Promise<{ site: SiteView; was: string }> {
  const code = siteCode.trim();
  if (!(await store.sites.byCode(libraryId, code)))
    throw new RollcallError('not_found', `There is no site with code "${code}" in this library.`);
  return unmatchSite(store, libraryId, code);
}

/**
 * Applies the suggestions of these sites (Save with "Use the suggestion" ticked). Suggestions
 * are worked out again here from ClassLink's current list: a page left open does not match a
 * school that has since been matched elsewhere. Returns how many sites were matched.
 */
export async function applySuggestions(
  deps: SchoolDeps,
  libraryId: number,
  siteCodes: readonly string[],
  source: MappingSource = CLASSLINK_MAPPING,
): Promise<number> {
  if (siteCodes.length === 0) return 0;
  const mapping = await siteMapping(deps, libraryId, source);
  if (mapping.schoolsError) throw new RollcallError('source_unreachable', mapping.schoolsError);
  let matched = 0;
  for (const s of mapping.sites) {
    if (!s.suggestion || !siteCodes.includes(s.code)) continue;
    await source.match(deps, libraryId, s.code, s.suggestion.sourcedId);
    matched++;
  }
  return matched;
}

/** The "Unenrolled Users" note of the Syncing step. */
export interface AdminNote {
  /** Admin (Staff) is a synced role. */
  adminSelected: boolean;
  /** The last ClassLink full sync had Admin selected and no administrator arrived: its id, else null. */
  missingInOperation: number | null;
}

/** Operations looked at to find the last ClassLink full sync. */
const RECENT_OPERATIONS = 50;

/** Whether Admin is selected, and whether the last full sync found no administrators (SPEC §2 step 3). */
export async function adminNote(store: Store, libraryId: number): Promise<AdminNote> {
  const { settings } = await loadClassLink(store, libraryId);
  const recent = await store.operations.list(libraryId, { limit: RECENT_OPERATIONS });
  const lastFull = recent.find((op) => op.type === OPERATION_TYPES.full && op.state !== 'queued' && op.state !== 'running');
  let missingInOperation: number | null = null;
  if (lastFull) {
    // The planner logs this warning when Admin was selected and none arrived (reasons.ts).
    const found = await store.operations.log(libraryId, lastFull.id, { level: 'warning', text: noAdminsWarning(false).message, limit: 1 });
    if (found.total > 0) missingInOperation = lastFull.id;
  }
  return { adminSelected: settings.roles.includes('admin'), missingInOperation };
}

/** What turning ClassLink ON would do (SPEC §1.3), for the confirmation page and `GET …/enable-preview`. */
export interface EnablePreview extends SwitchPreview {
  /** ClassLink is ON already. */
  alreadyEnabled: boolean;
  /** A connection is saved (ON is refused without one). */
  configured: boolean;
  /** Sites matched to a ClassLink school. */
  matchedSites: number;
}

/** How many identifiers turning ClassLink ON would clear, and whether it can be turned on. */
export async function enablePreview(store: Store, libraryId: number): Promise<EnablePreview> {
  const preview = await switchPreview(store, libraryId, 'classlink');
  const state = await loadClassLink(store, libraryId);
  return {
    ...preview,
    alreadyEnabled: state.enabled,
    configured: state.settings.connection !== null,
    matchedSites: sitesOfSource('classlink', await store.sites.list(libraryId)).length,
  };
}

/** What turning ClassLink ON did. */
export interface EnableOutcome {
  /** It was ON already. */
  unchanged: boolean;
  /** The integrations turned off. */
  disabled: IntegrationKind[];
  /** Patron GUIDs cleared, in all. */
  clearedPatronGuids: number;
  /** Site matches cleared. */
  clearedSiteGuids: number;
  /** Sites matched to a ClassLink school. */
  matchedSites: number;
  /** Things the admin should know (one sentence each). */
  notes: string[];
}

/** Turns ClassLink ON: the other integrations go OFF and their identifiers are cleared, in one transaction. */
export async function turnClassLinkOn(store: Store, libraryId: number): Promise<EnableOutcome> {
  if ((await loadClassLink(store, libraryId)).settings.connection === null) {
    throw new RollcallError(
      'not_configured',
      'ClassLink cannot be turned ON before it is connected: save a Tenant ID (step 1, Settings) first.',
    );
  }
  const r = await enableIntegration(store, libraryId, 'classlink');
  const notes =
    r.matchedSites === 0 ? ['No site is matched to a ClassLink school yet: a sync needs at least one (step 2, Site Mapping).'] : [];
  return {
    unchanged: r.unchanged,
    disabled: r.disabled,
    clearedPatronGuids: Object.values(r.clearedPatronGuids).reduce((a, b) => a + (b ?? 0), 0),
    clearedSiteGuids: r.clearedSiteGuids,
    matchedSites: r.matchedSites,
    notes,
  };
}

/** Turns ClassLink OFF (syncs stop; patrons, GUIDs and matches are kept); returns whether it was ON. */
export async function turnClassLinkOff(repos: Pick<Repositories, 'integrations'>, libraryId: number): Promise<boolean> {
  return disableIntegration(repos, libraryId, 'classlink');
}

/**
 * Refuses the ClassLink page's Sync Now when it could not run, before anything is queued, in
 * the page's words: a sync reads the enabled integration (SPEC §1.3), so ClassLink must be the
 * one ON — a dry run, which writes nothing, only needs ClassLink connected and no other ON.
 */
export async function checkClassLinkSyncNow(store: Store, libraryId: number, dryRun: boolean): Promise<void> {
  const state = await loadClassLink(store, libraryId);
  const enabled = await enabledIntegration(store, libraryId);
  if (enabled !== undefined && enabled !== 'classlink') {
    throw new RollcallError(
      'not_configured',
      `${SOURCE_NAMES[enabled]} is ON for this library, not ClassLink: turn ClassLink ON first to sync from it.`,
    );
  }
  if (state.settings.connection === null) {
    throw new RollcallError('not_configured', 'ClassLink is not connected yet: save a Tenant ID (step 1, Settings) before syncing.');
  }
  if (!dryRun && !state.enabled) {
    throw new RollcallError('not_configured', 'ClassLink is OFF: turn it ON before Sync Now, or start a dry run, which writes nothing.');
  }
}

/**
 * Refuses a sync asked for through the API when no integration is ON (a dry run may read the
 * configured one before it is turned on): said at once, instead of an operation that fails.
 */
export async function checkSyncRequest(store: Store, libraryId: number, dryRun: boolean): Promise<void> {
  if (dryRun || (await enabledIntegration(store, libraryId)) !== undefined) return;
  throw new RollcallError(
    'not_configured',
    'No integration is ON for this library: turn one ON first (POST /api/v1/integrations/classlink/enable), or ask for a dry run.',
  );
}

async function schoolsOf(deps: SchoolDeps, libraryId: number): Promise<SchoolView[]> {
  if ((await loadClassLink(deps.store, libraryId)).settings.connection === null) {
    throw new RollcallError(
      'not_configured',
      "Connect to ClassLink first (step 1, Settings): the schools come from the district's roster.",
    );
  }
  return listSchools(deps, libraryId);
}
