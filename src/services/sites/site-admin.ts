/**
 * The Sites page and /api/v1/sites (SPEC §1.1, §5): the library's sites with the roster
 * school each is matched to and how many patrons it has, and an admin's change of a site's
 * code or name, and deleting a site nobody uses. Patrons point at their site by id, so a new code shows on every patron (and in
 * the next export) at once; import files written with the old code then need the new one.
 */
import { RollcallError } from '../../domain/errors.ts';
import { SOURCE_NAMES } from '../../sources/registry.ts';
import type { Repositories } from '../../store/store.ts';
import { checkSiteCode, checkSiteName, requireSite, type SiteView } from './sites.ts';

/** A site as the Sites page lists it. */
export interface SiteRow extends SiteView {
  /** The integration its match belongs to (`ClassLink`), or '' when not matched or not recorded. */
  orgSource: string;
  /** How many patrons it has. */
  patronCount: number;
}

/** The library's sites by code, with their matches and patron counts, and how many patrons have no site. */
export async function siteRows(
  repos: Pick<Repositories, 'sites' | 'patrons'>,
  libraryId: number,
): Promise<{ sites: SiteRow[]; withoutSite: number }> {
  const [sites, counts] = await Promise.all([repos.sites.list(libraryId), repos.patrons.countBySite(libraryId)]);
  return {
    sites: sites.map((s) => ({
      code: s.code,
      name: s.name,
      orgSourcedId: s.orgGuid,
      orgSource: s.orgGuidSource === null ? '' : SOURCE_NAMES[s.orgGuidSource],
      patronCount: counts.get(s.code) ?? 0,
    })),
    withoutSite: counts.get('') ?? 0,
  };
}

/** Changes a site's code and/or name (absent: unchanged); not_found, invalid_input or conflict with a sentence. */
export async function updateSite(
  repos: Pick<Repositories, 'sites'>,
  libraryId: number,
  code: string,
  changes: { code?: string | undefined; name?: string | undefined },
): Promise<SiteView> {
  const site = await requireSite(repos, libraryId, code);
  const next: { code?: string; name?: string } = {};
  if (changes.code !== undefined && changes.code.trim() !== site.code) next.code = checkSiteCode(changes.code);
  // A name stored before the limit existed may stay as it is (the limit is on input): the edit
  // form sends it back unchanged when only the code changes.
  if (changes.name !== undefined && changes.name.trim() !== site.name) next.name = checkSiteName(changes.name);
  const saved = next.code === undefined && next.name === undefined ? site : await repos.sites.update(libraryId, site.code, next);
  return { code: saved.code, name: saved.name, orgSourcedId: saved.orgGuid };
}

/** Why a site cannot be deleted: how many patrons use it (the page links to them). */
export class SiteInUseError extends RollcallError {
  /** The site's code. */
  readonly siteCode: string;
  /** How many patrons use it. */
  readonly patronCount: number;

  constructor(siteCode: string, patronCount: number) {
    super(
      'conflict',
      `Site ${siteCode} cannot be deleted: ${patronCount} ${patronCount === 1 ? 'patron uses' : 'patrons use'} it. Give them another site (or remove them) first.`,
    );
    this.siteCode = siteCode;
    this.patronCount = patronCount;
  }
}

/**
 * Deletes a site no patron uses (SPEC §1.1: "Patrons belong to exactly one site", so a used
 * site would leave them pointing at nothing). A site matched to a roster school is refused too:
 * its match is how a sync places that school's users, and deleting it silently would turn them
 * into "school not matched" on the next sync; the admin clears the match in Site Mapping first,
 * which says so. Its Koha branchcode goes with it. not_found, SiteInUseError or conflict.
 */
export async function deleteSite(repos: Pick<Repositories, 'sites' | 'patrons'>, libraryId: number, code: string): Promise<SiteView> {
  const site = await requireSite(repos, libraryId, code);
  if (site.orgGuid !== '') {
    const source = site.orgGuidSource === null ? 'the integration' : SOURCE_NAMES[site.orgGuidSource];
    throw new RollcallError(
      'conflict',
      `Site ${site.code} is matched to a school of ${source} (${site.orgGuid}); clear its match in ${source}'s Site Mapping first.`,
    );
  }
  const used = (await repos.patrons.countBySite(libraryId)).get(site.code) ?? 0;
  if (used > 0) throw new SiteInUseError(site.code, used);
  if (!(await repos.sites.removeUnused(libraryId, site.code))) {
    throw new RollcallError('conflict', `Site ${site.code} was given a patron or a match while it was being deleted; it was kept.`);
  }
  return { code: site.code, name: site.name, orgSourcedId: site.orgGuid };
}
