/**
 * Checks that a whole district's references point somewhere: users' orgs and agents,
 * classes' schools, enrollments' users, classes and schools. A dangling reference spoils no
 * record (the REST API the emulator serves from it has the same gaps real servers have), so
 * each kind is one counted warning. Pure; for packages loaded whole (the emulator's --from-csv).
 */
import type { DistrictData } from '../domain/district.ts';

/** One warning per kind of dangling reference, with how many there are and an example. */
export function danglingReferenceWarnings(data: DistrictData): string[] {
  const orgs = new Set(data.orgs.map((o) => o.sourcedId));
  const users = new Set(data.users.map((u) => u.sourcedId));
  const classes = new Set(data.classes.map((c) => c.sourcedId));
  const warnings: string[] = [];

  const check = (
    file: string,
    what: string,
    refs: Iterable<[owner: string, ref: string]>,
    known: ReadonlySet<string>,
    target: string,
  ): void => {
    let count = 0;
    let example = '';
    for (const [owner, ref] of refs) {
      if (ref === '' || known.has(ref)) continue;
      if (count === 0) example = owner;
      count++;
    }
    if (count === 0) return;
    const subject = count === 1 ? `1 ${what} refers` : `${count} ${what}s refer`;
    warnings.push(`${file}: ${subject} to ${target} missing from the package (first: ${example}).`);
  };

  check(
    'users.csv',
    'org reference',
    (function* () {
      for (const u of data.users) for (const o of u.orgSourcedIds) yield [u.sourcedId, o] as [string, string];
    })(),
    orgs,
    'an org',
  );
  check(
    'users.csv',
    'agent reference',
    (function* () {
      for (const u of data.users) for (const a of u.agentSourcedIds) yield [u.sourcedId, a] as [string, string];
    })(),
    users,
    'a user',
  );
  check(
    'classes.csv',
    'class',
    data.classes.map((c) => [c.sourcedId, c.schoolSourcedId]),
    orgs,
    'a school',
  );
  check(
    'enrollments.csv',
    'enrollment',
    data.enrollments.map((e) => [e.sourcedId, e.userSourcedId]),
    users,
    'a user',
  );
  check(
    'enrollments.csv',
    'enrollment',
    data.enrollments.map((e) => [e.sourcedId, e.classSourcedId]),
    classes,
    'a class',
  );
  check(
    'enrollments.csv',
    'enrollment',
    data.enrollments.map((e) => [e.sourcedId, e.schoolSourcedId]),
    orgs,
    'a school',
  );
  return warnings;
}
