/**
 * The sync engine's shared shapes (SPEC §3): the settings a sync runs with, the Snapshot that
 * fetch builds from a roster source (phase 1), and the Plan that plan.ts derives from it and
 * the patrons (phase 2), which apply writes (phase 3) and the pages show.
 *
 * Everything here is data: no I/O, no clock. Fetch (source → Snapshot) and apply (Plan → store)
 * are written against these types.
 */
import type { SyncCounts } from '../../domain/counts.ts';
import type { PatronFieldKey } from '../../domain/fields.ts';
import { POLICY_BY_ROLE, STATUS_ACTIVE } from '../../domain/fields.ts';
import type { IntegrationKind, MatchedBy, PatronValues } from '../../domain/patron.ts';
import type { RosterUser, SyncRole } from '../../domain/roster.ts';

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

/**
 * Where Barcode (1000) or Community ID (1001) comes from (SPEC §1.2, §2 step 4): not mapped,
 * the user's `identifier`, `username`, or the first `userIds[]` entry of a district-chosen type.
 */
export type IdMapping = { kind: 'none' } | { kind: 'identifier' } | { kind: 'username' } | { kind: 'userid'; type: string };

/** Where Location (1004) comes from: not mapped, or the student's homeroom class code, class location or teacher. */
export type LocationMapping = 'none' | 'homeroom-code' | 'homeroom-location' | 'homeroom-teacher';

/** The optional field mappings of SPEC §2 step 4; every other synced field has its fixed default source. */
export interface FieldMapping {
  /** Source of Barcode 1000 (default none: never matched on, never written). */
  barcode: IdMapping;
  /** Source of Community ID 1001, the library's "Student #" (default none). */
  communityId: IdMapping;
  /** Source of Location 1004 (default none). */
  location: LocationMapping;
}

/** The safety thresholds of SPEC §3.5, in percent (see safety.ts for what each is a percentage of). */
export interface Thresholds {
  /** A plan transferring more than this percentage of the patrons synced from the source stops in "needs review". */
  maxTransferPct: number;
  /** A plan updating more than this percentage of the in-scope patrons stops in "needs review". */
  maxUpdatePct: number;
}

/** SPEC §3.5 default: more than 10% of the patrons synced from the source transferred needs review. */
export const DEFAULT_MAX_TRANSFER_PCT = 10;
/** SPEC §3.5 default: more than 50% of the in-scope patrons updated needs review. */
export const DEFAULT_MAX_UPDATE_PCT = 50;
/** The default thresholds. */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  maxTransferPct: DEFAULT_MAX_TRANSFER_PCT,
  maxUpdatePct: DEFAULT_MAX_UPDATE_PCT,
});

/** The unmapped default mapping: Barcode, Community ID and Location never matched on nor written. */
export const DEFAULT_FIELD_MAPPING: Readonly<FieldMapping> = Object.freeze({
  barcode: Object.freeze({ kind: 'none' }),
  communityId: Object.freeze({ kind: 'none' }),
  location: 'none',
});

/**
 * How a new patron of a role gets its Barcode when Barcode is not mapped (SPEC §3.3): left
 * blank, or the next free number of a sequence, e.g. prefix `S`, next 42, width 6 → `S000042`.
 */
export type BarcodeAssignment = { kind: 'none' } | { kind: 'sequence'; prefix: string; next: number; width: number };

/** The library's default values for patrons a sync creates, per role (SPEC §3.3). */
export interface RoleDefaults {
  /** Policy 1028 set on creation (never written afterwards); also what puts existing patrons in scope (SPEC §3.8). */
  policy: string;
  /** Status 1026 set on creation (1 Active unless the library says otherwise; SPEC §3.8). */
  status: number;
  /** Barcode assignment on creation, used only when Barcode is not mapped. */
  barcode: BarcodeAssignment;
  /**
   * Fixed values set on creation, for fields the roster does not fill for that user. GUID,
   * Status, Site and Policy are set by rule and are ignored here.
   */
  fixed: Partial<PatronValues>;
}

