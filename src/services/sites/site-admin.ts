/**
 * The Sites page and /api/v1/sites (SPEC §1.1, §5): the library's sites with the roster
 * school each is matched to and how many patrons it has, and an admin's change of a site's
 * code or name. Patrons point at their site by id, so a new code shows on every patron (and in
 * the next export) at once; import files written with the old code then need the new one.
 */
import { RollcallError } from '../../domain/errors.ts';
import { SOURCE_NAMES } from '../../sources/registry.ts';
import type { Repositories } from '../../store/store.ts';
import { checkSiteCode, requireSite, type SiteView } from './sites.ts';

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
  if (changes.name !== undefined) {
    const name = changes.name.trim();
    if (name === '') throw new RollcallError('invalid_input', 'A site needs a name, like "Maple High School".');
    if (name !== site.name) next.name = name;
  }
  const saved = next.code === undefined && next.name === undefined ? site : await repos.sites.update(libraryId, site.code, next);
  return { code: saved.code, name: saved.name, orgSourcedId: saved.orgGuid };
}
