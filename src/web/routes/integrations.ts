/**
 * Preferences › SIS Integrations (SPEC §1.3): the page listing ClassLink, OneRoster REST and
 * OneRoster CSV with the one that is ON, and — shared by the OneRoster REST and OneRoster CSV
 * pages (routes/oneroster.ts, routes/csv.ts) — the steps every integration has alike: Site
 * Mapping, Syncing, Field Mapping and ON / OFF, as pages and as JSON. They render ClassLink's
 * views (classlink-sites, -syncing, -fields, -enable) with the integration's base URL, name and
 * step navigation, and call ClassLink's page services with the integration's MappingSource and
 * OptionsStore: one page logic, three integrations.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError } from '../../domain/errors.ts';
import { FIELDS } from '../../domain/fields.ts';
import type { IntegrationKind } from '../../domain/patron.ts';
import { SOURCE_NAMES } from '../../sources/registry.ts';
import {
  fieldMappingFormOf,
  ID_MAPPING_CHOICES,
  LOCATION_CHOICES,
  optionsPatchOf,
  ROLE_CHOICES,
  rolesOf,
  type Body,
} from '../forms/classlink.ts';
import { updateOptions, type OptionSettings, type OptionsStore, type OptionsView } from '../../sources/options.ts';
import {
  applySuggestions,
  clearSiteMatch,
  matchSiteToSchool,
  schoolsWithSuggestions,
  siteMapping,
  type MappingSource,
} from '../../sources/site-mapping.ts';
import { previewSentence, turnOff, turnOn, turnOnPreview, type TurnOnPreview } from '../../sources/switch.ts';
import { integrationList } from '../../sources/setup.ts';
import type { WebDeps } from '../context.ts';
import { defineNotices } from '../render.ts';

defineNotices({
  'source-site-matched': 'The site is matched to the school.',
  'source-site-unmatched': 'The match was cleared: that school is not synced.',
  'source-mapping-saved': 'The site mapping is saved. Schools without a site are not synced.',
  'source-roles-saved': 'The synced roles are saved.',
  'source-fields-saved': 'The field mapping and thresholds are saved.',
  'source-on': 'The integration is ON.',
  'source-off': 'The integration is OFF: no sync will run. Patrons, GUIDs and site matches are kept.',
});

/** Where the list of integrations lives. */
export const INTEGRATIONS_BASE = '/preferences/integrations';

/** One step of an integration's pages. */
export interface Step {
  key: string;
  path: string;
  label: string;
}

