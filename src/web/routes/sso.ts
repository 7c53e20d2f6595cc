/**
 * Sign in with ClassLink (SPEC §4) and the patron's own page:
 *
 *   GET /sso/classlink/start[?library=CODE]   the sign-in page's button: state + nonce + PKCE
 *   GET /sso/classlink/launch[?library=CODE]  for a LaunchPad tile pointing at Rollcall (same)
 *   GET /sso/classlink/callback               ClassLink's redirect: our flow's return (state
 *                                              checked), or a LaunchPad launch (code, no state)
 *   GET /me                                   the signed-in patron's own record
 *
 * What we must remember across the trip to ClassLink (state, nonce, PKCE verifier) is in a
 * short-lived signed, HttpOnly cookie scoped to /sso/classlink. Who may come in is decided in
 * src/sso/decide.ts; a refusal is a page with the reason, and nothing is created.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/load.ts';
import { isRollcallError, RollcallError } from '../../domain/errors.ts';
import { STATUS_ACTIVE, STATUS_TRANSFERRED } from '../../domain/fields.ts';
import { loadClassLink } from '../../sources/classlink/state.ts';
import { beginSignIn, finishSignIn, type PendingSignIn, type SsoClientConfig } from '../../sso/classlink-oidc.ts';
import { decide, type SsoLibrary } from '../../sso/decide.ts';
import type { Library, Store } from '../../store/store.ts';
import { cookieOptions, startSession } from '../auth/sessions.ts';
import type { WebDeps } from '../context.ts';

/** The cookie holding a sign-in in progress. */
const PENDING_COOKIE = 'rollcall_sso';
const PENDING_PATH = '/sso/classlink';
/** A sign-in must come back within this long (ClassLink's codes live 5 minutes). */
const PENDING_MAX_AGE_S = 10 * 60;

/** Where ClassLink sends people back to. */
export function callbackUrl(config: Config): string {
  return `${config.web.publicUrl}${PENDING_PATH}/callback`;
}

/** Whether a deployment-wide ClassLink sign-in client is configured (the sign-in page's button). */
export function ssoConfigured(config: Config): boolean {
  return Boolean(config.classlink.ssoClientId && config.classlink.ssoClientSecret);
}

/** Registers the routes. */
export function ssoRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, store } = deps;
  const secure = config.web.publicUrl.startsWith('https:');

  const start = async (request: FastifyRequest<{ Querystring: { library?: string } }>, reply: FastifyReply) => {
    const code = typeof request.query.library === 'string' ? request.query.library : '';
    try {
      const library = code ? await libraryOrRefuse(store, code) : undefined;
      const client = await clientConfig(config, store, library);
      const { url, pending } = await beginSignIn(client, library?.code ?? '');
      reply.setCookie(PENDING_COOKIE, JSON.stringify(pending), {
        ...cookieOptions(secure),
        path: PENDING_PATH,
        maxAge: PENDING_MAX_AGE_S,
        signed: true,
      });
      return reply.redirect(url);
    } catch (e) {
      return refusal(reply, e);
    }
  };
  app.get('/sso/classlink/start', { config: { access: 'public' } }, start);
  app.get('/sso/classlink/launch', { config: { access: 'public' } }, start);

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/sso/classlink/callback',
    { config: { access: 'public' } },
    async (request, reply) => {
      const pending = readPending(request);
      reply.clearCookie(PENDING_COOKIE, { ...cookieOptions(secure), path: PENDING_PATH });
      const q = request.query;
      try {
        if (q.error) {
          // Only an OAuth error code is echoed (a-z and _), never free text a link could carry.
          const why = q.error === 'access_denied' ? 'the sign-in was cancelled' : /^[a-z_]{1,40}$/.test(q.error) ? q.error : 'an error';
          throw new RollcallError('credentials_refused', `ClassLink did not sign you in (${why}).`);
        }
        if (!q.code) throw new RollcallError('credentials_refused', 'ClassLink sent no sign-in code; start again from the sign-in page.');
        // Our own flow must come back with its state. No state at all is a LaunchPad launch —
        // but not while one of our flows is pending in this browser (that would let a missing
        // state skip the check).
        if (q.state !== undefined || pending) {
          if (!pending || q.state !== pending.state) {
            throw new RollcallError(
              'credentials_refused',
              'This sign-in did not start here, or took too long; start again from the sign-in page.',
            );
          }
        }
        const libraryCode = pending?.library || (typeof q.library === 'string' ? q.library : '');
        const named = libraryCode ? await libraryOrRefuse(store, libraryCode) : undefined;
        const client = await clientConfig(config, store, named);
        const url = new URL(request.url, config.web.publicUrl);
        // openid-client compares the callback with the registered redirect URI: drop our own parameter.
        url.searchParams.delete('library');
        const info = await finishSignIn(client, new URL(`${callbackUrl(config)}${url.search}`), pending);
        const candidates = named ? [named] : await store.libraries.list();
        const decision = await decide(info, await Promise.all(candidates.map((l) => ssoLibrary(store, l))), async (libraryId) => {
          const patron = await store.patrons.byGuid(libraryId, info.SourcedId);
          if (!patron) return undefined;
          // Only a Teacher or Staff patron reaches the staff pages, even if a link was made
          // before a librarian changed their Policy.
          const staff = patron.policy === 'Student' ? undefined : await store.staff.byPatron(libraryId, patron.id);
          return { id: patron.id, status: patron.status, staffUserId: staff?.id ?? null };
        });
        if (decision.kind === 'refused')
          return reply.page('sso-refused', { title: 'Cannot sign you in', message: decision.message, reason: decision.reason }, 403);
        // A LaunchPad code (no state) carries no proof that this browser asked for it: it may
        // sign in a browser that has no session, never replace one (a forged launch link could
        // otherwise swap a librarian's session for someone else's).
        if (!pending && request.sessionHash) {
          throw new RollcallError(
            'credentials_refused',
            'You are already signed in to Rollcall in this browser; sign out first, then open the LaunchPad tile again.',
          );
        }
        if (request.sessionHash) await store.staff.deleteSession(request.sessionHash);
        if (decision.kind === 'staff') {
          await startSession(store, reply, { libraryId: decision.libraryId, staffUserId: decision.staffUserId }, deps.now(), secure);
          await store.staff.touchLogin(decision.libraryId, decision.staffUserId);
          return reply.redirect('/', 303);
        }
        await startSession(store, reply, { libraryId: decision.libraryId, patronId: decision.patronId }, deps.now(), secure);
        return reply.redirect('/me', 303);
      } catch (e) {
        return refusal(reply, e);
      }
    },
  );

  app.get('/me', { config: { access: 'patron' } }, async (request, reply) => {
    const p = request.principal;
    if (p?.kind !== 'patron') throw new Error('guarded');
    const patron = await store.patrons.get(request.library!.id, p.patronId);
    if (!patron) throw new RollcallError('not_found', 'Your library record is no longer here; sign out and ask your librarian.');
    const sites = await store.sites.list(request.library!.id);
    const site = sites.find((s) => s.code === patron.site);
    const status =
      patron.status === STATUS_ACTIVE ? 'Active' : patron.status === STATUS_TRANSFERRED ? 'Transferred' : String(patron.status);
    return reply.page('me', {
      title: 'My library record',
      record: {
        name: [patron.firstName, patron.middleName, patron.lastName].filter((x) => x).join(' '),
        site: site ? `${site.name} (${site.code})` : patron.site,
        level: patron.level,
        homeroom: patron.location,
        status,
        email: patron.email,
        barcode: patron.barcode,
      },
    });
  });
}

