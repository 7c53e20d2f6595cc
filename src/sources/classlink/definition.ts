/**
 * The ClassLink source: a district's roster reached through ClassLink's OneRoster server (found
 * by Tenant ID, or given directly), its schools and its options (with sign-in).
 */
import { CLASSLINK_SETTINGS, type ClassLinkSettings } from '../settings.ts';
import { SOURCE_COMMANDS, SOURCE_NAMES } from '../kinds.ts';
import type { OptionsStore } from '../options.ts';
import { listSchools, matchSite, type SchoolSource } from '../schools.ts';
import type { RosterSource } from '../source.ts';
import { loadClassLink, rosterAuthOf, rosterClient, saveClassLink } from './state.ts';

/** ClassLink's schools, through its saved connection (`rollcall classlink schools|match-site`). */
export const CLASSLINK_SCHOOLS: SchoolSource = {
  kind: 'classlink',
  label: 'ClassLink',
  command: 'classlink',
  open: async (deps, libraryId) => rosterClient(deps.config, rosterAuthOf(await loadClassLink(deps.store, libraryId))),
};

/** ClassLink's options (`rollcall classlink options`, the Syncing and Field Mapping steps). */
export const CLASSLINK_OPTIONS: OptionsStore<ClassLinkSettings> = {
  kind: 'classlink',
  load: async (repos, libraryId) => (await loadClassLink(repos, libraryId)).settings,
  save: (repos, libraryId, settings) => saveClassLink(repos, libraryId, { settings }),
};

/** The ClassLink source. */
export const CLASSLINK_SOURCE: RosterSource<ClassLinkSettings> = {
  kind: 'classlink',
  name: SOURCE_NAMES.classlink,
  command: SOURCE_COMMANDS.classlink,
  settings: CLASSLINK_SETTINGS,
  isConfigured: (settings) => settings.connection !== null,
  options: CLASSLINK_OPTIONS,
  schools: (deps, libraryId) => listSchools(deps, libraryId, CLASSLINK_SCHOOLS),
  match: (deps, libraryId, siteCode, org) => matchSite(deps, libraryId, siteCode, org, CLASSLINK_SCHOOLS),
};