/** Fresh default role defaults: Policy Student / Teacher / Staff, no barcode, nothing fixed. */
export function defaultRoleDefaults(): Record<SyncRole, RoleDefaults> {
  const of = (role: SyncRole): RoleDefaults => ({
    policy: POLICY_BY_ROLE[role],
    status: STATUS_ACTIVE,
    barcode: { kind: 'none' },
    fixed: {},
  });
  return { student: of('student'), teacher: of('teacher'), admin: of('admin') };
}

/** Everything a plan needs to know about the running integration (SPEC §2 steps 2–4, §3.5). */
export interface SyncSettings {
  /** The integration running the sync; GUIDs it sets or matches belong to it (SPEC §3.2). */
  integration: IntegrationKind;
  /** The roles selected for syncing (SPEC §2 step 3). */
  roles: SyncRole[];
  /** The matched sites: org sourcedId → site code (SPEC §2 step 2). Unmatched schools are not synced. */
  siteByOrg: ReadonlyMap<string, string>;
  /** The optional field mappings. */
  mapping: FieldMapping;
  /** The safety thresholds. */
  thresholds: Thresholds;
  /** Default values of created patrons, per role. */
  defaults: Record<SyncRole, RoleDefaults>;
}

// ---------------------------------------------------------------------------------------------
// Snapshot (phase 1 output)
// ---------------------------------------------------------------------------------------------

/** A parent/guardian/relative of a user, as much as Additional Contact and Other Emails need. */
export interface AgentInfo {
  /** First name. */
  givenName: string;
  /** Last name. */
  familyName: string;
  /** Phone number ('' when none). */
  phone: string;
  /** E-mail address ('' when none). */
  email: string;
  /**
   * The agent is `tobedeleted` in the roster (a guardian removed, e.g. after a custody change):
   * known, but no longer a contact — never written into a student's record.
   */
  leaving?: boolean;
}

/** Optional parts of a roster a district may choose not to share with the app (Snapshot.notShared). */
export type NotShared = 'demographics' | 'homerooms' | 'agents';

/** A user's demographics, as sent (cleaned by patron-values.ts). */
export interface DemographicsInfo {
  /** Birth date as sent (should be YYYY-MM-DD). */
  birthDate: string;
  /** Sex as sent (male, female, other, unspecified). */
  sex: string;
}

/** A student's homeroom (SPEC §1.2): the homeroom class and its primary (else first) teacher. */
export interface HomeroomInfo {
  /** The homeroom class's classCode. */
  classCode: string;
  /** The homeroom class's location. */
  location: string;
  /** The teacher's name, `Given Family`. */
  teacherName: string;
}

/**
 * The roster as fetched (SPEC §3 phase 1). Fetch fills it; plan decides scope.
 *
 * What an absent entry means, so fetch and plan agree (patron-values.ts `absenceBlanks`):
 * - in a complete full read of demographics the district shares, a user with no `demographics`
 *   entry has none: Birthdate and Sex are blanked (SPEC §3.3 "a blank roster value blanks the
 *   field"). In a delta (which reads only changed records: absence means unchanged), an
 *   incomplete read, or when demographics are not shared, they are left as they are;
 * - likewise a user whose `agentSourcedIds` name agents none of which is in `agents`: Additional
 *   Contact and Other Emails are blanked only in a complete full read in which parents are
 *   shared (`notShared` lacks `agents`), else left as they are;
 * - when Location is mapped, a student with no `homerooms` entry has no homeroom: Location is
 *   blanked — except, in a delta, a student not in `homeroomsRead`, which keeps its Location.
 */
