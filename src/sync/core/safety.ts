/**
 * The safety thresholds (SPEC §3.5): "Before apply, the plan is measured against thresholds
 * (defaults: more than 10% of the in-scope patrons transferred, or more than 50% updated). Past
 * a threshold the operation stops in state needs review."
 *
 * The in-scope patrons are the existing patrons with a Policy of a selected role, at a matched
 * site, not already Transferred (Plan.inScopePatronCount, scope.ts). When there are none, the
 * thresholds do not apply: there is nothing a plan could destroy.
 *
 * An update that only links a patron to its roster user (sets the GUID, changes no other field)
 * is not counted toward the update threshold: the first sync after a library imports its
 * patrons links nearly all of them, which is the expected first run, not an accident. An update
 * that changes any field — a barcode blanked by a wrong mapping, say — counts, first sync or not.
 */
import type { Change, Plan, SyncSettings } from './types.ts';

/** The verdict: go ahead, or stop in "needs review" for these reasons (one line each). */
export type ThresholdCheck = { ok: true } | { ok: false; reasons: string[] };

/** Measures a plan against the thresholds of the settings (SPEC §3.5). */
export function checkThresholds(
  plan: Pick<Plan, 'changes' | 'counts' | 'inScopePatronCount'>,
  settings: Pick<SyncSettings, 'thresholds'>,
): ThresholdCheck {
  const total = plan.inScopePatronCount;
  if (total <= 0) return { ok: true };
  const reasons: string[] = [];
  const { maxTransferPct, maxUpdatePct } = settings.thresholds;
  const updated = substantiveUpdates(plan.changes);
  if (exceeds(plan.counts.transferred, total, maxTransferPct))
    reasons.push(line(plan.counts.transferred, total, 'transferred', maxTransferPct));
  if (exceeds(updated, total, maxUpdatePct)) reasons.push(line(updated, total, 'updated', maxUpdatePct));
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}

/** Updates that change a field besides the GUID (a link alone is not counted; see above). */
export function substantiveUpdates(changes: readonly Change[]): number {
  let n = 0;
  for (const c of changes) if (c.kind === 'update' && c.diff.some((d) => d.field !== 'guid')) n++;
  return n;
}

/** "more than" the percentage, compared in integers so 10 of 100 at 10% is not over by rounding. */
function exceeds(count: number, total: number, maxPct: number): boolean {
  return count * 100 > maxPct * total;
}

function line(count: number, total: number, verb: string, maxPct: number): string {
  const pct = (count * 100) / total;
  // One decimal is enough to see why; more would look falsely precise.
  const shown = Number.isInteger(pct) ? String(pct) : pct.toFixed(1);
  const n = (x: number) => x.toLocaleString('en-US');
  return `${n(count)} of ${n(total)} in-scope patrons (${shown}%) would be ${verb}; the limit is ${maxPct}%.`;
}
