/**
 * The eight counts of a sync (SPEC §3.7, and the `counts` object of `sync --json`, §8), in
 * their contract order. One type for the planner, the store and the CLI.
 */

/** The eight counts of a sync. */
export interface SyncCounts {
  /** Patrons created. */
  created: number;
  /** Patrons whose mapped fields change (not reactivations or transfers). */
  updated: number;
  /** Matched patrons left as they were (not written). */
  unchanged: number;
  /** Patrons set to 4 Transferred. */
  transferred: number;
  /** Transferred patrons set Active again. */
  reactivated: number;
  /** Roster users skipped (skip changes plus malformed records). */
  skipped: number;
  /** Roster users left for a person to resolve. */
  conflicts: number;
  /** Warnings logged. */
  warnings: number;
}

/** The count names, in contract order. */
export const COUNT_KEYS: readonly (keyof SyncCounts)[] = [
  'created',
  'updated',
  'unchanged',
  'transferred',
  'reactivated',
  'skipped',
  'conflicts',
  'warnings',
];

/** Every count at zero. */
export function zeroCounts(): SyncCounts {
  return { created: 0, updated: 0, unchanged: 0, transferred: 0, reactivated: 0, skipped: 0, conflicts: 0, warnings: 0 };
}

/** Just the eight counts of an object that carries them (and perhaps more), in contract order. */
export function pickCounts(c: SyncCounts): SyncCounts {
  const out = zeroCounts();
  for (const k of COUNT_KEYS) out[k] = c[k];
  return out;
}
