/**
 * Preferences › SIS Integrations › ClassLink (SPEC §2), for admins: the steps
 * Settings (Tenant ID; direct and proxy modes under Advanced), Site Mapping, Syncing, Field
 * Mapping, ON/OFF (with what turning ON clears, SPEC §1.3) and Sync Now — and the same as JSON
 * under /api/v1/integrations/classlink, /api/v1/sites/{code}/match and /api/v1/syncs.
 *
 * Site Mapping works without JavaScript: Match and × post at once and are saved at once; Save
 * also matches a selected pair and applies the ticked suggestions, then confirms. With
 * JavaScript, choosing a site pre-selects its suggested school (app.js).
 *
 * Secrets are write-only: a saved OAuth secret or bearer token is shown as "saved" with the
 * time it was validated, is never put back in a form, and no response schema lists it.
 */
import { changeSso, ssoView } from '../../sources/classlink/sign-in-settings.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SOURCE_NAMES, requireSyncNow, syncSourceOf } from '../../sources/registry.ts';
import { configureClassLink } from '../../sources/classlink/connect.ts';
import {
  checked,
  connectRequestOf,
  fieldMappingFormOf,
  ID_MAPPING_CHOICES,
  LOCATION_CHOICES,
  optionsPatchOf,
  ROLE_CHOICES,
  rolesOf,
  type Body,
} from '../forms/classlink.ts';
import { updateOptions } from '../../sources/options.ts';
import { applySuggestions, clearSiteMatch, matchSiteToSchool, schoolsWithSuggestions, siteMapping } from '../../sources/site-mapping.ts';
import { adminNote, classLinkOverview, type ClassLinkOverview } from '../../sources/classlink/overview.ts';
import { CLASSLINK_OPTIONS, CLASSLINK_SOURCE } from '../../sources/classlink/definition.ts';
import { previewSentence, turnOff, turnOn, turnOnPreview } from '../../sources/switch.ts';
import { operationTypeName } from '../../sync/run.ts';
import { staffOf, type WebDeps } from '../context.ts';
import { defineNotices } from '../render.ts';
import {
  ENABLE_SCHEMA,
  fieldRows,
  formActionOf,
  ID_MAPPING_SCHEMA,
  OPTIONS_SCHEMA,
  PREVIEW_SCHEMA,
  SCHOOL_FIELDS,
  SCHOOL_SCHEMA,
  SITE_SCHEMA,
  whenText,
} from './integrations.ts';

/** Where the ClassLink pages live. */
export const CLASSLINK_BASE = '/preferences/integrations/classlink';

defineNotices({
  'sso-saved': 'The sign-in settings were saved.',
  'classlink-connected': 'The ClassLink connection was validated and saved.',
  'site-matched': 'The site is matched to the school.',
  'site-unmatched': 'The match was cleared: that school is not synced.',
  'site-mapping-saved': 'The site mapping is saved. Schools without a site are not synced.',
  'classlink-roles-saved': 'The synced roles are saved.',
  'classlink-fields-saved': 'The field mapping, thresholds and sign-in setting are saved.',
  'classlink-on': 'ClassLink is ON.',
  'classlink-off': 'ClassLink is OFF: no sync will run. Patrons, GUIDs and site matches are kept.',
  'sync-started': 'The sync has started; this page follows its progress.',
  'sync-already-running': 'A sync of this library was already running: here it is. Sync Now again when it has finished.',
  'sync-queued': 'The sync is queued; it appears here when a worker takes it.',
});

/** What the API shows of the sign-in settings (no secret: only whether one is stored). */
const SSO_SCHEMA = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean' },
    tenantId: { type: 'integer', nullable: true },
    tenantFrom: { type: 'string' },
    clientId: { type: 'string' },
    clientSecretSet: { type: 'boolean' },
    deploymentClient: { type: 'boolean' },
    redirectUri: { type: 'string' },
    launchUrl: { type: 'string' },
    loginUrl: { type: 'string' },
    problems: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** The steps, in the model's order. */
