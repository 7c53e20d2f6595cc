/**
 * Phase 2 of a sync (SPEC §3): compare a snapshot with the patrons and list every change with
 * its reason. Pure and synchronous; the same inputs always give the same plan, ordered by
 * sourcedId. Nothing here writes: apply (phase 3) does, after safety.ts agrees.
 *
 * Decisions where the spec is silent (each also noted where it is implemented):
 * - What "skipped" counts: roster users in a selected role that change nothing though a
 *   librarian may expect them to — tobedeleted and matching no patron; listed at a matched
 *   school but whose *first* school is not matched; a transfer held back by an incomplete
 *   snapshot; no sourcedId — plus the snapshot's malformed records. Users of unselected roles,
 *   and users none of whose schools is matched, are simply out of scope and counted nowhere.
 * - Status codes other than 1 and 4 (e.g. 2 "Blocked", set by hand) are kept while the user is
 *   active in the roster; only 4 → 1 is a reactivation. Leaving (tobedeleted, absent, moved to
 *   an unmatched school) sets 4 whatever the code was.
 * - A tobedeleted user's patron gets Status 4 (and the GUID, when matched by another key);
 *   its other fields are left as they are, since a leaving record is often stripped.
 */
import { STATUS_ACTIVE, STATUS_TRANSFERRED, type PatronFieldKey } from '../../domain/fields.ts';
import { emptyPatronValues, type MatchedBy, type Patron, type PatronValues } from '../../domain/patron.ts';
import { syncRoleOf, type RosterUser, type SyncRole } from '../../domain/roster.ts';
import {
  buildPatronIndex,
  candidate,
  isKeyMapped,
  matchUsers,
  userSecondaryKeys,
  type MatchRequest,
  type MatchResult,
  type PatronIndex,
  type SecondaryKeys,
} from './matching.ts';
import * as text from './reasons.ts';
import { BarcodeSequences } from './barcodes.ts';
import { byString, fold, guidBelongsTo, inScopePatronCount, isPatronInScope, ownedPatronCount, scopeOf, type Scope } from './scope.ts';
import { QueueView, closingNote, conflictFingerprint, syncSaw } from './conflict-queue.ts';
import { NO_LOCKS, keepLocked, lockedKeep, type FieldLocks, type LockedKeep } from './locks.ts';
import type {
  Change,
  FieldDiff,
  LibraryFacts,
  MatchKey,
  OwnershipClaim,
  Plan,
  PlanCounts,
  QueueEvent,
  QueuedConflict,
  Snapshot,
  SyncSettings,
  TransferCause,
  Warning,
} from './types.ts';
import {
  copyValues,
  demographicsValues,
  diffValues,
  FIELDS_OF_RECORD,
  personName,
  rosterValues,
  siteCodeOf,
  PATRON_VALUE_KEYS,
  type MappedValues,
  type MissingRecord,
  type ValuesResult,
} from './patron-values.ts';

/** From this many patrons with fields blanked for a missing record, one summary line heads the warnings. */
const MISSING_SUMMARY_FROM = 10;

/** Fields a role's fixed defaults never set: they are set by rule on creation (SPEC §3.3). */
const RULE_FIELDS: ReadonlySet<PatronFieldKey> = new Set(['guid', 'status', 'site', 'policy']);

/** One roster user in a selected role, ready to match. */
interface Entry {
  user: RosterUser;
  role: SyncRole;
  /** The matched site of its first org; undefined when that school is not matched. */
  site: string | undefined;
  /** Its secondary matching keys (in-scope users only; see `entries`). */
  keys: SecondaryKeys;
}

/**
 * Compares a snapshot with the patrons and lists every change, with its reason (SPEC §3 phase 2).
 * `patrons` is the whole library, or — for a delta only — the patrons its users' keys find
 * (delta-patrons.ts) and those its queue's links name, with `facts` telling what the plan needs
 * of the rest. `queue` is the conflict queue's items that are not closed (conflict-queue.ts).
 * `locks` is the library's field locks (locks.ts): a sync never writes a locked field.
 */
export function plan(
  snapshot: Snapshot,
  patrons: readonly Patron[],
  settings: SyncSettings,
  facts?: LibraryFacts,
  queue: readonly QueuedConflict[] = [],
  locks: FieldLocks = NO_LOCKS,
): Plan {
  // A full sync transfers absentees, so it must see every patron.
  if (facts && snapshot.kind === 'full') throw new Error('A full sync is planned against every patron, not a subset.');
  return new PlanBuilder(snapshot, patrons, settings, facts, new QueueView(queue), locks).build();
}

