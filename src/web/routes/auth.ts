/**
 * Signing in and out (SPEC §4): the first-run setup page (creates the first admin
 * when there is no staff account at all), sign-in with a limit on failed attempts
 * (auth/sign-in-limit.ts), sign-out, the home page,
 * and `GET /api/v1/me`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { RollcallError } from '../../domain/errors.ts';
import { checkTimezone, serverTimeZone, timeZoneChoices } from '../../domain/schedule.ts';
import { changeSchedule } from '../../services/schedule/schedule-settings.ts';
import { DEFAULT_LIBRARY_CODE, type Library } from '../../store/store.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { endSession, startSession } from '../auth/sessions.ts';
import { dashboard } from '../../presenters/dashboard.ts';
import { changesText, stateText } from '../../presenters/format.ts';
import { refusalSentence, SignInLimit } from '../auth/sign-in-limit.ts';
import type { WebDeps } from '../context.ts';
import { PAGE_NAMES } from '../page-names.ts';
import { defineNotices } from '../render.ts';
import { ssoConfigured } from './sso.ts';
import { loadClassLink } from '../../sources/classlink/state.ts';

defineNotices({
  'signed-out': 'You have signed out.',
  'setup-done': 'Your admin account is ready. Welcome to Rollcall.',
});

/** Registers the routes. */
export function authRoutes(app: FastifyInstance, deps: WebDeps): void {
  const secure = deps.config.web.publicUrl.startsWith('https:');
  const needsSetup = async () => (await deps.store.staff.countAll()) === 0;
  const limit = new SignInLimit(() => deps.now().getTime());

  app.get('/', { config: { access: 'public' } }, async (request, reply) => {
    if (await needsSetup()) return reply.redirect('/setup');
    const p = request.principal;
    if (!p) return reply.redirect('/login');
    if (p.kind === 'patron') return reply.redirect('/me');
    return reply.page('home', {
      title: PAGE_NAMES.home,
      isAdmin: p.role === 'admin',
      zoneNotice: await zoneNotice(request.library),
      dash: await dashboard(deps.store, request.library!.id, deps.now()),
      fmt: { state: stateText, changes: changesText },
    });
  });

  /**
   * SPEC §3.7: a library's time zone "is asked for when a library is set up (never a silent
   * UTC)". A library nobody chose a zone for (one from before that rule, or made without asking)
   * gets a notice on the home page, with the zone to confirm or change, until an admin does.
   */
  async function zoneNotice(library: Library | null) {
    if (!library || library.timezoneConfirmed) return null;
    const schedule = await deps.store.schedules.get(library.id);
    return { timezone: library.timezone, revision: schedule?.revision ?? 0, zones: timeZoneChoices(library.timezone) };
  }

  const setupPage = (
    reply: FastifyReply,
    form: { error: string; username: string; displayName?: string; timezone: string },
    status = 200,
  ) =>
    reply.page(
      'setup',
      { title: 'Set up Rollcall', displayName: '', ...form, zones: timeZoneChoices(form.timezone), serverZone: serverTimeZone() },
      status,
    );

  app.get('/setup', { config: { access: 'public' } }, async (_request, reply) => {
    if (!(await needsSetup())) return reply.redirect('/login');
    return setupPage(reply, { error: '', username: '', timezone: serverTimeZone() });
  });

  app.post<{ Body: { username?: string; displayName?: string; password?: string; confirm?: string; timezone?: string } }>(
    '/setup',
    { config: { access: 'public' } },
    async (request, reply) => {
      // Only ever the very first account: once one exists this page is closed for good.
      if (!(await needsSetup())) return reply.redirect('/login');
      const { username = '', displayName = '', password = '', confirm = '', timezone: zoneText } = request.body ?? {};
      try {
        if (password !== confirm) throw new RollcallError('invalid_input', 'The two passwords differ.');
        // Checked before anything is written: a bad zone leaves no account behind. A post without
        // the field (a script, not the page) leaves the zone unconfirmed: the home page asks.
        const timezone = zoneText === undefined ? undefined : checkTimezone(zoneText);
        const library = await deps.store.libraries.byCode(DEFAULT_LIBRARY_CODE);
        if (!library) throw new RollcallError('not_found', 'The default library is missing.');
        const user = await deps.store.staff.createFirst(library.id, {
          username,
          displayName,
          role: 'admin',
          passwordHash: await hashPassword(password),
        });
        if (!user) return reply.redirect('/login', 303);
        // Only the setup that made the first admin sets the zone (a racing one left above).
        if (timezone !== undefined) await changeSchedule(deps.store, library.id, { timezone }, deps.now());
        await startSession(deps.store, reply, { libraryId: library.id, staffUserId: user.id }, deps.now(), secure);
        return reply.redirect('/?notice=setup-done', 303);
      } catch (e) {
        if (!(e instanceof RollcallError)) throw e;
        return setupPage(reply, { error: e.message, username, displayName, timezone: zoneText ?? serverTimeZone() }, 400);
      }
    },
  );

  app.get<{ Querystring: { next?: string; library?: string } }>('/login', { config: { access: 'public' } }, async (request, reply) => {
    if (await needsSetup()) return reply.redirect('/setup');
    const sso = await ssoButton(deps, request.query.library);
    return reply.page('login', {
      title: 'Sign in',
      error: '',
      username: '',
      next: safeNext(request.query.next),
      sso: sso !== '',
      ssoHref: sso,
    });
  });

  app.post<{ Body: { username?: string; password?: string; next?: string } }>(
    '/login',
    { config: { access: 'public' } },
    async (request, reply) => {
      const { username = '', password = '', next } = request.body ?? {};
      const name = String(username);
      const form = async (error: string, status: number) => {
        const sso = await ssoButton(deps, undefined);
        return reply.page(
          'login',
          { title: 'Sign in', error, username: name, next: safeNext(next), sso: sso !== '', ssoHref: sso },
          status,
        );
      };
      // Only failed sign-ins count, per address and username and per address (auth/sign-in-limit.ts);
      // a refused attempt is not checked at all, so it tells nothing about the password.
      const refused = limit.refusal(request.ip, name);
      if (refused) {
        reply.header('retry-after', String(Math.ceil(refused.retryAfterMs / 1000)));
        return form(refusalSentence(refused), 429);
      }
      const user = await deps.store.staff.byUsername(name);
      // Verify against a dummy hash when there is no such user: the answer takes as long.
      const ok = await verifyPassword(String(password), user?.passwordHash || DUMMY_HASH);
      if (!user || !ok || user.disabled) {
        limit.failed(request.ip, name);
        return form(user?.disabled && ok ? 'This account is disabled; ask a Rollcall admin.' : 'The username or password is wrong.', 401);
      }
      limit.succeeded(request.ip, name);
      if (request.sessionHash) await deps.store.staff.deleteSession(request.sessionHash);
      await startSession(deps.store, reply, { libraryId: user.libraryId, staffUserId: user.id }, deps.now(), secure);
      await deps.store.staff.touchLogin(user.libraryId, user.id);
      return reply.redirect(safeNext(next) || '/', 303);
    },
  );

  app.post('/logout', { config: { access: 'public' } }, async (request, reply) => {
    await endSession(deps.store, reply, request.sessionHash, secure);
    return reply.redirect('/login?notice=signed-out', 303);
  });

  app.get(
    '/api/v1/me',
    {
      config: { access: 'librarian' },
      schema: {
        tags: ['account'],
        summary: 'Who the token or session belongs to, and its library',
        response: {
          200: {
            type: 'object',
            properties: {
              username: { type: 'string' },
              displayName: { type: 'string' },
              role: { type: 'string', enum: ['admin', 'librarian'] },
              library: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } },
            },
          },
        },
      },
    },
    async (request) => {
      const p = request.principal;
      if (p?.kind !== 'staff') throw new Error('guarded');
      return {
        username: p.user.username,
        displayName: p.user.displayName,
        role: p.role,
        library: { code: request.library!.code, name: request.library!.name },
      };
    },
  );
}