/** A refusal page for a failure of the flow (not a decision): ClassLink unreachable, a bad token, … */
function refusal(reply: FastifyReply, e: unknown): FastifyReply {
  if (!isRollcallError(e)) throw e;
  const status =
    e.kind === 'source_unreachable' || e.kind === 'bad_response'
      ? 502
      : e.kind === 'not_configured'
        ? 409
        : e.kind === 'not_found'
          ? 404
          : 403;
  return reply.page('sso-refused', { title: 'Cannot sign you in', message: e.message, reason: e.kind }, status);
}

function readPending(request: FastifyRequest): PendingSignIn | null {
  const raw = request.cookies[PENDING_COOKIE];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return null;
  try {
    const p = JSON.parse(unsigned.value) as Partial<PendingSignIn>;
    if (typeof p.state !== 'string' || typeof p.nonce !== 'string' || typeof p.verifier !== 'string') return null;
    return { state: p.state, nonce: p.nonce, verifier: p.verifier, library: typeof p.library === 'string' ? p.library : '' };
  } catch {
    return null;
  }
}

async function libraryOrRefuse(store: Store, code: string): Promise<Library> {
  const library = await store.libraries.byCode(code);
  if (!library) throw new RollcallError('not_found', `There is no library "${code}" here; check the sign-in link.`);
  return library;
}

/** The client to use: the library's own SSO client when it has one, else the deployment's. */
async function clientConfig(config: Config, store: Store, library: Library | undefined): Promise<SsoClientConfig> {
  const base = { issuer: config.classlink.launchpadUrl, apiUrl: config.classlink.apiUrl, redirectUri: callbackUrl(config) };
  if (library) {
    const cl = await loadClassLink(store, library.id);
    if (cl.settings.ssoClientId && cl.secrets.ssoClientSecret) {
      return { ...base, clientId: cl.settings.ssoClientId, clientSecret: cl.secrets.ssoClientSecret };
    }
  }
  if (!config.classlink.ssoClientId || !config.classlink.ssoClientSecret) {
    throw new RollcallError(
      'not_configured',
      'Signing in with ClassLink is not set up on this server (no ClassLink sign-in client); use your library account.',
    );
  }
  return { ...base, clientId: config.classlink.ssoClientId, clientSecret: config.classlink.ssoClientSecret };
}

/** A library as the sign-in decision sees it. */
async function ssoLibrary(store: Store, library: Library): Promise<SsoLibrary> {
  const cl = await loadClassLink(store, library.id);
  return {
    id: library.id,
    code: library.code,
    ssoOn: cl.enabled && cl.settings.sso,
    tenantId: cl.settings.connection?.tenantId ?? cl.settings.ssoTenantId,
  };
}
