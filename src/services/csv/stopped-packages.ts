/**
 * Packages whose sync's process died (SPEC §6: "a crashed worker's sync is detected and marked
 * failed"). A package's record says `running` until its sync returns; a process killed in
 * between leaves it so, and the watched folder, which passes over every recorded package, would
 * never look at it again. Each pass of the folder first looks at those records:
 *
 * - its operation still running with a recent sign of life: a live sync, left alone;
 * - still running but stale by the one rule (sync/stale.ts, the reaper's): it is ended failed,
 *   as the reaper would, and handled as below;
 * - ended but never recorded: succeeded or needs review — the outcome is copied (the process died
 *   just after); failed — the process died (nothing was applied: the apply and the end of the
 *   operation are one transaction).
 *
 * A died package in the watched folder, unchanged, is marked `retry` and the pass syncs it once
 * more, in its place in the folder's order; a retry is never retried (the reaper's rule): when
 * the retry's process dies too, the package is marked failed and left for a person. A package
 * given by hand or uploaded is not the folder's to read again: it is marked failed with what
 * to do.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CsvPackageRecord } from '../../store/csv-packages.ts';
import type { SyncDeps } from '../../sync/ports.ts';
import { endIfStale, isStale, lastSignOfLife } from '../../sync/stale.ts';
import { loggedTime } from '../../domain/words.ts';

/** A record's outcome while its sync runs. */
export const RUNNING = 'running';
/** A record's outcome when its sync's process died and the folder syncs it once more. */
export const RETRY = 'retry';

/** A package found with its sync's process dead, and what was decided. */
export interface StoppedPackage {
  /** Its file name. */
  name: string;
  /** The operation that died. */
  operation: number;
  /** `retry` (synced once more in this pass, or the next when another sync is running) or `failed` (left for a person). */
  outcome: 'retry' | 'failed';
  /** What happened and what comes next, in one sentence. */
  message: string;
}

/** Looks at the packages recorded `running` (see the module comment); returns those found dead. */
export async function findStoppedPackages(deps: SyncDeps, libraryId: number, folder: string): Promise<StoppedPackage[]> {
  const { store } = deps;
  const found: StoppedPackage[] = [];
  for (const record of await store.csvPackages.withOutcome(libraryId, RUNNING)) {
    if (record.operationId === null) continue;
    let op = await store.operations.get(libraryId, record.operationId);
    if (op && isStale(op, deps.now(), deps.staleAfterMs)) {
      await endIfStale(deps, libraryId, op);
      op = await store.operations.get(libraryId, record.operationId);
    }
    if (op && (op.state === 'running' || op.state === 'queued')) continue; // alive
    if (op && op.state !== 'failed') {
      await store.csvPackages.setOutcome(libraryId, record.id, op.state, '');
      continue;
    }
    const since = op ? ` (no sign of life since ${loggedTime(lastSignOfLife(op))})` : '';
    const stopped = (outcome: 'retry' | 'failed', message: string) => {
      found.push({ name: record.name, operation: record.operationId!, outcome, message });
      return store.csvPackages.setOutcome(libraryId, record.id, outcome, message);
    };
    const again = `sync it with \`rollcall sync --from-csv ${record.path}\``;
    if (op?.retryOf != null) {
      await stopped(
        'failed',
        `The process syncing ${record.name} stopped again${since}, on its one retry; nothing was applied and it is not tried again: ${again}.`,
      );
    } else if (dirname(record.path) !== resolve(folder)) {
      await stopped(
        'failed',
        `The process syncing ${record.name} stopped${since}; nothing was applied, and it is not in the watched folder: ${again}, or upload it again.`,
      );
    } else if (!(await unchanged(record))) {
      await stopped(
        'failed',
        `The process syncing ${record.name} stopped${since}; nothing was applied, and the file has changed or gone since (a changed file is a new package).`,
      );
    } else {
      await stopped('retry', `The process syncing ${record.name} stopped${since}; nothing was applied, and it is synced once more.`);
    }
  }
  return found;
}

/** Whether the file is still the one recorded (name, size, modification time). */
async function unchanged(record: CsvPackageRecord): Promise<boolean> {
  const s = await stat(record.path).catch(() => undefined);
  if (!s?.isFile()) return false;
  return s.size === record.size && new Date(Math.floor(s.mtimeMs)).toISOString() === record.mtime;
}
