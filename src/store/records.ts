/**
 * The records the store hands out besides patrons (which are src/domain/patron.ts): libraries,
 * sites, integration settings, operations, their log and their stored changes.
 */
import { zeroCounts, type SyncCounts } from '../domain/counts.ts';
import type { PatronFieldKey } from '../domain/fields.ts';
import type { UndoneOperationRef } from '../domain/operation.ts';
import type { IntegrationKind, MatchedBy, PatronValues } from '../domain/patron.ts';

/** A library (one district's library system); every other record belongs to one. */
export interface Library {
  /** The store's id. */
  id: number;
  /** Short unique code (`default` for the first). */
  code: string;
  /** Display name. */
  name: string;
  /** IANA time zone of Daily Operations (default UTC). */
  timezone: string;
  /** Whether a person chose or confirmed the time zone (else the home page asks an admin to). */
  timezoneConfirmed: boolean;
  /** Bumped by every patron write. */
  patronRevision: number;
  /** ISO 8601 UTC. */
  createdAt: string;
}

/** A site: one library (usually one school), SPEC §1.1. */
export interface Site {
  /** The store's id. */
  id: number;
  /** Short code unique in the library (`MHS`). */
  code: string;
  /** Display name. */
  name: string;
  /** The sourcedId of the matched roster org; '' until mapped. */
  orgGuid: string;
  /** The integration the match belongs to (SPEC §1.3), or null when not recorded or not matched. */
  orgGuidSource: IntegrationKind | null;
}

/** A patron write: the values plus how the GUID arrived and which sync wrote it. */
export interface PatronWrite extends PatronValues {
  /** The integration the GUID belongs to, or null (file import, hand entry). */
  guidSource: IntegrationKind | null;
  /** How the patron was matched by a sync, or null. */
  matchedBy: MatchedBy | null;
  /** The operation that wrote it, if a sync did. */
  lastSyncOperationId?: number | null;
}

/** A patron update: a full row for an existing patron id. */
export interface PatronUpdate extends PatronWrite {
  /** The patron's id. */
  id: number;
  /**
   * Only these fields are written (with the GUID ownership, match record and operation); absent:
   * every field. A sync passes the fields its plan changes, so a field nobody changed is never
   * rewritten from the values it read — not over a hand edit made meanwhile, and on SQLite
   * without touching the indexes of columns that did not change.
   */
  fields?: readonly PatronFieldKey[];
}

/** An integration's stored configuration. */
export interface IntegrationRecord {
  /** Which integration. */
  kind: IntegrationKind;
  /** Whether it is the library's enabled integration. */
  enabled: boolean;
  /** Its settings (parsed JSON; the integration validates the shape). */
  settings: unknown;
  /** Its secrets, decrypted. */
  secrets: Record<string, string>;
  /** ISO 8601 UTC of the last save. */
  updatedAt: string;
}

/**
 * The states of an operation (SPEC §3.7). `rejected` is a held plan an admin turned down: a
 * decision, not a failure (nothing was written, nothing went wrong, no alert).
 */
export type OperationState = 'queued' | 'running' | 'needs_review' | 'succeeded' | 'succeeded_with_warnings' | 'rejected' | 'failed';

/** The states an operation ends in. */
export const FINAL_STATES: readonly OperationState[] = ['succeeded', 'succeeded_with_warnings', 'rejected', 'failed'];

/** The eight counts of an operation (SPEC §3.7, §8). */
export type OperationCounts = SyncCounts;

/** Every count at zero. */
export { zeroCounts };

/** An operation: one sync, dry run or other long job. */
export interface Operation {
  /** The store's id. */
  id: number;
  /** The library it belongs to. */
  libraryId: number;
  /** What it is (e.g. `full_sync`, `delta_sync`, `dry_run`; the sync engine names them). */
  type: string;
  /** The integration it reads (`classlink`, …), or ''. */
  source: string;
  /** Who or what started it (`cli`, `schedule`, a user name). */
  requestedBy: string;
  /** Its state. */
  state: OperationState;
  /** ISO 8601 UTC when queued. */
  createdAt: string;
  /** ISO 8601 UTC when started, or null. */
  startedAt: string | null;
  /** ISO 8601 UTC when it ended, or null. */
  finishedAt: string | null;
  /** ISO 8601 UTC of the worker's last sign of life, or null. */
  heartbeatAt: string | null;
  /** Work done so far and in all (0 and 0 when unknown). */
  progress: { done: number; total: number };
  /** Its counts. */
  counts: OperationCounts;
  /** Whether the snapshot was complete, or null when not known (yet). */
  complete: boolean | null;
  /** A one-paragraph summary for people, or ''. */
  summary: string;
  /** The failure, in one line, or ''. */
  error: string;
  /** The operation this one retries (its worker stopped), or null. */
  retryOf: number | null;
  /** An undo's: the operation it undid (its type and id), else null (SPEC §3.9). */
  undoOf: UndoneOperationRef | null;
  /** The undo that undid this operation, or null. */
  undoneBy: number | null;
}

/** Log levels of an operation's log. */
export type LogLevel = 'info' | 'warning' | 'error';

/** A log line to append. */
export interface LogLine {
  /** Its level. */
  level: LogLevel;
  /** The message: one line, no secrets, no raw roster payloads. */
  message: string;
  /** The roster user it concerns, or ''. */
  sourcedId?: string;
  /** When (ISO 8601 UTC); now when absent. */
  at?: string;
}

/** A stored log line. */
export interface LogEntry {
  /** The store's id (increasing in the order appended). */
  id: number;
  /** When (ISO 8601 UTC). */
  at: string;
  /** Its level. */
  level: LogLevel;
  /** The roster user it concerns, or ''. */
  sourcedId: string;
  /** The message. */
  message: string;
}

/** A planned change to store (the plan of a held or dry-run operation). */
export interface ChangeInput {
  /** `create`, `update`, `transfer`, `reactivate`, `skip`, `conflict` (the planner's names). */
  kind: string;
  /** The roster user, or ''. */
  sourcedId: string;
  /** The patron concerned, or null (a create). */
  patronId: number | null;
  /** Everything else the planner keeps (reason, field changes, …), as JSON-able data. */
  detail: unknown;
}

/** A stored change, in plan order. */
export interface StoredChange extends ChangeInput {
  /** Its position in the plan (0-based). */
  seq: number;
}

/** A page of results with the total that matched. */
export interface Page<T> {
  /** The items of this page. */
  items: T[];
  /** How many matched in all. */
  total: number;
}
