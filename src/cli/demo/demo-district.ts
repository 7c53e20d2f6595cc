/**
 * The choices `rollcall demo` makes about its generated district (pure): which schools become
 * library sites and under which codes, which patrons the library "already had" before its first
 * sync, and which changes the district makes before the delta sync.
 */
import type { RosterUser } from '../../domain/roster.ts';
import type { DistrictMutations } from '../../emulator/types.ts';
import { csvCell } from '../../csv/csv-write.ts';
import type { SchoolView } from '../../sources/schools.ts';

/** Library sites the demo makes: enough to show a move between two matched schools. */
export const DEMO_SITE_COUNT = 2;
/** Longest site code the demo makes from a school's initials. */
const MAX_INITIALS = 6;

/** A school chosen to become a site. */
export interface DemoSite {
  /** The site code (initials of the school's name). */
  code: string;
  /** The school. */
  school: SchoolView;
}

/** The first schools (by sourcedId) as sites, coded by their initials (`Cedar Ridge Elementary School` → `CRES`). */
export function demoSites(schools: readonly SchoolView[]): DemoSite[] {
  const chosen = [...schools].sort((a, b) => a.sourcedId.localeCompare(b.sourcedId)).slice(0, DEMO_SITE_COUNT);
  const used = new Set<string>();
  return chosen.map((school) => {
    const initials =
      school.name
        .split(/\s+/)
        .map((w) => w.charAt(0).toUpperCase())
        .filter((c) => /[A-Z0-9]/.test(c))
        .join('')
        .slice(0, MAX_INITIALS) || 'SITE';
    let code = initials;
    for (let n = 2; used.has(code); n++) code = `${initials}${n}`;
    used.add(code);
    return { code, school };
  });
}

/**
 * Three patrons the library kept by hand before Rollcall: one the district knows by Student #
 * (Community ID = the roster `identifier`), one by email only, and one the district does not
 * know at all (a community borrower, who no sync will ever touch). Returned as an import CSV.
 */
export function existingPatronsCsv(students: readonly RosterUser[], siteCode: string): string {
  const [byNumber, byEmail] = students;
  const rows: string[][] = [['1001', '1007', '1006', '1019', '1050', '1026', '1028', '1070']];
  if (byNumber)
    rows.push([byNumber.identifier, byNumber.givenName, byNumber.familyName, '', siteCode, '1', 'Student', 'kept by the library']);
  if (byEmail) rows.push(['', byEmail.givenName, byEmail.familyName.toUpperCase(), byEmail.email, siteCode, '1', 'Student', '']);
  rows.push(['', 'Pat', 'Community-Reader', 'pat.reader@example.net', siteCode, '1', 'Community', '']);
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

/** One change the demo makes to the district, described for people. */
export interface DemoChange {
  /** The roster user changed. */
  sourcedId: string;
  /** What happened, in words. */
  what: string;
}

/**
 * Changes the district between the full sync and the delta: a new surname, a new birthdate, a
 * student marked tobedeleted, a student moving to the other matched school, and a new student.
 * `students` are the first site's students, in sourcedId order.
 */
export function changeDistrict(mutate: DistrictMutations, students: readonly RosterUser[], sites: readonly DemoSite[]): DemoChange[] {
  const [renamed, redated, leaving, moving] = students.slice(2);
  const changes: DemoChange[] = [];
  if (renamed) {
    mutate.changeUser(renamed.sourcedId, { familyName: `${renamed.familyName}-Rivera` });
    changes.push({
      sourcedId: renamed.sourcedId,
      what: `${renamed.givenName} ${renamed.familyName} changed surname to ${renamed.familyName}-Rivera`,
    });
  }
  if (redated) {
    mutate.changeDemographics(redated.sourcedId, { birthDate: '2015-02-28' });
    changes.push({
      sourcedId: redated.sourcedId,
      what: `${redated.givenName} ${redated.familyName}'s birthdate was corrected to 2015-02-28`,
    });
  }
  if (leaving) {
    mutate.markToBeDeleted(leaving.sourcedId);
    changes.push({
      sourcedId: leaving.sourcedId,
      what: `${leaving.givenName} ${leaving.familyName} left the district (marked tobedeleted)`,
    });
  }
  const other = sites[1];
  if (moving && other) {
    mutate.changeUser(moving.sourcedId, { orgSourcedIds: [other.school.sourcedId] });
    changes.push({ sourcedId: moving.sourcedId, what: `${moving.givenName} ${moving.familyName} moved to ${other.school.name}` });
  }
  const first = sites[0];
  if (first) {
    const sourcedId = 'stu-demo-new-1';
    mutate.addUser({
      sourcedId,
      role: 'student',
      orgSourcedIds: [first.school.sourcedId],
      givenName: 'Noor',
      familyName: 'Haddad',
      identifier: '7000001',
      grades: students[0]?.grades ?? [],
      email: 'nhaddad.new@example.org',
    });
    changes.push({ sourcedId, what: `Noor Haddad enrolled at ${first.school.name}` });
  }
  return changes;
}