/** Builds one plan; holds the lists as they grow. */
class PlanBuilder {
  private readonly changes: Change[] = [];
  private readonly claims: OwnershipClaim[] = [];
  private readonly warnings: Warning[] = [];
  private unchanged = 0;
  private held = 0;
  /** Users whose patron had fields blanked for a missing record (one summary line when many). */
  private blankedForMissing = 0;
  /** Patrons in a conflict: a person resolves them, so no absence transfer touches them. */
  private readonly conflictPatrons = new Set<number>();
  /** Patrons matched by a roster user in this plan. */
  private readonly matchedPatrons = new Set<number>();
  private readonly scope: Scope;
  private readonly barcodes: BarcodeSequences;
  private readonly index: PatronIndex;
  private readonly createReasons = new Map<string, string>();
  /** The patrons by id (built when a conflict or a link needs it). */
  private byId: Map<number, Patron> | undefined;
  /** Linked patrons as matching sees them (holding their user's GUID) → the stored patron. */
  private readonly linked = new Map<number, { patron: Patron; item: QueuedConflict }>();
  /** Why a user's link or create could not be applied, by sourcedId. */
  private readonly voided = new Map<string, string>();
  /** Items whose resolution this plan applies (link matched, or patron created). */
  private readonly resolvedNow = new Map<number, string>();
  private readonly queueEvents: QueueEvent[] = [];
  /** Conflicts this plan sees, `sourcedId cause`. */
  private readonly seenKeys = new Set<string>();
  /** Patrons whose locked fields were kept (SPEC §3.8). */
  private readonly lockedKeeps: LockedKeep[] = [];

  constructor(
    private readonly snapshot: Snapshot,
    private readonly patrons: readonly Patron[],
    private readonly settings: SyncSettings,
    private readonly facts: LibraryFacts | undefined,
    private readonly queue: QueueView,
    private readonly locks: FieldLocks,
  ) {
    this.scope = scopeOf(settings);
    this.barcodes = new BarcodeSequences(facts?.takenBarcodes ?? (() => patrons.map((p) => fold(p.barcode))));
    this.index = buildPatronIndex(this.withLinks(patrons), settings.mapping);
  }

  build(): Plan {
    const users = this.distinctUsers();
    const present = new Set(users.map((u) => u.sourcedId.trim()));
    const entries = this.entries(users);
    const requests: MatchRequest[] = entries.map((e) => ({
      sourcedId: e.user.sourcedId.trim(),
      keys: e.keys,
      guidOnly: e.site === undefined || this.createsNew(e),
    }));
    const results = matchUsers(requests, this.index, this.settings.integration);
    for (const e of entries) {
      const result = results.get(e.user.sourcedId.trim()) ?? { kind: 'none' };
      // Cleaned here, one user at a time, so only the values that become changes are held.
      if (e.site !== undefined) this.inScope(e, e.site, rosterValues(e.user, this.snapshot, this.settings), result);
      else this.outsideMatchedSites(e, result);
    }
    this.absentees(present);
    this.demographicsOnly(present);
    this.closeQueueItems(present);
    this.generalWarnings(users);
    return this.result();
  }

  /** The stored patron behind one matching saw (a linked patron is seen holding its user's GUID). */
  private stored(p: Patron): Patron {
    return this.linked.get(p.id)?.patron ?? p;
  }

  private patronById(id: number): Patron | undefined {
    this.byId ??= new Map(this.patrons.map((p) => [p.id, p]));
    return this.byId.get(id);
  }

