/**
 * Word lists for synthetic districts. Names deliberately include accents, CJK, apostrophes,
 * hyphens and spaces, because real rosters do and a sync must carry them through unharmed.
 */

/** Given names (first names). */
export const GIVEN_NAMES: readonly string[] = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Ava',
  'Elijah',
  'Sophia',
  'Mateo',
  'Isabella',
  'Lucas',
  'Mia',
  'Ethan',
  'Amelia',
  'James',
  'Harper',
  'Benjamin',
  'Evelyn',
  'Henry',
  'Abigail',
  'Jack',
  'Emily',
  'Daniel',
  'Ella',
  'Samuel',
  'Grace',
  'David',
  'Chloe',
  'Joseph',
  'Victoria',
  'Owen',
  'José',
  'Zoë',
  'Chloé',
  'Renée',
  'Søren',
  'Łukasz',
  'Björn',
  'Anaïs',
  'François',
  'Inés',
  'Jürgen',
  'Noémie',
  'Ángel',
  'Dagmær',
  'Siobhán',
  'Seán',
  'Iñaki',
  'Thảo',
  'Mỹ',
  'Ðức',
  'Jean-Luc',
  'Mary-Kate',
  'Anne-Marie',
  'Ana María',
  'Juan Pablo',
  "D'Andre",
  "Ja'Nya",
  "O'Shea",
  'さくら',
  '陽翔',
  '明',
  '美玲',
  '민준',
  '서연',
  'Ayşe',
  'Mehmet',
  'Oluwaseun',
  'Chukwuemeka',
  'Aaliyah',
  'Muhammad',
  'Fatima',
  'Priya',
  'Arjun',
  'Nadia',
  'Yusuf',
  'Leilani',
  'Kai',
  'Xóchitl',
];

/** Family names (last names). */
export const FAMILY_NAMES: readonly string[] = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  "O'Brien",
  "O'Connor",
  "D'Angelo",
  "McDonald-O'Neil",
  'Smith-Jones',
  'García-Márquez',
  'Van der Berg',
  'de la Cruz',
  'St. John',
  'Núñez',
  'Müller',
  'Ødegaard',
  'Kowalczyk',
  'Dvořák',
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  '李',
  '王',
  '張',
  '佐藤',
  '鈴木',
  '高橋',
  '김',
  '박',
  'Öztürk',
  'Şahin',
  'Adébáyọ̀',
  'Okonkwo',
  'Ngata',
  'Kealoha',
  'Yazzie',
  'Begay',
  'Patel',
  'Singh',
  'Khan',
  'Haddad',
  'Cohen',
];

/** Middle names; the empty string (no middle name) is the most common. */
export const MIDDLE_NAMES: readonly string[] = [
  '',
  '',
  '',
  '',
  '',
  '',
  'Marie',
  'James',
  'Lee',
  'Ann',
  'Grace',
  'José',
  'Wingarde Granville',
  'Élodie',
];

/** Place-like words for school and district names. */
export const PLACE_NAMES: readonly string[] = [
  'Maple Grove',
  'Cedar Ridge',
  'Riverside',
  'Lakeview',
  'Oak Hill',
  'Sequoia',
  'Pine Valley',
  'Harbor View',
  'Sunnyside',
  'Willow Creek',
  'Eastgate',
  'Westfield',
  'Northbrook',
  'Southport',
  'Highland',
  'Fairview',
  'Brookside',
  'Meadowlark',
  'Stonebridge',
  'Silver Lake',
  'Aspen',
  'Redwood',
  'Bayside',
  'Greenfield',
  'Hillcrest',
  'Clearwater',
  'Foxhollow',
  'Juniper',
  'César Chávez',
  'Sojourner Truth',
  'Roberto Clemente',
  'Sacagawea',
  'Frederick Douglass',
  'Sally Ride',
  'Daniel K. Inouye',
  "St. Mary's",
  'Ellen Ochoa',
  'Thurgood Marshall',
];

/** Subjects of scheduled classes, by school level. */
export const SUBJECTS = {
  elementary: ['Art', 'Music', 'Physical Education'],
  middle: ['Mathematics', 'Science', 'English Language Arts'],
  high: ['Algebra II', 'Biology', 'World History'],
} as const;

const slugs = new Map<string, string>();

/**
 * Folds a name to lower-case ASCII letters and digits, for usernames and e-mail addresses.
 * Results are remembered: generated names come from the short lists above.
 */
export function asciiSlug(name: string): string {
  let slug = slugs.get(name);
  if (slug === undefined) {
    slug = fold(name);
    slugs.set(name, slug);
  }
  return slug;
}

function fold(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[øØ]/g, 'o')
    .replace(/[łŁ]/g, 'l')
    .replace(/[đĐðÐ]/g, 'd')
    .replace(/[æÆ]/g, 'ae')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}
