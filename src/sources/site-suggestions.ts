/**
 * Site mapping suggestions (SPEC §2 step 2, "Rollcall suggests matches by name"), pure: a
 * library site and a ClassLink school whose names say the same thing once normalised ("St
 * Marys Elementary Library" and "St. Mary's Elementary School"). A suggestion is only made
 * when it is unambiguous — exactly one unmatched site and one unmatched school share the
 * normalised name — because a wrong match would sync a school's students into another library.
 */

/** Words that say what kind of place it is, not which one: left out of the comparison. */
const NOISE_WORDS = new Set(['the', 'of', 'school', 'schools', 'library', 'libraries', 'media', 'center', 'centre', 'lmc']);

/** Abbreviations district and library staff write both ways. */
const SPELLED_OUT: Readonly<Record<string, string>> = {
  st: 'saint',
  ste: 'sainte',
  mt: 'mount',
  ft: 'fort',
  elem: 'elementary',
  es: 'elementary',
  ms: 'middle',
  hs: 'high',
  jr: 'junior',
  sr: 'senior',
  acad: 'academy',
  intl: 'international',
  ctr: 'center',
};

/** A name reduced to the words that identify the place: lower case, no accents or punctuation, abbreviations spelled out. */
export function normaliseSchoolName(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    // "Mary's" and "Marys" are the same word; other punctuation separates words.
    .replace(/['\u2018\u2019`]/g, '')
    .replace(/&/g, ' and ')
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => SPELLED_OUT[w] ?? w)
    .filter((w) => !NOISE_WORDS.has(w));
  return words.join(' ');
}

/** A site as the suggestion needs it. */
export interface SuggestSite {
  /** Its code. */
  code: string;
  /** Its name. */
  name: string;
  /** The org it is matched to ('' when none). */
  orgSourcedId: string;
}

/** A school as the suggestion needs it. */
export interface SuggestSchool {
  /** Its sourcedId. */
  sourcedId: string;
  /** Its name. */
  name: string;
  /** The site matched to it ('' when none). */
  siteCode: string;
}

/**
 * Suggested matches, site code → school sourcedId: an unmatched site and an unmatched school
 * with the same normalised name, when no other unmatched site or school has that name too.
 */
export function suggestMatches(sites: readonly SuggestSite[], schools: readonly SuggestSchool[]): Map<string, string> {
  const sitesByName = groupBy(
    sites.filter((s) => s.orgSourcedId === ''),
    (s) => normaliseSchoolName(s.name),
  );
  const schoolsByName = groupBy(
    schools.filter((s) => s.siteCode === ''),
    (s) => normaliseSchoolName(s.name),
  );
  const out = new Map<string, string>();
  for (const [name, named] of sitesByName) {
    const candidates = schoolsByName.get(name);
    if (name === '' || named.length !== 1 || candidates?.length !== 1) continue;
    out.set(named[0]!.code, candidates[0]!.sourcedId);
  }
  return out;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