/**
 * Where the sign-in page's "Sign in with ClassLink" button goes, or '' for no button: with
 * `/login?library=CODE` (a library's own link) when that library allows ClassLink sign-in and a
 * client (its own or the server's) exists; without, when the server has a client.
 */
async function ssoButton(deps: WebDeps, libraryCode: string | undefined): Promise<string> {
  if (typeof libraryCode === 'string' && libraryCode !== '') {
    const library = await deps.store.libraries.byCode(libraryCode);
    if (!library) return '';
    const cl = await loadClassLink(deps.store, library.id);
    const ownClient = Boolean(cl.settings.ssoClientId && cl.secrets.ssoClientSecret);
    if (!cl.enabled || !cl.settings.sso || !(ownClient || ssoConfigured(deps.config))) return '';
    return `/sso/classlink/start?library=${encodeURIComponent(library.code)}`;
  }
  return ssoConfigured(deps.config) ? '/sso/classlink/start' : '';
}

/** A local path to go to after sign-in; anything else (another site, `//evil`) is dropped. */
export function safeNext(next: unknown): string {
  // A path of our own: one leading slash, then no slash or backslash, and no whitespace or
  // control character anywhere (browsers drop tabs and newlines, so `/\t/evil` becomes `//evil`).
  return typeof next === 'string' && next.length <= 2000 && /^\/(?![/\\])[^\s\\\x00-\x1f\x7f]*$/.test(next) ? next : '';
}
