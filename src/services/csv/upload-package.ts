/**
 * A package uploaded on the admin page (OneRoster CSV, SPEC §1.3): checked whole, then synced (or dry-run)
 * in the background like the CLI's `sync --from-csv`, answering as soon as the operation exists
 * so the page can follow it. A package that cannot be synced, or a sync refused before it starts
 * (OneRoster CSV not ON, unless a dry run: registry.ts maySyncNow), is an error here, with the
 * page's sentence, and nothing runs.
 *
 * The uploaded file is temporary: it is deleted when the sync ends — except when the sync stops
 * for review, since approving a held plan whose patrons changed meanwhile reads the package again.
 */
import { rm } from 'node:fs/promises';
import { fingerprintPackage, openCsvSource } from '../../sources/csv/source.ts';
import { requireSyncNow } from '../../sources/registry.ts';
import type { SyncDeps } from '../../sync/ports.ts';
import { type CsvSyncAsk, syncCsvPackage } from './sync-package.ts';

/** What to sync. */
export interface CsvUploadAsk {
  /** The uploaded (temporary) file. */
  path: string;
  /** The name it was uploaded under (recorded, and shown in the list of packages). */
  name: string;
  /** Plan only. */
  dryRun: boolean;
  /** Who uploaded it. */
  requestedBy: string;
}

/** A started upload sync. */
export interface CsvUploadStarted {
  /** Its operation (or the sync already running, which it did not start). */
  operationId: number | null;
  /** Another sync of the library was running: this one did not start. */
  alreadyRunning: boolean;
  /** Settles when the sync has ended and the file is dealt with (never rejects). */
  done: Promise<void>;
}

/** Checks the package, starts its sync and resolves once the operation exists; throws (and deletes the file) when it cannot start. */
export async function startCsvUpload(deps: SyncDeps, libraryId: number, ask: CsvUploadAsk): Promise<CsvUploadStarted> {
  let opened: Awaited<ReturnType<typeof openCsvSource>>;
  let fingerprint: CsvSyncAsk['fingerprint'];
  try {
    await requireSyncNow(deps.store, libraryId, 'csv', ask.dryRun, 'named', 'page');
    opened = await openCsvSource(ask.path, ask.name);
    fingerprint = ask.dryRun ? undefined : { ...(await fingerprintPackage(ask.path)), name: ask.name };
  } catch (e) {
    await rm(ask.path, { force: true });
    throw e;
  }
  let told: (id: number) => void = () => undefined;
  const appeared = new Promise<number>((resolve) => (told = resolve));
  const running = syncCsvPackage(deps, libraryId, {
    path: ask.path,
    dryRun: ask.dryRun,
    requestedBy: ask.requestedBy,
    opened,
    ...(fingerprint ? { fingerprint } : {}),
    onOperation: (id) => told(id),
  });
  const done = running.then(
    async (r) => {
      if (r.state !== 'needs_review' || r.alreadyRunning) await rm(ask.path, { force: true });
    },
    async () => {
      await rm(ask.path, { force: true });
    },
  );
  const first = await Promise.race([appeared.then((id) => ({ id })), running.then((r) => ({ result: r }))]).catch(async (e: unknown) => {
    await done;
    throw e;
  });
  if ('id' in first) return { operationId: first.id, alreadyRunning: false, done };
  return { operationId: first.result.operation, alreadyRunning: first.result.alreadyRunning, done };
}
