/**
 * `rollcall classlink configure|schools|match-site|unmatch-site|options|enable|disable`: its
 * own `configure`, and the commands every source has (source-commands.ts) over ClassLink.
 * Secrets given on the command line go to the service and nowhere else: nothing printed here
 * (text or JSON) comes from them.
 */
import { RollcallError } from '../../domain/errors.ts';
import { configureClassLink, type ConnectRequest, type ConnectionView } from '../../sources/classlink/connect.ts';
import { CLASSLINK_OPTIONS, CLASSLINK_SCHOOLS } from '../../sources/classlink/definition.ts';
import { EXIT_OK } from '../exit.ts';
import { parseWholeNumber } from '../option-values.ts';
import type { Handler } from '../context.ts';
import {
  disableCommand,
  enableCommand,
  matchSiteCommand,
  optionsCommand,
  schoolsCommand,
  unmatchSite as unmatchSiteHandler,
} from './source-commands.ts';
import { withApp } from './with-app.ts';

/** ClassLink Tenant IDs are small positive integers. */
const MAX_TENANT_ID = 2 ** 31 - 1;

/** `classlink configure` in one of its three modes (see docs/cli.md). */
export const configure: Handler = async (ctx, _args, opts) => {
  const request = connectRequest(opts);
  return withApp(ctx, async (app) => {
    const view = await configureClassLink({ config: app.config, store: app.store, now: app.syncDeps.now }, app.library.id, request);
    if (opts.json) await ctx.out.json(view);
    else await ctx.out.lines(...connectionLines(view));
    return EXIT_OK;
  });
};

/** `classlink schools [--json]` */
export const schools: Handler = schoolsCommand(CLASSLINK_SCHOOLS);

/** `classlink match-site SITE_CODE ORG_SOURCED_ID` */
export const matchSite: Handler = matchSiteCommand(CLASSLINK_SCHOOLS);

/** `classlink unmatch-site SITE_CODE` */
export const unmatchSite: Handler = unmatchSiteHandler;

/** `classlink options [--roles …] [--map …]… [--sso on|off] [--max-transfer-pct N] [--max-update-pct N] [--json]` */
export const options: Handler = optionsCommand(CLASSLINK_OPTIONS);

/** `classlink enable [--yes [--previewed N]]`: turns any other integration off; asks for --yes when that clears identifiers. */
export const enable: Handler = enableCommand('classlink');

/** `classlink disable` */
export const disable: Handler = disableCommand('classlink');

/** The connection a `configure` command line asks for; usage when its options do not make one mode. */
export function connectRequest(opts: Record<string, unknown>): ConnectRequest {
  const given = (k: string) => typeof opts[k] === 'string';
  const text = (k: string) => String(opts[k]);
  const partner = given('tenantId');
  const direct = given('clientId') || given('clientSecret');
  const proxy = given('bearer');
  const modes = [partner, direct, proxy].filter(Boolean).length;
  if (modes !== 1) {
    throw new RollcallError(
      'usage',
      'Give one of: --tenant-id ID (partner mode); --roster-url URL --client-id KEY --client-secret SECRET (direct); --roster-url URL --bearer TOKEN (proxy).',
    );
  }
  if (partner) {
    if (given('rosterUrl')) throw new RollcallError('usage', '--tenant-id finds the roster server itself: leave out --roster-url.');
    return { mode: 'partner', tenantId: parseWholeNumber('--tenant-id', text('tenantId'), 1, MAX_TENANT_ID) };
  }
  if (!given('rosterUrl'))
    throw new RollcallError('usage', `--roster-url is needed with ${direct ? '--client-id and --client-secret' : '--bearer'}.`);
  if (direct) {
    if (!given('clientId') || !given('clientSecret'))
      throw new RollcallError('usage', 'Direct mode needs both --client-id and --client-secret.');
    return { mode: 'direct', rosterUrl: text('rosterUrl'), clientId: text('clientId'), clientSecret: text('clientSecret') };
  }
  return { mode: 'proxy', rosterUrl: text('rosterUrl'), bearer: text('bearer') };
}

function connectionLines(v: ConnectionView): string[] {
  const how =
    v.mode === 'partner'
      ? `partner mode, Tenant ID ${v.tenantId}${v.tenantName ? ` (${v.tenantName})` : ''}, via ${v.auth === 'bearer' ? 'the ClassLink proxy' : 'the direct Roster Server'}`
      : v.mode === 'direct'
        ? `direct OAuth 1.0a, client id ${v.clientId}`
        : 'proxy, Bearer token';
  const users = v.declaredUsers === null ? '' : ` It lists ${v.declaredUsers.toLocaleString('en-US')} users.`;
  return [
    `ClassLink connection validated and saved: ${how}.`,
    `Roster server: ${v.rosterUrl}.${users}`,
    'Next: `rollcall classlink schools`, then `rollcall classlink match-site SITE ORG` and `rollcall classlink enable`.',
  ];
}