export interface Snapshot {
  /** Full (everything in scope) or delta (changes since the last successful sync, SPEC §3.6). */
  kind: 'full' | 'delta';
  /** Every page fetched, counts equal to the declared totals, no request that finally failed. */
  complete: boolean;
  /** Why the snapshot is incomplete, one plain line each (empty when complete). */
  incompleteReasons: string[];
  /** Every received user whose role maps to a SyncRole (`syncRoleOf`), in any org. A delta holds only changed users. */
  users: RosterUser[];
  /** Agents (parents, guardians, relatives) by sourcedId: read only for contacts, never patrons. */
  agents: ReadonlyMap<string, AgentInfo>;
  /** Demographics by user sourcedId. A delta may hold records whose user did not change. */
  demographics: ReadonlyMap<string, DemographicsInfo>;
  /** Homerooms by student sourcedId; filled only when Location is mapped to a homeroom option. */
  homerooms: ReadonlyMap<string, HomeroomInfo>;
  /**
   * A delta's students whose homerooms were read (their homeroom enrollments changed, SPEC
   * §3.6): only their Location is written; every other student's is left as it is. Absent: every
   * student's homeroom was read (a full sync).
   */
  homeroomsRead?: ReadonlySet<string>;
  /** Records that could not be read (any collection): reported, skipped (counted in `skipped`). */
  malformedCount: number;
  /**
   * The sourcedIds of user records that arrived but could not be read. Their patrons are not
   * transferred for being absent. (A user record whose sourcedId itself cannot be read should
   * make the snapshot incomplete instead.)
   */
  unreadableUserIds: ReadonlySet<string>;
  /**
   * Optional collections the district does not share with the app (fetch.ts): `demographics`,
   * `homerooms` (classes/enrollments), or `agents` (no parent or guardian arrived in a full read
   * though students name them). The sync leaves the fields they fill as they are.
   */
  notShared?: readonly NotShared[];
}

// ---------------------------------------------------------------------------------------------
// Plan (phase 2 output)
// ---------------------------------------------------------------------------------------------

/** A matching key of SPEC §3.2, in the order they are tried. */
export type MatchKey = 'guid' | 'communityId' | 'barcode' | 'email';

/** Something worth a line in the operation's log; never fatal. */
export interface Warning {
  /** The roster user (or the patron's GUID) it concerns; '' for the whole sync. */
  sourcedId: string;
  /** The field it concerns, when one. */
  field?: PatronFieldKey;
  /** One short plain sentence (no raw values). */
  message: string;
}

/** One changed field, for display and the log (status as its number in text). */
export interface FieldDiff {
  /** The field. */
  field: PatronFieldKey;
  /** The value before ('' when blank). */
  from: string;
  /** The value after ('' when blank). */
  to: string;
}

/** What every change that writes a patron carries, so apply can write it in bulk. */
export interface PatronWrite {
  /** The patron's full values after the change (apply writes them as they are). */
  values: PatronValues;
  /** The integration the GUID belongs to after the change. */
  guidSource: IntegrationKind;
  /** How the patron is recorded as matched after the change. */
  matchedBy: MatchedBy;
  /** The fields that change, old → new. */
  diff: FieldDiff[];
}

/**
 * A new patron for an unmatched roster user in scope. It carries no diff: every non-blank field
 * is new, so its diff is `creationDiff(values)`, worked out when a plan is stored or shown —
 * built for each of a first sync's 100,000 creates it was a tenth of the plan's time and memory.
 */
export interface CreateChange extends Omit<PatronWrite, 'diff'> {
  /** Discriminant. */
  kind: 'create';
  /** The roster user. */
  sourcedId: string;
  /** One plain line. */
  reason: string;
  /** The synced role the patron was created for (its Policy came from it). */
  role: SyncRole;
  /** The fields a fixed creation default filled (SPEC §3.8), when any: the plan shows them. */
  defaulted?: PatronFieldKey[];
}

/** An existing patron's mapped fields overwritten with the roster's (SPEC §3.3). */
export interface UpdateChange extends PatronWrite {
  /** Discriminant. */
  kind: 'update';
  /** The roster user. */
  sourcedId: string;
  /** One plain line. */
  reason: string;
  /** The patron written. */
  patronId: number;
}

/** Why a patron is set to 4 Transferred (SPEC §3.4). */
export type TransferCause = 'tobedeleted' | 'absent' | 'unmatched-school';

/** A patron set to 4 Transferred; its other fields do not change (save a GUID set by a match). */
export interface TransferChange extends PatronWrite {
  /** Discriminant. */
  kind: 'transfer';
  /** The roster user (for an absence, the patron's GUID). */
  sourcedId: string;
  /** One plain line. */
  reason: string;
  /** The patron written. */
  patronId: number;
  /** Why. */
  cause: TransferCause;
}

/** A Transferred patron back in the roster as active: Status 1 again, mapped fields overwritten. */
export interface ReactivateChange extends PatronWrite {
  /** Discriminant. */
  kind: 'reactivate';
  /** The roster user. */
  sourcedId: string;
  /** One plain line. */
  reason: string;
  /** The patron written. */
  patronId: number;
}

