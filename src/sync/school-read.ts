/**
 * Which way a full sync reads its users (SPEC §3 phase 1): the whole district, or only the
 * schools the library serves (`schools/{id}/students`, `…/teachers`). Pure: the fetch asks it
 * once it knows the district's schools.
 *
 * The rule: "when the matched schools are fewer than all the district's schools, read users per
 * school ... the whole-district read stays when the library serves (nearly) every school". A
 * per-school read costs at least two requests per school (students, teachers) and then reads
 * parents and demographics by id, 40 to a request (fetch.ts `idFilters`), where the whole
 * district comes in 10,000-record pages. Past half the district's schools the per-school read
 * sends more requests for nearly as many records, so it is kept to at most half.
 */

/** What the read of a full sync is. */
export type SchoolReadChoice =
  | { kind: 'district'; why: string }
  | {
      kind: 'per-school';
      /** The matched schools to read, in sourcedId order. */
      schools: string[];
      why: string;
    };

/** How the read is chosen: by the rule, or always the whole district (to compare, or to opt out). */
export type RosterReadSetting = 'auto' | 'district';

/** Matched schools may be at most this share of the district's for a per-school read. */
export const MAX_PER_SCHOOL_SHARE = 0.5;

/**
 * The read for a library whose matched orgs are `matched`, in a district whose schools are
 * `districtSchools`. A matched org that is not one of the district's schools (a district org, a
 * school gone since it was matched) has no `schools/{id}/…` list whose absence would mean what
 * a whole-district read means: the whole district is read then.
 */
export function chooseSchoolRead(
  matched: Iterable<string>,
  districtSchools: ReadonlySet<string>,
  setting: RosterReadSetting = 'auto',
): SchoolReadChoice {
  const schools = [...new Set(matched)].sort();
  if (setting === 'district') return { kind: 'district', why: 'the whole-district read is set' };
  // A sourcedId with a slash cannot be one segment of `schools/{id}/students`.
  const notSchools = schools.filter((s) => !districtSchools.has(s) || s.includes('/'));
  if (notSchools.length > 0) {
    return { kind: 'district', why: `matched org ${notSchools[0]} is not one of the district's schools` };
  }
  const n = schools.length;
  const of = districtSchools.size;
  if (n === 0 || n > of * MAX_PER_SCHOOL_SHARE) {
    return { kind: 'district', why: `the library serves ${n} of the district's ${of} schools (more than half)` };
  }
  return { kind: 'per-school', schools, why: `the library serves ${n} of the district's ${of} schools` };
}
