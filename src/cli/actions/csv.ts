/**
 * `rollcall csv configure|options|schools|match-site|unmatch-site|enable|disable|watch`, and
 * `rollcall sync --from-csv FILE`: the OneRoster CSV integration (SPEC §1.3).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RollcallError } from '../../domain/errors.ts';
import { configureCsv, CSV_OPTIONS } from '../../sources/csv/options.ts';
import { csvSchools, matchCsvSite } from '../../sources/csv/sites.ts';
import { syncCsvPackage } from '../../services/csv/sync-package.ts';
import { watchFolderOnce, type WatchPass } from '../../services/csv/watch-folder.ts';
import { OPERATION_TYPE_NAMES } from '../../domain/operation.ts';
import { EXIT_FAILURE, EXIT_NEEDS_REVIEW, EXIT_OK } from '../exit.ts';
import { countsLine, stateText, table } from '../../presenters/format.ts';
import { parseWholeNumber } from '../option-values.ts';
import type { Handler } from '../context.ts';
import { disableCommand, enableCommand, optionsCommand, unmatchSite as unmatchSiteHandler } from './source-commands.ts';
import { interruptibleSync, onInterrupt } from './signals.ts';
import { reportSync } from '../sync-report.ts';
import { withApp } from './with-app.ts';

/** Seconds between looks at the watched folder unless `--interval` says otherwise. */
const DEFAULT_WATCH_INTERVAL_S = 60;
/** The longest `--interval`: a day. */
const MAX_WATCH_INTERVAL_S = 86_400;

/** `csv configure [--watch-dir DIR] [--json]` (no option: show). */
export const configure: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const view = await configureCsv(app.store, app.library.id, typeof opts.watchDir === 'string' ? { watchDir: opts.watchDir } : {}, {
      root: app.config.csvWatchRoot,
    });
    if (opts.json) await ctx.out.json(view);
    else
      await ctx.out.lines(
        `watched folder: ${view.watchDir || '(none: packages are given with `rollcall sync --from-csv FILE`)'}`,
        `enabled:        ${view.enabled ? 'yes' : 'no (`rollcall csv enable`)'}`,
      );
    return EXIT_OK;
  });

/** `csv options [--roles …] [--map …]… [--max-transfer-pct N] [--max-update-pct N] [--json]` */
export const options: Handler = optionsCommand(CSV_OPTIONS);

/** `csv enable [--yes [--previewed N]]` */
export const enable: Handler = enableCommand('csv');

/** `csv disable` */
export const disable: Handler = disableCommand('csv');

/** `csv schools [FILE] [--json]` */
export const schools: Handler = async (ctx, args, opts) =>
  withApp(ctx, async (app) => {
    const r = await csvSchools(app.store, app.library.id, args[0]);
    if (opts.json) {
      await ctx.out.json(r.schools);
      return EXIT_OK;
    }
    if (r.schools.length === 0) {
      await ctx.out.lines(`The package ${r.package} lists no orgs.`);
      return EXIT_OK;
    }
    await ctx.out.lines(
      ...table(
        ['SOURCEDID', 'NAME', 'TYPE', 'SITE'],
        r.schools.map((s) => [s.sourcedId, s.name, s.type, s.siteCode || '—']),
      ),
    );
    if (r.allOrgs) ctx.out.note(`Note: ${r.package} has no org of type school; every org is listed.`);
    return EXIT_OK;
  });

/** `csv match-site SITE_CODE ORG_SOURCED_ID [--package FILE]` */
export const matchSite: Handler = async (ctx, args, opts) =>
  withApp(ctx, async (app) => {
    const { site, school } = await matchCsvSite(
      app.store,
      app.library.id,
      args[0]!,
      args[1]!,
      typeof opts.package === 'string' ? opts.package : undefined,
    );
    await ctx.out.lines(`Site ${site.code} (${site.name}) is matched to ${school.name} [${school.sourcedId}].`);
    if (school.type !== 'school')
      ctx.out.note(
        `Note: ${school.sourcedId} is a ${school.type || 'org without a type'}, not a school; its users are synced to ${site.code} all the same.`,
      );
    return EXIT_OK;
  });

/** `csv unmatch-site SITE_CODE` (a site's match is the same whatever source made it). */
export const unmatchSite: Handler = unmatchSiteHandler;

