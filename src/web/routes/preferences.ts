/**
 * Preferences (SPEC §2 "Preferences › SIS Integrations › ClassLink"): the admins' page that
 * lists the library's settings pages — SIS Integrations, New patrons, Schedule — so the menu's
 * "Preferences" and every "Preferences › …" breadcrumb lead somewhere.
 */
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../context.ts';
import { PAGE_NAMES, PREFERENCES_PATH } from '../page-names.ts';
import { NEW_PATRONS_PATH } from './new-patrons.ts';
import { SCHEDULE_PATH } from './schedule.ts';
import { INTEGRATIONS_BASE } from './sources/list.ts';

/** One entry of the Preferences page. */
interface PreferencesEntry {
  href: string;
  name: string;
  /** What it sets, one sentence. */
  about: string;
}

const ENTRIES: readonly PreferencesEntry[] = [
  {
    href: INTEGRATIONS_BASE,
    name: PAGE_NAMES.integrations,
    about: 'Where patrons come from: ClassLink, OneRoster REST or a OneRoster CSV package; site mapping, what is synced, Sync Now.',
  },
  {
    href: NEW_PATRONS_PATH,
    name: PAGE_NAMES.newPatrons,
    about: 'What a sync gives each patron it creates, per role: Policy, Status, barcodes and fixed values.',
  },
  {
    href: SCHEDULE_PATH,
    name: PAGE_NAMES.schedule,
    about: "When Daily Operations runs, on the library's own clock, and on which day the weekly full sync runs.",
  },
];

/** Registers the Preferences page. */
export function preferencesRoutes(app: FastifyInstance, _deps: WebDeps): void {
  app.get(PREFERENCES_PATH, { config: { access: 'admin' } }, async (_request, reply) =>
    reply.page('preferences', { title: PAGE_NAMES.preferences, entries: ENTRIES }),
  );
}
