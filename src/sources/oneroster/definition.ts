/** The OneRoster REST source: any OneRoster 1.1 or 1.2 server, its schools and its options. */
import { SOURCE_COMMANDS, SOURCE_NAMES } from '../kinds.ts';
import { listSchools, matchSite } from '../schools.ts';
import type { RosterSource } from '../source.ts';
import { ONEROSTER_OPTIONS, ONEROSTER_SCHOOLS } from './connect.ts';
import { ONEROSTER_SETTINGS, type OneRosterSettings } from './state.ts';

/** The OneRoster REST source. */
export const ONEROSTER_SOURCE: RosterSource<OneRosterSettings> = {
  kind: 'oneroster',
  name: SOURCE_NAMES.oneroster,
  command: SOURCE_COMMANDS.oneroster,
  settings: ONEROSTER_SETTINGS,
  isConfigured: (settings) => settings.connection !== null,
  options: ONEROSTER_OPTIONS,
  schools: (deps, libraryId) => listSchools(deps, libraryId, ONEROSTER_SCHOOLS),
  match: (deps, libraryId, siteCode, org) => matchSite(deps, libraryId, siteCode, org, ONEROSTER_SCHOOLS),
};
