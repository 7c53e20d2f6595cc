/**
 * `rollcall koha codes [--site SITE=BRANCHCODE]... [--policy POLICY=CATEGORYCODE]... [--json]`:
 * the Koha codes of the library's sites and policies (docs/koha.md). Without an option it shows
 * them; with some it saves them (all or none) and shows the result.
 */
import { RollcallError } from '../../domain/errors.ts';
import { kohaCodesView, saveKohaCodes, type KohaCodesView } from '../../services/patrons/koha-codes.ts';
import { table } from '../../presenters/format.ts';
import { EXIT_OK } from '../exit.ts';
import type { Handler } from '../context.ts';
import { withApp } from './with-app.ts';

/** `koha codes` */
export const codes: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const branches = pairs(opts.site, '--site', 'SITE=BRANCHCODE');
    const categories = pairs(opts.policy, '--policy', 'POLICY=CATEGORYCODE');
    const view: KohaCodesView =
      Object.keys(branches).length + Object.keys(categories).length > 0
        ? await saveKohaCodes(app.store, app.library.id, { branches, categories })
        : await kohaCodesView(app.store, app.library.id);
    if (opts.json) {
      await ctx.out.json(view);
      return EXIT_OK;
    }
    const unset = '(not mapped)';
    await ctx.out.lines(
      ...table(
        ['SITE', 'NAME', 'KOHA BRANCHCODE'],
        view.branches.map((b) => [b.siteCode, b.siteName, b.branchcode || unset]),
      ),
      '',
      ...table(
        ['POLICY', 'PATRONS', 'KOHA CATEGORYCODE'],
        view.categories.map((c) => [c.policy || '(blank)', String(c.patrons), c.categorycode || unset]),
      ),
    );
    return EXIT_OK;
  });

/** `--site MHS=MAIN` values as a record; a value without `=` is a usage error. */
function pairs(values: unknown, option: string, shape: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of Array.isArray(values) ? values.map(String) : []) {
    const at = v.indexOf('=');
    if (at <= 0) throw new RollcallError('usage', `${option} takes ${shape} (e.g. ${option} ${shape.split('=')[0]}=X), not "${v}".`);
    out[v.slice(0, at).trim()] = v.slice(at + 1).trim();
  }
  return out;
}
