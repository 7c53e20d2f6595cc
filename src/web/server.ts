/**
 * The web admin and JSON API (SPEC §5) as one Fastify app:
 *
 *   request → principal (session cookie or API token) → CSRF check on state-changing requests
 *   that came with cookies → the route's guard (guards.ts) → the route → page or JSON.
 *
 * Pages are server-rendered (render.ts, views/); the API lives under /api/v1 with an OpenAPI
 * document at /api/v1/openapi.json built from the routes' own schemas (@fastify/swagger).
 * Route modules are listed in routes/index.ts.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { STATUS_ACTIVE } from '../domain/fields.ts';
import { loadClassLink } from '../sources/classlink/state.ts';
import { SESSION_COOKIE, TOUCH_EVERY_MS, cookieOptions, sessionOf } from './auth/sessions.ts';
import { hashToken } from './auth/tokens.ts';
import type { Principal, WebDeps } from './context.ts';
import { handleError, handleNotFound } from './errors.ts';
import { enforceAccess, type Access } from './guards.ts';
import { PUBLIC_DIR } from './assets.ts';
import { isApiRequest, pageRenderer } from './render.ts';
import { ROUTE_MODULES } from './routes/index.ts';

/** A registered route and who may reach it. */
export interface RouteEntry {
  method: string;
  url: string;
  access: Access;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its access level (for the security tests). */
    rollcallRoutes: RouteEntry[];
  }
  interface FastifyContextConfig {
    /**
     * The route checks CSRF itself once its body is read: a multipart upload's fields are parsed
     * after this server's hook (routes/sources/csv.ts), so `_csrf` would not be there yet.
     */
    csrfAfterBody?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Builds the web app (not listening yet: call `listen`, or `inject` in tests). */
export async function buildWebServer(deps: WebDeps): Promise<FastifyInstance> {
  const secure = deps.config.web.publicUrl.startsWith('https:');
  const app = Fastify({
    logger: deps.logger ?? false,
    // Behind a reverse proxy the client's address is in X-Forwarded-For — believed only from the
    // proxies configured (ROLLCALL_TRUST_PROXY): a client could write that header itself, and the
    // sign-in limit counts failures by address (auth/sign-in-limit.ts).
    // (Fastify takes a hop count at run time — its docs' "Integer" — though its types omit it.)
    trustProxy: deps.config.web.trustProxy as string | boolean,
    // Forms and JSON are small; a CSV package comes as a multipart upload with its own limit.
    bodyLimit: 1024 * 1024,
  });

  // Safe by construction: a route that does not say who may reach it is a start-up error.
  // The list is kept for the security tests, which walk every route.
  const routes: RouteEntry[] = [];
  app.decorate('rollcallRoutes', routes);
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/static/')) route.config = { ...(route.config ?? {}), access: 'public' };
    const access = route.config?.access;
    if (!access) throw new Error(`route ${route.method} ${route.url} declares no config.access (see src/web/guards.ts)`);
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, access });
  });

  await app.register(fastifyCookie, { secret: deps.store.derivedKey('web cookies').toString('hex') });
  await app.register(fastifyFormbody);
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/cookie', cookieOpts: { ...cookieOptions(secure), signed: true } });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/static/', maxAge: '1h' });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Rollcall API',
        version: 'v1',
        description: 'Everything the Rollcall pages do, for scripts. Authenticate with an API token: `Authorization: Bearer rc_…`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // Only the API goes in the document; pages are for people.
    transform: ({ schema, url }) => ({ schema: url.startsWith('/api/v1') ? schema : { ...(schema ?? {}), hide: true }, url }),
  });

  app.decorateRequest('principal', null);
  app.decorateRequest('library', null);
  app.decorateRequest('sessionHash', null);
  app.decorateRequest('openConflicts', 0);
  app.decorateRequest('heldSyncs', 0);
  app.decorateReply('page', pageRenderer({ cache: true }));

  // Who is asking (an API token wins over a cookie: scripts send no cookies), then the
  // route's declared access (guards.ts) — before the body is even read.
  app.addHook('onRequest', async (request, reply) => {
    const resolved = (await principalOfToken(deps, request)) ?? (await principalOfSession(deps, request));
    if (resolved) {
      request.principal = resolved.principal;
      request.library = (await deps.store.libraries.get(resolved.libraryId)) ?? null;
      if (!request.library) request.principal = null;
    }
    // The navigation's count of open conflicts (SPEC §3.9), for the pages staff read.
    if (
      request.library &&
      request.principal?.kind === 'staff' &&
      request.method === 'GET' &&
      !isApiRequest(request) &&
      !request.url.startsWith('/static/')
    ) {
      request.openConflicts = await deps.store.conflicts.countOpen(request.library.id);
      // A sync waiting for review is the one thing that stops the nightly sync: every staff page
      // says so in the menu, not only the Operations list.
      request.heldSyncs = (await deps.store.operations.search(request.library.id, { state: 'needs_review', limit: 1 })).total;
    }
    await enforceAccess(request, reply);
  });

  // CSRF on every state-changing request that a browser could send with our cookies; after the
  // body is parsed (the token of a form is in it), before the route's schema validation.
  app.addHook('preValidation', (request, reply, done) => {
    const byToken = request.principal?.kind === 'staff' && request.principal.via === 'token';
    if (SAFE_METHODS.has(request.method) || byToken || request.routeOptions.config.csrfAfterBody) return done();
    app.csrfProtection(request, reply, done);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (!isApiRequest(request)) {
      reply.header('x-frame-options', 'DENY');
      reply.header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
      );
    }
    return payload;
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  app.get('/api/v1/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());
  // Browsers ask for /favicon.ico whatever the page says: answer with the icon, not a 404 page.
  app.get('/favicon.ico', { schema: { hide: true }, config: { access: 'public' } }, async (_request, reply) =>
    reply.redirect('/static/favicon.svg', 301),
  );
  app.get('/healthz', { schema: { hide: true }, config: { access: 'public' } }, async () => ({ ok: true }));
  for (const register of ROUTE_MODULES) await register(app, deps);
  return app;
}

async function principalOfToken(deps: WebDeps, request: FastifyRequest): Promise<{ principal: Principal; libraryId: number } | undefined> {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer ')) return undefined;
  const token = await deps.store.staff.tokenByHash(hashToken(header.slice('Bearer '.length).trim()));
  if (!token) return undefined;
  const user = await deps.store.staff.get(token.libraryId, token.staffUserId);
  if (!user || user.disabled) return undefined;
  // "Last used" to within a few minutes: a script's every call is not a database write.
  if (token.lastUsedAt === null || deps.now().getTime() - Date.parse(token.lastUsedAt) > TOUCH_EVERY_MS)
    await deps.store.staff.touchToken(token.id);
  // A token never does more than its account may now (an admin demoted keeps a librarian's token).
  const role = token.role === 'admin' && user.role === 'admin' ? 'admin' : 'librarian';
  return { principal: { kind: 'staff', user, role, via: 'token', scope: token.scope }, libraryId: token.libraryId };
}

async function principalOfSession(
  deps: WebDeps,
  request: FastifyRequest,
): Promise<{ principal: Principal; libraryId: number } | undefined> {
  const session = await sessionOf(deps.store, request.cookies[SESSION_COOKIE], deps.now());
  if (!session) return undefined;
  request.sessionHash = session.idHash;
  if (session.staffUserId !== null) {
    const user = await deps.store.staff.get(session.libraryId, session.staffUserId);
    if (!user || user.disabled) return undefined;
    return { principal: { kind: 'staff', user, role: user.role, via: 'session', scope: 'all' }, libraryId: session.libraryId };
  }
  if (session.patronId !== null) {
    // A patron's session lasts only while they may still sign in: still Active, sign-in still on.
    if (!(await patronMayStay(deps, session.libraryId, session.patronId))) {
      await deps.store.staff.deleteSession(session.idHash);
      return undefined;
    }
    return { principal: { kind: 'patron', patronId: session.patronId }, libraryId: session.libraryId };
  }
  return undefined;
}

async function patronMayStay(deps: WebDeps, libraryId: number, patronId: number): Promise<boolean> {
  const patron = await deps.store.patrons.get(libraryId, patronId);
  if (!patron || patron.status !== STATUS_ACTIVE) return false;
  const classlink = await loadClassLink(deps.store, libraryId);
  return classlink.enabled && classlink.settings.sso;
}
