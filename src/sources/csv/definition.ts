/**
 * The OneRoster CSV source: packages given to each sync or dropped in a watched folder; its
 * schools are the orgs of a package (Site Mapping reads the newest one), its options the shared ones.
 */
import { SOURCE_COMMANDS, SOURCE_NAMES } from '../kinds.ts';
import type { SchoolView } from '../schools.ts';
import type { RosterSource } from '../source.ts';
import { csvMappingPackage } from './mapping-package.ts';
import { CSV_OPTIONS } from './options.ts';
import { csvSchools, matchCsvSite } from './sites.ts';
import { CSV_SETTINGS, type CsvSettings } from './source.ts';

/** The OneRoster CSV source. */
export const CSV_SOURCE: RosterSource<CsvSettings> = {
  kind: 'csv',
  name: SOURCE_NAMES.csv,
  command: SOURCE_COMMANDS.csv,
  settings: CSV_SETTINGS,
  // Nothing to connect: each sync is given its package, or takes it from the watched folder.
  isConfigured: () => true,
  options: CSV_OPTIONS,
  schools: async (deps, libraryId) => {
    const listed = await csvSchools(deps.store, libraryId, await csvMappingPackage(deps.config, deps.store, libraryId));
    return listed.schools.map((s) => schoolOf(s));
  },
  match: async (deps, libraryId, siteCode, org) => {
    const r = await matchCsvSite(deps.store, libraryId, siteCode, org, await csvMappingPackage(deps.config, deps.store, libraryId));
    return { site: r.site, school: schoolOf(r.school) };
  },
};

function schoolOf(s: { sourcedId: string; name: string; identifier: string; siteCode: string }): SchoolView {
  return { sourcedId: s.sourcedId, name: s.name, identifier: s.identifier, status: 'active', siteCode: s.siteCode };
}
