/**
 * The 'csv-watch' job (OneRoster CSV, SPEC §1.3): every minute, for each library whose enabled integration is
 * OneRoster CSV with a watched folder, sync each new complete package once (the usual SFTP
 * drop; services/csv/watch-folder.ts decides what is new and complete). Sent by the scheduler with
 * the Daily Operations fan-out; the library's one-sync-at-a-time rule keeps two workers from
 * syncing two packages of one library at once.
 */
import { oneLine } from '../domain/errors.ts';
import { loadCsvSource } from '../sources/csv/source.ts';
import { enabledIntegration } from '../sources/registry.ts';
import { watchFolderOnce } from '../services/csv/watch-folder.ts';
import type { Store } from '../store/store.ts';
import type { SyncDeps } from '../sync/ports.ts';
import type { JobHandler } from './types.ts';
import { countOf } from '../domain/words.ts';

/** What the job needs. */
export interface CsvWatchDeps {
  store: Store;
  syncDeps: SyncDeps;
  /** Aborted when the worker stops. */
  signal?: AbortSignal;
}

/** The handler: an outcome, never an exception; one library's trouble does not stop the others. */
export function csvWatchHandler(deps: CsvWatchDeps): JobHandler<'csv-watch'> {
  return async () => {
    try {
      const done: string[] = [];
      const errors: string[] = [];
      for (const library of await deps.store.libraries.list()) {
        if ((await enabledIntegration(deps.store, library.id)) !== 'csv') continue;
        if ((await loadCsvSource(deps.store, library.id)).settings.watchDir === '') continue;
        try {
          const pass = await watchFolderOnce(deps.syncDeps, library.id, {
            requestedBy: 'watch',
            ...(deps.signal ? { signal: deps.signal } : {}),
          });
          if (pass.packages.length > 0) done.push(`library ${library.code}: ${countOf(pass.packages.length, 'package')}`);
        } catch (e) {
          errors.push(`library ${library.code}: ${oneLine(e)}`);
        }
      }
      if (errors.length > 0) return { ok: false, error: errors.join('; ') };
      return done.length ? { ok: true, detail: done.join('; ') } : { ok: true, detail: 'no new package', idle: true };
    } catch (e) {
      return { ok: false, error: oneLine(e) };
    }
  };
}