/** `2026-11-29T05:12:00.000Z` → `2026-11-29 05:12 UTC` ('' stays ''). */
export function whenText(iso: string | null | undefined): string {
  if (!iso) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** What an integration's pages share: its state line and step navigation. */
export interface SourcePages<
  O extends { enabled: boolean; otherEnabled: IntegrationKind | null; options: OptionsView; matchedSites: number },
> {
  kind: IntegrationKind;
  base: string;
  steps: readonly Step[];
  /** The integration's state, without secrets. */
  overview(request: FastifyRequest): Promise<O>;
  /** The status line's middle part ("connected to …", "watched folder …"). */
  statusText(overview: O): string;
  /** The Site Mapping page's schools and matching. */
  mapping: MappingSource;
  /** Where its options are kept. */
  options: OptionsStore<OptionSettings>;
  /** A note under the roles of the Syncing step. */
  roleNote: string;
  /** What the ON / OFF step says when the integration cannot be turned ON yet. */
  connectHint: string;
}

/** The data every step's page gets: the step navigation, the state, the integration's names. */
export async function stepData<
  O extends { enabled: boolean; otherEnabled: IntegrationKind | null; options: OptionsView; matchedSites: number },
>(pages: SourcePages<O>, request: FastifyRequest, step: string) {
  const overview = await pages.overview(request);
  return {
    steps: pages.steps.map((s, i) => ({ href: `${pages.base}${s.path}`, label: `${i + 1}. ${s.label}`, current: s.key === step })),
    overview,
    base: pages.base,
    sourceName: SOURCE_NAMES[pages.kind],
    stepsView: './integrations-steps',
    statusText: pages.statusText(overview),
    otherEnabledName: overview.otherEnabled ? SOURCE_NAMES[overview.otherEnabled] : '',
  };
}

/**
 * A form's action for a step page: runs the work and redirects where it says (post/redirect/get);
 * a RollcallError re-renders the step with its sentence (400, the typed values kept), a
 * not_found stays a 404.
 */
export function formActionOf<S extends string>(
  showStep: (
    request: FastifyRequest,
    reply: FastifyReply,
    step: S,
    status: number,
    extra: Record<string, unknown>,
  ) => Promise<FastifyReply>,
) {
  return async (request: FastifyRequest, reply: FastifyReply, step: S, work: () => Promise<string>, keep: Record<string, unknown> = {}) => {
    try {
      return reply.redirect(await work(), 303);
    } catch (e) {
      if (!(e instanceof RollcallError) || e.kind === 'not_found') throw e;
      return showStep(request, reply, step, 400, { error: e.message, ...keep });
    }
  };
}

/**
 * Registers the shared steps of an integration (Site Mapping, Syncing, Field Mapping, ON / OFF)
 * as pages under `pages.base` and JSON under `apiBase`. `showStep` renders any step (the
 * integration's own ones too) so a refused form is shown again with its sentence.
 */
export function sharedSourceRoutes<
  O extends { enabled: boolean; otherEnabled: IntegrationKind | null; options: OptionsView; matchedSites: number },
>(
  app: FastifyInstance,
  deps: WebDeps,
  pages: SourcePages<O>,
  apiBase: string,
  ownStep: (
    request: FastifyRequest,
    reply: FastifyReply,
    step: string,
    status: number,
    extra: Record<string, unknown>,
  ) => Promise<FastifyReply | undefined>,
) {
  const { store, config } = deps;
  const admin = { access: 'admin' as const };
  const schoolDeps = { config, store };
  const libOf = (request: FastifyRequest) => request.library!.id;
  const { base, kind, mapping } = pages;
  const name = SOURCE_NAMES[kind];

  async function showStep(
    request: FastifyRequest,
    reply: FastifyReply,
    step: string,
    status = 200,
    extra: Record<string, unknown> = {},
  ): Promise<FastifyReply> {
    const own = await ownStep(request, reply, step, status, extra);
    if (own) return own;
    const data = await stepData(pages, request, step);
    const lib = libOf(request);
    const error = String(extra.error ?? '');
    const label = pages.steps.find((s) => s.key === step)?.label ?? '';
    const title = `${name} · ${label}`;
    switch (step) {
      case 'sites':
        return reply.page(
          'classlink-sites',
          { title, ...data, error, mapping: await siteMapping(schoolDeps, lib, mapping), ...extra },
          status,
        );
      case 'syncing':
        return reply.page(
          'classlink-syncing',
          { title, ...data, error, roles: ROLE_CHOICES, selected: data.overview.options.roles, roleNote: pages.roleNote },
          status,
        );
      case 'fields':
        return reply.page(
          'classlink-fields',
          {
            title,
            ...data,
            error,
            options: data.overview.options,
            rows: fieldRows(data.overview.options),
            idChoices: ID_MAPPING_CHOICES,
            locationChoices: LOCATION_CHOICES,
          },
          status,
        );
      default: {
        const preview = await turnOnPreview(store, lib, kind);
        const otherNames = Object.entries(preview.patronGuids).map(([k, n]) => ({
          name: SOURCE_NAMES[k as IntegrationKind],
          count: n ?? 0,
        }));
        return reply.page(
          'classlink-enable',
          {
            title,
            ...data,
            error,
            preview,
            otherNames,
            currentName: preview.current ? SOURCE_NAMES[preview.current] : '',
            sentence: previewSentence(preview),
            connectHint: pages.connectHint,
          },
          status,
        );
      }
    }
  }

  const formAction = formActionOf(showStep);

  app.get(`${base}/sites`, { config: admin }, (request, reply) => showStep(request, reply, 'sites'));
  app.post<{ Body: Body }>(`${base}/sites/match`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'sites', async () => {
      await matchSiteToSchool(schoolDeps, libOf(request), String(request.body?.site ?? ''), String(request.body?.school ?? ''), mapping);
      return `${base}/sites?notice=source-site-matched`;
    }),
  );
  app.post<{ Body: Body }>(`${base}/sites/unmatch`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'sites', async () => {
      await clearSiteMatch(store, libOf(request), String(request.body?.site ?? ''));
      return `${base}/sites?notice=source-site-unmatched`;
    }),
  );
  app.post<{ Body: Body }>(`${base}/sites/save`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'sites', async () => {
      const body = request.body ?? {};
      const site = String(body.site ?? '').trim();
      const school = String(body.school ?? '').trim();
      if (site !== '' && school !== '') await matchSiteToSchool(schoolDeps, libOf(request), site, school, mapping);
      const accepted = (Array.isArray(body.accept) ? body.accept : body.accept === undefined ? [] : [body.accept])
        .map(String)
        .filter((c) => c !== site);
      await applySuggestions(schoolDeps, libOf(request), accepted, mapping);
      return `${base}/sites?notice=source-mapping-saved`;
    }),
  );
  app.get(`${base}/syncing`, { config: admin }, (request, reply) => showStep(request, reply, 'syncing'));
  app.post<{ Body: Body }>(`${base}/syncing`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'syncing', async () => {
      await updateOptions(store, libOf(request), { roles: rolesOf(request.body?.roles) }, pages.options);
      return `${base}/syncing?notice=source-roles-saved`;
    }),
  );
  app.get(`${base}/fields`, { config: admin }, (request, reply) => showStep(request, reply, 'fields'));
  app.post<{ Body: Body }>(`${base}/fields`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'fields', async () => {
      await updateOptions(store, libOf(request), fieldMappingFormOf(request.body ?? {}), pages.options);
      return `${base}/fields?notice=source-fields-saved`;
    }),
  );
  app.get(`${base}/enable`, { config: admin }, (request, reply) => showStep(request, reply, 'switch'));
  app.post(`${base}/enable`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'switch', async () => {
      await turnOn(store, libOf(request), kind, 'page');
      return `${base}/enable?notice=source-on`;
    }),
  );
  app.post(`${base}/disable`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'switch', async () => {
      await turnOff(store, libOf(request), kind);
      return `${base}/enable?notice=source-off`;
    }),
  );

  // ---- API ----
  const tags = [kind];
  app.get(
    `${apiBase}/schools`,
    {
      config: admin,
      schema: {
        tags,
        summary: `${name}'s schools, with the site matched or suggested by name`,
        response: { 200: { type: 'array', items: SCHOOL_SCHEMA } },
      },
    },
    async (request) => schoolsWithSuggestions(schoolDeps, libOf(request), mapping),
  );

  app.put<{ Params: { code: string }; Body: { orgSourcedId?: string } }>(
    `${apiBase}/sites/:code/match`,
    {
      config: admin,
      schema: {
        tags,
        summary: `Match a site to a ${name} school`,
        params: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] },
        body: { type: 'object', required: ['orgSourcedId'], properties: { orgSourcedId: { type: 'string' } } },
        response: { 200: { type: 'object', properties: { site: SITE_SCHEMA, school: SCHOOL_SCHEMA } } },
      },
    },
    async (request) => matchSiteToSchool(schoolDeps, libOf(request), request.params.code, request.body?.orgSourcedId ?? '', mapping),
  );

  app.patch<{ Body: Body }>(
    `${apiBase}/options`,
    {
      config: admin,
      schema: {
        tags,
        summary: 'Change the synced roles, field mapping or safety thresholds; what is left out is kept',
        body: {
          type: 'object',
          properties: {
            roles: { type: 'array', items: { type: 'string' } },
            mapping: {
              type: 'object',
              properties: { barcode: ID_MAPPING_SCHEMA, communityId: ID_MAPPING_SCHEMA, location: { type: 'string' } },
            },
            thresholds: { type: 'object', properties: { maxTransferPct: { type: 'number' }, maxUpdatePct: { type: 'number' } } },
          },
        },
        response: { 200: OPTIONS_SCHEMA },
      },
    },
    async (request) => {
      const change = optionsPatchOf(request.body ?? {});
      delete change.sso; // sign-in is ClassLink's
      return updateOptions(store, libOf(request), change, pages.options);
    },
  );

  app.get(
    `${apiBase}/enable-preview`,
    {
      config: admin,
      schema: {
        tags,
        summary: `What turning ${name} ON would clear: the patron GUIDs and site matches of other integrations`,
        response: { 200: PREVIEW_SCHEMA },
      },
    },
    async (request) => {
      const preview: TurnOnPreview = await turnOnPreview(store, libOf(request), kind);
      return { ...preview, current: preview.current ?? null, message: previewSentence(preview) };
    },
  );

  app.post(
    `${apiBase}/enable`,
    {
      config: admin,
      schema: {
        tags,
        summary: `Turn ${name} ON: other integrations go OFF and their identifiers are cleared (see enable-preview)`,
        response: { 200: ENABLE_SCHEMA },
      },
    },
    async (request) => ({ enabled: true, ...(await turnOn(store, libOf(request), kind, 'api')) }),
  );

  app.post(
    `${apiBase}/disable`,
    {
      config: admin,
      schema: {
        tags,
        summary: `Turn ${name} OFF: no sync runs; patrons, GUIDs and site matches are kept`,
        response: { 200: ENABLE_SCHEMA },
      },
    },
    async (request) => ({ enabled: false, unchanged: !(await turnOff(store, libOf(request), kind)) }),
  );

  return { showStep, formAction };
}

