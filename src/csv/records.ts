/**
 * Row readers for orgs, academicSessions, classes, enrollments and demographics: each turns a
 * file's rows into the canonical roster types of src/domain/roster.ts, or a RowError. Columns are
 * found once per file by name; values are trimmed, enums lower-cased, dates kept as sent
 * (cleaning them is the sync's job). Pure. Users live in user-records.ts.
 */
import type { RosterAcademicSession, RosterClass, RosterDemographics, RosterEnrollment, RosterOrg } from '../domain/roster.ts';
import type { ResolvedHeader } from './columns.ts';
import { RowError, checkRole, missing } from './row-checks.ts';
import type { RowChecks } from './row-checks.ts';
import { splitList } from './cell-values.ts';

/** Reads one row (its cells and the line it starts on) into a record, or says why it cannot. */
export type RowReader<T> = (cells: readonly string[], line: number) => T | RowError;

/** A cell getter for one file: the trimmed value of a named column, '' when the file lacks it. */
export function cellGetter(header: ResolvedHeader): (column: string) => (cells: readonly string[]) => string {
  return (column) => {
    const i = header.indexOf(column);
    if (i === -1) return () => '';
    return (cells) => (cells[i] ?? '').trim();
  };
}

/** Reads orgs.csv rows. */
export function orgReader(header: ResolvedHeader, checks: RowChecks): RowReader<RosterOrg> {
  const col = cellGetter(header);
  const [sourcedId, status, modified, name, type, identifier, parent] = [
    col('sourcedId'),
    col('status'),
    col('dateLastModified'),
    col('name'),
    col('type'),
    col('identifier'),
    col('parentSourcedId'),
  ];
  return (cells, line) => {
    const record: RosterOrg = {
      sourcedId: sourcedId(cells),
      status: 'active',
      dateLastModified: modified(cells),
      name: name(cells),
      type: type(cells).toLowerCase(),
      identifier: identifier(cells),
      parentSourcedId: parent(cells),
    };
    return finish(record, status(cells), line, checks, [
      ['name', record.name],
      ['type', record.type],
    ]);
  };
}

/** Reads academicSessions.csv rows. */
export function academicSessionReader(header: ResolvedHeader, checks: RowChecks): RowReader<RosterAcademicSession> {
  const col = cellGetter(header);
  const [sourcedId, status, modified, title, type, start, end, parent, year] = [
    col('sourcedId'),
    col('status'),
    col('dateLastModified'),
    col('title'),
    col('type'),
    col('startDate'),
    col('endDate'),
    col('parentSourcedId'),
    col('schoolYear'),
  ];
  return (cells, line) => {
    const record: RosterAcademicSession = {
      sourcedId: sourcedId(cells),
      status: 'active',
      dateLastModified: modified(cells),
      title: title(cells),
      // OneRoster's session types are camelCase (schoolYear, gradingPeriod): kept as sent.
      type: type(cells),
      startDate: start(cells),
      endDate: end(cells),
      parentSourcedId: parent(cells),
      schoolYear: year(cells),
    };
    return finish(record, status(cells), line, checks, [
      ['title', record.title],
      ['type', record.type],
    ]);
  };
}

/** Reads classes.csv rows. */
export function classReader(header: ResolvedHeader, checks: RowChecks): RowReader<RosterClass> {
  const col = cellGetter(header);
  const [sourcedId, status, modified, title, classCode, classType, location, school, course, grades, terms] = [
    col('sourcedId'),
    col('status'),
    col('dateLastModified'),
    col('title'),
    col('classCode'),
    col('classType'),
    col('location'),
    col('schoolSourcedId'),
    col('courseSourcedId'),
    col('grades'),
    col('termSourcedIds'),
  ];
  return (cells, line) => {
    const record: RosterClass = {
      sourcedId: sourcedId(cells),
      status: 'active',
      dateLastModified: modified(cells),
      title: title(cells),
      classCode: classCode(cells),
      // Real files send "Scheduled" (Moodle's fixtures).
      classType: classType(cells).toLowerCase(),
      location: location(cells),
      schoolSourcedId: school(cells),
      courseSourcedId: course(cells),
      grades: splitList(grades(cells)),
      termSourcedIds: splitList(terms(cells)),
    };
    return finish(record, status(cells), line, checks, [
      ['title', record.title],
      ['schoolSourcedId', record.schoolSourcedId],
    ]);
  };
}

/** Reads enrollments.csv rows. */
export function enrollmentReader(header: ResolvedHeader, checks: RowChecks): RowReader<RosterEnrollment> {
  const col = cellGetter(header);
  const [sourcedId, status, modified, user, klass, school, role, primary, begin, end] = [
    col('sourcedId'),
    col('status'),
    col('dateLastModified'),
    col('userSourcedId'),
    col('classSourcedId'),
    col('schoolSourcedId'),
    col('role'),
    col('primary'),
    col('beginDate'),
    col('endDate'),
  ];
  return (cells, line) => {
    const roleOrError = checkRole(role(cells));
    const record: RosterEnrollment = {
      sourcedId: sourcedId(cells),
      status: 'active',
      dateLastModified: modified(cells),
      userSourcedId: user(cells),
      classSourcedId: klass(cells),
      schoolSourcedId: school(cells),
      role: typeof roleOrError === 'string' ? roleOrError : '',
      primary: checks.boolean(primary(cells), 'primary', false, line),
      beginDate: begin(cells),
      endDate: end(cells),
    };
    const result = finish(record, status(cells), line, checks, [
      ['classSourcedId', record.classSourcedId],
      ['schoolSourcedId', record.schoolSourcedId],
      ['userSourcedId', record.userSourcedId],
    ]);
    return result instanceof RowError || typeof roleOrError === 'string' ? result : roleOrError;
  };
}

/** Reads demographics.csv rows. */
export function demographicsReader(header: ResolvedHeader, checks: RowChecks): RowReader<RosterDemographics> {
  const col = cellGetter(header);
  const [sourcedId, status, modified, birthDate, sex] = [
    col('sourcedId'),
    col('status'),
    col('dateLastModified'),
    col('birthDate'),
    col('sex'),
  ];
  return (cells, line) => {
    const record: RosterDemographics = {
      sourcedId: sourcedId(cells),
      status: 'active',
      dateLastModified: modified(cells),
      birthDate: birthDate(cells),
      sex: sex(cells),
    };
    return finish(record, status(cells), line, checks, []);
  };
}

/**
 * The checks every record ends with: a sourcedId, the required cells, a readable status. Sets
 * the status on the record and returns it, or the first problem found.
 */
export function finish<T extends { sourcedId: string; status: string }>(
  record: T,
  statusCell: string,
  line: number,
  checks: RowChecks,
  required: readonly (readonly [string, string])[],
): T | RowError {
  const blank = missing([['sourcedId', record.sourcedId], ...required]);
  if (blank) return blank;
  const status = checks.status(statusCell, line);
  if (status instanceof RowError) return status;
  record.status = status;
  return record;
}
