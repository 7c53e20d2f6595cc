/**
 * The tables as Kysely sees them (snake_case columns). Absent text values are '' (never NULL);
 * timestamps are ISO 8601 UTC text (`2026-09-01T02:00:00.000Z`), which sorts and compares the
 * same on both engines; booleans are integers 0/1 for the same reason.
 */
import type { Generated } from 'kysely';

/** `libraries`: one per district library; every other table carries `library_id`. */
export interface LibrariesTable {
  id: Generated<number>;
  code: string;
  name: string;
  timezone: Generated<string>;
  /** 1 once a person chose or confirmed the time zone (migration 0014); 0: the home page asks. */
  timezone_confirmed: Generated<number>;
  /** Bumped by every patron write: a held plan is stale when it moved. */
  patron_revision: Generated<number>;
  created_at: string;
}

/** `sites`: the libraries' sites; `org_guid` is '' until matched to a roster org. */
export interface SitesTable {
  id: Generated<number>;
  library_id: number;
  code: string;
  name: string;
  org_guid: Generated<string>;
  /** The integration the match belongs to (0005-sources); null when not recorded. */
  org_guid_source: Generated<string | null>;
}

/** `patrons`: SPEC §1.2's fields by name, plus how the GUID arrived. */
export interface PatronsTable {
  id: Generated<number>;
  library_id: number;
  site_id: number | null;
  guid: string;
  barcode: string;
  community_id: string;
  first_name: string;
  middle_name: string;
  last_name: string;
  birthdate: string;
  sex: string;
  phone: string;
  email: string;
  additional_contact: string;
  other_emails: string;
  location: string;
  level: string;
  status: number;
  policy: string;
  nickname: string;
  notes: Generated<string>;
  guid_source: string | null;
  matched_by: string | null;
  last_sync_operation_id: number | null;
  created_at: string;
  updated_at: string;
  /** Who last changed the patron by hand (0006-patron-search), '' when nobody has. */
  edited_by: Generated<string>;
  /** When that was (ISO 8601 UTC), or null. */
  edited_at: Generated<string | null>;
  /** first_name as the search compares it (0017-search-fold, src/domain/name-fold.ts); every write sets it with the name. */
  first_name_fold: Generated<string>;
  /** last_name as the search compares it, likewise. */
  last_name_fold: Generated<string>;
  /** When Status last changed (0011-removal; ISO 8601 UTC), or null when unknown. */
  status_changed_at: Generated<string | null>;
}

/** `integration_settings`: one row per library and integration kind. */
export interface IntegrationSettingsTable {
  library_id: number;
  kind: string;
  enabled: number;
  /** JSON text. */
  settings: string;
  /** The secrets' JSON, encrypted (secret-box.ts), or '' when there are none. */
  secrets: string;
  updated_at: string;
}

/** `operations`: every sync, dry run and other long job. */
export interface OperationsTable {
  id: Generated<number>;
  library_id: number;
  type: string;
  source: string;
  requested_by: string;
  state: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: string | null;
  progress_done: Generated<number>;
  progress_total: Generated<number>;
  created: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  transferred: Generated<number>;
  reactivated: Generated<number>;
  skipped: Generated<number>;
  conflicts: Generated<number>;
  warnings: Generated<number>;
  complete: number | null;
  summary: Generated<string>;
  error: Generated<string>;
  /** The operation this one retries (0003-jobs), or null. */
  retry_of: number | null;
  /** An undo's: the operation it undid, and that one's type (0010-undo); else null. */
  undo_of: number | null;
  undo_of_type: string | null;
  /** The undo that undid this operation (0010-undo), or null. */
  undone_by: number | null;
}

/** `operation_log`: an operation's log lines. */
export interface OperationLogTable {
  id: Generated<number>;
  operation_id: number;
  library_id: number;
  at: string;
  level: string;
  sourced_id: string;
  message: string;
}

/** `operation_changes`: the stored plan of a held or dry-run operation. */
export interface OperationChangesTable {
  operation_id: number;
  library_id: number;
  seq: number;
  kind: string;
  sourced_id: string;
  patron_id: number | null;
  /** JSON text. */
  detail: string;
}

