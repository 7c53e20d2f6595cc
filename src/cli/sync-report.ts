/**
 * How the command line reports a sync's result (`sync`, `sync --from-csv`, `csv watch --once`,
 * `operations approve`): its summary or JSON, and the exit code.
 */
import { OPERATION_TYPE_NAMES, OPERATION_TYPES } from '../domain/operation.ts';
import { syncJson, type SyncResult } from '../services/syncs/sync-actions.ts';
import { EXIT_FAILURE, EXIT_NEEDS_REVIEW, EXIT_OK } from './exit.ts';
import { countsLine, stateText } from '../presenters/format.ts';
import type { Output } from './output.ts';

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
    lines.push(`  ${r.summary}`);
    lines.push(`  See the plan: rollcall operations show ${r.operation}; then rollcall operations approve ${r.operation} (or reject).`);
  }
  if (r.type === OPERATION_TYPES.dryRun) lines.push(`  Nothing was written. See the plan: rollcall operations show ${r.operation}`);
  lines.push(`  Log: rollcall operations log ${r.operation}`);
  return lines;
}
