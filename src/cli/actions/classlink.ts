/**
 * `rollcall classlink configure|schools|match-site|unmatch-site|options|enable|disable`.
 * Secrets given on the command line go to the service and nowhere else: nothing printed here
 * (text or JSON) comes from them. The site-mapping and options commands are built for a school
 * source and an options store, so other REST integrations (`rollcall oneroster …`) reuse them.
 */
import { RollcallError } from '../../domain/errors.ts';
import { configureClassLink, type ConnectRequest, type ConnectionView } from '../../sources/classlink/connect.ts';
import {
  CLASSLINK_OPTIONS,
  updateOptions,
  type OptionSettings,
  type OptionsChange,
  type OptionsStore,
  type OptionsView,
} from '../../sources/options.ts';
import {
  CLASSLINK_SCHOOLS,
  listSchools,
  matchSite as matchSiteService,
  unmatchSite as unmatchSiteService,
  type SchoolSource,
} from '../../sources/schools.ts';
import { disableClassLink } from '../../sources/classlink/switch.ts';
import { EXIT_OK } from '../exit.ts';
import { table } from '../../presenters/format.ts';
import { idMappingText, parseMappings, parseOnOff, parsePercent, parseRoles, parseWholeNumber } from '../option-values.ts';
import type { Handler } from '../program.ts';
import { enableCommand } from './enable.ts';
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

/** `… schools [--json]` for a school source. */
export function schoolsCommand(source: SchoolSource): Handler {
  return async (ctx, _args, opts) =>
    withApp(ctx, async (app) => {
      const list = await listSchools(app, app.library.id, source);
      if (opts.json) await ctx.out.json(list);
      else if (list.length === 0) await ctx.out.lines(`${source.label} lists no schools for this district.`);
      else
        await ctx.out.lines(
          ...table(
            ['SOURCEDID', 'NAME', 'SITE'],
            list.map((s) => [s.sourcedId, `${s.name}${s.status === 'tobedeleted' ? ' (to be deleted)' : ''}`, s.siteCode || '—']),
          ),
        );
      return EXIT_OK;
    });
}

/** `classlink schools [--json]` */
export const schools: Handler = schoolsCommand(CLASSLINK_SCHOOLS);

/** `… match-site SITE_CODE ORG_SOURCED_ID` for a school source. */
export function matchSiteCommand(source: SchoolSource): Handler {
  return async (ctx, args) =>
    withApp(ctx, async (app) => {
      const { site, school } = await matchSiteService(app, app.library.id, args[0]!, args[1]!, source);
      await ctx.out.lines(`Site ${site.code} (${site.name}) is matched to ${school.name} [${school.sourcedId}].`);
      return EXIT_OK;
    });
}

/** `classlink match-site SITE_CODE ORG_SOURCED_ID` */
export const matchSite: Handler = matchSiteCommand(CLASSLINK_SCHOOLS);

/** `classlink unmatch-site SITE_CODE` */
export const unmatchSite: Handler = async (ctx, args) =>
  withApp(ctx, async (app) => {
    const { site, was } = await unmatchSiteService(app.store, app.library.id, args[0]!);
    await ctx.out.lines(
      was === ''
        ? `Site ${site.code} was not matched to a school; nothing changed.`
        : `Site ${site.code} is no longer matched (it was ${was}); that school is not synced.`,
    );
    return EXIT_OK;
  });

/** `… options [--roles …] [--map …]… [--max-transfer-pct N] [--max-update-pct N] [--json]` for an integration's options. */
export function optionsCommand<S extends OptionSettings>(kept: OptionsStore<S>): Handler {
  return async (ctx, _args, opts) => {
    const change = optionsChange(opts);
    return withApp(ctx, async (app) => {
      const view = await updateOptions(app.store, app.library.id, change, kept);
      if (opts.json) await ctx.out.json(view);
      else await ctx.out.lines(...optionLines(view));
      return EXIT_OK;
    });
  };
}

/** `classlink options [--roles …] [--map …]… [--sso on|off] [--max-transfer-pct N] [--max-update-pct N] [--json]` */
export const options: Handler = optionsCommand(CLASSLINK_OPTIONS);

/** `classlink enable [--yes]`: turns any other integration off; asks for --yes when that clears identifiers. */
export const enable: Handler = enableCommand('classlink');

/** `classlink disable` */
export const disable: Handler = async (ctx) =>
  withApp(ctx, async (app) => {
    const r = await disableClassLink(app.store, app.library.id);
    await ctx.out.lines(
      r.unchanged ? 'ClassLink was not enabled.' : 'ClassLink is disabled: no sync will run. Patrons, GUIDs and site matches are kept.',
    );
    return EXIT_OK;
  });

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

/** The change an `options` command line asks for (empty: just show). */
export function optionsChange(opts: Record<string, unknown>): OptionsChange {
  const change: OptionsChange = {};
  if (typeof opts.roles === 'string') change.roles = parseRoles(opts.roles);
  Object.assign(change, parseMappings((opts.map as string[] | undefined) ?? []));
  if (typeof opts.sso === 'string') change.sso = parseOnOff('--sso', opts.sso);
  if (typeof opts.maxTransferPct === 'string') change.maxTransferPct = parsePercent('--max-transfer-pct', opts.maxTransferPct);
  if (typeof opts.maxUpdatePct === 'string') change.maxUpdatePct = parsePercent('--max-update-pct', opts.maxUpdatePct);
  return change;
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

function optionLines(v: OptionsView): string[] {
  return [
    `roles:             ${v.roles.join(',')}`,
    `map barcode:       ${idMappingText(v.mapping.barcode)}`,
    `map community-id:  ${idMappingText(v.mapping.communityId)}`,
    `map location:      ${v.mapping.location}`,
    ...(v.sso === undefined ? [] : [`sso:               ${v.sso ? 'on' : 'off'}`]),
    `max-transfer-pct:  ${v.thresholds.maxTransferPct}`,
    `max-update-pct:    ${v.thresholds.maxUpdatePct}`,
  ];
}
