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

/** The whole schema. */
export interface Tables {
  libraries: LibrariesTable;
  sites: SitesTable;
  patrons: PatronsTable;
  integration_settings: IntegrationSettingsTable;
  operations: OperationsTable;
  operation_log: OperationLogTable;
  operation_changes: OperationChangesTable;
}