/**
 * Why a roster user changed nothing though a librarian may expect it to (see plan.ts, "What
 * skipped counts"): tobedeleted and matching no patron; listed at a matched school but whose
 * first school is not matched; a transfer held back by an incomplete snapshot; no sourcedId; a
 * conflict a person chose to ignore until its data changes (conflict-queue.ts).
 */
export type SkipCause = 'tobedeleted-unmatched' | 'school-not-matched' | 'transfer-held' | 'no-sourcedid' | 'conflict-ignored';

/** A roster user that changes nothing, with why. */
export interface SkipChange {
  /** Discriminant. */
  kind: 'skip';
  /** The roster user. */
  sourcedId: string;
  /** One plain line. */
  reason: string;
  /** Why. */
  cause: SkipCause;
  /** The patron concerned, when one (a held transfer). */
  patronId?: number;
}

/**
 * Why matching found no single patron it may take (SPEC §3.2): several patrons hold the GUID;
 * one key value held by several patrons; keys pointing at different patrons; a patron holding
 * another GUID (identity drift); two roster users claiming one patron.
 */
export type ConflictCause = 'guid-shared' | 'key-shared' | 'keys-disagree' | 'identity-drift' | 'claimed-twice';

/** One patron a conflicting roster user points at. */
export interface ConflictCandidate {
  /** The patron's id. */
  patronId: number;
  /** The patron's GUID ('' when none). */
  guid: string;
  /** The patron's name, `First Last`. */
  name: string;
  /** The keys on which it matched the roster user. */
  matchedOn: MatchKey[];
}

/** A roster user a person must resolve: nothing is written or created for it (SPEC §3.2). */
export interface ConflictChange {
  /** Discriminant. */
  kind: 'conflict';
  /** The roster user. */
  sourcedId: string;
  /** One plain line naming both sides. */
  reason: string;
  /** Why. */
  cause: ConflictCause;
  /** The roster side: the user's name (`Given Family`) and role. */
  user: { name: string; role: string };
  /** The patron side. */
  candidates: ConflictCandidate[];
  /** Other roster users claiming the same patron (for `claimed-twice`), by sourcedId. */
  rivals: string[];
}

/** One entry of a plan. */
export type Change = CreateChange | UpdateChange | TransferChange | ReactivateChange | SkipChange | ConflictChange;

/** The kinds of change. */
export type ChangeKind = Change['kind'];

/** The changes that write a patron. */
export type PatronWriteChange = CreateChange | UpdateChange | TransferChange | ReactivateChange;

/**
 * A GUID-matched patron whose fields do not change but whose GUID ownership or match record
 * must be stored (a GUID from a file import now belongs to the integration, SPEC §3.2). Apply
 * writes only these two columns; such patrons count as unchanged.
 */
export interface OwnershipClaim {
  /** The patron. */
  patronId: number;
  /** The integration the GUID now belongs to. */
  guidSource: IntegrationKind;
  /** How it is recorded as matched. */
  matchedBy: MatchedBy;
}

/**
 * What a plan given only some of the library's patrons (a delta's: delta-patrons.ts) needs to
 * know of the rest. A plan given every patron works these out itself.
 */
export interface LibraryFacts {
  /** Existing patrons in scope (Plan.inScopePatronCount). */
  inScopePatronCount: number;
  /** Active patrons whose GUID belongs to the running integration (Plan.ownedPatronCount). */
  ownedPatronCount: number;
  /** Every patron's barcode, folded (scope.ts `fold`); read only when a barcode sequence is used. */
  takenBarcodes: () => Iterable<string>;
}

/** The counts of SPEC §3.7 (src/domain/counts.ts). */
export type PlanCounts = SyncCounts;

