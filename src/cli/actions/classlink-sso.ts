/**
 * `rollcall classlink sso [--on|--off] [--tenant-id N] [--client-id ID] [--client-secret-stdin]
 * [--json]`: ClassLink sign-in settings (SPEC §4). With no option it shows them, with the
 * library's own redirect URI to register at ClassLink (and the server client's, while the
 * library uses that one) and the LaunchPad tile URL. The client secret is read
 * from standard input (or ROLLCALL_NEW_SSO_CLIENT_SECRET), never from the command line.
 */
import { RollcallError } from '../../domain/errors.ts';
import { changeSso, ssoView, type SsoChange, type SsoView } from '../../sources/classlink/sign-in-settings.ts';
import { EXIT_OK } from '../exit.ts';
import type { Handler } from '../context.ts';
import { firstLineOfStdin } from '../stdin.ts';
import { withApp } from './with-app.ts';

/** `classlink sso …` */
export const sso: Handler = async (ctx, _args, opts) => {
  const change: SsoChange = {};
  if (opts.on && opts.off) throw new RollcallError('usage', 'Give --on or --off, not both.');
  if (opts.on) change.enabled = true;
  if (opts.off) change.enabled = false;
  if (typeof opts.tenantId === 'string') {
    change.tenantId = opts.tenantId === 'none' ? null : Number(opts.tenantId);
    if (change.tenantId !== null && !Number.isSafeInteger(change.tenantId))
      throw new RollcallError('usage', '--tenant-id must be a whole number (or none).');
  }
  if (typeof opts.clientId === 'string') change.clientId = opts.clientId;
  if (opts.clientSecretStdin) change.clientSecret = await firstLineOfStdin();
  else if ((ctx.env ?? process.env).ROLLCALL_NEW_SSO_CLIENT_SECRET !== undefined)
    change.clientSecret = (ctx.env ?? process.env).ROLLCALL_NEW_SSO_CLIENT_SECRET!;
  return withApp(ctx, async (app) => {
    const view = Object.keys(change).length
      ? await changeSso(app.config, app.store, app.library.id, app.library.code, change)
      : await ssoView(app.config, app.store, app.library.id, app.library.code);
    if (opts.json) {
      await ctx.out.json(view);
      return EXIT_OK;
    }
    await ctx.out.lines(
      `Allow log-in with ClassLink: ${view.enabled ? 'on' : 'off'}`,
      `Tenant ID: ${view.tenantId ?? '(none)'}${view.tenantFrom === 'connection' ? ' (from the roster connection)' : ''}`,
      `Sign-in client: ${view.clientId ? `${view.clientId} (secret ${view.clientSecretSet ? 'stored' : 'missing'})` : view.deploymentClient ? "the server's (ROLLCALL_SSO_CLIENT_ID)" : '(none)'}`,
      ...redirectLines(view),
      `LaunchPad tile URL: ${view.launchUrl}`,
      `This library's sign-in page: ${view.loginUrl}`,
      ...view.problems.map((p) => `Not ready: ${p}`),
    );
    return EXIT_OK;
  });
};

/**
 * Which redirect URI to register: the library's own, for its own client; while it uses the
 * server's client, that client's (whoever runs the server registers it), and the library's own
 * for the day it gets a client of its own.
 */
function redirectLines(view: SsoView): string[] {
  if (view.clientId || view.serverRedirectUri === null)
    return [`Register this redirect URI with this library's ClassLink client: ${view.redirectUri}`];
  return [
    `Redirect URI: ${view.serverRedirectUri} (the server's client; whoever runs this server registers it)`,
    `This library's own redirect URI (for a client of its own): ${view.redirectUri}`,
  ];
}
