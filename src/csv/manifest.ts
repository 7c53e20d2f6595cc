/**
 * Reading a package's manifest.csv (`propertyName,value` rows: `oneroster.version`, one
 * `file.<name>` per file with bulk|delta|absent; ONEROSTER.md §2.1) and reconciling it with the
 * files actually in the package. Tolerant of what real exporters write (the `fiel.demographics`
 * typo, blank values, a missing version), with a warning for each oddity. Pure.
 */
import { RollcallError } from '../domain/errors.ts';
import { CSV_COLLECTIONS, allAbsent, entityNamed, fileNameOf } from './entities.ts';
import type { CsvEntity, CsvFileMode, OneRosterVersion } from './entities.ts';

/** What a package declares about itself, after reconciling the manifest with its files. */
export interface PackageManifest {
  /** The OneRoster version: declared, or detected from the files when not declared. */
  version: OneRosterVersion;
  /** The `oneroster.version` the manifest declares, as written ('' when none). */
  declaredVersion: string;
  /** How each file is supplied. */
  files: Record<CsvEntity, CsvFileMode>;
  /** What was odd, one sentence each. */
  warnings: string[];
}

/** Manifest prefixes that are not files (`manifest.version`, `source.systemName`, …). */
const NON_FILE_PREFIXES = new Set(['manifest', 'oneroster', 'source']);

/** Files whose absence from the package, despite the manifest, warrants a warning: the ones Rollcall reads. */
const READ_ENTITIES: ReadonlySet<CsvEntity> = new Set<CsvEntity>([...CSV_COLLECTIONS, 'roles']);

/**
 * Reads manifest rows (header first) against the entities whose files are present. Throws
 * RollcallError('invalid_input') when the manifest lists users.csv and the package lacks it.
 */
export function readManifest(rows: readonly (readonly string[])[], present: ReadonlySet<CsvEntity>): PackageManifest {
  const warnings: string[] = [];
  const files = allAbsent();
  const listed = new Set<CsvEntity>();
  let declaredVersion: string | undefined;

  const first = rows[0]?.[0]?.trim().toLowerCase();
  const body = first === 'propertyname' ? rows.slice(1) : rows;
  if (first !== 'propertyname') warnings.push('manifest.csv has no "propertyName,value" header row; its rows were read anyway.');

  for (const cells of body) {
    const key = (cells[0] ?? '').trim();
    const value = (cells[1] ?? '').trim();
    const lower = key.toLowerCase();
    if (lower === 'oneroster.version') {
      declaredVersion = value;
      continue;
    }
    const dot = lower.indexOf('.');
    const prefix = dot === -1 ? lower : lower.slice(0, dot);
    if (NON_FILE_PREFIXES.has(prefix)) continue;
    const entity = dot === -1 ? undefined : entityNamed(key.slice(dot + 1));
    if (entity === undefined) {
      if (key !== '') warnings.push(`manifest.csv: property ${JSON.stringify(key)} is not a OneRoster property; ignored.`);
      continue;
    }
    if (prefix !== 'file') {
      warnings.push(`manifest.csv: property ${JSON.stringify(key)} was read as "file.${entity}".`);
    }
    if (listed.has(entity)) {
      warnings.push(`manifest.csv lists file.${entity} twice; the first was used.`);
      continue;
    }
    listed.add(entity);
    files[entity] = fileMode(entity, value, present, warnings);
  }

  for (const entity of present) {
    if (files[entity] !== 'absent') continue;
    files[entity] = 'bulk';
    if (READ_ENTITIES.has(entity)) {
      const how = listed.has(entity) ? 'as absent' : 'not at all';
      warnings.push(`manifest.csv lists ${fileNameOf(entity)} ${how}, but the package has it; it was read as a bulk file.`);
    }
  }
  for (const entity of listed) {
    if (files[entity] === 'absent' || present.has(entity)) continue;
    if (entity === 'users') {
      throw new RollcallError('invalid_input', 'manifest.csv lists users.csv, but the package has no users.csv; export the package again.');
    }
    if (READ_ENTITIES.has(entity))
      warnings.push(`manifest.csv lists ${fileNameOf(entity)}, but the package has no such file; read as absent.`);
    files[entity] = 'absent';
  }

  return { version: versionOf(declaredVersion, present, warnings), declaredVersion: declaredVersion ?? '', files, warnings };
}

/** The manifest of a package that has none: every file present is bulk; the version is detected. */
export function manifestFromFiles(present: ReadonlySet<CsvEntity>): PackageManifest {
  const files = allAbsent();
  for (const entity of present) files[entity] = 'bulk';
  const warnings = ['The package has no manifest.csv; every file in it was read as a bulk file.'];
  return { version: versionOf(undefined, present, warnings), declaredVersion: '', files, warnings };
}

function fileMode(entity: CsvEntity, value: string, present: ReadonlySet<CsvEntity>, warnings: string[]): CsvFileMode {
  const word = value.toLowerCase();
  if (word === 'bulk' || word === 'delta' || word === 'absent') return word;
  const fallback: CsvFileMode = present.has(entity) ? 'bulk' : 'absent';
  const said = word === '' ? 'no value' : `the unknown value ${JSON.stringify(value)}`;
  warnings.push(`manifest.csv gives file.${entity} ${said}; read as ${fallback}.`);
  return fallback;
}

function versionOf(declared: string | undefined, present: ReadonlySet<CsvEntity>, warnings: string[]): OneRosterVersion {
  if (declared === '1.1') return '1.1';
  if (declared === '1.2' || declared?.startsWith('1.2.')) return '1.2';
  if (declared === '1.0') {
    warnings.push('manifest.csv declares OneRoster 1.0; the package was read as 1.1.');
    return '1.1';
  }
  // 1.2 moved roles out of users.csv into roles.csv: its presence is the surest sign.
  const detected: OneRosterVersion = present.has('roles') ? '1.2' : '1.1';
  const why = detected === '1.2' ? 'the package has roles.csv' : 'the package has no roles.csv';
  const said =
    declared === undefined || declared === ''
      ? 'No OneRoster version is declared'
      : `The declared OneRoster version ${JSON.stringify(declared)} is unknown`;
  warnings.push(`${said}; the package was read as ${detected}, since ${why}.`);
  return detected;
}
