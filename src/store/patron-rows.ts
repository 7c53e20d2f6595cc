/**
 * Patron rows ↔ domain patrons: the column lists (one place, in one order) and the mappings.
 * Reading 1,000,000 patrons goes through here, so the mappers build each object in one literal
 * (one hidden class, no intermediate objects).
 */
import { RollcallError } from '../domain/errors.ts';
import type { PatronFieldKey } from '../domain/fields.ts';
import { foldName } from '../domain/name-fold.ts';
import type { IntegrationKind, MatchedBy, Patron } from '../domain/patron.ts';
import { storable } from './dialect.ts';
import type { PatronWrite } from './records.ts';

/** The patron field columns both reads and writes carry, in SPEC §1.2's order then Policy and Nickname. */
const PATRON_FIELD_COLUMNS = [
  'guid',
  'barcode',
  'community_id',
  'first_name',
  'middle_name',
  'last_name',
  'birthdate',
  'sex',
  'phone',
  'email',
  'additional_contact',
  'other_emails',
  'location',
  'level',
  'status',
  'policy',
  'nickname',
] as const;

/** The columns a patron is read from, in the order `patronFromArray` expects. */
export const PATRON_READ_COLUMNS = ['id', 'site_id', ...PATRON_FIELD_COLUMNS, 'guid_source', 'matched_by'] as const;

/**
 * The columns a write sets (besides library_id and the timestamps), in `writeValues` order; the
 * last two are the names as the search compares them (0017-search-fold), computed with the row.
 */
export const PATRON_WRITE_COLUMNS = [
  'site_id',
  ...PATRON_FIELD_COLUMNS,
  'guid_source',
  'matched_by',
  'last_sync_operation_id',
  'first_name_fold',
  'last_name_fold',
] as const;

/** A column a write sets. */
export type PatronWriteColumn = (typeof PATRON_WRITE_COLUMNS)[number];

/** The write column of each patron field. */
export const PATRON_FIELD_COLUMN: Readonly<Record<PatronFieldKey, PatronWriteColumn>> = {
  site: 'site_id',
  guid: 'guid',
  barcode: 'barcode',
  communityId: 'community_id',
  firstName: 'first_name',
  middleName: 'middle_name',
  lastName: 'last_name',
  birthdate: 'birthdate',
  sex: 'sex',
  phone: 'phone',
  email: 'email',
  additionalContact: 'additional_contact',
  otherEmails: 'other_emails',
  location: 'location',
  level: 'level',
  status: 'status',
  policy: 'policy',
  nickname: 'nickname',
};

/** The folded copy of each name column: a write that sets the name sets it too, in the same statement. */
export const FOLDED_COLUMN: Readonly<Partial<Record<PatronWriteColumn, PatronWriteColumn>>> = {
  first_name: 'first_name_fold',
  last_name: 'last_name_fold',
};

/** The write columns holding integers (the rest are text). */
export const PATRON_INTEGER_COLUMNS: ReadonlySet<string> = new Set(['site_id', 'status', 'last_sync_operation_id']);

/** A patron row as an object keyed by column. */
export type PatronRowObject = Record<(typeof PATRON_READ_COLUMNS)[number], unknown>;

/**
 * One copy of each repeated value while a whole library is read (loadAll, for a full sync's plan).
 * The driver makes a new string for every value of every row, and Policy, Sex, Level, Location,
 * Birthdate and the GUID's source and match take few distinct values: a million copies of each
 * were held for the whole plan. With rows read one at a time, this took a no-change sync of
 * 1,000,000 students from 3.4 to 2.9 GB (docs/benchmarks.md §14). Bounded: past MAX_POOLED
 * distinct values a value is kept as read.
 */
export class StringPool {
  private readonly kept = new Map<string, string>();

  /** The pooled copy of `s`. */
  take<S extends string>(s: S): S {
    const found = this.kept.get(s);
    if (found !== undefined) return found as S;
    if (this.kept.size < MAX_POOLED) this.kept.set(s, s);
    return s;
  }

  /** Distinct values kept. */
  get size(): number {
    return this.kept.size;
  }

  /** The pooled copy of `s`, or null. */
  takeOrNull<S extends string>(s: S | null): S | null {
    return s === null ? null : this.take(s);
  }
}

