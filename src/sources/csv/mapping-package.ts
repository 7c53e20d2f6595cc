/**
 * Where the OneRoster CSV pages keep packages: uploads while they sync, the package kept for
 * Site Mapping, and which package's schools Site Mapping lists.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../config/load.ts';
import { RollcallError } from '../../domain/errors.ts';
import type { Repositories } from '../../store/store.ts';
import { loadCsvSource } from './source.ts';

/** Where a library's uploaded packages are written while they sync (under the data directory). */
export function csvUploadDir(config: Config, libraryId: number): string {
  return join(config.database.dataDir, 'uploads', 'csv', String(libraryId));
}

/** The package kept for Site Mapping when there is no watched folder (replaced by the next one read for schools). */
export function csvSchoolsPackage(config: Config, libraryId: number): string {
  return join(csvUploadDir(config, libraryId), 'schools.zip');
}

/**
 * The package whose schools the CSV Site Mapping page lists: the newest of the watched folder's
 * .zip files and the package last uploaded for its schools; not_configured when there is none.
 */
export async function csvMappingPackage(config: Config, repos: Pick<Repositories, 'integrations'>, libraryId: number): Promise<string> {
  const candidates: { path: string; mtimeMs: number }[] = [];
  const kept = csvSchoolsPackage(config, libraryId);
  const keptInfo = await stat(kept).catch(() => undefined);
  if (keptInfo?.isFile()) candidates.push({ path: kept, mtimeMs: keptInfo.mtimeMs });
  const { watchDir } = (await loadCsvSource(repos, libraryId)).settings;
  if (watchDir !== '') {
    for (const d of await readdir(watchDir, { withFileTypes: true }).catch(() => [])) {
      if (!d.isFile() || d.name.startsWith('.') || !d.name.toLowerCase().endsWith('.zip')) continue;
      const path = join(watchDir, d.name);
      const s = await stat(path).catch(() => undefined);
      if (s) candidates.push({ path, mtimeMs: s.mtimeMs });
    }
  }
  const newest = candidates.sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
  if (!newest) {
    throw new RollcallError(
      'not_configured',
      'No package to read the schools from yet: upload one below ("Read the schools of a package"), or set a watched folder that has one (step 1, Settings).',
    );
  }
  return newest.path;
}
