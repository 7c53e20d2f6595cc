/**
 * Koha's patron import CSV (issue "Patrons reach the circulation system", item 3): which Koha
 * borrowers column each Rollcall field goes to, pure.
 *
 * Koha reads the header row by name: `Koha::Patrons::Import::prepare_columns` maps each header
 * cell to its position, and `set_column_keys` takes the column names from the `borrowers` table
 * (`Koha::Patrons->columns`, less `borrowernumber`; the table is declared in
 * `Koha/Schema/Result/Borrower.pm`). A column of the file Koha does not know is ignored, a
 * Koha column the file leaves out keeps the patron's value in Koha (or a `--default`), and a
 * blank cell of a column the file has clears it. So the file carries only the columns Rollcall
 * owns. `surname`, `branchcode` and `categorycode` are the ones Koha refuses a row without.
 */
import type { Patron } from './patron.ts';

/** A column of the Koha file: the borrowers column name and the patron value it carries. */
export interface KohaColumn {
  /** The `borrowers` column, exactly as Koha names it. */
  name: string;
  /** What it holds, for the docs and the page. */
  from: string;
}

/** The columns, in the file's order (checked against Koha's source in koha.test.ts). */
export const KOHA_COLUMNS: readonly KohaColumn[] = [
  { name: 'cardnumber', from: 'Barcode (1000): the match point (`--matchpoint cardnumber`)' },
  { name: 'surname', from: 'Last Name (1006)' },
  { name: 'firstname', from: 'First Name (1007)' },
  // Koha 24.05+ (bug 21978); an older Koha ignores the column (the header is read by name).
  { name: 'middle_name', from: 'Middle Name (1008)' },
  { name: 'dateofbirth', from: 'Birthdate (1045), YYYY-MM-DD' },
  { name: 'sex', from: 'Sex (1032): M or F, blank otherwise' },
  { name: 'email', from: 'Email (1019)' },
  { name: 'phone', from: 'Phone (1017)' },
  { name: 'branchcode', from: "Site (1050), as the library's mapping names its Koha library" },
  { name: 'categorycode', from: "Policy (1028), as the library's mapping names its Koha patron category" },
  { name: 'sort1', from: 'Level (1010), the grade' },
  { name: 'sort2', from: 'Location (1004), the homeroom' },
];

/** The Koha codes of a library: its sites' branch codes and its policies' patron categories. */
export interface KohaCodes {
  /** Site code → Koha branchcode. */
  branches: ReadonlyMap<string, string>;
  /** Policy → Koha categorycode. */
  categories: ReadonlyMap<string, string>;
}

/** Koha's `branchcode` and `categorycode` are varchar(10) (Koha/Schema/Result/Borrower.pm). */
export const KOHA_CODE_MAX = 10;

/** A Koha code as Koha's own forms accept them: letters, digits, `_` and `-`, at most 10. */
export const KOHA_CODE = /^[A-Za-z0-9_-]{1,10}$/;

/** Koha's `sex` is one letter: M or F (blank for other or unknown values). */
export function kohaSex(sex: string): string {
  return sex === 'Male' ? 'M' : sex === 'Female' ? 'F' : '';
}

/** A patron's cells in KOHA_COLUMNS order; the codes must hold the patron's site and policy. */
export function kohaCells(p: Patron, codes: KohaCodes): string[] {
  return [
    p.barcode,
    p.lastName,
    p.firstName,
    p.middleName,
    p.birthdate,
    kohaSex(p.sex),
    p.email,
    p.phone,
    codes.branches.get(p.site) ?? '',
    codes.categories.get(p.policy) ?? '',
    p.level,
    p.location,
  ];
}