  /**
   * SPEC §3.9 "link this user to that patron", taking effect on this sync: matching sees the
   * patron holding the user's GUID, so "a GUID match is final" and another user's secondary key
   * passes it over. A link is not applied (and says why) when the patron was deleted, holds
   * another GUID, is another user's link, or another patron holds the user's GUID.
   */
  private withLinks(patrons: readonly Patron[]): readonly Patron[] {
    const links = this.queue.links();
    if (links.length === 0) return patrons;
    const holders = new Map<string, number>();
    for (const p of patrons) if (p.guid.trim() !== '') holders.set(p.guid.trim(), p.id);
    const taken = new Set<number>();
    const seen = new Map<number, Patron>();
    for (const item of links) {
      const sourcedId = item.sourcedId.trim();
      const p = this.patronById(item.patronId!);
      const guid = p?.guid.trim() ?? '';
      const holder = holders.get(sourcedId);
      let why = '';
      if (!p) why = `patron #${item.patronId} no longer exists`;
      else if (guid !== '' && guid !== sourcedId) why = `patron #${p.id} now holds another GUID (${guid})`;
      else if (holder !== undefined && holder !== p.id) why = `patron #${holder} now holds this user's GUID`;
      else if (taken.has(p.id)) why = `patron #${p.id} is linked to another roster user`;
      if (why !== '' || !p) {
        this.voided.set(sourcedId, `The link of conflict #${item.id} was not applied: ${why}.`);
        continue;
      }
      taken.add(p.id);
      const seenAs = { ...p, guid: sourcedId };
      seen.set(p.id, seenAs);
      this.linked.set(p.id, { patron: p, item });
    }
    return seen.size === 0 ? patrons : patrons.map((p) => seen.get(p.id) ?? p);
  }

  /**
   * SPEC §3.9 "create a new patron": the user is matched by GUID only (a patron holding its
   * GUID is still its own), so its secondary keys find nobody and it is created — unless its
   * mapped Barcode is another patron's: a new patron never duplicates a barcode, so the
   * conflict stays, and says why.
   */
  private createsNew(e: Entry): boolean {
    if (e.site === undefined) return false;
    const sourcedId = e.user.sourcedId.trim();
    const item = this.queue.resolution(sourcedId);
    if (item?.action !== 'create') return false;
    const holders = e.keys.barcode === undefined ? [] : (this.index.byKey.barcode.get(e.keys.barcode) ?? []);
    const other = holders.find((p) => p.guid.trim() !== sourcedId);
    if (other) {
      this.voided.set(
        sourcedId,
        `The new patron of conflict #${item.id} was not created: its Barcode is patron ${text.patronLabel(candidate(other, []))}'s, and a barcode is never duplicated.`,
      );
      return false;
    }
    return true;
  }

  /** A conflict of this plan: the change, and what the queue records of it. */
  private conflict(e: Entry, result: Extract<MatchResult, { kind: 'conflict' }>): void {
    const { user } = e;
    const sourcedId = user.sourcedId.trim();
    const who = { name: personName(user.givenName, user.familyName), role: user.role };
    for (const c of result.candidates) this.conflictPatrons.add(c.patronId);
    const reason = text.conflictReason(result.cause, who, result.candidates, result.rivals);
    const sides = result.candidates.map((c) => this.patronById(c.patronId)).filter((p): p is Patron => p !== undefined);
    const fingerprint = conflictFingerprint(result.cause, e.keys, sides, result.rivals, (k) => isKeyMapped(k, this.settings.mapping));
    const item = this.queue.item(sourcedId, result.cause);
    // "ignore until the data changes": quiet while both sides' key values are as they were.
    const quiet = item?.action === 'ignore' && item.fingerprint === fingerprint;
    this.seenKeys.add(`${sourcedId} ${result.cause}`);
    this.queueEvents.push({
      kind: 'seen',
      sourcedId,
      cause: result.cause,
      fingerprint,
      quiet,
      detail: { reason, user: who, keys: { ...e.keys }, candidates: result.candidates, rivals: result.rivals },
      item: item ? { id: item.id, seq: item.seq } : null,
      note: this.voided.get(sourcedId) ?? '',
    });
    if (quiet) {
      this.changes.push({ kind: 'skip', sourcedId, cause: 'conflict-ignored', reason: text.skipReason('conflict-ignored') });
      return;
    }
    // "A conflict changes nothing and creates nothing; it is listed ... with both sides."
    this.changes.push({
      kind: 'conflict',
      sourcedId,
      reason,
      cause: result.cause,
      user: who,
      candidates: result.candidates,
      rivals: result.rivals,
    });
  }