/** What the row mappers ask of a pool. */
type Pool = Pick<StringPool, 'take' | 'takeOrNull'>;

/** Distinct values a StringPool keeps (a few hundred bytes each at most). */
export const MAX_POOLED = 50_000;

/** A pool that keeps nothing: rows read one at a time keep their values as read. */
const NO_POOL: Pool = { take: (s) => s, takeOrNull: (s) => s };

/** A patron from a row read as an array in PATRON_READ_COLUMNS order. */
export function patronFromArray(r: readonly unknown[], siteCodes: ReadonlyMap<number, string>, pool: Pool = NO_POOL): Patron {
  return {
    id: r[0] as number,
    site: r[1] === null ? '' : (siteCodes.get(r[1] as number) ?? ''),
    guid: r[2] as string,
    barcode: r[3] as string,
    communityId: r[4] as string,
    firstName: r[5] as string,
    middleName: r[6] as string,
    lastName: r[7] as string,
    birthdate: pool.take(r[8] as string),
    sex: pool.take(r[9] as string),
    phone: r[10] as string,
    email: r[11] as string,
    additionalContact: r[12] as string,
    otherEmails: r[13] as string,
    location: pool.take(r[14] as string),
    level: pool.take(r[15] as string),
    status: r[16] as number,
    policy: pool.take(r[17] as string),
    nickname: r[18] as string,
    guidSource: pool.takeOrNull(r[19] as IntegrationKind | null),
    matchedBy: pool.takeOrNull(r[20] as MatchedBy | null),
  };
}

/** A patron from a row read as an object. */
export function patronFromObject(r: PatronRowObject, siteCodes: ReadonlyMap<number, string>, pool: Pool = NO_POOL): Patron {
  return {
    id: r.id as number,
    site: r.site_id === null ? '' : (siteCodes.get(r.site_id as number) ?? ''),
    guid: r.guid as string,
    barcode: r.barcode as string,
    communityId: r.community_id as string,
    firstName: r.first_name as string,
    middleName: r.middle_name as string,
    lastName: r.last_name as string,
    birthdate: pool.take(r.birthdate as string),
    sex: pool.take(r.sex as string),
    phone: r.phone as string,
    email: r.email as string,
    additionalContact: r.additional_contact as string,
    otherEmails: r.other_emails as string,
    location: pool.take(r.location as string),
    level: pool.take(r.level as string),
    status: r.status as number,
    policy: pool.take(r.policy as string),
    nickname: r.nickname as string,
    guidSource: pool.takeOrNull(r.guid_source as IntegrationKind | null),
    matchedBy: pool.takeOrNull(r.matched_by as MatchedBy | null),
  };
}

/** The values of a write in PATRON_WRITE_COLUMNS order; the site code resolved to its id. */
export function writeValues(row: PatronWrite, siteIds: ReadonlyMap<string, number>): (string | number | null)[] {
  const firstName = storable(row.firstName);
  const lastName = storable(row.lastName);
  return [
    siteIdOf(row.site, siteIds),
    storable(row.guid),
    storable(row.barcode),
    storable(row.communityId),
    firstName,
    storable(row.middleName),
    lastName,
    storable(row.birthdate),
    storable(row.sex),
    storable(row.phone),
    storable(row.email),
    storable(row.additionalContact),
    storable(row.otherEmails),
    storable(row.location),
    storable(row.level),
    statusOf(row.status),
    storable(row.policy),
    storable(row.nickname),
    row.guidSource,
    row.matchedBy,
    row.lastSyncOperationId ?? null,
    foldName(firstName),
    foldName(lastName),
  ];
}

/** The id of a site code ('' is no site); an unknown code is invalid input. */
export function siteIdOf(code: string, siteIds: ReadonlyMap<string, number>): number | null {
  if (code === '') return null;
  const id = siteIds.get(code);
  if (id === undefined) {
    throw new RollcallError('invalid_input', `There is no site with code "${code}" in this library; add the site first.`);
  }
  return id;
}

function statusOf(status: number): number {
  if (!Number.isInteger(status)) {
    throw new RollcallError('invalid_input', `Patron status must be a whole number (1 Active, 4 Transferred, …), not "${status}".`);
  }
  return status;
}
