/**
 * `rollcall libraries add|list`: the libraries (districts) this deployment holds. Every other
 * command works on one of them, chosen with `--library CODE` (default `default`).
 */
import { DEFAULT_LIBRARY_CODE } from '../../store/store.ts';
import { addLibrary, listLibraries } from '../../services/libraries/libraries.ts';
import { EXIT_OK } from '../exit.ts';
import { table } from '../../presenters/format.ts';
import type { Handler } from '../context.ts';
import { withApp } from './with-app.ts';

/** `libraries add --code CODE --name NAME [--timezone TZ] [--json]` */
export const add: Handler = async (ctx, _args, opts) =>
  // Not about one library: --library is not needed (nor looked up) here.
  withApp({ ...ctx, library: DEFAULT_LIBRARY_CODE }, async (app) => {
    const lib = await addLibrary(app.store, {
      code: String(opts.code),
      name: String(opts.name),
      timezone: opts.timezone === undefined ? undefined : String(opts.timezone),
    });
    if (opts.json) await ctx.out.json(lib);
    else {
      const zone = lib.timezoneConfirmed
        ? `time zone ${lib.timezone}`
        : `time zone ${lib.timezone}, the server's: change it with --timezone or \`rollcall schedule set --timezone TZ --library ${lib.code}\``;
      await ctx.out.lines(`Added library ${lib.code} (${lib.name}, ${zone}). Work on it with --library ${lib.code}.`);
    }
    return EXIT_OK;
  });

/** `libraries list [--json]` */
export const list: Handler = async (ctx, _args, opts) =>
  withApp({ ...ctx, library: DEFAULT_LIBRARY_CODE }, async (app) => {
    const libs = await listLibraries(app.store);
    if (opts.json) await ctx.out.json(libs);
    else
      await ctx.out.lines(
        ...table(
          ['CODE', 'NAME', 'TIME ZONE'],
          libs.map((l) => [l.code, l.name, l.timezone]),
        ),
      );
    return EXIT_OK;
  });