  /**
   * "An item closes by itself when a sync no longer sees the conflict" — said only of users this
   * sync read (conflict-queue.ts `syncSaw`): a complete full sync read everyone, a delta or an
   * incomplete read only the users in its snapshot.
   */
  private closeQueueItems(present: ReadonlySet<string>): void {
    for (const item of this.queue.items) {
      const sourcedId = item.sourcedId.trim();
      if (this.seenKeys.has(`${sourcedId} ${item.cause}`) || !syncSaw(this.snapshot, present, sourcedId)) continue;
      const resolved = this.resolvedNow.get(item.id);
      const note = resolved ?? (present.has(sourcedId) ? closingNote('gone') : closingNote('left'));
      const voided = this.voided.get(sourcedId);
      this.queueEvents.push({ kind: 'closed', item: { id: item.id, seq: item.seq }, note: voided ? `${note} ${voided}` : note });
    }
    for (const [sourcedId, why] of this.voided) if (present.has(sourcedId)) this.warnings.push({ sourcedId, message: why });
  }

  /** Users sorted by sourcedId (the plan's order), each once. */
  private distinctUsers(): RosterUser[] {
    // Keys trimmed once, not in every comparison.
    const keyed = this.snapshot.users.map((u) => ({ id: u.sourcedId.trim(), u }));
    keyed.sort((a, b) => byString(a.id, b.id));
    const out: RosterUser[] = [];
    let last: string | undefined;
    for (const { id, u } of keyed) {
      if (id === last && id !== '') {
        this.warnings.push({ sourcedId: id, message: 'Appears more than once in the roster; the first record was used.' });
        continue;
      }
      last = id;
      out.push(u);
    }
    return out;
  }

  /** SPEC §3.1: "users whose role is selected"; parents and other roles are never patrons. */
  private entries(users: readonly RosterUser[]): Entry[] {
    const entries: Entry[] = [];
    for (const user of users) {
      const role = syncRoleOf(user.role);
      if (role === null || !this.settings.roles.includes(role)) continue;
      if (user.sourcedId.trim() === '') {
        this.skip('', 'no-sourcedid');
        continue;
      }
      // "... and whose first org is a matched site."
      const site = siteCodeOf(user, this.settings.siteByOrg);
      // Only the key fields are cleaned before matching: every user's whole set of mapped values
      // held at once was the largest part of a big district's plan.
      const keys = site === undefined ? {} : userSecondaryKeys(user, this.settings.mapping);
      entries.push({ user, role, site, keys });
    }
    return entries;
  }

  /** A user in a selected role whose first org is a matched site. */
  private inScope(e: Entry, site: string, mapped: ValuesResult, result: MatchResult): void {
    const { user } = e;
    const sourcedId = user.sourcedId.trim();
    if (result.kind === 'conflict') return this.conflict(e, result);
    if (result.kind === 'none') {
      // "A roster user that is tobedeleted and matches no patron is skipped, not created."
      if (user.status === 'tobedeleted') return this.skip(sourcedId, 'tobedeleted-unmatched');
      this.warnings.push(...mapped.warnings);
      const resolution = this.queue.resolution(sourcedId);
      if (resolution?.action === 'create' && !this.voided.has(sourcedId)) this.resolvedNow.set(resolution.id, closingNote('created'));
      return this.create(sourcedId, e.role, site, mapped.values);
    }

    const link = this.linked.get(result.patron.id);
    const p = this.stored(result.patron);
    this.matchedPatrons.add(p.id);
    if (link) this.resolvedNow.set(link.item.id, closingNote('linked', text.patronLabel(candidate(p, []))));
    for (const d of result.duplicates) this.warnings.push(text.duplicateWarning(sourcedId, d.key, candidate(d.patron, [d.key])));
    // "Each matched patron records how it was matched"; a later GUID match keeps the first record.
    const matchedBy: MatchedBy = link ? 'linked' : result.by === 'guid' ? (p.matchedBy ?? 'guid') : result.by;
    if (user.status === 'tobedeleted') {
      // "A roster user with status tobedeleted is set to Transferred." (§3.4)
      const after = { ...copyValues(p), guid: sourcedId, status: STATUS_TRANSFERRED };
      return this.leave(sourcedId, p, after, matchedBy, 'tobedeleted', result.by);
    }
    this.warnings.push(...mapped.warnings);
    // "A matched patron has its mapped fields overwritten with the roster values ... nothing else
    // changes." "After a match the patron's GUID is set to the user's sourcedId." "A Transferred
    // patron who reappears as active is set Active again." Other status codes are kept.
    const status = p.status === STATUS_TRANSFERRED ? STATUS_ACTIVE : p.status;
    // "An unchanged patron is not written at all." Most users of a nightly sync are unchanged:
    // they are told apart without building the patron's before/after copies and diff.
    if (unchanged(p, mapped.values, sourcedId, status)) return this.keep(p, matchedBy);
    const before = copyValues(p);
    const after = this.unlocked(sourcedId, p, before, { ...before, ...mapped.values, guid: sourcedId, status });
    const diff = diffValues(before, after);
    if (diff.length === 0) return this.keep(p, matchedBy);
    if (mapped.missing) this.missingRecordWarnings(sourcedId, mapped.missing, diff);
    const kind = after.status !== p.status ? 'reactivate' : 'update';
    const reason = link ? text.linkReason(link.item.id, kind, diff) : text.writeReason(kind, result.by, diff);
    this.changes.push({ kind, sourcedId, reason, patronId: p.id, values: after, guidSource: this.settings.integration, matchedBy, diff });
  }

