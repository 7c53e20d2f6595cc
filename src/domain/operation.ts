/**
 * Operation types (SPEC §3.7) as the database stores them, and the names people see for them:
 * one place every layer reads them from, so naming an operation needs nothing of the sync engine.
 */
import type { IntegrationKind } from './patron.ts';

/**
 * Operation types (SPEC §3.7), as stored: ClassLink's syncs, every source's dry run, an undo
 * (SPEC §3.9), and a patron file import (`patrons import`; an operation so it can be undone,
 * SPEC §3.9 "Undo an operation (a sync, an approved plan, an import, or an undo …)").
 */
export const OPERATION_TYPES = {
  full: 'classlink_full_sync',
  delta: 'classlink_delta_sync',
  dryRun: 'dry_run',
  undo: 'undo',
  patronImport: 'patron_import',
  /** SPEC §3.10: an end-of-year removal of patrons by rule. */
  patronRemoval: 'patron_removal',
} as const;

/**
 * Whether an operation counts as a sync for alerts and a library's "last successful sync":
 * a patron import is not — importing files never makes a library whose syncs stopped look fresh,
 * and a refused file is no "sync failed".
 */
export function countsAsSync(type: string): boolean {
  return type !== OPERATION_TYPES.dryRun && type !== OPERATION_TYPES.patronImport && type !== OPERATION_TYPES.patronRemoval;
}

/** The stored source of a Patron Removal: it read a rule, no integration. */
export const REMOVAL_SOURCE = 'rule';

/** The name people see for REMOVAL_SOURCE. */
export const REMOVAL_SOURCE_NAME = 'Removal rule';

/**
 * The stored source of a patron import: it read a file, no integration. Not '' — that is what
 * operations stored before there were several sources hold, which were ClassLink's.
 */
export const IMPORT_SOURCE = 'file';

/** The name people see for IMPORT_SOURCE. */
export const IMPORT_SOURCE_NAME = 'Patron file';

/** Each source's sync operation types, as stored (ClassLink's are OPERATION_TYPES'). */
export const SOURCE_OPERATION_TYPES = {
  classlink: { full: OPERATION_TYPES.full, delta: OPERATION_TYPES.delta },
  oneroster: { full: 'oneroster_full_sync', delta: 'oneroster_delta_sync' },
  csv: { full: 'csv_full_sync', delta: 'csv_delta_sync' },
} as const satisfies Readonly<Record<IntegrationKind, { full: string; delta: string }>>;

/** Every operation type a sync stores. */
export type OperationType =
  | (typeof OPERATION_TYPES)[keyof typeof OPERATION_TYPES]
  | (typeof SOURCE_OPERATION_TYPES)[IntegrationKind][keyof (typeof SOURCE_OPERATION_TYPES)[IntegrationKind]];

/** Display names of operation types. */
export const OPERATION_TYPE_NAMES: Readonly<Record<string, string>> = {
  [OPERATION_TYPES.full]: 'ClassLink Full Sync',
  [OPERATION_TYPES.delta]: 'ClassLink Delta Sync',
  [OPERATION_TYPES.dryRun]: 'Dry Run',
  [OPERATION_TYPES.undo]: 'Undo',
  [OPERATION_TYPES.patronImport]: 'Patron Import',
  [OPERATION_TYPES.patronRemoval]: 'Patron Removal',
  [SOURCE_OPERATION_TYPES.oneroster.full]: 'OneRoster Full Sync',
  [SOURCE_OPERATION_TYPES.oneroster.delta]: 'OneRoster Delta Sync',
  [SOURCE_OPERATION_TYPES.csv.full]: 'CSV Full Sync',
  [SOURCE_OPERATION_TYPES.csv.delta]: 'CSV Delta Sync',
} satisfies Readonly<Record<OperationType, string>>;

/** Short source names in dry runs' display names (`CSV Dry Run`); ClassLink's stay `Dry Run`. */
const DRY_RUN_PREFIX: Readonly<Record<string, string>> = { oneroster: 'OneRoster ', csv: 'CSV ' };

/** What an undo names of the operation it undid: its stored type and id. */
export interface UndoneOperationRef {
  /** The undone operation's stored type. */
  type: string;
  /** Its id. */
  id: number;
}

/**
 * An operation's display name from its stored type and source (Operations Management names the
 * source); an undo names what it undid, "Undo of ClassLink Full Sync 42" (an undo of an undo is
 * "Undo of Undo 43": each undo names only the operation it undid).
 */
export function operationTypeName(type: string, source: string, undoOf?: UndoneOperationRef | null): string {
  if (type === OPERATION_TYPES.dryRun) return `${DRY_RUN_PREFIX[source] ?? ''}Dry Run`;
  if (type === OPERATION_TYPES.undo && undoOf) return `Undo of ${OPERATION_TYPE_NAMES[undoOf.type] ?? undoOf.type} ${undoOf.id}`;
  return OPERATION_TYPE_NAMES[type] ?? type;
}

/**
 * The integration a stored source names, or undefined when it names none ('' in operations
 * stored before there were several). Every kind has its operation types, so those keys are
 * the list of kinds.
 */
export function storedSource(source: string): IntegrationKind | undefined {
  return Object.hasOwn(SOURCE_OPERATION_TYPES, source) ? (source as IntegrationKind) : undefined;
}

/** The integration an operation ran for ('' in operations stored before there were several: ClassLink). */
export function operationSource(op: { readonly source: string }): IntegrationKind {
  return storedSource(op.source) ?? 'classlink';
}

/**
 * The refusal when another operation of the library is queued or running (SPEC §3.7: one sync
 * per library at a time; an undo takes the same slot, SPEC §3.9): "A sync is running: try after
 * operation 42.", or "An undo is running: …".
 */
export function busyRefusal(active: { readonly id: number; readonly type: string; readonly state: string }): string {
  const what =
    active.type === OPERATION_TYPES.undo
      ? 'An undo'
      : active.type === OPERATION_TYPES.patronRemoval
        ? 'A removal'
        : active.type === OPERATION_TYPES.patronImport
          ? 'An import'
          : 'A sync';
  return `${what} is ${active.state === 'queued' ? 'queued' : 'running'}: try after operation ${active.id}.`;
}
