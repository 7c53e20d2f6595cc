/**
 * The read side of alerts: what is open for a library, for `rollcall status`, the admin pages
 * and the alert check alike. Raising and delivering alerts is the alerts job's (jobs/alerts-job.ts).
 */
import type { AlertRecord, Store } from '../../store/store.ts';

/** The library's open alerts (for `rollcall status` and the admin pages). */
export async function openAlerts(store: Store, libraryId: number): Promise<AlertRecord[]> {
  return store.alerts.open(libraryId);
}