/** Registers the Integrations page and `GET /api/v1/integrations`. */
export function integrationsRoutes(app: FastifyInstance, deps: WebDeps): void {
  const admin = { access: 'admin' as const };
  app.get(INTEGRATIONS_BASE, { config: admin }, async (request, reply) =>
    reply.page('integrations', { title: 'SIS Integrations', integrations: await integrationList(deps.store, request.library!.id) }),
  );
  app.get(
    '/api/v1/integrations',
    {
      config: admin,
      schema: {
        tags: ['integrations'],
        summary: 'The three integrations (ClassLink, OneRoster REST, OneRoster CSV): which one is ON, which are set up',
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                kind: { type: 'string' },
                name: { type: 'string' },
                href: { type: 'string' },
                enabled: { type: 'boolean' },
                configured: { type: 'boolean' },
                matchedSites: { type: 'integer' },
              },
            },
          },
        },
      },
    },
    async (request) => integrationList(deps.store, request.library!.id),
  );
}

/** Where each synced field comes from by default (SPEC §1.2), for the Field Mapping step. */
const DEFAULT_SOURCES: Readonly<Record<number, string>> = {
  1200: 'user sourcedId',
  1007: 'givenName',
  1008: 'middleName',
  1006: 'familyName',
  1045: 'demographics birthDate',
  1032: 'demographics sex',
  1017: 'phone',
  1019: 'email',
  1049: "the user's agents (parent/guardian): name and phone of the first",
  1054: "the emails of the user's agents, in order, de-duplicated",
  1010: 'grades (first value)',
  1050: 'code of the site matched to the first org in orgs',
  1026: 'status: active → 1 Active; tobedeleted → 4 Transferred',
};

