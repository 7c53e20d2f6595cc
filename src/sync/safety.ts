/**
 * The safety thresholds (SPEC §3.5): "Before apply, the plan is measured against thresholds
 * (defaults: more than 10% of the in-scope patrons transferred, or more than 50% updated). Past
 * a threshold the operation stops in state needs review."
 *
 * The in-scope patrons are the existing patrons the integration manages (a GUID of its own), with
 * a Policy of a selected role, at a matched site, not already Transferred (Plan.inScopePatronCount,
 * scope.ts). When there are none — a first sync — the thresholds do not apply: there is nothing a
 * plan could destroy, and linking a library's imported patrons is the expected first run.
 */
import type { Plan, SyncSettings } from './types.ts';

/** The verdict: go ahead, or stop in "needs review" for these reasons (one line each). */
export type ThresholdCheck = { ok: true } | { ok: false; reasons: string[] };

/** Measures a plan against the thresholds of the settings (SPEC §3.5). */
export function checkThresholds(plan: Pick<Plan, 'counts' | 'inScopePatronCount'>, settings: Pick<SyncSettings, 'thresholds'>): ThresholdCheck {
  const total = plan.inScopePatronCount;
  if (total <= 0) return { ok: true };
  const reasons: string[] = [];
  const { maxTransferPct, maxUpdatePct } = settings.thresholds;
  if (exceeds(plan.counts.transferred, total, maxTransferPct)) reasons.push(line(plan.counts.transferred, total, 'transferred', maxTransferPct));
  if (exceeds(plan.counts.updated, total, maxUpdatePct)) reasons.push(line(plan.counts.updated, total, 'updated', maxUpdatePct));
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
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