const STEPS = [
  { key: 'settings', path: '', label: 'Settings' },
  { key: 'sites', path: '/sites', label: 'Site Mapping' },
  { key: 'syncing', path: '/syncing', label: 'Syncing' },
  { key: 'fields', path: '/fields', label: 'Field Mapping' },
  { key: 'switch', path: '/enable', label: 'ON / OFF' },
  { key: 'sync', path: '/sync', label: 'Sync Now' },
  { key: 'signin', path: '/sign-in', label: 'Single Sign-On' },
] as const;

type StepKey = (typeof STEPS)[number]['key'];

/** How a connection is described on the page (never with a secret). */
function connectionText(o: ClassLinkOverview): string {
  const c = o.connection;
  if (!c) return '';
  if (c.mode === 'partner')
    return `Tenant ID ${c.tenantId}, through ${c.auth === 'bearer' ? 'the ClassLink OneRoster proxy' : "the district's Roster Server"}`;
  if (c.mode === 'direct') return `Direct: the district's Roster Server, OAuth key ${c.clientId}`;
  return 'Proxy: the ClassLink OneRoster proxy with a bearer token';
}

// ---- JSON schemas (response schemas list every field shown: anything else, a secret included, is dropped) ----

const CONNECTION_FIELDS = {
  mode: { type: 'string', enum: ['partner', 'direct', 'proxy'] },
  tenantId: { type: 'integer', nullable: true },
  rosterUrl: { type: 'string' },
  auth: { type: 'string', enum: ['oauth1', 'bearer'] },
  clientId: { type: 'string' },
  validatedAt: { type: 'string' },
} as const;

/** ClassLink's options carry "Allow log-in with ClassLink" beside the others. */
const CLASSLINK_OPTIONS_SCHEMA = {
  type: 'object',
  properties: {
    roles: OPTIONS_SCHEMA.properties.roles,
    mapping: OPTIONS_SCHEMA.properties.mapping,
    sso: { type: 'boolean' },
    thresholds: OPTIONS_SCHEMA.properties.thresholds,
  },
} as const;

const OVERVIEW_SCHEMA = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean' },
    otherEnabled: { type: 'string', nullable: true },
    connection: { type: 'object', nullable: true, properties: CONNECTION_FIELDS },
    credentialsSaved: { type: 'boolean' },
    options: CLASSLINK_OPTIONS_SCHEMA,
    matchedSites: { type: 'integer' },
  },
} as const;

const codeParam = { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] } as const;

