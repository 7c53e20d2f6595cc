/**
 * The safety thresholds (SPEC §3.5): "Before apply, the plan is measured against thresholds
 * (defaults: more than 10% transferred, or more than 50% updated). Past a threshold the
 * operation stops in state needs review."
 *
 * Each threshold has its own denominator, both counted before the plan in scope.ts, the one
 * definition the full plan (plan.ts) and a delta's scan (delta-patrons.ts) share:
 * - "The transfer threshold is measured against the patrons a sync could transfer: the Active
 *   patrons whose GUID belongs to the running integration. Patrons that no sync owns (imported,
 *   hand-made) never dilute it" (Plan.ownedPatronCount). A plan that would transfer patrons
 *   while the integration owns none is past it too: there is no share that is small enough.
 * - "The update threshold is measured against the in-scope patrons (a Policy of a synced role
 *   at a matched site, not Transferred), counting only updates that change a field besides the
 *   GUID" (Plan.inScopePatronCount). When there are none it does not apply: there is no patron
 *   an update could damage yet.
 *
 * An update that only links a patron to its roster user (sets the GUID, changes no other field)
 * is not counted toward the update threshold: the first sync after a library imports its
 * patrons links nearly all of them, which is the expected first run, not an accident. An update
 * that changes any field — a barcode blanked by a wrong mapping, say — counts, first sync or not.
 *
 * The reasons name each denominator in words ("12 of 80 patrons synced from ClassLink (15%)
 * would be transferred"): they are the operation's summary and log lines, which the review
 * page, the API and `rollcall operations show` show as they are.
 */
import type { Change, Plan, SyncSettings } from './types.ts';

/** The verdict: go ahead, or stop in "needs review" for these reasons (one line each). */
export type ThresholdCheck = { ok: true } | { ok: false; reasons: string[] };

/**
 * Measures a plan against the thresholds of the settings (SPEC §3.5). `sourceName` is how people
 * call the running integration ("ClassLink"), for the words of the transfer denominator.
 */
export function checkThresholds(
  plan: Pick<Plan, 'changes' | 'counts' | 'inScopePatronCount' | 'ownedPatronCount'>,
  settings: Pick<SyncSettings, 'thresholds'>,
  sourceName: string,
): ThresholdCheck {
  const reasons: string[] = [];
  const { maxTransferPct, maxUpdatePct } = settings.thresholds;
  const transferred = plan.counts.transferred;
  const owned = plan.ownedPatronCount;
  if (transferred > 0 && exceeds(transferred, owned, maxTransferPct)) {
    reasons.push(
      owned > 0
        ? line(transferred, owned, `patrons synced from ${sourceName}`, 'transferred', maxTransferPct)
        : `${n(transferred)} ${transferred === 1 ? 'patron' : 'patrons'} would be transferred while no patron is synced from ${sourceName} yet; the limit is ${maxTransferPct}% of the patrons synced from it.`,
    );
  }
  const inScope = plan.inScopePatronCount;
  const updated = substantiveUpdates(plan.changes);
  if (inScope > 0 && exceeds(updated, inScope, maxUpdatePct))
    reasons.push(line(updated, inScope, 'in-scope patrons', 'updated', maxUpdatePct));
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}

/** Updates that change a field besides the GUID (a link alone is not counted; see above). */
export function substantiveUpdates(changes: readonly Change[]): number {
  let count = 0;
  for (const c of changes) if (c.kind === 'update' && c.diff.some((d) => d.field !== 'guid')) count++;
  return count;
}

/** "more than" the percentage, compared in integers so 10 of 100 at 10% is not over by rounding. */
function exceeds(count: number, total: number, maxPct: number): boolean {
  return count * 100 > maxPct * total;
}

/** "12 of 80 patrons synced from ClassLink (15%) would be transferred; the limit is 10%." */
function line(count: number, total: number, of: string, verb: string, maxPct: number): string {
  const pct = (count * 100) / total;
  // One decimal is enough to see why; more would look falsely precise.
  const shown = Number.isInteger(pct) ? String(pct) : pct.toFixed(1);
  return `${n(count)} of ${n(total)} ${of} (${shown}%) would be ${verb}; the limit is ${maxPct}%.`;
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}
