/**
 * `rollcall classlink|oneroster|csv enable [--yes]`: one integration at a time (SPEC §1.3).
 * Enabling one turns the others off and clears their identifiers; when anything would be
 * cleared, the counts are printed and nothing changes unless `--yes` is given (exit 2).
 */
import type { IntegrationKind } from '../../domain/patron.ts';
import { SOURCE_COMMANDS, SOURCE_NAMES } from '../../sources/registry.ts';
import { enableIntegration, previewSentence, switchPreview } from '../../sources/switch.ts';
import type { App } from '../../app.ts';
import { EXIT_OK, EXIT_USAGE } from '../exit.ts';
import type { CommandContext, Handler } from '../program.ts';
import { withApp } from './with-app.ts';

/** The `enable` handler of an integration's command group. */
export function enableCommand(kind: IntegrationKind): Handler {
  return async (ctx, _args, opts) => withApp(ctx, (app) => enableWithConsent(ctx, app, kind, opts.yes === true));
}

/** Previews, asks for `--yes` when identifiers would be cleared, then enables. Returns the exit code. */
export async function enableWithConsent(ctx: CommandContext, app: App, kind: IntegrationKind, yes: boolean): Promise<number> {
  const name = SOURCE_NAMES[kind];
  const preview = await switchPreview(app.store, app.library.id, kind);
  if (preview.total > 0 && !yes) {
    await ctx.out.lines(previewSentence(preview));
    ctx.out.note(
      `rollcall: nothing was changed; to clear them and enable ${name}, run \`rollcall ${SOURCE_COMMANDS[kind]} enable --yes\`.`,
    );
    return EXIT_USAGE;
  }
  const r = await enableIntegration(app.store, app.library.id, kind);
  const next = kind === 'csv' ? '`rollcall sync --from-csv FILE` or `rollcall csv watch`' : '`rollcall sync`';
  const lines = [
    r.unchanged ? `${name} was already enabled.` : `${name} is enabled (${r.matchedSites} matched site(s)): run ${next} to sync now.`,
  ];
  const cleared = Object.entries(r.clearedPatronGuids).map(([k, n]) => `${n} patron GUID(s) of ${SOURCE_NAMES[k as IntegrationKind]}`);
  if (r.clearedSiteGuids > 0) cleared.push(`${r.clearedSiteGuids} site match(es) of other integrations`);
  if (cleared.length > 0) lines.push(`Cleared ${cleared.join(', ')}.`);
  if (r.disabled.length > 0) lines.push(`Turned off: ${r.disabled.map((k) => SOURCE_NAMES[k]).join(', ')}.`);
  await ctx.out.lines(...lines);
  for (const n of r.notes) ctx.out.note(`Note: ${n}`);
  return EXIT_OK;
}
