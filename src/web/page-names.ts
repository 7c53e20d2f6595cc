/**
 * The names of the pages a librarian finds in the menu, one place: the menu, each page's title
 * and h1, its breadcrumbs and the docs say the same words (SPEC §2 "Preferences › SIS
 * Integrations", §3.7 "Operations Management"), so a librarian told "open Operations Management"
 * finds a menu entry of that name.
 */

/** A menu page's name, by page. */
export const PAGE_NAMES = {
  home: 'Home',
  patrons: 'Patrons',
  sites: 'Sites',
  operations: 'Operations Management',
  conflicts: 'Conflicts',
  preferences: 'Preferences',
  integrations: 'SIS Integrations',
  schedule: 'Schedule',
  newPatrons: 'New patrons',
  staff: 'Staff',
  tokens: 'API tokens',
  webhooks: 'Webhooks',
} as const;

/** Where the Preferences index lives (its pages sit under it). */
export const PREFERENCES_PATH = '/preferences';
