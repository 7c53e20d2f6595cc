import type { Store } from '../../store/store.ts';
import { noAdminsWarning } from '../../sync/core/reasons.ts';
import { OPERATION_TYPES } from '../../domain/operation.ts';
import { sourceOverview, type SourceOverview } from '../setup.ts';
import { savedConnection, type ConnectionView } from './connect.ts';
import { CLASSLINK_OPTIONS } from './definition.ts';
import { loadClassLink } from './state.ts';

/** The saved connection as shown (never a secret). */
export type SavedConnection = Omit<ConnectionView, 'declaredUsers' | 'tenantName'>;

/** The ClassLink integration of a library, as the Settings page and `GET /integrations/classlink` show it. */
export interface ClassLinkOverview extends SourceOverview {
  /** The saved connection, or null before one is validated. */
  connection: SavedConnection | null;
  /** Whether the connection's secret (OAuth secret or bearer token) is saved; the secret itself is never shown. */
  credentialsSaved: boolean;
}

/** The library's ClassLink integration, without secrets. */
export async function classLinkOverview(store: Store, libraryId: number): Promise<ClassLinkOverview> {
  const state = await loadClassLink(store, libraryId);
  const connection = await savedConnection(store, libraryId);
  const credentialsSaved =
    connection !== null && (connection.auth === 'bearer' ? Boolean(state.secrets.bearer) : Boolean(state.secrets.clientSecret));
  return { ...(await sourceOverview(store, libraryId, 'classlink', CLASSLINK_OPTIONS)), connection, credentialsSaved };
}

/** The "Unenrolled Users" note of the Syncing step. */
export interface AdminNote {
  /** Admin (Staff) is a synced role. */
  adminSelected: boolean;
  /** The last ClassLink full sync had Admin selected and no administrator arrived: its id, else null. */
  missingInOperation: number | null;
}

/** Operations looked at to find the last ClassLink full sync. */
const RECENT_OPERATIONS = 50;

/** Whether Admin is selected, and whether the last full sync found no administrators (SPEC §2 step 3). */
export async function adminNote(store: Store, libraryId: number): Promise<AdminNote> {
  const { settings } = await loadClassLink(store, libraryId);
  const recent = await store.operations.list(libraryId, { limit: RECENT_OPERATIONS });
  const lastFull = recent.find((op) => op.type === OPERATION_TYPES.full && op.state !== 'queued' && op.state !== 'running');
  let missingInOperation: number | null = null;
  if (lastFull) {
    // The planner logs this warning when Admin was selected and none arrived (reasons.ts).
    const found = await store.operations.log(libraryId, lastFull.id, { level: 'warning', text: noAdminsWarning(false).message, limit: 1 });
    if (found.total > 0) missingInOperation = lastFull.id;
  }
  return { adminSelected: settings.roles.includes('admin'), missingInOperation };
}