/** The result of phase 2: what apply will write, and why (SPEC §3). */
export interface Plan {
  /** Every change, ordered by sourcedId. */
  changes: Change[];
  /** Ownership-only writes (see OwnershipClaim), ordered by patron id. */
  claims: OwnershipClaim[];
  /** The counts. */
  counts: PlanCounts;
  /** Warnings, in the order of the users they concern. */
  warnings: Warning[];
  /** The snapshot was incomplete: no transfer of any kind was planned (SPEC §3.4). */
  transfersHeld: boolean;
  /** The next number of each barcode sequence that assigned numbers (apply stores it). */
  nextBarcode: Partial<Record<SyncRole, number>>;
  /** Existing patrons in scope: the denominator of the update threshold (scope.ts, safety.ts). */
  inScopePatronCount: number;
  /**
   * Existing Active patrons whose GUID belongs to the running integration, before this plan:
   * the denominator of the transfer threshold (scope.ts `ownedPatronCount`, safety.ts).
   */
  ownedPatronCount: number;
  /** What the conflict queue records when this plan is applied (conflict-queue.ts; empty without a queue). */
  queue: QueueEvent[];
  /** Patrons whose locked fields this plan kept, by sourcedId (SPEC §3.8 "its plan says so"; locks.ts). */
  locked: LockedKeep[];
}

// ---------------------------------------------------------------------------------------------
// Field locks (SPEC §3.8): the plan's input and what it says of them (the rule: locks.ts)
// ---------------------------------------------------------------------------------------------

/** The locked fields of each patron that has any, by patron id. */
export type FieldLocks = ReadonlyMap<number, ReadonlySet<PatronFieldKey>>;

/** One locked field whose value the sync would have changed: kept as it is. */
export interface KeptField {
  /** The field. */
  field: PatronFieldKey;
  /** The patron's value, kept ('' when blank). */
  kept: string;
  /** What the sync would have written ('' when blank). */
  roster: string;
}

/** A patron some of whose locked fields a plan kept (SPEC §3.8 "its plan says so"). */
export interface LockedKeep {
  /** The roster user (for an absence, the patron's GUID). */
  sourcedId: string;
  /** The patron. */
  patronId: number;
  /** The patron's name, `First Last`. */
  name: string;
  /** The fields kept, in the field table's order. */
  fields: KeptField[];
  /** One line: "First Name locked, kept 'Bobby' (roster: 'Robert')". */
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// The conflict queue (SPEC §3.9): what a plan is told of it, and what it tells back
// ---------------------------------------------------------------------------------------------

/** What a person decided about a conflict: nothing yet, ignore it, link the user to a patron, or create one. */
export type ConflictAction = 'none' | 'ignore' | 'link' | 'create';

/** A conflict of the queue that is not closed, as a plan is told of it. */
export interface QueuedConflict {
  /** The item's id. */
  id: number;
  /** The roster user. */
  sourcedId: string;
  /** The kind of conflict (with the user, the item's identity). */
  cause: ConflictCause;
  /** `none` while open; `ignore`, `link`, `create` once resolved. */
  action: ConflictAction;
  /** The patron a `link` names. */
  patronId: number | null;
  /** The fingerprint of both sides when the item was last seen (for `ignore`: when it was ignored). */
  fingerprint: string;
  /** Bumped by every resolution: what a plan decided about an item stands only while it holds. */
  seq: number;
}

/** The roster side of a conflict as the queue keeps it: name, role and key values, normalised. */
export interface ConflictDetail {
  /** The one line of the conflict. */
  reason: string;
  /** The roster user's name and role. */
  user: { name: string; role: string };
  /** The user's Student #, Barcode and Email as matched (mapped ones only). */
  keys: Partial<Record<'communityId' | 'barcode' | 'email', string>>;
  /** The patrons it points at. */
  candidates: ConflictCandidate[];
  /** Other roster users claiming the same patron. */
  rivals: string[];
}

/** One item of the queue the plan saw or closed; `item` is what the plan was told (null: a new one). */
export type QueueEvent =
  | {
      /** The conflict is in this plan (`quiet`: ignored, and its data unchanged). */
      kind: 'seen';
      sourcedId: string;
      cause: ConflictCause;
      fingerprint: string;
      quiet: boolean;
      detail: ConflictDetail;
      item: { id: number; seq: number } | null;
      /** Why a resolution of the item could not be applied ('' when none was, or it was). */
      note: string;
    }
  | {
      /** The item is no longer a conflict: resolved, gone, or its user left. */
      kind: 'closed';
      item: { id: number; seq: number };
      note: string;
    };
