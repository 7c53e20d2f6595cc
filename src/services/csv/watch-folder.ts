/**
 * The watched folder (the district's SFTP drop): each new OneRoster CSV package (.zip) in it is
 * synced once, oldest first. A package is known by name, size, modification time and sha256
 * (src/store/csv-packages.ts); files are left where they are — the district's uploads, not
 * ours to move — and one already recorded is passed over.
 *
 * A package still being uploaded must not be read. A zip is taken only when it is complete:
 * its central directory (written last, at the very end of the file) is readable, and its size
 * and modification time do not change while it is hashed. One that cannot be opened is waited
 * for while it is recent (it may still be arriving); once it has not changed for
 * UNREADABLE_GRACE_MS it is refused, recorded, and reported once.
 *
 * A package that stops for review holds back the packages after it until it is approved or
 * rejected: applying a later package first and the held one after would go back in time.
 *
 * A package whose sync's process died is found by the reaper's stale rule and synced once more
 * (stopped-packages.ts), in its place in the folder's order.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RollcallError, oneLine } from '../../domain/errors.ts';
import { fingerprintPackage, loadCsvSource, openCsvSource } from '../../sources/csv/source.ts';
import { checkSyncSource } from '../../sources/registry.ts';
import type { SyncDeps } from '../../sync/ports.ts';
import { findStoppedPackages, RETRY, type StoppedPackage } from './stopped-packages.ts';
import { syncCsvPackage, type CsvSyncResult } from './sync-package.ts';

/** How long an unreadable package may stay unchanged before it is refused rather than waited for. */
export const UNREADABLE_GRACE_MS = 10 * 60_000;

/** What became of one package in a pass. */
export interface WatchedPackage {
  /** Its file name. */
  name: string;
  /** synced (whatever the sync's state), refused (recorded, never tried again), waiting (tried again next pass). */
  outcome: 'synced' | 'refused' | 'waiting';
  /** The sync's result, when synced. */
  result?: CsvSyncResult;
  /** Why refused or waiting, in one sentence. */
  message: string;
}

/** One pass over the folder. */
export interface WatchPass {
  /** The folder. */
  folder: string;
  /** The new packages seen, in the order handled. */
  packages: WatchedPackage[];
  /** A CSV sync waiting for review that holds the folder back (its operation id), if any. */
  heldBy?: number;
  /** Packages found with their sync's process dead in this pass, and what was decided. */
  stopped: StoppedPackage[];
}

/** Options of a pass. */
export interface WatchOptions {
  /** Who the syncs are requested by (default `watch`). */
  requestedBy?: string;
  /** Progress of each sync. */
  onProgress?: (phase: string, done: number, total: number | null) => void;
  /** Cancels the running sync (and the pass). */
  signal?: AbortSignal;
}

/**
 * Looks at the watched folder once and syncs each new, complete package in turn. Refused
 * (not_configured) when no folder is configured or OneRoster CSV is not the enabled integration.
 */
export async function watchFolderOnce(deps: SyncDeps, libraryId: number, options: WatchOptions = {}): Promise<WatchPass> {
  const { store } = deps;
  const { settings } = await loadCsvSource(store, libraryId);
  if (settings.watchDir === '') {
    throw new RollcallError('not_configured', 'No watched folder is configured: set one with `rollcall csv configure --watch-dir DIR`.');
  }
  await checkSyncSource(store, libraryId, 'csv', false);
  const folder = settings.watchDir;
  const pass: WatchPass = { folder, packages: [], stopped: await findStoppedPackages(deps, libraryId, folder) };

  const last = (await store.csvPackages.recent(libraryId, 1))[0];
  if (last?.operationId != null) {
    const op = await store.operations.get(libraryId, last.operationId);
    if (op?.state === 'needs_review') return { ...pass, heldBy: op.id };
  }

  for (const file of await packageFiles(folder)) {
    if (options.signal?.aborted) break;
    const seen = await store.csvPackages.find(libraryId, { name: file.name, size: file.size, mtime: file.mtime });
    // Taken once; once more only when its sync's process died (a `retry` record, its newest).
    const retry = seen[0]?.outcome === RETRY ? seen[0] : undefined;
    if (seen.length > 0 && !retry) continue;
    const handled = await takePackage(deps, libraryId, file, options, retry?.operationId ?? undefined);
    if (retry && handled.outcome !== 'waiting') {
      const next = handled.result ? `Synced once more as operation ${handled.result.operation}.` : `Not synced again: ${handled.message}`;
      await store.csvPackages.setOutcome(libraryId, retry.id, 'failed', `${retry.message} ${next}`);
    }
    pass.packages.push(handled);
    const state = handled.result?.state;
    if (handled.result?.alreadyRunning || state === 'needs_review') break;
  }
  return pass;
}

