/**
 * The OneRoster CSV package reader: open a package (.zip or folder) and stream its roster
 * collections, load one whole as a district (the emulator's `--from-csv`), or write one (tests).
 */
export { openCsvPackage } from './csv-package.ts';
export type { BatchHandler, CsvBatch, CsvPackage, ReadOptions, ReadSummary } from './csv-package.ts';
export { loadCsvDistrict } from './load-district.ts';
export type { LoadedDistrict } from './load-district.ts';
export { writeCsvPackage } from './write-package.ts';
export type { CsvPackageContent, WritePackageOptions } from './write-package.ts';
export type { CsvEntity, CsvFileMode, OneRosterVersion } from './entities.ts';