  /**
   * One line per record whose absence blanked values a patron held (patron-values.ts
   * `absenceBlanks`): a librarian should see why a Birthdate or a contact went. Nothing is said
   * when the fields were blank already, nor for a new patron.
   */
  private missingRecordWarnings(sourcedId: string, missing: readonly MissingRecord[], diff: readonly FieldDiff[]): void {
    for (const record of missing) {
      const fields: readonly PatronFieldKey[] = FIELDS_OF_RECORD[record];
      const blanked = diff.filter((d) => d.to === '' && fields.includes(d.field)).map((d) => d.field);
      if (blanked.length === 0) continue;
      this.blankedForMissing++;
      this.warnings.push(text.missingRecordWarning(sourcedId, record, blanked));
    }
  }

  /**
   * A user in a selected role whose first org is not a matched site: "to an unmatched school,
   * it is Transferred" — only its own record (by GUID) is looked for, and only a patron of a
   * matched site is moved out; otherwise it is out of scope.
   */
  private outsideMatchedSites(e: Entry, result: MatchResult): void {
    const sourcedId = e.user.sourcedId.trim();
    if (result.kind === 'matched') {
      const link = this.linked.get(result.patron.id);
      const p = this.stored(result.patron);
      this.matchedPatrons.add(p.id);
      if (link) this.resolvedNow.set(link.item.id, closingNote('linked', text.patronLabel(candidate(p, []))));
      if (p.status === STATUS_TRANSFERRED || !this.scope.sites.has(fold(p.site))) return;
      const cause: TransferCause = e.user.status === 'tobedeleted' ? 'tobedeleted' : 'unmatched-school';
      const after = { ...copyValues(p), guid: sourcedId, status: STATUS_TRANSFERRED };
      this.leave(sourcedId, p, after, link ? 'linked' : (p.matchedBy ?? 'guid'), cause, 'guid');
      return;
    }
    // Listed at one of the library's schools but not as the first: worth a line to the librarian.
    if (result.kind === 'none' && e.user.orgSourcedIds.some((o) => this.settings.siteByOrg.has(o))) {
      this.skip(sourcedId, 'school-not-matched');
    }
  }

  /** Sets a patron Transferred — unless the snapshot is incomplete: "No transfer ever comes from an incomplete snapshot." */
  private leave(sourcedId: string, p: Patron, wanted: PatronValues, matchedBy: MatchedBy, cause: TransferCause, by: MatchKey): void {
    const before = copyValues(p);
    const after = this.unlocked(sourcedId, p, before, wanted);
    const diff = diffValues(before, after);
    if (diff.length === 0) return this.keep(p, matchedBy);
    const write = { patronId: p.id, values: after, guidSource: this.settings.integration, matchedBy, diff };
    if (after.status === before.status) {
      // Already Transferred: only the GUID of a key match is recorded.
      this.changes.push({ kind: 'update', sourcedId, reason: text.writeReason('update', by, diff), ...write });
      return;
    }
    if (!this.snapshot.complete) {
      this.held++;
      this.changes.push({
        kind: 'skip',
        sourcedId,
        cause: 'transfer-held',
        reason: text.skipReason('transfer-held', cause),
        patronId: p.id,
      });
      return;
    }
    this.changes.push({ kind: 'transfer', sourcedId, reason: text.transferReason(cause), cause, ...write });
  }

