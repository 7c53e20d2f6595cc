/**
 * Loads a whole OneRoster CSV package as a district, for the emulator's `--from-csv`, which
 * serves a package as the REST API. Unlike the streaming reader this holds everything in
 * memory, as the emulator must.
 */
import type { MalformedRecord, RosterCollection } from '../domain/roster.ts';
import type { DistrictData } from '../domain/district.ts';
import { openCsvPackage } from './csv-package.ts';
import { CSV_COLLECTIONS } from './entities.ts';
import type { OneRosterVersion } from './entities.ts';
import { danglingReferenceWarnings } from './references.ts';

/** A package loaded whole. */
export interface LoadedDistrict {
  /** Every record of the six collections Rollcall reads (absent files give empty arrays). */
  data: DistrictData;
  /** Rows skipped as malformed, with file and line. */
  malformed: MalformedRecord[];
  /** Oddities, one sentence each: manifest, headers, counted row notes, dangling references. */
  warnings: string[];
  /** The package's OneRoster version. */
  version: OneRosterVersion;
}

/**
 * Reads every collection of a package (a .zip or a folder). Throws
 * RollcallError('invalid_input') when the package cannot be read at all.
 */
export async function loadCsvDistrict(path: string): Promise<LoadedDistrict> {
  const pkg = await openCsvPackage(path);
  const data: DistrictData = { orgs: [], users: [], classes: [], enrollments: [], demographics: [], academicSessions: [] };
  const malformed: MalformedRecord[] = [];
  for (const collection of CSV_COLLECTIONS) {
    const into = data[collection] as unknown[];
    await pkg.records(collection as RosterCollection, (records, bad) => {
      for (const r of records) into.push(r);
      for (const m of bad) malformed.push(m);
    });
  }
  return { data, malformed, warnings: [...pkg.warnings, ...danglingReferenceWarnings(data)], version: pkg.version };
}