/** A mapping as the page words it. */
function idMappingLabel(m: OptionsView['mapping']['barcode']): string {
  if (m.kind === 'userid') return `userIds of type ${m.type}`;
  if (m.kind === 'none') return 'not mapped';
  return m.kind;
}

/** The field table of the Field Mapping step: number, name, where it comes from now. */
export function fieldRows(options: OptionsView): { number: number; label: string; source: string; mapped: boolean }[] {
  return FIELDS.filter((f) => f.synced).map((f) => {
    if (f.number === 1000)
      return {
        number: f.number,
        label: f.label,
        source: idMappingLabel(options.mapping.barcode),
        mapped: options.mapping.barcode.kind !== 'none',
      };
    if (f.number === 1001)
      return {
        number: f.number,
        label: f.label,
        source: idMappingLabel(options.mapping.communityId),
        mapped: options.mapping.communityId.kind !== 'none',
      };
    if (f.number === 1004) {
      const loc = LOCATION_CHOICES.find((c) => c.value === options.mapping.location);
      return {
        number: f.number,
        label: f.label,
        source: options.mapping.location === 'none' ? 'not mapped' : (loc?.label ?? ''),
        mapped: options.mapping.location !== 'none',
      };
    }
    return { number: f.number, label: f.label, source: DEFAULT_SOURCES[f.number] ?? '', mapped: true };
  });
}

