/**
 * Site mapping for OneRoster CSV (SPEC §2 step 2, for packages): the schools of a package
 * (orgs.csv rows of type school), and matching a library site to one of them. The package is
 * the one given, else the newest .zip in the watched folder. A package with no org of type
 * school (some exporters file schools as departments) lists every org, so its users' orgs can
 * still be matched. Matches made here belong to OneRoster CSV (cleared if another integration
 * is enabled).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openCsvPackage } from '../../csv/index.ts';
import { RollcallError } from '../../domain/errors.ts';
import type { RosterOrg } from '../../domain/roster.ts';
import { loadCsvSource } from './source.ts';
import { SOURCE_NAMES } from '../kinds.ts';
import type { Repositories } from '../../store/store.ts';
import { requireSite, type SiteView } from '../../services/sites/sites.ts';

/** An org of a package as listed, with the site matched to it. */
export interface CsvSchoolView {
  /** The org's sourcedId (what `csv match-site` takes). */
  sourcedId: string;
  /** Its name. */
  name: string;
  /** Its type (`school`, or another when the package has no school). */
  type: string;
  /** Its identifier, or ''. */
  identifier: string;
  /** The code of the library site matched to it, or ''. */
  siteCode: string;
}

/** The schools of a package. */
export interface CsvSchools {
  /** The package read. */
  package: string;
  /** Its schools (every org when none is of type school), by name. */
  schools: CsvSchoolView[];
  /** True when the package has no org of type school and every org is listed. */
  allOrgs: boolean;
}

/** Lists a package's schools with the sites matched to them. */
export async function csvSchools(
  repos: Pick<Repositories, 'integrations' | 'sites'>,
  libraryId: number,
  packagePath?: string,
): Promise<CsvSchools> {
  const path = packagePath ?? (await newestPackage(repos, libraryId));
  const orgs = await packageOrgs(path);
  const schools = orgs.filter((o) => o.type === 'school');
  const listed = schools.length > 0 ? schools : orgs;
  const siteByOrg = new Map((await repos.sites.list(libraryId)).filter((s) => s.orgGuid !== '').map((s) => [s.orgGuid, s.code]));
  return {
    package: path,
    allOrgs: schools.length === 0,
    schools: listed
      .map((o) => ({
        sourcedId: o.sourcedId,
        name: o.name,
        type: o.type,
        identifier: o.identifier,
        siteCode: siteByOrg.get(o.sourcedId) ?? '',
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.sourcedId.localeCompare(b.sourcedId)),
  };
}

/** Matches a site to an org of the package; matching it again to the same org changes nothing. */
export async function matchCsvSite(
  repos: Pick<Repositories, 'integrations' | 'sites'>,
  libraryId: number,
  siteCode: string,
  orgSourcedId: string,
  packagePath?: string,
): Promise<{ site: SiteView; school: CsvSchoolView }> {
  const site = await requireSite(repos, libraryId, siteCode);
  const orgId = orgSourcedId.trim();
  const holder = (await repos.sites.list(libraryId)).find((s) => s.orgGuid === orgId && s.code !== site.code);
  if (holder) {
    throw new RollcallError(
      'conflict',
      `That school is already matched to site ${holder.code}; unmatch it first with \`rollcall csv unmatch-site ${holder.code}\`.`,
    );
  }
  if (site.orgGuid !== '' && site.orgGuid !== orgId) {
    const whose =
      site.orgGuidSource && site.orgGuidSource !== 'csv'
        ? ` of ${SOURCE_NAMES[site.orgGuidSource]} (enabling OneRoster CSV clears it)`
        : '';
    throw new RollcallError(
      'conflict',
      `Site ${site.code} is already matched to the school ${site.orgGuid}${whose}; unmatch it first with \`rollcall csv unmatch-site ${site.code}\`.`,
    );
  }
  const path = packagePath ?? (await newestPackage(repos, libraryId));
  const org = (await packageOrgs(path)).find((o) => o.sourcedId === orgId);
  if (!org) {
    throw new RollcallError(
      'not_found',
      `The package ${path} has no org with the sourcedId "${orgId}"; see its schools with \`rollcall csv schools ${path}\`.`,
    );
  }
  const saved = await repos.sites.setOrgGuid(libraryId, site.code, org.sourcedId, 'csv');
  return {
    site: { code: saved.code, name: saved.name, orgSourcedId: saved.orgGuid },
    school: { sourcedId: org.sourcedId, name: org.name, type: org.type, identifier: org.identifier, siteCode: saved.code },
  };
}

/** Every org of a package (orgs.csv is small: read whole). */
async function packageOrgs(path: string): Promise<RosterOrg[]> {
  const pkg = await openCsvPackage(path);
  if (pkg.files.orgs === 'absent')
    throw new RollcallError('invalid_input', `The package ${path} has no orgs.csv, so it names no school to match.`);
  const orgs: RosterOrg[] = [];
  await pkg.records('orgs', (records) => {
    orgs.push(...records);
  });
  return orgs;
}

/** The newest .zip in the watched folder; not_configured when there is none. */
async function newestPackage(repos: Pick<Repositories, 'integrations'>, libraryId: number): Promise<string> {
  const { settings } = await loadCsvSource(repos, libraryId);
  const none = 'Give a package (`rollcall csv schools FILE`, `rollcall csv match-site SITE ORG --package FILE`)';
  if (settings.watchDir === '')
    throw new RollcallError(
      'not_configured',
      `${none}, or configure a watched folder that has one (\`rollcall csv configure --watch-dir DIR\`).`,
    );
  const entries = await readdir(settings.watchDir, { withFileTypes: true }).catch(() => []);
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const d of entries) {
    if (!d.isFile() || d.name.startsWith('.') || !d.name.toLowerCase().endsWith('.zip')) continue;
    const path = join(settings.watchDir, d.name);
    const s = await stat(path).catch(() => undefined);
    if (s && (!newest || s.mtimeMs > newest.mtimeMs)) newest = { path, mtimeMs: s.mtimeMs };
  }
  if (!newest) throw new RollcallError('not_configured', `${none}: the watched folder ${settings.watchDir} has no .zip package yet.`);
  return newest.path;
}
