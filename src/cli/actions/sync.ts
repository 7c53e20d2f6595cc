/**
 * `rollcall sync [--full | --delta] [--dry-run] [--json]`: runs a sync in this process, with a
 * progress bar on a terminal, and prints its result (SPEC §8's object with --json). With
 * `--from-csv FILE` the sync reads that OneRoster CSV package (csv.ts).
 */
import { RollcallError } from '../../domain/errors.ts';
import { syncSourceOf } from '../../sources/registry.ts';
import { startSync, type SyncResult } from '../../services/syncs/sync-actions.ts';
import { reportSync } from '../sync-report.ts';
import type { Handler } from '../context.ts';
import { interruptibleSync } from './signals.ts';
import { withApp } from './with-app.ts';

/** `sync [--full | --delta] [--dry-run] [--json]`; with `--from-csv FILE`, a sync from that OneRoster CSV package. */
export const sync: Handler = async (ctx, args, opts) => {
  if (typeof opts.fromCsv === 'string') return (await import('./csv.ts')).syncFromCsv(ctx, args, opts);
  return withApp(ctx, async (app) => {
    // A CSV library syncs from packages: there is nothing to read without one.
    if ((await syncSourceOf(app.store, app.library.id)) === 'csv') {
      throw new RollcallError(
        'usage',
        'OneRoster CSV syncs from a package: give one with `rollcall sync --from-csv FILE`, or run `rollcall csv watch` for the watched folder.',
      );
    }
    const json = opts.json === true;
    const run = interruptibleSync(ctx.out, !json, 'the roster');
    let result: SyncResult;
    try {
      result = await startSync(app.syncDeps, app.library.id, {
        kind: opts.delta ? 'delta' : 'full',
        dryRun: opts.dryRun === true,
        requestedBy: 'cli',
        onProgress: (phase, done, total) => run.progress.update(phase, done, total),
        signal: run.signal,
      });
    } finally {
      run.done();
    }
    return reportSync(ctx.out, result, json);
  });
};