/** `sync --from-csv FILE [--full | --delta] [--dry-run] [--json]` */
export const syncFromCsv: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const json = opts.json === true;
    const run = interruptibleSync(ctx.out, !json, 'the package');
    try {
      const result = await syncCsvPackage(app.syncDeps, app.library.id, {
        path: String(opts.fromCsv),
        dryRun: opts.dryRun === true,
        requestedBy: 'cli',
        ...(opts.full ? { kind: 'full' as const } : opts.delta ? { kind: 'delta' as const } : {}),
        onProgress: (phase, done, total) => run.progress.update(phase, done, total),
        signal: run.signal,
      });
      run.progress.stop();
      return await reportSync(ctx.out, result, json);
    } finally {
      run.done();
    }
  });

/** `csv watch [--once] [--interval SECONDS] [--json]` */
export const watch: Handler = async (ctx, _args, opts) => {
  const interval = parseWholeNumber(
    '--interval',
    typeof opts.interval === 'string' ? opts.interval : String(DEFAULT_WATCH_INTERVAL_S),
    1,
    MAX_WATCH_INTERVAL_S,
  );
  const once = opts.once === true;
  const json = opts.json === true;
  if (json && !once) throw new RollcallError('usage', '--json needs --once (a watch that runs until stopped prints as it goes).');
  return withApp(ctx, async (app) => {
    const stop = new AbortController();
    const uninstall = onInterrupt(() => {
      ctx.out.note(
        'Stopping: a sync under way stops before it writes anything, unless it is already writing (Ctrl+C again quits at once).',
      );
      stop.abort(new Error('stopped with Ctrl+C; nothing was written'));
    });
    let exit = EXIT_OK;
    let heldShown: number | undefined;
    try {
      if (!once) ctx.out.note(`Watching for OneRoster CSV packages, every ${interval} s; Ctrl+C stops.`);
      for (;;) {
        const pass = await watchFolderOnce(app.syncDeps, app.library.id, { requestedBy: 'watch', signal: stop.signal });
        if (json) await ctx.out.json(passJson(pass));
        else await ctx.out.lines(...passLines(pass, heldShown));
        heldShown = pass.heldBy;
        exit = Math.max(exit, passExit(pass));
        if (once || stop.signal.aborted) break;
        await sleep(interval * 1000, undefined, { signal: stop.signal }).catch(() => {});
        if (stop.signal.aborted) break;
      }
    } finally {
      uninstall();
    }
    return exit;
  });
};

/** The worst outcome of a pass as an exit code: 3 when a sync stopped for review, 1 when one failed or a package was refused. */
function passExit(pass: WatchPass): number {
  let exit = pass.stopped.some((s) => s.outcome === 'failed') ? EXIT_FAILURE : EXIT_OK;
  for (const p of pass.packages) {
    if (p.outcome === 'refused' || p.result?.state === 'failed') exit = Math.max(exit, EXIT_FAILURE);
    if (p.result?.state === 'needs_review') exit = Math.max(exit, EXIT_NEEDS_REVIEW);
  }
  return exit;
}

function passLines(pass: WatchPass, heldShown: number | undefined): string[] {
  const lines: string[] = [];
  if (pass.heldBy !== undefined && pass.heldBy !== heldShown) {
    lines.push(
      `Operation ${pass.heldBy} is waiting for review; new packages wait until it is approved or rejected (rollcall operations approve|reject ${pass.heldBy}).`,
    );
  }
  for (const s of pass.stopped) lines.push(`${s.name}: operation ${s.operation} stopped — ${s.message}`);
  for (const p of pass.packages) {
    if (p.result && p.outcome === 'synced') {
      const r = p.result;
      lines.push(
        `${p.name}: operation ${r.operation} (${OPERATION_TYPE_NAMES[r.type] ?? r.type}), ${stateText(r.state)}${r.error ? ` — ${r.error}` : ''}.`,
      );
      lines.push(`  ${countsLine(r.counts)}`);
    } else {
      lines.push(`${p.name}: ${p.outcome} — ${p.message}`);
    }
  }
  return lines;
}

function passJson(pass: WatchPass): unknown {
  return {
    folder: pass.folder,
    heldBy: pass.heldBy ?? null,
    stopped: pass.stopped,
    packages: pass.packages.map((p) => ({
      name: p.name,
      outcome: p.outcome,
      message: p.message,
      operation: p.result?.operation ?? null,
      state: p.result?.state ?? null,
      counts: p.result?.counts ?? null,
    })),
  };
}
