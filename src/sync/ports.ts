/**
 * What the sync engine needs from outside, as interfaces: a roster to read (RosterReader, and
 * SyncReader as a sync opens one), and what it asks of the roster sources (SyncSources: which
 * source, may it sync, its settings, its saved progress). The sources implement them and app.ts
 * wires them into SyncDeps, so nothing under sync/ imports sources/.
 */
import type { IntegrationKind } from '../domain/patron.ts';
import type { RosterCollection, RosterRecordOf, MalformedRecord, RosterUser } from '../domain/roster.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { SyncSettings } from './core/types.ts';
import type { RosterReadSetting } from './school-read.ts';

/** What fetch needs of a pull: the shape of OneRosterClient.pull's options and result. */
export interface PullRequest {
  /** A path such as `schools/{id}/students` to read instead of the collection's own; only a reader that `servesSchools` is given one. */
  path?: string;
  /** A OneRoster filter expression. */
  filter?: string;
  /** Only these fields. */
  fields?: readonly string[];
  /**
   * What the caller keeps of each user (a pull of users only). A reader applies it to each record
   * as it reads it, so a page waiting its turn behind a slower one holds only what is kept.
   */
  keepUser?: (user: RosterUser) => RosterUser;
  /** Cancels the pull. */
  signal?: AbortSignal;
  /** Records read so far and the declared total. */
  onProgress?: (received: number, total: number | null) => void;
}

/** What fetch learns from a pull. */
export interface PullOutcome {
  /** Every page read and the counts add up. */
  complete: boolean;
  /** Why not, in one line. */
  incompleteReason: string;
  /** Records that could not be read (the first ones kept). */
  malformed: MalformedRecord[];
  /** How many could not be read in all. */
  malformedCount: number;
  /** Observations worth a log line (e.g. a clamped page size). */
  notes: string[];
}

/** A roster source as fetch sees it: streamed pulls of OneRoster collections. */
export interface RosterReader {
  /**
   * How many pulls may run at once (default 1). A delta's family reads are dozens of small
   * pulls; against a server each is a round trip, so they go a few at a time.
   */
  readonly concurrentPulls?: number;
  /**
   * Whether the reader serves a school's lists (`schools/{id}/students|teachers|classes|enrollments`,
   * OneRoster 1.1), so a full sync may read only the library's schools (fetch-schools.ts).
   */
  readonly servesSchools?: boolean;
  /** Streams a collection's records, page by page, to onRecords. */
  pull<C extends RosterCollection>(
    collection: C,
    request: PullRequest,
    onRecords: (records: RosterRecordOf[C][]) => void | Promise<void>,
  ): Promise<PullOutcome>;
}

/** A roster reader as a sync opens it: a source's reader, with what a source may add. */
export interface SyncReader extends RosterReader {
  /** Releases it (connections, files). */
  close?: () => Promise<void>;
  /**
   * Set by a source that is one fixed set of records (a CSV package): the kind of sync it makes,
   * whatever was asked. A `delta` source is read whole (no watermark filter) and, being a
   * delta, never transfers for absence.
   */
  fixedKind?: 'full' | 'delta';
  /** Warnings about the source as a whole (a package's manifest and headers), logged after the read. */
  warnings?: () => readonly string[];
}

/** What a reader is opened for. */
export interface ReaderContext {
  /** The integration the sync runs for. */
  source: IntegrationKind;
  /** The operation. */
  operationId: number;
}

/** What a sync that applied moves forward in its source's settings. */
export interface SyncProgress {
  /** Per role, the next number of a barcode sequence (roles without a sequence are ignored). */
  nextBarcode: Partial<Record<'student' | 'teacher' | 'admin', number>>;
  /** The new delta watermark, or undefined to keep the old one (an incomplete read). */
  lastSuccessAt?: string;
}

/** A source's settings as a sync plans with them. */
export interface SourceSyncState {
  /** The planner's settings: roles, matched sites, field mapping, thresholds, defaults. */
  settings: SyncSettings;
  /** When the last successful sync began reading (the delta watermark), if one did. */
  lastSuccessAt?: string;
}

/**
 * What a sync asks of the roster sources. Each method takes the repositories to read through,
 * so the apply transaction's reads and writes are in that transaction.
 */
export interface SyncSources {
  /** The source a sync reads when neither the request nor its queued operation names one. */
  syncSourceOf(repos: Pick<Repositories, 'integrations'>, libraryId: number): Promise<IntegrationKind>;
  /**
   * Throws (`not_configured`, saying why and what to run) when the source may not sync now; a
   * dry run writes nothing, so it may read any source.
   */
  checkMaySync(repos: Pick<Repositories, 'integrations'>, libraryId: number, source: IntegrationKind, dryRun: boolean): Promise<void>;
  /** Whether the source is the library's enabled one. */
  isEnabled(repos: Pick<Repositories, 'integrations'>, libraryId: number, source: IntegrationKind): Promise<boolean>;
  /** The source's sync settings, defaults filled, with the library's sites matched for it. */
  syncSettings(
    repos: Pick<Repositories, 'integrations' | 'sites' | 'creationDefaults'>,
    libraryId: number,
    source: IntegrationKind,
  ): Promise<SourceSyncState>;
  /** Saves a sync's progress (watermark, barcode sequences), leaving every other setting as stored. */
  saveSyncProgress(
    repos: Pick<Repositories, 'integrations' | 'creationDefaults'>,
    libraryId: number,
    source: IntegrationKind,
    progress: SyncProgress,
  ): Promise<void>;
  /** How people call the source (`OneRoster CSV`). */
  name(source: IntegrationKind): string;
  /** The source's `rollcall` command group (`csv`). */
  command(source: IntegrationKind): string;
}

/** What a sync needs from outside. */
export interface SyncDeps {
  /** The store. */
  store: Store;
  /** The roster sources: which one a sync reads, may it, its settings and progress. */
  sources: SyncSources;
  /** Opens the roster source of the library's configured connection. */
  openReader: (libraryId: number, context: ReaderContext) => Promise<SyncReader>;
  /** The clock. */
  now: () => Date;
  /**
   * How a full sync reads the roster: `auto` (default) reads only the matched schools when the
   * library serves at most half the district's (school-read.ts); `district` always reads it
   * whole (ROLLCALL_ROSTER_READ).
   */
  rosterRead?: RosterReadSetting;
  /** No sign of life for this long marks a running sync stopped (default STALE_AFTER_MS; ROLLCALL_STALE_AFTER_SECONDS). */
  staleAfterMs?: number;
}