/** `staff_users`: people who sign in to the web admin (SPEC §4), each in one library. */
export interface StaffUsersTable {
  id: Generated<number>;
  library_id: number;
  username: string;
  display_name: string;
  /** `admin` or `librarian`. */
  role: string;
  /** scrypt (see src/web/auth/passwords.ts); '' when the account signs in only with ClassLink. */
  password_hash: string;
  patron_id: number | null;
  disabled: Generated<number>;
  created_at: string;
  last_login_at: string | null;
}

/** `web_sessions`: server-side sessions, keyed by the sha256 of the cookie's token. */
export interface WebSessionsTable {
  id_hash: string;
  library_id: number;
  staff_user_id: number | null;
  patron_id: number | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

/** `api_tokens`: tokens for scripts, stored hashed. */
export interface ApiTokensTable {
  id: Generated<number>;
  library_id: number;
  staff_user_id: number;
  name: string;
  token_hash: string;
  prefix: string;
  role: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** `all` (the role's routes) or `feed` (the change feed only); migration 0013. */
  scope: Generated<string>;
}

/** `schedules`: a library's Daily Operations (SPEC §3.7); a library without a row has the defaults. */
export interface SchedulesTable {
  library_id: number;
  enabled: Generated<number>;
  /** Local time `HH:MM` in the library's time zone. */
  run_time: Generated<string>;
  /** The weekday of the weekly full sync, 0 Sunday … 6 Saturday. */
  full_sync_day: Generated<number>;
  /** The scheduled slot last handled (claimed by one worker), or null. */
  last_run_at: string | null;
  /** `delta`, `full` or `skipped`; '' before the first. */
  last_run_kind: Generated<string>;
  last_run_note: Generated<string>;
  /** When the settings last changed: slots at or before it are never due. */
  changed_at: string;
  /** Bumped by every change of the settings (a save that carries an older one is refused). */
  revision: Generated<number>;
}

/** `alerts`: raised once per library, kind and operation (0 when none); resolved and sent stamps. */
export interface AlertsTable {
  id: Generated<number>;
  library_id: number;
  kind: string;
  operation_id: Generated<number>;
  message: string;
  raised_at: string;
  resolved_at: string | null;
  webhook_sent_at: string | null;
  email_sent_at: string | null;
  attempts: Generated<number>;
  last_error: Generated<string>;
}

/** `csv_packages`: OneRoster CSV packages synced or refused, known by name, size, mtime, sha256 (0005-sources). */
export interface CsvPackagesTable {
  id: Generated<number>;
  library_id: number;
  name: string;
  path: string;
  size: number;
  /** ISO 8601 UTC of the file's modification time. */
  mtime: string;
  sha256: string;
  operation_id: number | null;
  /** The operation's state when recorded, or `refused`. */
  outcome: string;
  message: Generated<string>;
  processed_at: string;
}

/** `conflicts`: the conflict queue (0009-conflicts, SPEC §3.9); one item per library, source, user and cause. */
export interface ConflictsTable {
  id: Generated<number>;
  library_id: number;
  source: string;
  sourced_id: string;
  cause: string;
  /** open, ignored, resolved, closed. */
  state: string;
  /** none, ignore, link, create. */
  action: Generated<string>;
  patron_id: number | null;
  fingerprint: string;
  /** Bumped by every resolution. */
  seq: Generated<number>;
  /** JSON text: the ConflictDetail last seen. */
  detail: string;
  note: Generated<string>;
  seen_count: Generated<number>;
  first_seen_at: string;
  last_seen_at: string;
  first_operation_id: number;
  last_operation_id: number;
  resolved_by: Generated<string>;
  resolved_at: string | null;
  closed_at: string | null;
  closed_operation_id: number | null;
}

/** `conflict_journal`: who resolved which conflict how and when, and what syncs did to it. */
export interface ConflictJournalTable {
  id: Generated<number>;
  library_id: number;
  conflict_id: number;
  at: string;
  by: string;
  action: string;
  patron_id: number | null;
  note: Generated<string>;
}

/**
 * `patron_journal`: one applied change of one patron field (0008-journal, SPEC §3.9); values
 * are text, NULL when blank or absent. `field` is a PatronFieldKey, or `*` for a sync's create
 * (new_value: the created values as compact JSON).
 */
export interface PatronJournalTable {
  id: Generated<number>;
  library_id: number;
  patron_id: number;
  field: string;
  old_value: string | null;
  new_value: string | null;
  kind: string;
  operation_id: number | null;
  staff_user_id: number | null;
  actor: Generated<string>;
  at: string;
}

/** `koha_branch_codes` (0016-koha): the Koha library (`branchcode`) of each site. */
export interface KohaBranchCodesTable {
  library_id: number;
  site_id: number;
  branchcode: string;
}

/** `koha_category_codes` (0016-koha): the Koha patron category (`categorycode`) of each policy. */
export interface KohaCategoryCodesTable {
  library_id: number;
  policy: string;
  categorycode: string;
}

/** `patron_locks`: a field of a patron no sync writes (0012-locks, SPEC §3.8); `field` is a PatronFieldKey. */
export interface PatronLocksTable {
  id: Generated<number>;
  library_id: number;
  patron_id: number;
  field: string;
  locked_by: string;
  locked_at: string;
}

/** `patron_removals`: one Patron Removal operation (0011-removal, SPEC §3.10): its rule, count and archive. */
export interface PatronRemovalsTable {
  operation_id: number;
  library_id: number;
  /** The rule as given (JSON). */
  rule: string;
  /** The rule in words. */
  rule_text: string;
  removed: number;
  /** The archive: the field-number CSV `patrons import` reads; '' once pruned. */
  archive: string;
  /** The file name it downloads as. */
  archive_name: string;
  created_at: string;
  archive_expires_at: string;
  archive_pruned_at: string | null;
}

/** `removed_guids`: the GUIDs of removed patrons and when (0011-removal): a returning user is created again, and says so. */
export interface RemovedGuidsTable {
  library_id: number;
  guid: string;
  removed_at: string;
  operation_id: number | null;
}

/** The whole schema. */
export interface Tables {
  staff_users: StaffUsersTable;
  web_sessions: WebSessionsTable;
  api_tokens: ApiTokensTable;
  libraries: LibrariesTable;
  sites: SitesTable;
  patrons: PatronsTable;
  integration_settings: IntegrationSettingsTable;
  operations: OperationsTable;
  operation_log: OperationLogTable;
  operation_changes: OperationChangesTable;
  schedules: SchedulesTable;
  alerts: AlertsTable;
  csv_packages: CsvPackagesTable;
  conflicts: ConflictsTable;
  conflict_journal: ConflictJournalTable;
  patron_journal: PatronJournalTable;
  koha_branch_codes: KohaBranchCodesTable;
  koha_category_codes: KohaCategoryCodesTable;
  patron_locks: PatronLocksTable;
  patron_removals: PatronRemovalsTable;
  removed_guids: RemovedGuidsTable;
  journal_horizons: JournalHorizonsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  creation_defaults: CreationDefaultsTable;
}

/** `journal_horizons`: per library, the highest journal id the retention reaper deleted (migration 0013). */
export interface JournalHorizonsTable {
  library_id: number;
  pruned_through: number;
}

/** `webhook_endpoints`: where a library's operation notices go (migration 0013); the secret encrypted. */
export interface WebhookEndpointsTable {
  id: Generated<number>;
  library_id: number;
  url: string;
  description: Generated<string>;
  /** The signing secret, sealed by the store's SecretBox. */
  secret: string;
  created_at: string;
  created_by: Generated<string>;
  /** When its deliveries began to fail for good (retries spent), or null. */
  failing_since: string | null;
  failing_reason: Generated<string>;
}

/** `webhook_deliveries`: one notice per endpoint and applied operation, its attempts and outcome (migration 0013). */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  library_id: number;
  endpoint_id: number;
  operation_id: number;
  /** The `webhook-id` header: the same on every retry, so a receiver drops duplicates. */
  message_id: string;
  /** The JSON body, as signed. */
  payload: string;
  /** `pending`, `delivered` or `failed`. */
  state: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  last_status: number | null;
  last_error: Generated<string>;
  created_at: string;
  finished_at: string | null;
}

/** `creation_defaults` (migration 0015): a library's defaults for the patrons a sync creates (SPEC §3.3, §3.8). */
export interface CreationDefaultsTable {
  library_id: number;
  /** Every role's defaults, JSON (read by sources/creation-defaults.ts). */
  defaults: string;
  /** Bumped by every admin save (compare-and-set); a sync moving a barcode sequence on leaves it. */
  revision: Generated<number>;
  updated_at: string;
  /** Who saved last ('' for a sync or the migration). */
  updated_by: Generated<string>;
}
