/**
 * `rollcall oneroster configure|schools|match-site|unmatch-site|options|enable|disable`: the
 * generic OneRoster REST source (any 1.1 or 1.2 server): its own `configure`, and the commands
 * every source has (source-commands.ts) over its school source and settings. The secret given on
 * the command line goes to the service and nowhere else: nothing printed here comes from it.
 */
import { RollcallError } from '../../domain/errors.ts';
import {
  configureOneRoster,
  ONEROSTER_OPTIONS,
  ONEROSTER_SCHOOLS,
  type OneRosterConnectionView,
  type OneRosterConnectRequest,
} from '../../sources/oneroster/connect.ts';
import { EXIT_OK } from '../exit.ts';
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

/** `oneroster configure --base-url URL --version 1.1|1.2 --client-id ID --client-secret SECRET [--auth …] [--token-url URL] [--scopes LIST] [--client-auth basic|post] [--json]` */
export const configure: Handler = async (ctx, _args, opts) => {
  const request = connectRequest(opts);
  return withApp(ctx, async (app) => {
    const view = await configureOneRoster({ config: app.config, store: app.store, now: app.syncDeps.now }, app.library.id, request);
    if (opts.json) await ctx.out.json(view);
    else await ctx.out.lines(...connectionLines(view));
    return EXIT_OK;
  });
};

/** `oneroster schools [--json]` */
export const schools: Handler = schoolsCommand(ONEROSTER_SCHOOLS);

/** `oneroster match-site SITE_CODE ORG_SOURCED_ID` */
export const matchSite: Handler = matchSiteCommand(ONEROSTER_SCHOOLS);

/** `oneroster unmatch-site SITE_CODE` (a site's match is the same whatever integration made it). */
export const unmatchSite: Handler = unmatchSiteHandler;

/** `oneroster options [--roles …] [--map …]… [--max-transfer-pct N] [--max-update-pct N] [--json]` */
export const options: Handler = optionsCommand(ONEROSTER_OPTIONS);

/**
 * `oneroster enable [--yes [--previewed N]]`: turns the other integrations off and clears their identifiers
 * (SPEC §1.3); when anything would be cleared, says how much and, without --yes, stops (exit 2).
 */
export const enable: Handler = enableCommand('oneroster');

/** `oneroster disable` */
export const disable: Handler = disableCommand('oneroster');

/** The connection a `configure` command line asks for; usage when an option is missing or wrong. */
export function connectRequest(opts: Record<string, unknown>): OneRosterConnectRequest {
  const text = (k: string): string | undefined => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  const missing = (['baseUrl', 'version', 'clientId', 'clientSecret'] as const).filter((k) => text(k) === undefined);
  if (missing.length > 0) {
    throw new RollcallError(
      'usage',
      `oneroster configure needs ${missing.map(optionName).join(', ')} (see \`rollcall oneroster configure --help\`).`,
    );
  }
  const version = text('version')!.trim();
  if (version !== '1.1' && version !== '1.2')
    throw new RollcallError('usage', `--version takes 1.1 or 1.2; "${version}" is not one of them.`);
  const auth = text('auth')?.trim().toLowerCase();
  if (auth !== undefined && auth !== 'oauth1' && auth !== 'oauth2')
    throw new RollcallError('usage', `--auth takes oauth1 or oauth2; "${auth}" is not one of them.`);
  const clientAuth = text('clientAuth')?.trim().toLowerCase();
  if (clientAuth !== undefined && clientAuth !== 'basic' && clientAuth !== 'post') {
    throw new RollcallError('usage', `--client-auth takes basic or post; "${clientAuth}" is not one of them.`);
  }
  const scopes = text('scopes');
  return {
    baseUrl: text('baseUrl')!,
    version,
    clientId: text('clientId')!,
    clientSecret: text('clientSecret')!,
    ...(auth === undefined ? {} : { auth }),
    ...(text('tokenUrl') === undefined ? {} : { tokenUrl: text('tokenUrl')! }),
    ...(scopes === undefined ? {} : { scopes: scopes.split(/[\s,]+/) }),
    ...(clientAuth === undefined ? {} : { clientAuth }),
  };
}

function optionName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function connectionLines(v: OneRosterConnectionView): string[] {
  const how =
    v.auth === 'oauth1'
      ? `OAuth 1.0a, client id ${v.clientId}`
      : `OAuth 2 client credentials, client id ${v.clientId}, token URL ${v.tokenUrl} (${v.clientAuth === 'post' ? 'secret in the form' : 'HTTP Basic'})`;
  const users = v.declaredUsers === null ? '' : ` It lists ${v.declaredUsers.toLocaleString('en-US')} users.`;
  return [
    `OneRoster ${v.version} connection validated and saved: ${how}.`,
    ...(v.auth === 'oauth2' ? [`Scopes: ${v.scopes.join(' ')}`] : []),
    `Server: ${v.baseUrl}.${users}`,
    'Next: `rollcall oneroster schools`, then `rollcall oneroster match-site SITE ORG` and `rollcall oneroster enable`.',
  ];
}