  /**
   * The values a sync may write to a patron: what it wants, less its locked fields (locks.ts,
   * SPEC §3.8 "a sync never writes a locked field and its plan says so"); a kept field that
   * differs from the roster gets the patron a line in the plan.
   */
  private unlocked(sourcedId: string, p: Patron, before: PatronValues, wanted: PatronValues): PatronValues {
    const { values, kept } = keepLocked(p.id, before, wanted, this.locks);
    if (kept.length > 0) this.lockedKeeps.push(lockedKeep(sourcedId, p, kept));
    return values;
  }

  /** A matched patron needing no write; its GUID ownership is still recorded when new (SPEC §3.2). */
  private keep(p: Patron, matchedBy: MatchedBy): void {
    this.unchanged++;
    // A GUID kept by a lock is not the user's: the patron is not recorded as this integration's.
    if (this.locks.get(p.id)?.has('guid')) return;
    if (p.guidSource !== this.settings.integration || p.matchedBy !== matchedBy) {
      this.claims.push({ patronId: p.id, guidSource: this.settings.integration, matchedBy });
    }
  }

  /** "New student at MHS." — one string per role and site, not one per new patron (a first sync makes 100,000). */
  private createReason(role: SyncRole, site: string): string {
    const key = `${role}\u0000${site}`;
    let reason = this.createReasons.get(key);
    if (reason === undefined) this.createReasons.set(key, (reason = text.createReason(role, site)));
    return reason;
  }

  private skip(sourcedId: string, cause: 'tobedeleted-unmatched' | 'school-not-matched' | 'no-sourcedid'): void {
    this.changes.push({ kind: 'skip', sourcedId, cause, reason: text.skipReason(cause) });
  }

  /**
   * "An unmatched user in scope becomes a new patron: the mapped fields, Policy from the role,
   * Status Active, and the library's default values" (SPEC §3.3); the Status is the role's
   * default too, Active unless the library chose another (§3.8). Fixed defaults fill only the
   * fields the roster does not fill for this user, so the next sync does not undo them.
   */
  private create(sourcedId: string, role: SyncRole, site: string, mapped: MappedValues): void {
    const defaults = this.settings.defaults[role];
    const values = emptyPatronValues();
    const writable = values as unknown as Record<PatronFieldKey, string | number>;
    const defaulted: PatronFieldKey[] = [];
    for (const key of PATRON_VALUE_KEYS) {
      const fixed = defaults.fixed[key];
      if (fixed === undefined || RULE_FIELDS.has(key)) continue;
      writable[key] = fixed;
      if (!(key in mapped)) defaulted.push(key);
    }
    // The mapped values come after and win, blank ones included: the next sync would write them anyway.
    Object.assign(values, mapped, { guid: sourcedId, status: defaults.status, policy: defaults.policy, site });
    // A sequence barcode only when Barcode is not mapped: a mapped Barcode belongs to the roster.
    if (this.settings.mapping.barcode.kind === 'none' && defaults.barcode.kind === 'sequence') {
      values.barcode = this.barcodes.take(role, defaults.barcode);
    }
    this.changes.push({
      kind: 'create',
      sourcedId,
      reason: this.createReason(role, site),
      role,
      values,
      guidSource: this.settings.integration,
      matchedBy: 'created',
      ...(defaulted.length > 0 ? { defaulted } : {}),
    });
  }

  /**
   * "In a complete full sync, a patron holding a GUID of this integration, whose Policy is in a
   * synced role and whose site is a matched site, but who is absent from the snapshot, is set to
   * Transferred." Never from a delta or an incomplete snapshot; never a patron in a conflict or
   * whose user record arrived unreadable.
   */
  private absentees(present: ReadonlySet<string>): void {
    if (this.snapshot.kind !== 'full' || !this.snapshot.complete) return;
    for (const p of this.patrons) {
      if (!guidBelongsTo(p, this.settings.integration) || p.status === STATUS_TRANSFERRED) continue;
      const guid = p.guid.trim();
      if (present.has(guid) || this.snapshot.unreadableUserIds.has(guid)) continue;
      if (!isPatronInScope(p, this.scope)) continue;
      if (this.conflictPatrons.has(p.id) || this.matchedPatrons.has(p.id)) continue;
      const before = copyValues(p);
      const after = this.unlocked(guid, p, before, { ...before, status: STATUS_TRANSFERRED });
      if (after.status !== STATUS_TRANSFERRED) continue;
      this.changes.push({
        kind: 'transfer',
        sourcedId: guid,
        reason: text.transferReason('absent'),
        cause: 'absent',
        patronId: p.id,
        values: after,
        guidSource: this.settings.integration,
        matchedBy: p.matchedBy ?? 'guid',
        diff: diffValues(before, after),
      });
    }
  }

