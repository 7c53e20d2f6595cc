/**
 * What a roster source is to the rest of Rollcall: its kind and names, its settings (the
 * shared sync settings and its own), whether it is configured, where its options are kept, and
 * how Site Mapping lists and matches its schools. Each source declares one (classlink/,
 * oneroster/ and csv/ definition.ts); registry.ts lists them.
 */
import type { z } from 'zod';
import type { SiteView } from '../services/sites/sites.ts';
import type { SourceKind } from './kinds.ts';
import type { OptionSettings, OptionsStore } from './options.ts';
import type { SchoolDeps, SchoolView } from './schools.ts';

/** One roster source. */
export interface RosterSource<S extends OptionSettings = OptionSettings> {
  /** Its kind, as stored. */
  kind: SourceKind;
  /** How people call it: "ClassLink", "OneRoster REST". */
  name: string;
  /** Its `rollcall` command group. */
  command: string;
  /** Its stored settings (the shared sync settings extended with its own), defaults filled. */
  settings: z.ZodType<S>;
  /**
   * Whether it may be turned on and synced from, by its settings alone: a REST source needs a
   * saved connection; CSV needs nothing (its packages come with each sync or from the folder).
   */
  isConfigured(settings: S): boolean;
  /** Where its options (roles, field mapping, thresholds) are read and written. */
  options: OptionsStore<S>;
  /** Its schools with their matched sites, for Site Mapping (a RollcallError when they cannot be read). */
  schools(deps: SchoolDeps, libraryId: number): Promise<SchoolView[]>;
  /** Matches a site to one of its schools (not_found when it lists no such school). */
  match(deps: SchoolDeps, libraryId: number, siteCode: string, orgSourcedId: string): Promise<{ site: SiteView; school: SchoolView }>;
}