// ---- JSON schemas (response schemas list every field shown: anything else, a secret included, is dropped) ----

/** A Barcode / Community ID mapping as the API shows it. */
export const ID_MAPPING_SCHEMA = { type: 'object', properties: { kind: { type: 'string' }, type: { type: 'string' } } } as const;

/** The options as the API shows them. */
export const OPTIONS_SCHEMA = {
  type: 'object',
  properties: {
    roles: { type: 'array', items: { type: 'string' } },
    mapping: { type: 'object', properties: { barcode: ID_MAPPING_SCHEMA, communityId: ID_MAPPING_SCHEMA, location: { type: 'string' } } },
    thresholds: { type: 'object', properties: { maxTransferPct: { type: 'number' }, maxUpdatePct: { type: 'number' } } },
  },
} as const;

/** A site as the mapping API shows it. */
export const SITE_SCHEMA = {
  type: 'object',
  properties: { code: { type: 'string' }, name: { type: 'string' }, orgSourcedId: { type: 'string' } },
} as const;

/** A school as the mapping API shows it (matched site code included). */
export const SCHOOL_FIELDS = {
  sourcedId: { type: 'string' },
  name: { type: 'string' },
  identifier: { type: 'string' },
  status: { type: 'string' },
  siteCode: { type: 'string' },
} as const;

/** A school with the site suggested for it by name. */
export const SCHOOL_SCHEMA = { type: 'object', properties: { ...SCHOOL_FIELDS, suggestedSiteCode: { type: 'string' } } } as const;

/** What turning an integration ON would clear (enable-preview). */
export const PREVIEW_SCHEMA = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    current: { type: 'string', nullable: true },
    patronGuids: { type: 'object', additionalProperties: { type: 'integer' } },
    patronGuidTotal: { type: 'integer' },
    siteGuids: { type: 'integer' },
    total: { type: 'integer' },
    alreadyEnabled: { type: 'boolean' },
    configured: { type: 'boolean' },
    matchedSites: { type: 'integer' },
    message: { type: 'string' },
  },
} as const;

/** What turning an integration ON or OFF did. */
export const ENABLE_SCHEMA = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean' },
    unchanged: { type: 'boolean' },
    disabled: { type: 'array', items: { type: 'string' } },
    clearedPatronGuids: { type: 'integer' },
    clearedSiteGuids: { type: 'integer' },
    matchedSites: { type: 'integer' },
    notes: { type: 'array', items: { type: 'string' } },
  },
} as const;
