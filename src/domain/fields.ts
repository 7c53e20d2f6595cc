/**
 * The patron fields, known by name and by the library field number librarians know from
 * import files (SPEC §1.2). This table is the one place that ties a number to a field: the
 * CSV import/export, the pages and the plan all read it.
 */

/** Keys of the patron fields, as they appear in `patrons export --format json` (SPEC §8). */
export type PatronFieldKey =
  | 'guid'
  | 'barcode'
  | 'communityId'
  | 'firstName'
  | 'middleName'
  | 'lastName'
  | 'birthdate'
  | 'sex'
  | 'phone'
  | 'email'
  | 'additionalContact'
  | 'otherEmails'
  | 'location'
  | 'level'
  | 'site'
  | 'status'
  | 'policy'
  | 'nickname';

/** One patron field's definition. */
export interface FieldDefinition {
  /** The library field number (1200 GUID, 1007 First Name, …). */
  number: number;
  /** The field's key in JSON and code. */
  key: PatronFieldKey;
  /** The name librarians see. */
  label: string;
  /** The longest value stored; longer roster values are cut with a warning (SPEC §3.3). */
  maxLength: number;
  /** Whether a sync can write it (the rest are written only on creation, or never). */
  synced: boolean;
}

/**
 * Every patron field Rollcall knows, in the order of SPEC §1.2's table, then Policy and
 * Nickname. That order is the column order of the CSV export (SPEC §8).
 */
export const FIELDS: readonly FieldDefinition[] = [
  { number: 1200, key: 'guid', label: 'GUID', maxLength: 255, synced: true },
  { number: 1000, key: 'barcode', label: 'Barcode', maxLength: 64, synced: true },
  { number: 1001, key: 'communityId', label: 'Community ID', maxLength: 64, synced: true },
  { number: 1007, key: 'firstName', label: 'First Name', maxLength: 100, synced: true },
  { number: 1008, key: 'middleName', label: 'Middle Name', maxLength: 100, synced: true },
  { number: 1006, key: 'lastName', label: 'Last Name', maxLength: 100, synced: true },
  { number: 1045, key: 'birthdate', label: 'Birthdate', maxLength: 10, synced: true },
  { number: 1032, key: 'sex', label: 'Sex', maxLength: 20, synced: true },
  { number: 1017, key: 'phone', label: 'Phone Number', maxLength: 40, synced: true },
  { number: 1019, key: 'email', label: 'Email', maxLength: 254, synced: true },
  { number: 1049, key: 'additionalContact', label: 'Additional Contact', maxLength: 255, synced: true },
  { number: 1054, key: 'otherEmails', label: 'Other Emails', maxLength: 1000, synced: true },
  { number: 1004, key: 'location', label: 'Location', maxLength: 100, synced: true },
  { number: 1010, key: 'level', label: 'Level', maxLength: 20, synced: true },
  { number: 1050, key: 'site', label: 'Site', maxLength: 32, synced: true },
  { number: 1026, key: 'status', label: 'Status', maxLength: 4, synced: true },
  { number: 1028, key: 'policy', label: 'Policy', maxLength: 40, synced: false },
  { number: 1070, key: 'nickname', label: 'Nickname', maxLength: 100, synced: false },
];

/** The columns of `patrons export` (SPEC §8): §1.2's table, then Policy. */
export const EXPORT_FIELDS: readonly FieldDefinition[] = FIELDS.filter((f) => f.key !== 'nickname');

const byNumber = new Map(FIELDS.map((f) => [f.number, f]));
const byName = new Map<string, FieldDefinition>();
for (const f of FIELDS) {
  byName.set(normalizeName(f.label), f);
  byName.set(normalizeName(f.key), f);
}
// Names librarians use for the same fields in import files.
byName.set(normalizeName('Student #'), byNumber.get(1001)!);
byName.set(normalizeName('Student Number'), byNumber.get(1001)!);
byName.set(normalizeName('Phone'), byNumber.get(1017)!);
byName.set(normalizeName('Homeroom'), byNumber.get(1004)!);
byName.set(normalizeName('Grade'), byNumber.get(1010)!);

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9#]/g, '');
}

/** The field with this number, or undefined. */
export function fieldByNumber(n: number): FieldDefinition | undefined {
  return byNumber.get(n);
}

/**
 * The field an import header names: a field number (`1007`), a label (`First Name`) or a key
 * (`firstName`), compared without case, spaces or punctuation. Undefined when unknown.
 */
export function fieldByHeader(header: string): FieldDefinition | undefined {
  const h = header.trim();
  if (/^\d+$/.test(h)) return byNumber.get(Number(h));
  return byName.get(normalizeName(h));
}

/** Patron status 1026: the two codes a sync sets (SPEC §1.2). Other codes are kept as stored. */
export const STATUS_ACTIVE = 1;
/** Patron status 1026 "Transferred". */
export const STATUS_TRANSFERRED = 4;

/** Policy 1028 values a sync sets on creation, by synced role. */
export const POLICY_BY_ROLE = { student: 'Student', teacher: 'Teacher', admin: 'Staff' } as const;