/** A candidate file in the folder. */
interface FolderFile {
  name: string;
  path: string;
  size: number;
  mtime: string;
  mtimeMs: number;
}

/** The .zip files of the folder, oldest first (then by name). */
async function packageFiles(folder: string): Promise<FolderFile[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (e) {
    throw new RollcallError(
      'not_configured',
      `The watched folder ${folder} cannot be read (${oneLine(e)}); check it, or set another with \`rollcall csv configure --watch-dir DIR\`.`,
    );
  }
  const files: FolderFile[] = [];
  for (const d of entries) {
    if (!d.isFile() || d.name.startsWith('.') || !d.name.toLowerCase().endsWith('.zip')) continue;
    const path = join(folder, d.name);
    const s = await stat(path).catch(() => undefined);
    if (!s) continue;
    files.push({ name: d.name, path, size: s.size, mtime: isoTime(s.mtimeMs), mtimeMs: s.mtimeMs });
  }
  return files.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
}

/** Checks, fingerprints and syncs one new package. */
async function takePackage(
  deps: SyncDeps,
  libraryId: number,
  file: FolderFile,
  options: WatchOptions,
  /** The operation whose process died reading it, when this is its one retry. */
  retryOf?: number,
): Promise<WatchedPackage> {
  const { store } = deps;
  let opened: Awaited<ReturnType<typeof openCsvSource>>;
  try {
    opened = await openCsvSource(file.path);
  } catch (e) {
    const quiet = deps.now().getTime() - file.mtimeMs;
    if (quiet < UNREADABLE_GRACE_MS) {
      return {
        name: file.name,
        outcome: 'waiting',
        message: `${file.name} cannot be read yet (${oneLine(e)}); it may still be arriving, so it is tried again later.`,
      };
    }
    const fingerprint = await fingerprintPackage(file.path).catch(() => undefined);
    if (fingerprint) await store.csvPackages.add(libraryId, { ...fingerprint, operationId: null, outcome: 'refused', message: oneLine(e) });
    return { name: file.name, outcome: 'refused', message: oneLine(e) };
  }
  const fingerprint = await fingerprintPackage(file.path);
  const after = await stat(file.path).catch(() => undefined);
  if (!after || after.size !== file.size || isoTime(after.mtimeMs) !== file.mtime || fingerprint.size !== file.size) {
    return {
      name: file.name,
      outcome: 'waiting',
      message: `${file.name} changed while it was read; it is tried again once it stops changing.`,
    };
  }
  const result = await syncCsvPackage(deps, libraryId, {
    path: file.path,
    dryRun: false,
    requestedBy: retryOf === undefined ? (options.requestedBy ?? 'watch') : 'retry',
    ...(retryOf === undefined ? {} : { retryOf }),
    opened,
    fingerprint: { ...fingerprint, mtime: file.mtime },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.alreadyRunning) {
    return {
      name: file.name,
      outcome: 'waiting',
      result,
      message: `Another sync of this library is running (operation ${result.operation}); ${file.name} is tried again later.`,
    };
  }
  return { name: file.name, outcome: 'synced', result, message: '' };
}

/** A modification time as recorded: ISO 8601 UTC, to the millisecond (finer parts differ between file systems). */
function isoTime(mtimeMs: number): string {
  return new Date(Math.floor(mtimeMs)).toISOString();
}
