/**
 * The vocabulary of a OneRoster CSV package (ONEROSTER.md §2.1): the files a manifest can
 * list, how each is supplied, and which of them Rollcall reads as roster collections.
 */
import type { RosterCollection } from '../domain/roster.ts';

/** The OneRoster versions a package can declare (1.2.1 and later 1.2.x read as 1.2). */
export type OneRosterVersion = '1.1' | '1.2';

/** How a package supplies one file: a full snapshot, only changes, or not at all. */
export type CsvFileMode = 'bulk' | 'delta' | 'absent';

/** The files a 1.1 manifest lists (`file.<name>`). */
const ENTITIES_1_1 = [
  'academicSessions',
  'categories',
  'classes',
  'classResources',
  'courses',
  'courseResources',
  'demographics',
  'enrollments',
  'lineItems',
  'orgs',
  'resources',
  'results',
  'users',
] as const;

/** The files 1.2 adds. */
const ENTITIES_1_2_ONLY = [
  'roles',
  'userProfiles',
  'userResources',
  'lineItemLearningObjectiveIds',
  'lineItemScoreScales',
  'resultLearningObjectiveIds',
  'resultScoreScales',
  'scoreScales',
] as const;

/** The files a manifest can list (`file.<name>`), 1.1's and 1.2's. */
export const CSV_ENTITIES = [...ENTITIES_1_1, ...ENTITIES_1_2_ONLY] as const;

/** The files a manifest of the given version lists. */
export function entitiesOf(version: OneRosterVersion): readonly CsvEntity[] {
  return version === '1.1' ? ENTITIES_1_1 : CSV_ENTITIES;
}

/** A file a manifest can list, by its manifest name (`users`, `roles`, …). */
export type CsvEntity = (typeof CSV_ENTITIES)[number];

/** The roster collections Rollcall reads from a package (each is the file of the same name). */
export const CSV_COLLECTIONS: readonly RosterCollection[] = ['orgs', 'academicSessions', 'users', 'demographics', 'classes', 'enrollments'];

/** The file name of an entity inside a package (`users` → `users.csv`). */
export function fileNameOf(entity: CsvEntity): string {
  return `${entity}.csv`;
}

/** The entity a manifest or file name stands for, compared without case; undefined when none. */
export function entityNamed(name: string): CsvEntity | undefined {
  const wanted = name
    .trim()
    .toLowerCase()
    .replace(/\.csv$/, '');
  return CSV_ENTITIES.find((e) => e.toLowerCase() === wanted);
}

/** A files table with every entity absent, to fill in. */
export function allAbsent(): Record<CsvEntity, CsvFileMode> {
  return Object.fromEntries(CSV_ENTITIES.map((e) => [e, 'absent'])) as Record<CsvEntity, CsvFileMode>;
}
