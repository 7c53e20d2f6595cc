/**
 * Preferences › SIS Integrations › OneRoster REST (SPEC §1.3), for admins: Settings (base
 * URL, version, OAuth 1.0a or OAuth 2 client credentials; validated by the same probe as
 * `rollcall oneroster configure` before anything is saved), Site Mapping, Syncing, Field Mapping,
 * ON / OFF and Sync Now — and the same as JSON under /api/v1/integrations/oneroster. The shared
 * steps are routes/integrations.ts's. The client secret is write-only: never put back in a form,
 * never listed in a response schema.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checked, type Body } from '../forms/classlink.ts';
import { configureOneRoster, ONEROSTER_OPTIONS } from '../../sources/oneroster/connect.ts';
import { oneRosterRequestOf } from '../forms/oneroster.ts';
import { INTEGRATION_PAGES, oneRosterOverview, type OneRosterOverview } from '../../sources/setup.ts';
import { ONEROSTER_SOURCE } from '../../sources/oneroster/definition.ts';
import { requireSyncNow } from '../../sources/registry.ts';
import { operationTypeName } from '../../sync/run.ts';
import { staffOf, type WebDeps } from '../context.ts';
import { defineNotices } from '../render.ts';
import { OPTIONS_SCHEMA, sharedSourceRoutes, stepData, whenText, type SourcePages } from './integrations.ts';

/** Where the OneRoster REST pages live. */
export const ONEROSTER_BASE = INTEGRATION_PAGES.oneroster;
const API = '/api/v1/integrations/oneroster';

defineNotices({ 'oneroster-connected': 'The OneRoster connection was validated and saved.' });

const STEPS = [
  { key: 'settings', path: '', label: 'Settings' },
  { key: 'sites', path: '/sites', label: 'Site Mapping' },
  { key: 'syncing', path: '/syncing', label: 'Syncing' },
  { key: 'fields', path: '/fields', label: 'Field Mapping' },
  { key: 'switch', path: '/enable', label: 'ON / OFF' },
  { key: 'sync', path: '/sync', label: 'Sync Now' },
] as const;

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

const OVERVIEW_SCHEMA = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean' },
    otherEnabled: { type: 'string', nullable: true },
    connection: CONNECTION_SCHEMA,
    credentialsSaved: { type: 'boolean' },
    options: OPTIONS_SCHEMA,
    matchedSites: { type: 'integer' },
  },
} as const;

/** Registers the routes. */
export function oneRosterRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store, config } = deps;
  const admin = { access: 'admin' as const };
  const libOf = (request: FastifyRequest) => request.library!.id;

  const pages: SourcePages<OneRosterOverview> = {
    kind: 'oneroster',
    base: ONEROSTER_BASE,
    steps: STEPS,
    overview: (request) => oneRosterOverview(store, libOf(request)),
    statusText: (o) => (o.connection ? `connected to ${o.connection.baseUrl} (OneRoster ${o.connection.version})` : 'not connected yet'),
    mapping: ONEROSTER_SOURCE,
    options: ONEROSTER_OPTIONS,
    roleNote:
      'Admin (Staff) takes the OneRoster 1.1 role administrator and, from a 1.2 server, its staff roles (districtAdministrator, siteAdministrator, systemAdministrator, principal…); aide and proctor are never patrons.',
    connectHint: 'save the server and its credentials in',
  };

  async function ownStep(request: FastifyRequest, reply: FastifyReply, step: string, status: number, extra: Record<string, unknown>) {
    if (step !== 'settings' && step !== 'sync') return undefined;
    const data = await stepData(pages, request, step);
    const error = String(extra.error ?? '');
    if (step === 'settings') {
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
    const recent = (await store.operations.list(libOf(request), { limit: 1 }))[0];
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
    return reply.page('classlink-sync', { title: 'OneRoster REST · Sync Now', ...data, error, last }, status);
  }

  const { showStep, formAction } = sharedSourceRoutes(app, deps, pages, API, ownStep);

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

  app.get(`${ONEROSTER_BASE}/sync`, { config: admin }, (request, reply) => showStep(request, reply, 'sync'));
  app.post<{ Body: Body }>(`${ONEROSTER_BASE}/sync`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'sync', async () => {
      const dryRun = checked(request.body?.dryRun);
      await requireSyncNow(store, libOf(request), 'oneroster', dryRun, 'library', 'page');
      const started = await deps.startSync(libOf(request), { kind: 'full', dryRun, requestedBy: staffOf(request.principal).user.username });
      if (started.operationId === null) return '/operations?notice=sync-queued';
      return `/operations/${started.operationId}?notice=${started.alreadyRunning ? 'sync-already-running' : 'sync-started'}`;
    }),
  );

  // ---- API ----
  const tags = ['oneroster'];
  app.get(
    API,
    {
      config: admin,
      schema: {
        tags,
        summary: "The library's OneRoster REST integration: connection (never its secret), options, ON/OFF",
        response: { 200: OVERVIEW_SCHEMA },
      },
    },
    async (request) => oneRosterOverview(store, libOf(request)),
  );

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
