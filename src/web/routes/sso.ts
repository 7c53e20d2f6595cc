/**
 * Sign in with ClassLink (SPEC §4) and the patron's own page:
 *
 *   GET /sso/classlink/start[?library=CODE]   the sign-in page's button: state + nonce + PKCE
 *   GET /sso/classlink/launch[?library=CODE]  for a LaunchPad tile pointing at Rollcall (same)
 *   GET /sso/classlink/callback               ClassLink's redirect for the deployment's client
 *   GET /sso/classlink/callback/CODE          ClassLink's redirect for library CODE's own client
 *   GET /me                                   the signed-in patron's own record
 *
 * A callback is our flow's return (state checked) or a LaunchPad launch (a code, no state).
 * SPEC §4 wants "a callback that accepts a ClassLink-initiated code"; such a code carries
 * nothing but the address it was sent to, so a library with its own client has an address of
 * its own (src/sso/redirect-uris.ts) and the code is exchanged with the client that address
 * names. The token request sends back exactly the address the code arrived at, as OAuth
 * requires (RFC 6749 §4.1.3).
 *
 * What we must remember across the trip to ClassLink (state, nonce, PKCE verifier) is in a
 * short-lived signed, HttpOnly cookie scoped to /sso/classlink. Who may come in is decided in
 * src/sso/decide.ts; a refusal is a page with the reason, and nothing is created.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/load.ts';
import { isRollcallError, RollcallError } from '../../domain/errors.ts';
import { STATUS_ACTIVE, STATUS_TRANSFERRED } from '../../domain/fields.ts';
import { isLibraryCode } from '../../services/libraries/libraries.ts';
import { loadClassLink } from '../../sources/classlink/state.ts';
import { beginSignIn, finishSignIn, type PendingSignIn, type SsoClientConfig } from '../../sso/classlink-oidc.ts';
import { decide, type SsoLibrary } from '../../sso/decide.ts';
import { CALLBACK_PATH, libraryCallbackPattern, libraryCallbackUrl, serverCallbackUrl } from '../../sso/redirect-uris.ts';
import type { Library, Store } from '../../store/store.ts';
import { cookieOptions, startSession } from '../auth/sessions.ts';
import type { WebDeps } from '../context.ts';

/** The cookie holding a sign-in in progress. */
const PENDING_COOKIE = 'rollcall_sso';
const PENDING_PATH = '/sso/classlink';
/** A sign-in must come back within this long (ClassLink's codes live 5 minutes). */
const PENDING_MAX_AGE_S = 10 * 60;

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
      const chosen = await clientOf(config, store, library);
      // A library's own client comes back to the library's own address; the deployment's to its one.
      const redirectUri =
        chosen.own && library ? libraryCallbackUrl(config.web.publicUrl, library.code) : serverCallbackUrl(config.web.publicUrl);
      const { url, pending } = await beginSignIn(clientConfig(config, chosen, redirectUri), library?.code ?? '');
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

  const callback = async (
    request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
    reply: FastifyReply,
    pathCode?: string,
  ) => {
    const pending = readPending(request);
    reply.clearCookie(PENDING_COOKIE, { ...cookieOptions(secure), path: PENDING_PATH });
    const q = request.query;
    // The address ClassLink sent the browser to: the redirect URI the code was issued for.
    const arrivedAt = pathCode === undefined ? serverCallbackUrl(config.web.publicUrl) : libraryCallbackUrl(config.web.publicUrl, pathCode);
    try {
      if (q.error) {
        // Only an OAuth error code is echoed (a-z and _), never free text a link could carry.
        const why = q.error === 'access_denied' ? 'the sign-in was cancelled' : /^[a-z_]{1,40}$/.test(q.error) ? q.error : 'an error';
        throw new RollcallError('credentials_refused', `ClassLink did not sign you in (${why}).`);
      }
      if (!q.code) throw new RollcallError('credentials_refused', 'ClassLink sent no sign-in code; start again from the sign-in page.');
      // Our own flow must come back with its state, to the address of the library it started
      // for. No state at all is a LaunchPad launch — but not while one of our flows is pending
      // in this browser (that would let a missing state skip the check).
      if (q.state !== undefined || pending) {
        if (!pending || q.state !== pending.state || (pathCode !== undefined && pathCode !== pending.library)) {
          throw new RollcallError(
            'credentials_refused',
            'This sign-in did not start here, or took too long; start again from the sign-in page.',
          );
        }
      }
      const libraryCode = pathCode ?? pending?.library ?? '';
      const named = libraryCode ? await libraryOrRefuse(store, libraryCode) : undefined;
      const launchAtServerUri = !pending && pathCode === undefined;
      if (launchAtServerUri && !ssoConfigured(config)) {
        // A LaunchPad tile of a library's own client registered with the server's address lands
        // here; without a deployment client nothing here can take the code, so say which
        // address the library's client needs.
        throw new RollcallError(
          'not_configured',
          `This ClassLink sign-in came to ${arrivedAt}, which serves only the server's own ClassLink client, and this server has none. A library with its own ClassLink client has its own redirect URI, ${libraryCallbackPattern(config.web.publicUrl)}: ask your librarian to register that one with ClassLink.`,
        );
      }
      const client = clientConfig(config, await clientOf(config, store, named), arrivedAt);
      const query = new URL(request.url, 'http://callback.invalid').searchParams;
      const info = await finishSignIn(client, query, pending).catch((e: unknown) => {
        if (launchAtServerUri && isRollcallError(e, 'credentials_refused')) {
          throw new RollcallError(
            'credentials_refused',
            `${e.message} If your library has its own ClassLink sign-in client, its LaunchPad tile must use its own redirect URI, ${libraryCallbackPattern(config.web.publicUrl)}; ask your librarian.`,
            { cause: e },
          );
        }
        throw e;
      });
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
  };
  app.get<{ Querystring: Record<string, string | undefined> }>(CALLBACK_PATH, { config: { access: 'public' } }, (request, reply) =>
    callback(request, reply),
  );
  app.get<{ Querystring: Record<string, string | undefined>; Params: { library: string } }>(
    `${CALLBACK_PATH}/:library`,
    { config: { access: 'public' } },
    (request, reply) => callback(request, reply, request.params.library),
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
  // Echoed only when it looks like a library code: a crafted link cannot put words on the page.
  const named = isLibraryCode(code) ? `"${code}"` : 'named in this address';
  if (!library) throw new RollcallError('not_found', `There is no library ${named} here; check the sign-in link or LaunchPad tile.`);
  return library;
}

/** A sign-in client: the library's own, or the deployment's. */
interface ChosenClient {
  clientId: string;
  clientSecret: string;
  /** Whether it is the library's own client. */
  own: boolean;
}

/** The client to use: the library's own SSO client when it has one, else the deployment's. */
async function clientOf(config: Config, store: Store, library: Library | undefined): Promise<ChosenClient> {
  if (library) {
    const cl = await loadClassLink(store, library.id);
    if (cl.settings.ssoClientId && cl.secrets.ssoClientSecret) {
      return { clientId: cl.settings.ssoClientId, clientSecret: cl.secrets.ssoClientSecret, own: true };
    }
  }
  if (!config.classlink.ssoClientId || !config.classlink.ssoClientSecret) {
    throw new RollcallError(
      'not_configured',
      'Signing in with ClassLink is not set up on this server (no ClassLink sign-in client); use your library account.',
    );
  }
  return { clientId: config.classlink.ssoClientId, clientSecret: config.classlink.ssoClientSecret, own: false };
}

/** The openid-client settings for a client and the redirect URI of this trip. */
function clientConfig(config: Config, chosen: ChosenClient, redirectUri: string): SsoClientConfig {
  return {
    issuer: config.classlink.launchpadUrl,
    apiUrl: config.classlink.apiUrl,
    clientId: chosen.clientId,
    clientSecret: chosen.clientSecret,
    redirectUri,
  };
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
