/**
 * Site Mapping as the web pages and the JSON API see it, for any source (SPEC §2 step 2): the
 * sites with the schools they are matched to and suggestions by name, matching and clearing,
 * with sentences that point at the page's controls instead of `rollcall` commands.
 */
import { RollcallError, isRollcallError } from '../domain/errors.ts';
import { SOURCE_NAMES, isConfigured } from './registry.ts';
import type { Store } from '../store/store.ts';
import { unmatchSite, type SchoolDeps, type SchoolView } from './schools.ts';
import { schoolsNeedConnection } from './phrases.ts';
import type { RosterSource } from './source.ts';
import { suggestMatches } from './site-suggestions.ts';
import type { SiteView } from '../services/sites/sites.ts';

/** One library site on the Site Mapping page. */
export interface MappingSite extends SiteView {
  /** The name of the school it is matched to ('' when not matched, or when the source does not list it). */
  schoolName: string;
  /** The source whose org it is matched to, when that is not this one (it is cleared when this one is turned ON). */
  otherSource: string;
  /** The school suggested for it by name (unmatched sites only), or null. */
  suggestion: { sourcedId: string; name: string } | null;
}

/** One school of the source on the Site Mapping page (and in `GET …/schools`). */
export interface MappingSchool extends SchoolView {
  /** The site suggested for it by name ('' when none). */
  suggestedSiteCode: string;
}

/** The Site Mapping page: sites on the left, schools on the right. */
export interface SiteMapping {
  /** The library's sites, by code. */
  sites: MappingSite[];
  /** The source's schools, by name (empty when they could not be read). */
  schools: MappingSchool[];
  /** Why the schools could not be read ('' when they were). */
  schoolsError: string;
  /** How many suggestions there are. */
  suggestions: number;
}

/** What Site Mapping needs of a source: whose schools, how it is named, its schools, and matching. */
export type MappingSource = Pick<RosterSource, 'kind' | 'name' | 'schools' | 'match'>;

/** A source's schools; refused in the page's words when the source is not configured. */
async function schoolsOf(deps: SchoolDeps, libraryId: number, source: MappingSource): Promise<SchoolView[]> {
  if (!(await isConfigured(deps.store, libraryId, source.kind))) throw schoolsNeedConnection(source.kind);
  return source.schools(deps, libraryId);
}

/** Sites, schools and suggestions; a connection that fails leaves the schools empty with the reason. */
export async function siteMapping(deps: SchoolDeps, libraryId: number, source: MappingSource): Promise<SiteMapping> {
  const sites = await deps.store.sites.list(libraryId);
  let schools: SchoolView[] = [];
  let schoolsError = '';
  try {
    schools = await schoolsOf(deps, libraryId, source);
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

/** A source's schools with suggested sites (`GET /integrations/<kind>/schools`); errors when they cannot be read. */
export async function schoolsWithSuggestions(deps: SchoolDeps, libraryId: number, source: MappingSource): Promise<MappingSchool[]> {
  await schoolsOf(deps, libraryId, source); // throws the plain reason when the schools cannot be read
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
  source: MappingSource,
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
 * are worked out again here from the source's current list: a page left open does not match a
 * school that has since been matched elsewhere. Returns how many sites were matched.
 */
export async function applySuggestions(
  deps: SchoolDeps,
  libraryId: number,
  siteCodes: readonly string[],
  source: MappingSource,
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
