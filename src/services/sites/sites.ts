/**
 * Library sites (SPEC §1.1): adding one and listing them. A site code is what librarians type
 * in import files and what the export writes in field 1050, so it is kept short and plain.
 */
import { RollcallError } from '../../domain/errors.ts';
import { TEXT_LIMITS, withinLimit } from '../../domain/text-limits.ts';
import type { Repositories, Site } from '../../store/store.ts';

/** Longest site code: the Site field's length (fields.ts 1050). */
export const MAX_SITE_CODE_LENGTH = TEXT_LIMITS.siteCode;

/** Letters and digits, and inside them `-`, `_` or `.`: safe in CSV cells, URLs and shell arguments. */
const SITE_CODE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** A site as listed: its code, name, and the roster org it is matched to ('' when none). */
export interface SiteView {
  /** Short code (`MHS`). */
  code: string;
  /** Display name. */
  name: string;
  /** The sourcedId of the matched ClassLink school, or ''. */
  orgSourcedId: string;
}

/** Checks a site code, returning it trimmed; invalid_input with the rule when it breaks it. */
export function checkSiteCode(raw: string): string {
  const code = raw.trim();
  if (code.length > MAX_SITE_CODE_LENGTH || !SITE_CODE.test(code)) {
    throw new RollcallError(
      'invalid_input',
      `"${code}" is not a usable site code: use 1 to ${MAX_SITE_CODE_LENGTH} letters or digits (with - _ . inside), like MHS.`,
    );
  }
  return code;
}

/** Checks a site name, returning it trimmed; invalid_input when blank, TextTooLongError (field `name`) when over its limit. */
export function checkSiteName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw new RollcallError('invalid_input', 'A site needs a name, like "Maple High School".');
  return withinLimit('name', 'The site name', name, 'siteName');
}

/** Adds a site to the library; a code already used there is a conflict. */
export async function addSite(
  repos: Pick<Repositories, 'sites'>,
  libraryId: number,
  input: { code: string; name: string },
): Promise<SiteView> {
  const code = checkSiteCode(input.code);
  const name = checkSiteName(input.name);
  return viewOf(await repos.sites.add(libraryId, { code, name }));
}

/** The library's sites, by code. */
export async function listSites(repos: Pick<Repositories, 'sites'>, libraryId: number): Promise<SiteView[]> {
  return (await repos.sites.list(libraryId)).map(viewOf);
}

/** The site with this code; not_found with a hint when there is none. */
export async function requireSite(repos: Pick<Repositories, 'sites'>, libraryId: number, code: string): Promise<Site> {
  const site = await repos.sites.byCode(libraryId, code.trim());
  if (!site)
    throw new RollcallError('not_found', `There is no site with code "${code.trim()}"; list the sites with \`rollcall sites list\`.`);
  return site;
}

function viewOf(site: Site): SiteView {
  return { code: site.code, name: site.name, orgSourcedId: site.orgGuid };
}
