/**
 * `rollcall sites add|list|delete`.
 */
import { EXIT_OK } from '../exit.ts';
import { deleteSite } from '../../services/sites/site-admin.ts';
import { addSite, listSites } from '../../services/sites/sites.ts';
import { limitedText } from '../option-values.ts';
import { table } from '../../presenters/format.ts';
import type { Handler } from '../context.ts';
import { withApp } from './with-app.ts';

/** `sites add --code CODE --name NAME [--json]` */
export const add: Handler = async (ctx, _args, opts) => {
  // Too long is bad usage (exit 2), said before the database is opened.
  const code = limitedText('--code', String(opts.code), 'siteCode');
  const name = limitedText('--name', String(opts.name), 'siteName');
  return withApp(ctx, async (app) => {
    const site = await addSite(app.store, app.library.id, { code, name });
    if (opts.json) await ctx.out.json(site);
    else await ctx.out.lines(`Added site ${site.code} (${site.name}).`);
    return EXIT_OK;
  });
};

/** `sites delete --code CODE [--json]`: only a site no patron uses and no integration has matched. */
export const remove: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const site = await deleteSite(app.store, app.library.id, String(opts.code));
    if (opts.json) await ctx.out.json(site);
    else await ctx.out.lines(`Deleted site ${site.code} (${site.name}).`);
    return EXIT_OK;
  });

/** `sites list [--json]` */
export const list: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const sites = await listSites(app.store, app.library.id);
    if (opts.json) await ctx.out.json(sites);
    else if (sites.length === 0) await ctx.out.lines('No sites yet: add one with `rollcall sites add --code CODE --name NAME`.');
    else
      await ctx.out.lines(
        ...table(
          ['CODE', 'NAME', 'CLASSLINK SCHOOL'],
          sites.map((s) => [s.code, s.name, s.orgSourcedId || '(not matched)']),
        ),
      );
    return EXIT_OK;
  });
