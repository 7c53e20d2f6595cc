/**
 * The subcommands every source's command group has, built for a source: `schools` and
 * `match-site` (REST sources: over its SchoolSource), `unmatch-site`, `options`, and `enable`
 * and `disable` — one source at a time (SPEC §1.3): enabling one turns the others off and
 * clears their identifiers; when anything would be cleared, the counts are printed and nothing
 * changes unless `--yes` is given (exit 2).
 *
 * What `--yes` confirms: with `--previewed N`, the N a person was shown by `enable` (the switch
 * applies only if it still clears N: a sync in between makes it print the new count and change
 * nothing, exit 2); alone, whatever this run's own preview counts (a script has seen nothing, so
 * it consents to what is there now; the switch still checks, in its transaction, that it clears
 * exactly that, and the output says what was cleared).
 */
import type { App } from '../../app.ts';
import type { IntegrationKind } from '../../domain/patron.ts';
import { table } from '../../presenters/format.ts';
import { SOURCE_COMMANDS, SOURCE_NAMES } from '../../sources/kinds.ts';
import { updateOptions, type OptionSettings, type OptionsChange, type OptionsStore, type OptionsView } from '../../sources/options.ts';
import { listSchools, matchSite, unmatchSite as unmatchSiteService, type SchoolSource } from '../../sources/schools.ts';
import { PreviewChanged, previewSentence, turnOff, turnOn, turnOnPreview, type TurnOnResult } from '../../sources/switch.ts';
import { RollcallError } from '../../domain/errors.ts';
import type { CommandContext, Handler } from '../context.ts';
import { EXIT_OK, EXIT_USAGE } from '../exit.ts';
import { idMappingText, parseMappings, parseOnOff, parsePercent, parseRoles, parseWholeNumber } from '../option-values.ts';
import { withApp } from './with-app.ts';
import { countOf } from '../../domain/words.ts';

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

/** `… match-site SITE_CODE ORG_SOURCED_ID` for a school source. */
export function matchSiteCommand(source: SchoolSource): Handler {
  return async (ctx, args) =>
    withApp(ctx, async (app) => {
      const { site, school } = await matchSite(app, app.library.id, args[0]!, args[1]!, source);
      await ctx.out.lines(`Site ${site.code} (${site.name}) is matched to ${school.name} [${school.sourcedId}].`);
      return EXIT_OK;
    });
}

/** `… unmatch-site SITE_CODE` (a site's match is the same whatever source made it). */
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

/** `… options [--roles …] [--map …]… [--sso on|off] [--max-transfer-pct N] [--max-update-pct N] [--json]` for a source's options. */
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

/** The `enable [--yes [--previewed N]]` handler of a source's command group. */
export function enableCommand(kind: IntegrationKind): Handler {
  return async (ctx, _args, opts) => {
    const previewed = typeof opts.previewed === 'string' ? parseWholeNumber('--previewed', opts.previewed, 0, 1_000_000_000) : undefined;
    if (previewed !== undefined && opts.yes !== true) {
      throw new RollcallError(
        'usage',
        `--previewed goes with --yes: \`rollcall ${SOURCE_COMMANDS[kind]} enable --yes --previewed ${previewed}\`.`,
      );
    }
    return withApp(ctx, (app) => enableWithConsent(ctx, app, kind, opts.yes === true, previewed));
  };
}

/** The `disable` handler of a source's command group: syncs stop; patrons, GUIDs and site matches are kept. */
export function disableCommand(kind: IntegrationKind): Handler {
  return async (ctx) =>
    withApp(ctx, async (app) => {
      const name = SOURCE_NAMES[kind];
      const was = await turnOff(app.store, app.library.id, kind);
      await ctx.out.lines(
        was ? `${name} is disabled: no sync will run. Patrons, GUIDs and site matches are kept.` : `${name} was not enabled.`,
      );
      return EXIT_OK;
    });
}

/**
 * Previews, asks for `--yes` when identifiers would be cleared, then enables, confirming
 * `previewed` (else this run's own preview). Returns the exit code.
 */
export async function enableWithConsent(
  ctx: CommandContext,
  app: App,
  kind: IntegrationKind,
  yes: boolean,
  previewed?: number,
): Promise<number> {
  const name = SOURCE_NAMES[kind];
  const preview = await turnOnPreview(app.store, app.library.id, kind);
  if (preview.total > 0 && !yes) {
    await ctx.out.lines(previewSentence(preview));
    ctx.out.note(
      `rollcall: nothing was changed; to clear them and enable ${name}, run \`rollcall ${SOURCE_COMMANDS[kind]} enable --yes --previewed ${preview.total}\`.`,
    );
    return EXIT_USAGE;
  }
  let r: TurnOnResult;
  try {
    r = await turnOn(app.store, app.library.id, kind, 'cli', previewed ?? preview.total, { actor: 'command line' });
  } catch (e) {
    if (!(e instanceof PreviewChanged)) throw e;
    // The new count, as `enable` without --yes prints it: nothing was changed.
    await ctx.out.lines(previewSentence(e.preview));
    ctx.out.note(`rollcall: ${e.message}`);
    return EXIT_USAGE;
  }
  const next = kind === 'csv' ? '`rollcall sync --from-csv FILE` or `rollcall csv watch`' : '`rollcall sync`';
  const lines = [
    r.unchanged
      ? `${name} was already enabled.`
      : `${name} is enabled (${countOf(r.matchedSites, 'matched site')}): run ${next} to sync now.`,
  ];
  const cleared = Object.entries(r.clearedPatronGuidsBySource).map(
    ([k, n]) => `${countOf(Number(n), 'patron GUID')} of ${SOURCE_NAMES[k as IntegrationKind]}`,
  );
  if (r.clearedSiteGuids > 0) cleared.push(`${countOf(r.clearedSiteGuids, 'site match', 'site matches')} of other integrations`);
  if (cleared.length > 0) lines.push(`Cleared ${cleared.join(', ')}.`);
  if (r.disabled.length > 0) lines.push(`Turned off: ${r.disabled.map((k) => SOURCE_NAMES[k]).join(', ')}.`);
  await ctx.out.lines(...lines);
  for (const n of r.notes) ctx.out.note(`Note: ${n}`);
  return EXIT_OK;
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
