/**
 * `rollcall sync [--full | --delta] [--dry-run] [--json]`: runs a sync in this process, with a
 * progress bar on a terminal, and prints its result (SPEC §8's object with --json). With
 * `--from-csv FILE` the sync reads that OneRoster CSV package (csv.ts).
 */
import { RollcallError } from '../../domain/errors.ts';
import { syncSourceOf } from '../../sources/registry.ts';
import { OPERATION_TYPE_NAMES, OPERATION_TYPES } from '../../domain/operation.ts';
import { startSync, syncJson, type SyncResult } from '../../services/syncs/sync-actions.ts';
import { EXIT_FAILURE, EXIT_NEEDS_REVIEW, EXIT_OK } from '../exit.ts';
import { countsLine, stateText } from '../../presenters/format.ts';
import type { Output } from '../output.ts';
import type { Handler } from '../program.ts';
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

/**
 * Prints a sync's result and returns the exit code: 3 when it stopped for review, 1 when it
 * failed or another sync was running (a line on stderr says which), 0 otherwise.
 */
export async function reportSync(out: Output, r: SyncResult, json: boolean): Promise<number> {
  if (json) await out.json(syncJson(r));
  else await out.lines(...summaryLines(r));
  if (r.alreadyRunning) {
    out.note(`rollcall: another sync of this library is already ${stateText(r.state)} (operation ${r.operation}); wait for it to finish.`);
    return EXIT_FAILURE;
  }
  if (r.state === 'failed') {
    out.note(`rollcall: ${r.error || `operation ${r.operation} failed`}`);
    return EXIT_FAILURE;
  }
  return r.state === 'needs_review' ? EXIT_NEEDS_REVIEW : EXIT_OK;
}

function summaryLines(r: SyncResult): string[] {
  const name = OPERATION_TYPE_NAMES[r.type] ?? r.type;
  const lines = [
    `Operation ${r.operation} (${name}): ${stateText(r.state)}${r.complete || r.state === 'failed' ? '' : ' — the roster read was INCOMPLETE, so removals were held back'}.`,
    `  ${countsLine(r.counts)}`,
  ];
  // The summary repeats the counts; what it adds is why a sync stopped.
  if (r.state === 'needs_review') {
    lines.push(`  ${r.summary.replace(/ Approve or reject it.*$/, '')}`);
    lines.push(`  See the plan: rollcall operations show ${r.operation}; then rollcall operations approve ${r.operation} (or reject).`);
  }
  if (r.type === OPERATION_TYPES.dryRun) lines.push(`  Nothing was written. See the plan: rollcall operations show ${r.operation}`);
  lines.push(`  Log: rollcall operations log ${r.operation}`);
  return lines;
}
