/**
 * Finding columns by header name, never by position (ONEROSTER.md §2.3: exporters disagree on
 * order and on which optional columns exist). Names compare without case; known real-world
 * misspellings (`prefferedGivenName`, `dataLastModified`, oat-sa's `userId`/`agents`) are read
 * as the column they meant, with a warning; extension columns (`metadata.*`, `ext_*`) are
 * ignored quietly; anything else unknown is ignored with a warning.
 */
import { RollcallError } from '../domain/errors.ts';

/** The columns of one kind of file. */
export interface ColumnSpec {
  /** Every column OneRoster defines for the file (1.1 and 1.2), read or not. */
  readonly columns: readonly string[];
  /** Columns without which no row can be read: their absence is fatal for the file. */
  readonly required: readonly string[];
  /** Other names seen in real files for a column, lower-cased → the column. */
  readonly aliases?: Readonly<Record<string, string>>;
}

const BASE = ['sourcedId', 'status', 'dateLastModified'];

/** The column specs of the files Rollcall reads (ONEROSTER.md §2.2, §2.3). */
export const COLUMN_SPECS = {
  users: {
    columns: [
      ...BASE,
      'enabledUser',
      'orgSourcedIds',
      'role',
      'username',
      'userIds',
      'givenName',
      'familyName',
      'middleName',
      'identifier',
      'email',
      'sms',
      'phone',
      'agentSourcedIds',
      'grades',
      'password',
      'userMasterIdentifier',
      'resourceSourcedIds',
      'preferredGivenName',
      'preferredMiddleName',
      'preferredFamilyName',
      'primaryOrgSourcedId',
      'pronouns',
    ],
    required: ['sourcedId', 'givenName', 'familyName'],
    aliases: {
      agents: 'agentSourcedIds',
      preferredfirstname: 'preferredGivenName',
      preferredlastname: 'preferredFamilyName',
    },
  },
  orgs: {
    columns: [...BASE, 'name', 'type', 'identifier', 'parentSourcedId'],
    required: ['sourcedId', 'name', 'type'],
  },
  classes: {
    columns: [
      ...BASE,
      'title',
      'grades',
      'courseSourcedId',
      'classCode',
      'classType',
      'location',
      'schoolSourcedId',
      'termSourcedIds',
      'subjects',
      'subjectCodes',
      'periods',
      'resourceSourcedIds',
    ],
    required: ['sourcedId', 'title', 'schoolSourcedId'],
  },
  enrollments: {
    columns: [...BASE, 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role', 'primary', 'beginDate', 'endDate'],
    required: ['sourcedId', 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role'],
  },
  demographics: {
    columns: [
      ...BASE,
      'birthDate',
      'sex',
      'americanIndianOrAlaskaNative',
      'asian',
      'blackOrAfricanAmerican',
      'nativeHawaiianOrOtherPacificIslander',
      'white',
      'demographicRaceTwoOrMoreRaces',
      'hispanicOrLatinoEthnicity',
      'countryOfBirthCode',
      'stateOfBirthAbbreviation',
      'cityOfBirth',
      'publicSchoolResidenceStatus',
    ],
    required: ['sourcedId'],
    // OneRoster 1.0 keyed demographics by the user (oat-sa's sample still does).
    aliases: { usersourcedid: 'sourcedId' },
  },
  academicSessions: {
    columns: [...BASE, 'title', 'type', 'startDate', 'endDate', 'parentSourcedId', 'schoolYear'],
    required: ['sourcedId', 'title', 'type'],
  },
  roles: {
    columns: [...BASE, 'userSourcedId', 'roleType', 'role', 'beginDate', 'endDate', 'orgSourcedId', 'userProfileSourcedId'],
    required: ['userSourcedId', 'roleType', 'role', 'orgSourcedId'],
  },
} as const satisfies Record<string, ColumnSpec>;

/** Where each column is in a file's rows. */
export interface ResolvedHeader {
  /** The index of a column, or -1 when the file lacks it. */
  indexOf(column: string): number;
  /** How many cells a row must have: the header's, less any trailing empty names. */
  width: number;
  /** What was odd about the header (misspelt, unknown, duplicate, unnamed columns). */
  warnings: string[];
}

/** Longest header name quoted back in a warning; longer ones are cut. */
const MAX_QUOTED_NAME = 60;

function quoted(name: string): string {
  return JSON.stringify(name.length > MAX_QUOTED_NAME ? `${name.slice(0, MAX_QUOTED_NAME)}…` : name);
}

function isExtension(lower: string): boolean {
  return lower.startsWith('metadata.') || lower.startsWith('ext_') || lower.startsWith('ext.');
}

/**
 * Resolves a file's header row against its spec. Throws RollcallError('invalid_input') when a
 * required column is missing, since then no row of the file can be read.
 */
export function resolveHeader(fileName: string, header: readonly string[], spec: ColumnSpec): ResolvedHeader {
  // Two mistakes spreadsheets make when saving "CSV": say so, rather than "no sourcedId column".
  if (header.some((h) => h.includes('\u0000'))) {
    throw new RollcallError('invalid_input', `${fileName} is saved as UTF-16 text; save it as "CSV UTF-8" and export the package again.`);
  }
  if (header.length === 1 && (header[0] ?? '').includes(';')) {
    throw new RollcallError('invalid_input', `${fileName} separates its values with semicolons; OneRoster CSV files use commas.`);
  }
  const warnings: string[] = [];
  const byLower = new Map(spec.columns.map((c) => [c.toLowerCase(), c]));
  const names = header.map((h) => h.trim());

  let width = names.length;
  while (width > 0 && names[width - 1] === '') width--;
  if (width < names.length) {
    const n = names.length - width;
    warnings.push(`${fileName}: the header ends with ${n} empty column name${n === 1 ? '' : 's'}; ignored.`);
  }

  const index = new Map<string, number>();
  const unknown: number[] = [];
  for (let i = 0; i < width; i++) {
    const lower = (names[i] ?? '').toLowerCase();
    if (lower === '' || isExtension(lower)) {
      if (lower === '') warnings.push(`${fileName}: column ${i + 1} has no name; ignored.`);
      continue;
    }
    const exact = byLower.get(lower);
    if (exact !== undefined) claim(exact, i);
    else unknown.push(i);
  }

  // Second pass, so an exact column always wins over a misspelt one.
  const ignored: string[] = [];
  for (const i of unknown) {
    const name = names[i] ?? '';
    const meant = spec.aliases?.[name.toLowerCase()] ?? closestColumn(name, spec.columns, index);
    if (meant !== undefined && !index.has(meant)) {
      warnings.push(`${fileName}: column ${quoted(name)} was read as ${quoted(meant)}.`);
      claim(meant, i);
    } else {
      ignored.push(quoted(name));
    }
  }
  if (ignored.length > 0) {
    const list = ignored.join(', ');
    warnings.push(
      ignored.length === 1
        ? `${fileName}: column ${list} is not a OneRoster column; ignored.`
        : `${fileName}: columns ${list} are not OneRoster columns; ignored.`,
    );
  }

  const missing = spec.required.filter((c) => !index.has(c));
  if (missing.length > 0) {
    const what = missing.map((c) => quoted(c)).join(', ');
    throw new RollcallError(
      'invalid_input',
      `${fileName} has no ${what} column${missing.length === 1 ? '' : 's'}, so its rows cannot be read; check the file's header row.`,
    );
  }

  return { indexOf: (column) => index.get(column) ?? -1, width, warnings };

  function claim(column: string, i: number): void {
    if (index.has(column)) warnings.push(`${fileName}: column ${quoted(column)} appears twice; the second was ignored.`);
    else index.set(column, i);
  }
}

/** Shortest name length at which one typo is forgiven, and at which two are. */
const ONE_TYPO_FROM = 5;
const TWO_TYPOS_FROM = 10;

/**
 * The one column a misspelt name most likely meant (`dataLastModified` → `dateLastModified`),
 * among columns not already present; undefined when none is close enough or two are.
 */
function closestColumn(name: string, columns: readonly string[], present: ReadonlyMap<string, number>): string | undefined {
  const lower = name.toLowerCase();
  const allowed = lower.length >= TWO_TYPOS_FROM ? 2 : lower.length >= ONE_TYPO_FROM ? 1 : 0;
  if (allowed === 0) return undefined;
  let best: string | undefined;
  let bestDistance = allowed + 1;
  let tie = false;
  for (const column of columns) {
    if (present.has(column)) continue;
    const d = editDistance(lower, column.toLowerCase(), allowed);
    if (d < bestDistance) {
      best = column;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance) {
      tie = true;
    }
  }
  return tie ? undefined : best;
}

/** Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}
