/**
 * The home page as a dashboard (what a librarian opens every morning): for the signed-in
 * library, the roster source that is on, the last sync with its result and counts, the next
 * nightly and full runs, what waits for a person (syncs held for review, open conflicts) and the
 * open alerts. Read-only; a handful of small queries (the last 100 operations at most, as
 * `rollcall status` reads them).
 */
import { OPERATION_TYPE_NAMES, countsAsSync } from '../domain/operation.ts';
import { SOURCE_NAMES, enabledIntegration } from '../sources/registry.ts';
import { openAlerts } from '../services/alerts/open-alerts.ts';
import { showSchedule, type ScheduleView } from '../services/schedule/schedule-settings.ts';
import type { AlertRecord, Operation, OperationCounts, OperationState, Store } from '../store/store.ts';

/** Operations read to find the last sync and the held ones. */
const OPERATIONS_LOOKED_AT = 100;
const ENDED: readonly OperationState[] = ['succeeded', 'succeeded_with_warnings', 'rejected', 'failed'];

/** A sync as the dashboard names it. */
export interface DashboardSync {
  /** Its id. */
  id: number;
  /** Its type as people call it. */
  typeName: string;
  /** Its state. */
  state: OperationState;
  /** When it started (or was queued), ISO. */
  at: string;
  /** When it ended, ISO, or null. */
  finishedAt: string | null;
  /** Its counts. */
  counts: OperationCounts;
  /** Its summary or error, one line ('' when none). */
  summary: string;
}

/** What the home page shows. */
export interface Dashboard {
  /** The roster source that is on (`ClassLink`, …), or null when none is. */
  source: string | null;
  /** The latest sync that ended (any result), or null. */
  lastSync: DashboardSync | null;
  /** The last successful sync when the latest one did not succeed, else null. */
  lastSuccess: DashboardSync | null;
  /** A sync queued or running now, or null. */
  running: DashboardSync | null;
  /** Syncs held for review, newest first. */
  held: DashboardSync[];
  /** Open conflicts (SPEC §3.9). */
  openConflicts: number;
  /** Open alerts, oldest first. */
  alerts: AlertRecord[];
  /** Daily Operations: on/off, next run, next full run, last run. */
  schedule: ScheduleView;
}

/** The dashboard of one library at `now`. */
export async function dashboard(store: Store, libraryId: number, now: Date): Promise<Dashboard> {
  const syncs = (await store.operations.list(libraryId, { limit: OPERATIONS_LOOKED_AT })).filter((o) => countsAsSync(o.type));
  const last = syncs.find((o) => ENDED.includes(o.state));
  const success = syncs.find((o) => o.state === 'succeeded' || o.state === 'succeeded_with_warnings');
  const running = syncs.find((o) => o.state === 'queued' || o.state === 'running');
  const kind = await enabledIntegration(store, libraryId);
  return {
    source: kind ? SOURCE_NAMES[kind] : null,
    lastSync: last ? syncOf(last) : null,
    lastSuccess: success && success !== last ? syncOf(success) : null,
    running: running ? syncOf(running) : null,
    held: syncs.filter((o) => o.state === 'needs_review').map(syncOf),
    openConflicts: await store.conflicts.countOpen(libraryId),
    alerts: await openAlerts(store, libraryId),
    schedule: await showSchedule(store, libraryId, now),
  };
}

function syncOf(op: Operation): DashboardSync {
  return {
    id: op.id,
    typeName: OPERATION_TYPE_NAMES[op.type] ?? op.type,
    state: op.state,
    at: op.startedAt ?? op.createdAt,
    finishedAt: op.finishedAt,
    counts: op.counts,
    summary: op.error || op.summary,
  };
}
