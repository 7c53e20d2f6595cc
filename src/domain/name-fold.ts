/**
 * A name as the patron search compares it (SPEC §5: staff find a patron by the start of a name,
 * and type without accents): "Adébáyọ̀" and "ADEBAYO" both fold to "adebayo". Stored beside each
 * name (`first_name_fold`, `last_name_fold`, migration 0017) and applied to the text typed, so
 * the search is a range over a plain index on both engines, whose own lower() and collations
 * differ (SQLite's lower() changes only A–Z).
 *
 * How: lower case (full Unicode), NFD (a letter and its marks apart, so "é" is "e" + U+0301 and
 * "ọ̀" is "o" + U+0323 + U+0300), every combining mark (\p{M}) dropped, then the letters that
 * carry their mark inside and so do not decompose, each to what a person types for it (LETTERS).
 * Changing this function changes what is stored: it needs a migration that folds again.
 */

/** Letters with no decomposition, to what staff type for them. */
const LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss', // German (and ẞ, lowered to ß)
  æ: 'ae', // Danish, Norwegian, Old English
  œ: 'oe', // French
  ø: 'o', // Danish, Norwegian
  ł: 'l', // Polish
  đ: 'd', // Croatian, Vietnamese
  ð: 'd', // Icelandic
  þ: 'th', // Icelandic
  ı: 'i', // Turkish dotless i (İ lowers to i + U+0307, a mark)
  ħ: 'h', // Maltese
  ŧ: 't', // Sámi
  ŀ: 'l', // Catalan
  ŋ: 'n', // Sámi, Ewe, Wolof
  ɓ: 'b', // Hausa, Fula
  ɗ: 'd', // Hausa, Fula
  ƙ: 'k', // Hausa
  ƴ: 'y', // Hausa, Fula
  ɛ: 'e', // Akan, Ewe, Lingala
  ɔ: 'o', // Akan, Ewe, Lingala
  ɨ: 'i',
  ʉ: 'u',
  ſ: 's',
  // Apostrophes as word processors and rosters write them, to the one on the keyboard: O’Brien.
  '\u2019': "'",
  '\u02bc': "'",
  '\u2018': "'",
};

const LETTER = new RegExp(`[${Object.keys(LETTERS).join('')}]`, 'gu');
const MARKS = /\p{M}+/gu;
// Printable ASCII only: lower case is all the fold does to it (most names; the bulk writes' fast path).
const PLAIN = /^[\x20-\x7e]*$/;

/** `name` folded for the search: lower case, no accents or marks, special letters spelt out. */
export function foldName(name: string): string {
  if (PLAIN.test(name)) return name.toLowerCase();
  return name
    .toLowerCase()
    .normalize('NFD')
    .replace(MARKS, '')
    .replace(LETTER, (c) => LETTERS[c]!);
}
