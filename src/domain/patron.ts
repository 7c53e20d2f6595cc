/**
 * A library patron as the sync engine sees it (SPEC §1.2), and how it was matched (SPEC §3.2).
 */
import type { PatronFieldKey } from './fields.ts';

/** The integrations (roster sources) a GUID can belong to (SPEC §1.3). */
export type IntegrationKind = 'classlink' | 'oneroster' | 'csv';

/**
 * How a patron was matched to a roster user (SPEC §3.2); recorded on the patron. `linked`: a
 * person resolved a conflict by linking the user to it (SPEC §3.9).
 */
export type MatchedBy = 'guid' | 'communityId' | 'barcode' | 'email' | 'created' | 'linked';

/** The field values of a patron, by key; absent values are ''. Status is the 1026 number. */
export interface PatronValues {
  /** 1200 GUID: the roster user's sourcedId once matched. */
  guid: string;
  /** 1000 Barcode. */
  barcode: string;
  /** 1001 Community ID (the library's "Student #"). */
  communityId: string;
  /** 1007 First Name. */
  firstName: string;
  /** 1008 Middle Name. */
  middleName: string;
  /** 1006 Last Name. */
  lastName: string;
  /** 1045 Birthdate, YYYY-MM-DD or ''. */
  birthdate: string;
  /** 1032 Sex: Male, Female, Other, Unspecified or ''. */
  sex: string;
  /** 1017 Phone Number. */
  phone: string;
  /** 1019 Email. */
  email: string;
  /** 1049 Additional Contact: first agent's name and ` (phone)`. */
  additionalContact: string;
  /** 1054 Other Emails: the agents' emails joined with `, `. */
  otherEmails: string;
  /** 1004 Location (homeroom). */
  location: string;
  /** 1010 Level (first grade as sent). */
  level: string;
  /** 1050 Site: the site's code ('' when the patron has none). */
  site: string;
  /** 1026 Status: 1 Active, 4 Transferred, other library codes as stored. */
  status: number;
  /** 1028 Policy: Student, Teacher, Staff, or a library's own. */
  policy: string;
  /** 1070 Nickname: never written by a sync. */
  nickname: string;
}

/** A stored patron. */
export interface Patron extends PatronValues {
  /** The store's id for the patron. */
  id: number;
  /** The integration the GUID belongs to, or null (file import, hand entry) — SPEC §3.2. */
  guidSource: IntegrationKind | null;
  /** How the patron was last matched by a sync, or null if never. */
  matchedBy: MatchedBy | null;
}

/** A patron's matching keys, the fields that place it in a sync's scope, and its GUID's owner. */
export type PatronKeys = Pick<Patron, 'id' | 'guid' | 'barcode' | 'communityId' | 'email' | 'status' | 'policy' | 'site' | 'guidSource'>;

/** The patron fields a sync can write (every synced field but GUID and Status, set by rule). */
export type SyncedField = Exclude<PatronFieldKey, 'guid' | 'status' | 'policy' | 'nickname'>;

/** An empty set of patron values, for building new patrons. */
export function emptyPatronValues(): PatronValues {
  return {
    guid: '',
    barcode: '',
    communityId: '',
    firstName: '',
    middleName: '',
    lastName: '',
    birthdate: '',
    sex: '',
    phone: '',
    email: '',
    additionalContact: '',
    otherEmails: '',
    location: '',
    level: '',
    site: '',
    status: 1,
    policy: '',
    nickname: '',
  };
}