/** Registers the routes. */
export function classLinkRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store, config } = deps;
  const admin = { access: 'admin' as const };
  const schoolDeps = { config, store };
  const libOf = (request: FastifyRequest) => request.library!.id;

  /** The step navigation and ClassLink's state, for every step's page. */
  async function stepData(request: FastifyRequest, step: StepKey) {
    const overview = await classLinkOverview(store, libOf(request));
    return {
      steps: STEPS.map((s) => ({
        href: `${CLASSLINK_BASE}${s.path}`,
        label: `${STEPS.indexOf(s) + 1}. ${s.label}`,
        current: s.key === step,
      })),
      overview,
      otherEnabledName: overview.otherEnabled ? SOURCE_NAMES[overview.otherEnabled] : '',
      connectionText: connectionText(overview),
      validatedAt: whenText(overview.connection?.validatedAt),
    };
  }

  /** Renders a step (the form's error and kept values, when re-rendering a refused form). */
  async function showStep(request: FastifyRequest, reply: FastifyReply, step: StepKey, status = 200, extra: Record<string, unknown> = {}) {
    const base = await stepData(request, step);
    const lib = libOf(request);
    const error = String(extra.error ?? '');
    switch (step) {
      case 'settings': {
        // The saved connection fills the form (never its secret), so saving again is one click.
        const c = base.overview.connection;
        const saved = c
          ? {
              mode: c.mode,
              tenantId: c.tenantId === null ? '' : String(c.tenantId),
              rosterUrl: c.mode === 'partner' ? '' : c.rosterUrl,
              clientId: c.mode === 'direct' ? c.clientId : '',
            }
          : {};
        return reply.page(
          'classlink-settings',
          { title: 'ClassLink · Settings', ...base, error, form: extra.form ?? saved, partnerKeySet: Boolean(config.classlink.partnerKey) },
          status,
        );
      }
      case 'sites':
        return reply.page(
          'classlink-sites',
          { title: 'ClassLink · Site Mapping', ...base, error, mapping: await siteMapping(schoolDeps, lib, CLASSLINK_SOURCE) },
          status,
        );
      case 'syncing':
        return reply.page(
          'classlink-syncing',
          {
            title: 'ClassLink · Syncing',
            ...base,
            error,
            roles: ROLE_CHOICES,
            selected: base.overview.options.roles,
            note: await adminNote(store, lib),
          },
          status,
        );
      case 'fields':
        return reply.page(
          'classlink-fields',
          {
            title: 'ClassLink · Field Mapping',
            ...base,
            error,
            options: base.overview.options,
            rows: fieldRows(base.overview.options),
            idChoices: ID_MAPPING_CHOICES,
            locationChoices: LOCATION_CHOICES,
          },
          status,
        );
      case 'switch': {
        const preview = await turnOnPreview(store, lib, 'classlink');
        const otherNames = Object.entries(preview.patronGuids).map(([k, n]) => ({
          name: SOURCE_NAMES[k as keyof typeof SOURCE_NAMES],
          count: n ?? 0,
        }));
        return reply.page(
          'classlink-enable',
          {
            title: 'ClassLink · ON / OFF',
            ...base,
            error,
            preview,
            otherNames,
            currentName: preview.current ? SOURCE_NAMES[preview.current] : '',
            sentence: previewSentence(preview),
          },
          status,
        );
      }
      case 'signin':
        return reply.page(
          'classlink-signin',
          { title: 'ClassLink · Single Sign-On', ...base, error, sso: await ssoView(config, store, lib, request.library!.code) },
          status,
        );
      case 'sync': {
        const recent = (await store.operations.list(lib, { limit: 1 }))[0];
        const last = recent
          ? {
              id: recent.id,
              typeName: operationTypeName(recent.type, recent.source),
              state: recent.state,
              by: recent.requestedBy,
              at: whenText(recent.startedAt ?? recent.createdAt),
              active: recent.state === 'queued' || recent.state === 'running',
            }
          : null;
        return reply.page('classlink-sync', { title: 'ClassLink · Sync Now', ...base, error, last }, status);
      }
    }
  }

  const formAction = formActionOf<StepKey>(showStep);

  async function startSyncNow(request: FastifyRequest, dryRun: boolean) {
    await requireSyncNow(store, libOf(request), 'classlink', dryRun, 'library', 'page');
    return deps.startSync(libOf(request), { kind: 'full', dryRun, requestedBy: staffOf(request.principal).user.username });
  }

  // ---- pages ----

  app.get(CLASSLINK_BASE, { config: admin }, (request, reply) => showStep(request, reply, 'settings'));
  app.post<{ Body: Body }>(`${CLASSLINK_BASE}/connection`, { config: admin }, (request, reply) => {
    const body = request.body ?? {};
    // Kept for the re-rendered form: what was typed, never a secret.
    const form = {
      mode: String(body.mode ?? 'partner'),
      tenantId: String(body.tenantId ?? ''),
      rosterUrl: String(body.rosterUrl ?? ''),
      clientId: String(body.clientId ?? ''),
    };
    return formAction(
      request,
      reply,
      'settings',
      async () => {
        await configureClassLink({ config, store, now: deps.now }, libOf(request), connectRequestOf(body));
        return `${CLASSLINK_BASE}?notice=classlink-connected`;
      },
      { form },
    );
  });

  app.get(`${CLASSLINK_BASE}/sites`, { config: admin }, (request, reply) => showStep(request, reply, 'sites'));
  app.post<{ Body: Body }>(`${CLASSLINK_BASE}/sites/match`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'sites', async () => {
      await matchSiteToSchool(
        schoolDeps,
        libOf(request),
        String(request.body?.site ?? ''),
        String(request.body?.school ?? ''),
        CLASSLINK_SOURCE,
      );
      return `${CLASSLINK_BASE}/sites?notice=site-matched`;
    }),
  );
  app.post<{ Body: Body }>(`${CLASSLINK_BASE}/sites/unmatch`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'sites', async () => {
      await clearSiteMatch(store, libOf(request), String(request.body?.site ?? ''));
      return `${CLASSLINK_BASE}/sites?notice=site-unmatched`;
    }),
  );
  app.post<{ Body: Body }>(`${CLASSLINK_BASE}/sites/save`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'sites', async () => {
      const body = request.body ?? {};
      const site = String(body.site ?? '').trim();
      const school = String(body.school ?? '').trim();
      if (site !== '' && school !== '') await matchSiteToSchool(schoolDeps, libOf(request), site, school, CLASSLINK_SOURCE);
      const accepted = (Array.isArray(body.accept) ? body.accept : body.accept === undefined ? [] : [body.accept])
        .map(String)
        .filter((c) => c !== site);
      await applySuggestions(schoolDeps, libOf(request), accepted, CLASSLINK_SOURCE);
      return `${CLASSLINK_BASE}/sites?notice=site-mapping-saved`;
    }),
  );

  app.get(`${CLASSLINK_BASE}/syncing`, { config: admin }, (request, reply) => showStep(request, reply, 'syncing'));
  app.post<{ Body: Body }>(`${CLASSLINK_BASE}/syncing`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'syncing', async () => {
      await updateOptions(store, libOf(request), { roles: rolesOf(request.body?.roles) }, CLASSLINK_OPTIONS);
      return `${CLASSLINK_BASE}/syncing?notice=classlink-roles-saved`;
    }),
  );

  app.get(`${CLASSLINK_BASE}/fields`, { config: admin }, (request, reply) => showStep(request, reply, 'fields'));
  app.post<{ Body: Body }>(`${CLASSLINK_BASE}/fields`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'fields', async () => {
      await updateOptions(store, libOf(request), fieldMappingFormOf(request.body ?? {}), CLASSLINK_OPTIONS);
      return `${CLASSLINK_BASE}/fields?notice=classlink-fields-saved`;
    }),
  );

  app.get(`${CLASSLINK_BASE}/enable`, { config: admin }, (request, reply) => showStep(request, reply, 'switch'));
  app.post(`${CLASSLINK_BASE}/enable`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'switch', async () => {
      await turnOn(store, libOf(request), 'classlink', 'page');
      return `${CLASSLINK_BASE}/enable?notice=classlink-on`;
    }),
  );
  app.post(`${CLASSLINK_BASE}/disable`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'switch', async () => {
      await turnOff(store, libOf(request), 'classlink');
      return `${CLASSLINK_BASE}/enable?notice=classlink-off`;
    }),
  );

  app.get(`${CLASSLINK_BASE}/sign-in`, { config: admin }, (request, reply) => showStep(request, reply, 'signin'));
  app.post<{ Body: Body }>(`${CLASSLINK_BASE}/sign-in`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'signin', async () => {
      const b = request.body ?? {};
      const tenant = String(b.ssoTenantId ?? '').trim();
      const secret = String(b.ssoClientSecret ?? '');
      await changeSso(config, store, libOf(request), request.library!.code, {
        enabled: b.sso === 'on',
        tenantId: tenant === '' ? null : Number(tenant),
        clientId: String(b.ssoClientId ?? ''),
        // Write-only: an empty box keeps the stored secret; "clear" removes it.
        ...(b.clearSsoSecret === 'on' ? { clientSecret: '' } : secret.trim() ? { clientSecret: secret } : {}),
      });
      return `${CLASSLINK_BASE}/sign-in?notice=sso-saved`;
    }),
  );
  app.get(
    '/api/v1/integrations/classlink/sso',
    {
      config: admin,
      schema: {
        tags: ['classlink'],
        summary: 'Sign in with ClassLink: settings, redirect URI to register, LaunchPad URL (never the secret)',
        response: { 200: SSO_SCHEMA },
      },
    },
    async (request) => ssoView(config, store, libOf(request), request.library!.code),
  );
  app.patch<{ Body: { enabled?: boolean; tenantId?: number | null; clientId?: string; clientSecret?: string } }>(
    '/api/v1/integrations/classlink/sso',
    {
      config: admin,
      schema: {
        tags: ['classlink'],
        summary: "Change sign-in with ClassLink (clientSecret is write-only; '' clears it)",
        body: {
          type: 'object',
          properties: {
            enabled: { type: 'boolean' },
            tenantId: { type: 'integer', nullable: true },
            clientId: { type: 'string' },
            clientSecret: { type: 'string' },
          },
        },
        response: { 200: SSO_SCHEMA },
      },
    },
    async (request) => changeSso(config, store, libOf(request), request.library!.code, request.body ?? {}),
  );
  app.get(`${CLASSLINK_BASE}/sync`, { config: admin }, (request, reply) => showStep(request, reply, 'sync'));
  app.post<{ Body: Body }>(`${CLASSLINK_BASE}/sync`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'sync', async () => {
      const started = await startSyncNow(request, checked(request.body?.dryRun));
      if (started.operationId === null) return '/operations?notice=sync-queued';
      return `/operations/${started.operationId}?notice=${started.alreadyRunning ? 'sync-already-running' : 'sync-started'}`;
    }),
  );

  // ---- API ----

  const tags = ['classlink'];
  app.get(
    '/api/v1/integrations/classlink',
    {
      config: admin,
      schema: {
        tags,
        summary: "The library's ClassLink integration: connection (never its secrets), options, ON/OFF",
        response: { 200: OVERVIEW_SCHEMA },
      },
    },
    async (request) => classLinkOverview(store, libOf(request)),
  );

  app.put<{ Body: Body }>(
    '/api/v1/integrations/classlink/connection',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Validate and save how Rollcall reaches the roster: a Tenant ID (partner mode), a Roster Server (direct, OAuth 1.0a) or the proxy (bearer token)',
        body: {
          type: 'object',
          properties: {
            mode: { type: 'string', enum: ['partner', 'direct', 'proxy'] },
            tenantId: { type: 'integer' },
            rosterUrl: { type: 'string' },
            clientId: { type: 'string' },
            clientSecret: { type: 'string' },
            bearer: { type: 'string' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { ...CONNECTION_FIELDS, tenantName: { type: 'string' }, declaredUsers: { type: 'integer', nullable: true } },
          },
        },
      },
    },
    async (request) => configureClassLink({ config, store, now: deps.now }, libOf(request), connectRequestOf(request.body ?? {})),
  );

  app.get(
    '/api/v1/integrations/classlink/schools',
    {
      config: admin,
      schema: {
        tags,
        summary: "ClassLink's schools (orgs of type school), with the site matched or suggested by name",
        response: { 200: { type: 'array', items: SCHOOL_SCHEMA } },
      },
    },
    async (request) => schoolsWithSuggestions(schoolDeps, libOf(request), CLASSLINK_SOURCE),
  );

  app.put<{ Params: { code: string }; Body: { orgSourcedId?: string } }>(
    '/api/v1/sites/:code/match',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Match a site to a ClassLink school',
        params: codeParam,
        body: { type: 'object', required: ['orgSourcedId'], properties: { orgSourcedId: { type: 'string' } } },
        response: { 200: { type: 'object', properties: { site: SITE_SCHEMA, school: { type: 'object', properties: SCHOOL_FIELDS } } } },
      },
    },
    async (request) =>
      matchSiteToSchool(schoolDeps, libOf(request), request.params.code, request.body?.orgSourcedId ?? '', CLASSLINK_SOURCE),
  );

  app.delete<{ Params: { code: string } }>(
    '/api/v1/sites/:code/match',
    {
      config: admin,
      schema: {
        tags,
        summary: "Clear a site's match (that school is no longer synced)",
        params: codeParam,
        response: { 200: { type: 'object', properties: { site: SITE_SCHEMA, was: { type: 'string' } } } },
      },
    },
    async (request) => clearSiteMatch(store, libOf(request), request.params.code),
  );

  app.patch<{ Body: Body }>(
    '/api/v1/integrations/classlink/options',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Change the synced roles, field mapping, safety thresholds or "Allow log-in with ClassLink"; what is left out is kept',
        body: {
          type: 'object',
          properties: {
            roles: { type: 'array', items: { type: 'string' } },
            mapping: {
              type: 'object',
              properties: { barcode: ID_MAPPING_SCHEMA, communityId: ID_MAPPING_SCHEMA, location: { type: 'string' } },
            },
            thresholds: { type: 'object', properties: { maxTransferPct: { type: 'number' }, maxUpdatePct: { type: 'number' } } },
            sso: { type: 'boolean' },
          },
        },
        response: { 200: CLASSLINK_OPTIONS_SCHEMA },
      },
    },
    async (request) => updateOptions(store, libOf(request), optionsPatchOf(request.body ?? {}), CLASSLINK_OPTIONS),
  );

  app.get(
    '/api/v1/integrations/classlink/enable-preview',
    {
      config: admin,
      schema: {
        tags,
        summary: 'What turning ClassLink ON would clear: the patron GUIDs and site matches of other integrations',
        response: { 200: PREVIEW_SCHEMA },
      },
    },
    async (request) => {
      const preview = await turnOnPreview(store, libOf(request), 'classlink');
      return { ...preview, current: preview.current ?? null, message: previewSentence(preview) };
    },
  );

  app.post(
    '/api/v1/integrations/classlink/enable',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Turn ClassLink ON: other integrations go OFF and their identifiers are cleared (see enable-preview)',
        response: { 200: ENABLE_SCHEMA },
      },
    },
    async (request) => ({ enabled: true, ...(await turnOn(store, libOf(request), 'classlink', 'api')) }),
  );

  app.post(
    '/api/v1/integrations/classlink/disable',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Turn ClassLink OFF: no sync runs; patrons, GUIDs and site matches are kept',
        response: { 200: ENABLE_SCHEMA },
      },
    },
    async (request) => ({ enabled: false, unchanged: !(await turnOff(store, libOf(request), 'classlink')) }),
  );

  app.post<{ Body: { kind?: 'full' | 'delta'; dryRun?: boolean } }>(
    '/api/v1/syncs',
    {
      config: admin,
      schema: {
        tags: ['syncs'],
        summary: "Start a sync of the library's enabled integration (Sync Now); when one is already running, that one is returned",
        body: {
          type: 'object',
          properties: { kind: { type: 'string', enum: ['full', 'delta'], default: 'full' }, dryRun: { type: 'boolean', default: false } },
        },
        response: {
          202: { type: 'object', properties: { operationId: { type: 'integer', nullable: true }, alreadyRunning: { type: 'boolean' } } },
        },
      },
    },
    async (request, reply) => {
      const dryRun = request.body?.dryRun ?? false;
      await requireSyncNow(store, libOf(request), await syncSourceOf(store, libOf(request)), dryRun, 'library', 'api');
      const started = await deps.startSync(libOf(request), {
        kind: request.body?.kind ?? 'full',
        dryRun,
        requestedBy: staffOf(request.principal).user.username,
      });
      return reply.code(202).send(started);
    },
  );
}