  /** A delta's demographics of unchanged users: "update just Birthdate/Sex of the patron holding that GUID". */
  private demographicsOnly(present: ReadonlySet<string>): void {
    if (this.snapshot.kind !== 'delta') return;
    const ids = [...this.snapshot.demographics.keys()].filter((id) => !present.has(id.trim())).sort(byString);
    for (const id of ids) {
      const holders = this.index.byGuid.get(id.trim());
      const p = holders?.length === 1 ? holders[0] : undefined;
      // Only a patron whose GUID a sync of this integration set or matched.
      if (!p || !guidBelongsTo(p, this.settings.integration)) continue;
      const d = demographicsValues(id.trim(), this.snapshot.demographics.get(id)!);
      const before = copyValues(p);
      const after = this.unlocked(id.trim(), p, before, { ...before, ...d.values });
      const diff = diffValues(before, after);
      if (diff.length === 0) continue;
      this.warnings.push(...d.warnings);
      const write = { values: after, guidSource: this.settings.integration, matchedBy: p.matchedBy ?? 'guid', diff };
      this.changes.push({
        kind: 'update',
        sourcedId: id.trim(),
        reason: text.writeReason('update', 'guid', diff),
        patronId: p.id,
        ...write,
      });
    }
  }

  private generalWarnings(users: readonly RosterUser[]): void {
    const general: Warning[] = [];
    if (!this.snapshot.complete) general.push(text.incompleteWarning(this.snapshot.incompleteReasons, this.held));
    if (this.snapshot.malformedCount > 0) {
      const n = this.snapshot.malformedCount;
      general.push({
        sourcedId: '',
        message: `${n.toLocaleString('en-US')} roster record${n === 1 ? '' : 's'} could not be read and ${n === 1 ? 'was' : 'were'} skipped.`,
      });
    }
    if (this.blankedForMissing >= MISSING_SUMMARY_FROM) general.push(text.missingRecordsSummary(this.blankedForMissing));
    if (this.snapshot.kind === 'full' && this.settings.roles.includes('admin') && !users.some((u) => syncRoleOf(u.role) === 'admin')) {
      general.push(text.noAdminsWarning(this.settings.integration === 'classlink'));
    }
    this.warnings.unshift(...general);
  }

  private result(): Plan {
    this.changes.sort((a, b) => byString(a.sourcedId, b.sourcedId));
    this.claims.sort((a, b) => a.patronId - b.patronId);
    this.lockedKeeps.sort((a, b) => byString(a.sourcedId, b.sourcedId) || a.patronId - b.patronId);
    const counts: PlanCounts = {
      created: 0,
      updated: 0,
      unchanged: this.unchanged,
      transferred: 0,
      reactivated: 0,
      skipped: this.snapshot.malformedCount,
      conflicts: 0,
      warnings: this.warnings.length,
    };
    for (const c of this.changes) {
      if (c.kind === 'create') counts.created++;
      else if (c.kind === 'update') counts.updated++;
      else if (c.kind === 'transfer') counts.transferred++;
      else if (c.kind === 'reactivate') counts.reactivated++;
      else if (c.kind === 'skip') counts.skipped++;
      else counts.conflicts++;
    }
    return {
      changes: this.changes,
      claims: this.claims,
      counts,
      warnings: this.warnings,
      transfersHeld: !this.snapshot.complete,
      nextBarcode: this.barcodes.next,
      inScopePatronCount: this.facts?.inScopePatronCount ?? inScopePatronCount(this.patrons, this.settings),
      ownedPatronCount: this.facts?.ownedPatronCount ?? ownedPatronCount(this.patrons, this.settings),
      queue: this.queueEvents,
      locked: this.lockedKeeps,
    };
  }
}

/**
 * Whether writing the mapped values, GUID and status would change nothing: exactly when
 * `diffValues(before, after)` would be empty (it compares fields as text), since nothing else
 * differs between the two.
 */
function unchanged(p: Patron, values: MappedValues, guid: string, status: number): boolean {
  if (p.guid !== guid || p.status !== status) return false;
  for (const key in values) {
    if (String(p[key as keyof MappedValues]) !== values[key as keyof MappedValues]) return false;
  }
  return true;
}
