/**
 * `rollcall status` as data: for each library, its last successful sync, the sync queued,
 * running or held for review, its open alerts, and its Daily Operations.
 */
import type { AlertKind, Library, Operation, OperationState, Store } from '../../store/store.ts';
import { OPERATION_TYPE_NAMES, countsAsSync } from '../../domain/operation.ts';
import { openAlerts } from '../alerts/open-alerts.ts';
import { showSchedule, type ScheduleView } from '../schedule/schedule-settings.ts';

/** Operations read to find the last success. */
const OPERATIONS_LOOKED_AT = 100;
const SUCCESS_STATES: readonly OperationState[] = ['succeeded', 'succeeded_with_warnings'];
const OPEN_STATES: readonly OperationState[] = ['queued', 'running', 'needs_review'];

/** An operation in a status line. */
export interface StatusOperation {
  /** Its id. */
  id: number;
  /** Display name of its type. */
  typeName: string;
  /** Its state. */
  state: OperationState;
  /** When it started or, not started yet, was queued (ISO). */
  at: string;
  /** When it ended (ISO), or null. */
  finishedAt: string | null;
}

/** An open alert in a status line. */
export interface StatusAlert {
  /** Its id. */
  id: number;
  /** What it is about. */
  kind: AlertKind;
  /** The operation concerned, or null. */
  operationId: number | null;
  /** One line. */
  message: string;
  /** When raised (ISO). */
  raisedAt: string;
  /** Whether a channel (webhook or e-mail) took it. */
  sent: boolean;
  /** The last delivery failure, or ''. */
  lastError: string;
}

/** One library's status. */
export interface LibraryStatus {
  /** Its code. */
  code: string;
  /** Its name. */
  name: string;
  /** The last successful sync, or null (none among the last 100 operations). */
  lastSuccess: StatusOperation | null;
  /** The sync queued, running or held for review, or null. */
  active: StatusOperation | null;
  /** Open alerts, oldest first. */
  alerts: StatusAlert[];
  /** Daily Operations. */
  schedule: ScheduleView;
}

/** The status of every library (or of the ones given), by code. */
export async function libraryStatuses(store: Store, now: Date, only?: readonly Library[]): Promise<LibraryStatus[]> {
  const libraries = only ?? (await store.libraries.list());
  const statuses: LibraryStatus[] = [];
  for (const library of libraries) {
    const operations = (await store.operations.list(library.id, { limit: OPERATIONS_LOOKED_AT })).filter((o) => countsAsSync(o.type));
    const success = operations.find((o) => SUCCESS_STATES.includes(o.state));
    const active = operations.find((o) => OPEN_STATES.includes(o.state));
    statuses.push({
      code: library.code,
      name: library.name,
      lastSuccess: success ? statusOperation(success) : null,
      active: active ? statusOperation(active) : null,
      alerts: (await openAlerts(store, library.id)).map((a) => ({
        id: a.id,
        kind: a.kind,
        operationId: a.operationId,
        message: a.message,
        raisedAt: a.raisedAt,
        sent: a.webhookSentAt !== null || a.emailSentAt !== null,
        lastError: a.lastError,
      })),
      schedule: await showSchedule(store, library.id, now),
    });
  }
  return statuses;
}

function statusOperation(op: Operation): StatusOperation {
  return {
    id: op.id,
    typeName: OPERATION_TYPE_NAMES[op.type] ?? op.type,
    state: op.state,
    at: op.startedAt ?? op.createdAt,
    finishedAt: op.finishedAt,
  };
}
