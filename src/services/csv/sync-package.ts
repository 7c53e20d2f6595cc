/**
 * A sync from a OneRoster CSV package (`rollcall sync --from-csv FILE`, the watched folder, and
 * the admin page's upload): the package is opened and checked first — one with a fatal
 * defect is refused before anything is written, no operation included — then synced by the
 * engine as the CSV integration, and recorded (name, size, mtime, sha256, operation) so the
 * watched folder never takes it twice and approving a held plan reads the same bytes again.
 */
import { RollcallError } from '../../domain/errors.ts';
import { csvReader, fingerprintPackage, openCsvSource } from '../../sources/csv/source.ts';
import type { CsvSource, PackageFingerprint } from '../../sources/csv/source.ts';
import { checkSyncSource } from '../../sources/registry.ts';
import type { SyncDeps } from '../../sync/ports.ts';
import { runSync, type SyncOutcome } from '../../sync/run.ts';
import type { SyncResult } from '../syncs/sync-actions.ts';

/** What to sync. */
export interface CsvSyncAsk {
  /** The package: a .zip or a folder. */
  path: string;
  /** Plan only: nothing is written (and the package is not recorded as processed). */
  dryRun: boolean;
  /** Who asks (`cli`, `watch`, a user name). */
  requestedBy: string;
  /** The kind asked for; it must be the package's own (its manifest decides), else usage. */
  kind?: 'full' | 'delta';
  /** Progress: phase, records read, declared total (null for a package). */
  onProgress?: (phase: string, done: number, total: number | null) => void;
  /** Cancels the sync before it applies anything. */
  signal?: AbortSignal;
  /** The package already opened and checked (the watched folder does it first). */
  opened?: CsvSource;
  /** The package's fingerprint, when already taken. */
  fingerprint?: PackageFingerprint;
  /** Told the operation's id as soon as it exists (the admin page's upload redirects to it while the sync runs). */
  onOperation?: (operationId: number) => void;
  /** The operation whose process died reading this package, when this sync is its one retry. */
  retryOf?: number;
}

/** What came of it: the sync's result, and the package's. */
export interface CsvSyncResult extends SyncResult {
  /** The package's base name. */
  package: string;
  /** Full (a bulk package) or delta (a delta package). */
  packageKind: 'full' | 'delta';
  /** Its OneRoster version. */
  version: string;
}

/**
 * Syncs a library from a package. Throws (nothing written) when the package cannot be synced,
 * when the kind asked for is not the package's, or when OneRoster CSV is not the library's
 * enabled integration (a dry run may read it anyway).
 */
export async function syncCsvPackage(deps: SyncDeps, libraryId: number, ask: CsvSyncAsk): Promise<CsvSyncResult> {
  const source = ask.opened ?? (await openCsvSource(ask.path));
  if (ask.kind !== undefined && ask.kind !== source.kind) {
    const what =
      source.kind === 'full'
        ? 'a bulk package (a complete snapshot), so it makes a full sync'
        : 'a delta package (changes only), so it makes a delta sync';
    throw new RollcallError('usage', `--${ask.kind} does not apply: ${source.label} is ${what}; its manifest decides.`);
  }
  await checkSyncSource(deps.store, libraryId, 'csv', ask.dryRun);
  // A dry run processes nothing: it is neither recorded nor read again on approval.
  const fingerprint = ask.dryRun ? undefined : (ask.fingerprint ?? (await fingerprintPackage(ask.path)));
  let recordId: number | undefined;
  const outcome: SyncOutcome = await runSync(
    {
      ...deps,
      openReader: async (lib, context) => {
        ask.onOperation?.(context.operationId);
        if (fingerprint && recordId === undefined) {
          recordId = await deps.store.csvPackages.add(lib, {
            ...fingerprint,
            operationId: context.operationId,
            outcome: 'running',
            message: '',
          });
        }
        return csvReader(source);
      },
    },
    {
      libraryId,
      kind: source.kind,
      dryRun: ask.dryRun,
      requestedBy: ask.requestedBy,
      source: 'csv',
      ...(ask.retryOf === undefined ? {} : { retryOf: ask.retryOf }),
      ...(ask.onProgress ? { onProgress: ask.onProgress } : {}),
      ...(ask.signal ? { signal: ask.signal } : {}),
    },
  );
  const op = outcome.operation;
  if (recordId !== undefined) await deps.store.csvPackages.setOutcome(libraryId, recordId, op.state, op.state === 'failed' ? op.error : '');
  return {
    operation: op.id,
    type: op.type,
    state: op.state,
    counts: op.counts,
    complete: outcome.complete,
    alreadyRunning: outcome.alreadyRunning,
    error: op.error,
    summary: op.summary,
    package: source.label,
    packageKind: source.kind,
    version: source.version,
  };
}
