/**
 * The OneRoster CSV integration's settings as the CLI and the OneRoster CSV page change them: the
 * watched folder (`csv configure`), and the options every source has (`csv options`: roles,
 * field mapping, thresholds — ClassLink's, SPEC §2 steps 3–4, §3.5, through updateOptions with
 * CSV_OPTIONS). Omitted options keep their values.
 */
import { realpath, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { RollcallError } from '../../domain/errors.ts';
import { withinLimit } from '../../domain/text-limits.ts';
import { loadCsvSource, saveCsvSettings, type CsvSettings } from './source.ts';
import type { Repositories, Store } from '../../store/store.ts';
import { lockedUpdate, type OptionsStore } from '../options.ts';

/** The CSV settings, as updateOptions reads and writes them. */
export const CSV_OPTIONS: OptionsStore<CsvSettings> = {
  kind: 'csv',
  load: async (repos, libraryId) => (await loadCsvSource(repos, libraryId)).settings,
  save: (repos, libraryId, settings) => saveCsvSettings(repos, libraryId, settings),
};

/** Where packages come from, as shown. */
export interface CsvConfigView {
  /** Whether OneRoster CSV is the enabled integration. */
  enabled: boolean;
  /** The watched folder (absolute), or '' when none. */
  watchDir: string;
}

/** Sets the watched folder ('' for none; undefined: just show). A folder must exist. */
export async function configureCsv(
  repos: Pick<Repositories, 'integrations'> | Store,
  libraryId: number,
  change: { watchDir?: string },
  /** `root`: ROLLCALL_CSV_WATCH_ROOT — when set, a watched folder must lie inside it. */
  options: { root?: string | undefined } = {},
): Promise<CsvConfigView> {
  if (change.watchDir === undefined) {
    const current = await loadCsvSource(repos, libraryId);
    return { enabled: current.enabled, watchDir: current.settings.watchDir };
  }
  // The folder is checked first, outside the transaction (on SQLite it holds the write lock).
  const watchDir = await checkedFolder(withinLimit('watchDir', 'The watched folder', change.watchDir.trim(), 'path'), options.root);
  // One locked read-change-write (options.ts lockedUpdate): the settings also carry what a sync
  // writes as it applies (its watermark) and the options a page saves, which a read made before
  // they were written would undo.
  return lockedUpdate(repos, libraryId, 'csv', async (tx) => {
    const current = await loadCsvSource(tx, libraryId);
    // Saved even when unchanged: a first `configure` creates the integration's settings row.
    await saveCsvSettings(tx, libraryId, { ...current.settings, watchDir });
    return { enabled: current.enabled, watchDir };
  });
}

/** The folder as an absolute path; invalid_input when it is not an existing folder. */
async function checkedFolder(dir: string, root: string | undefined): Promise<string> {
  if (dir.trim() === '') return '';
  const path = resolve(dir.trim());
  // On a deployment hosting many libraries the operator confines watched folders (each
  // district's SFTP drop) under one root, so one library's admin cannot point at another's.
  if (root) {
    const base = resolve(root);
    const real = await realpath(path).catch(() => path);
    if (real !== base && !real.startsWith(base + sep)) {
      throw new RollcallError('invalid_input', `The watched folder must be inside ${base} (ROLLCALL_CSV_WATCH_ROOT).`);
    }
  }
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory())
    throw new RollcallError('invalid_input', `${path} is not a folder; give the folder the district's packages are dropped in.`);
  return path;
}
