/**
 * Preferences › SIS Integrations › ClassLink (SPEC §2), for admins. ClassLink adds two steps
 * of its own to the shared ones (shared.ts): Settings (Tenant ID; direct and proxy modes under
 * Advanced) and Single Sign-On — and the same as JSON under /api/v1/integrations/classlink.
 * Its Site Mapping, Syncing, Field Mapping, ON / OFF and Sync Now are the shared steps, with
 * ClassLink's notices, its options' "Allow log-in with ClassLink" and its "Unenrolled Users"
 * note; a site's match is `/api/v1/sites/{code}/match`.
 *
 * Secrets are write-only: a saved OAuth secret or bearer token is shown as "saved" with the
 * time it was validated, is never put back in a form, and no response schema lists it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { configureClassLink } from '../../../sources/classlink/connect.ts';
import { changeSso, ssoView } from '../../../sources/classlink/sign-in-settings.ts';
import { CLASSLINK_OPTIONS, CLASSLINK_SOURCE } from '../../../sources/classlink/definition.ts';
import { adminNote, classLinkOverview, type ClassLinkOverview } from '../../../sources/classlink/overview.ts';
import type { WebDeps } from '../../context.ts';
import type { Body } from '../../forms/body.ts';
import { connectRequestOf } from '../../forms/classlink.ts';
import { CLASSLINK_GUIDE_PATH } from '../../guide.ts';
import { defineNotices } from '../../render.ts';
import { SHARED_STEPS, SYNC_NOW_STEP, sharedSourceRoutes, stepData, whenText, type SourceDescription } from './shared.ts';

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
    redirectUri: { type: 'string', description: "This library's redirect URI: register it with the library's own ClassLink client" },
    serverRedirectUri: {
      type: 'string',
      nullable: true,
      description: "The server client's redirect URI, used while the library has no client of its own (null: the server has none)",
    },
    launchUrl: { type: 'string' },
    loginUrl: { type: 'string' },
    problems: { type: 'array', items: { type: 'string' } },
  },
} as const;

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

/** ClassLink as the shared steps see it. */
export const CLASSLINK_PAGES: SourceDescription<ClassLinkOverview> = {
  kind: 'classlink',
  base: CLASSLINK_BASE,
  apiBase: '/api/v1/integrations/classlink',
  steps: [
    { key: 'settings', path: '', label: 'Settings' },
    ...SHARED_STEPS,
    SYNC_NOW_STEP,
    { key: 'signin', path: '/sign-in', label: 'Single Sign-On' },
  ],
  overview: (store, libraryId) => classLinkOverview(store, libraryId),
  overviewApi: {
    summary: "The library's ClassLink integration: connection (never its secrets), options, ON/OFF",
    properties: { connection: { type: 'object', nullable: true, properties: CONNECTION_FIELDS }, credentialsSaved: { type: 'boolean' } },
  },
  statusText: (o) => (o.connection ? `connected (${connectionText(o)})` : 'not connected yet'),
  statusId: 'classlink',
  mapping: CLASSLINK_SOURCE,
  matchApi: '/api/v1/sites/:code/match',
  clearMatchApi: true,
  options: CLASSLINK_OPTIONS,
  sso: true,
  // docs/classlink-guide.md, part by part (the anchors are its headings'; guide.test.ts and
  // web-classlink-guide.test.ts check each one is there).
  guide: {
    settings: `${CLASSLINK_GUIDE_PATH}#share-the-roster-with-the-app`,
    sites: `${CLASSLINK_GUIDE_PATH}#match-the-schools-to-the-librarys-sites`,
    syncing: `${CLASSLINK_GUIDE_PATH}#choose-whom-to-sync`,
    fields: `${CLASSLINK_GUIDE_PATH}#map-barcodes-and-other-fields`,
    switch: `${CLASSLINK_GUIDE_PATH}#turn-it-on-and-run-the-first-sync`,
    sync: `${CLASSLINK_GUIDE_PATH}#turn-it-on-and-run-the-first-sync`,
    signin: `${CLASSLINK_GUIDE_PATH}#register-the-sign-in-app`,
  },
  roleNote: '',
  adminNote: (store, libraryId) => adminNote(store, libraryId),
  connectHint: 'save a Tenant ID in',
  notices: {
    siteMatched: 'site-matched',
    siteUnmatched: 'site-unmatched',
    mappingSaved: 'site-mapping-saved',
    rolesSaved: 'classlink-roles-saved',
    fieldsSaved: 'classlink-fields-saved',
    on: 'classlink-on',
    off: 'classlink-off',
  },
};

/** Registers the routes: the shared steps with ClassLink's description, and ClassLink's own. */
export function classLinkRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store, config } = deps;
  const admin = { access: 'admin' as const };
  const libOf = (request: FastifyRequest) => request.library!.id;

  /** Renders ClassLink's own steps (the form's error and kept values, when re-rendering a refused form). */
  async function ownStep(request: FastifyRequest, reply: FastifyReply, step: string, status: number, extra: Record<string, unknown>) {
    if (step !== 'settings' && step !== 'signin') return undefined;
    const data = await stepData(CLASSLINK_PAGES, store, request, step);
    const base = { ...data, connectionText: connectionText(data.overview), validatedAt: whenText(data.overview.connection?.validatedAt) };
    const error = String(extra.error ?? '');
    if (step === 'signin')
      return reply.page(
        'classlink-signin',
        { title: 'ClassLink · Single Sign-On', ...base, error, sso: await ssoView(config, store, libOf(request), request.library!.code) },
        status,
      );
    // The saved connection fills the form (never its secret), so saving again is one click.
    const c = data.overview.connection;
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

  const { showStep, formAction } = sharedSourceRoutes(app, deps, CLASSLINK_PAGES, ownStep);

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
  // ---- API ----

  const tags = ['classlink'];

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
}
