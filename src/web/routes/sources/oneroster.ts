/**
 * Preferences › SIS Integrations › OneRoster REST (SPEC §1.3), for admins: Settings (base
 * URL, version, OAuth 1.0a or OAuth 2 client credentials; validated by the same probe as
 * `rollcall oneroster configure` before anything is saved), Site Mapping, Syncing, Field Mapping,
 * ON / OFF and Sync Now — and the same as JSON under /api/v1/integrations/oneroster. Only
 * Settings is its own: the other steps are the shared ones (shared.ts). The client secret is
 * write-only: never put back in a form, never listed in a response schema.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { configureOneRoster, ONEROSTER_OPTIONS } from '../../../sources/oneroster/connect.ts';
import { ONEROSTER_SOURCE } from '../../../sources/oneroster/definition.ts';
import { INTEGRATION_PAGES, oneRosterOverview, type OneRosterOverview } from '../../../sources/setup.ts';
import type { WebDeps } from '../../context.ts';
import type { Body } from '../../forms/body.ts';
import { oneRosterRequestOf } from '../../forms/oneroster.ts';
import { defineNotices } from '../../render.ts';
import { SHARED_STEPS, SOURCE_NOTICES, SYNC_NOW_STEP, sharedSourceRoutes, stepData, whenText, type SourceDescription } from './shared.ts';

/** Where the OneRoster REST pages live. */
export const ONEROSTER_BASE = INTEGRATION_PAGES.oneroster;
const API = '/api/v1/integrations/oneroster';

defineNotices({ 'oneroster-connected': 'The OneRoster connection was validated and saved.' });

const CONNECTION_SCHEMA = {
  type: 'object',
  nullable: true,
  properties: {
    baseUrl: { type: 'string' },
    version: { type: 'string' },
    auth: { type: 'string' },
    clientId: { type: 'string' },
    tokenUrl: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    clientAuth: { type: 'string' },
    validatedAt: { type: 'string' },
    declaredUsers: { type: 'integer', nullable: true },
  },
} as const;

/** OneRoster REST as the shared steps see it. */
export const ONEROSTER_PAGES: SourceDescription<OneRosterOverview> = {
  kind: 'oneroster',
  base: ONEROSTER_BASE,
  apiBase: API,
  steps: [{ key: 'settings', path: '', label: 'Settings' }, ...SHARED_STEPS, SYNC_NOW_STEP],
  overview: (store, libraryId) => oneRosterOverview(store, libraryId),
  overviewApi: {
    summary: "The library's OneRoster REST integration: connection (never its secret), options, ON/OFF",
    properties: { connection: CONNECTION_SCHEMA, credentialsSaved: { type: 'boolean' } },
  },
  statusText: (o) => (o.connection ? `connected to ${o.connection.baseUrl} (OneRoster ${o.connection.version})` : 'not connected yet'),
  statusId: 'integration',
  mapping: ONEROSTER_SOURCE,
  matchApi: `${API}/sites/:code/match`,
  clearMatchApi: false,
  options: ONEROSTER_OPTIONS,
  sso: false,
  roleNote:
    'Admin (Staff) takes the OneRoster 1.1 role administrator and, from a 1.2 server, its staff roles (districtAdministrator, siteAdministrator, systemAdministrator, principal…); aide and proctor are never patrons.',
  connectHint: 'save the server and its credentials in',
  notices: SOURCE_NOTICES,
};

/** Registers the routes: the shared steps with OneRoster REST's description, and its Settings step. */
export function oneRosterRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store, config } = deps;
  const admin = { access: 'admin' as const };
  const libOf = (request: FastifyRequest) => request.library!.id;

  async function ownStep(request: FastifyRequest, reply: FastifyReply, step: string, status: number, extra: Record<string, unknown>) {
    if (step !== 'settings') return undefined;
    const data = await stepData(ONEROSTER_PAGES, store, request, step);
    const error = String(extra.error ?? '');
    const c = data.overview.connection;
    // The saved connection fills the form (never its secret), so saving again is one click plus the secret.
    const saved = c
      ? {
          baseUrl: c.baseUrl,
          version: c.version,
          auth: c.auth,
          clientId: c.clientId,
          tokenUrl: c.tokenUrl,
          scopes: c.scopes.join(' '),
          clientAuth: c.clientAuth,
        }
      : {};
    return reply.page(
      'oneroster-settings',
      { title: 'OneRoster REST · Settings', ...data, error, form: extra.form ?? saved, validatedAt: whenText(c?.validatedAt) },
      status,
    );
  }

  const { showStep, formAction } = sharedSourceRoutes(app, deps, ONEROSTER_PAGES, ownStep);

  app.get(ONEROSTER_BASE, { config: admin }, (request, reply) => showStep(request, reply, 'settings'));
  app.post<{ Body: Body }>(`${ONEROSTER_BASE}/connection`, { config: admin }, (request, reply) => {
    const b = request.body ?? {};
    // Kept for the re-rendered form: what was typed, never the secret.
    const form = Object.fromEntries(
      ['baseUrl', 'version', 'auth', 'clientId', 'tokenUrl', 'scopes', 'clientAuth'].map((k) => [k, String(b[k] ?? '')]),
    );
    return formAction(
      request,
      reply,
      'settings',
      async () => {
        await configureOneRoster({ config, store, now: deps.now }, libOf(request), oneRosterRequestOf(b));
        return `${ONEROSTER_BASE}?notice=oneroster-connected`;
      },
      { form },
    );
  });

  // ---- API ----
  const tags = ['oneroster'];

  app.put<{ Body: Body }>(
    `${API}/connection`,
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Validate (one small roster request, after a token for OAuth 2) and save how Rollcall reaches a OneRoster 1.1 or 1.2 server',
        body: {
          type: 'object',
          properties: {
            baseUrl: { type: 'string' },
            version: { type: 'string', enum: ['1.1', '1.2'] },
            auth: { type: 'string', enum: ['oauth1', 'oauth2'] },
            clientId: { type: 'string' },
            clientSecret: { type: 'string' },
            tokenUrl: { type: 'string' },
            scopes: { type: 'array', items: { type: 'string' } },
            clientAuth: { type: 'string', enum: ['basic', 'post'] },
          },
        },
        response: { 200: CONNECTION_SCHEMA },
      },
    },
    async (request) => configureOneRoster({ config, store, now: deps.now }, libOf(request), oneRosterRequestOf(request.body ?? {})),
  );
}
