/**
 * The end-of-year removal's rule (SPEC §3.10: "a removal of patrons by rule (status, site,
 * policy, Transferred for more than N days, no sync since a date)"), read from what a person
 * typed (the page, the API, the CLI) and said back in words. Pure: the store turns it into SQL
 * (store/removals.ts), the service previews and applies it (services/patrons/remove-patrons.ts).
 */
import { RollcallError } from './errors.ts';
import { STATUS_ACTIVE, STATUS_TRANSFERRED } from './fields.ts';
import { statusName } from './words.ts';

/** Who a removal takes: every condition given must hold. */
export interface RemovalRule {
  /** Status (1026) — Transferred (4) unless asked otherwise. */
  status: number;
  /** Only this site's patrons (its code). */
  site?: string;
  /** Only patrons with this Policy (any case). */
  policy?: string;
  /** Only patrons whose Status last changed before this day (YYYY-MM-DD, UTC): "Transferred for more than N days". */
  changedBefore?: string;
  /** Only patrons no sync has written since this day (YYYY-MM-DD, UTC). */
  notSyncedSince?: string;
}

/** What a person typed, every part optional text (a blank part is "any"). */
export interface RemovalRuleInput {
  /** The Status number; blank: Transferred (4). */
  status?: string | undefined;
  /** A site code. */
  site?: string | undefined;
  /** A Policy name. */
  policy?: string | undefined;
  /** YYYY-MM-DD: in that Status since before this day. */
  changedBefore?: string | undefined;
  /** A whole number of days: in that Status for more than this many days (instead of a date). */
  olderThanDays?: string | undefined;
  /** YYYY-MM-DD: no sync has written them since. */
  notSyncedSince?: string | undefined;
}

/** The rule a form or a command line asks for; a one-sentence refusal for anything unclear. `today` turns days into a date. */
export function parseRemovalRule(input: RemovalRuleInput, today: Date): RemovalRule {
  const status = (input.status ?? '').trim();
  if (status !== '' && !/^\d{1,9}$/.test(status))
    throw new RollcallError('invalid_input', `A Status is a whole number (1 Active, 4 Transferred, …), not "${status}".`);
  const rule: RemovalRule = { status: status === '' ? STATUS_TRANSFERRED : Number(status) };
  const site = (input.site ?? '').trim();
  if (site !== '') rule.site = site;
  const policy = (input.policy ?? '').trim();
  if (policy !== '') rule.policy = policy;
  const before = dateOf(input.changedBefore, 'The "in this Status before" date');
  const days = (input.olderThanDays ?? '').trim();
  if (days !== '') {
    if (before !== undefined) throw new RollcallError('invalid_input', 'Give either a number of days or a date, not both.');
    if (!/^\d{1,5}$/.test(days)) throw new RollcallError('invalid_input', `A number of days is a whole number, not "${days}".`);
    rule.changedBefore = new Date(today.getTime() - Number(days) * 86_400_000).toISOString().slice(0, 10);
  } else if (before !== undefined) rule.changedBefore = before;
  const synced = dateOf(input.notSyncedSince, 'The "no sync since" date');
  if (synced !== undefined) rule.notSyncedSince = synced;
  return rule;
}

/** Whether the rule takes Active patrons: allowed only with an explicit extra confirmation (never the default). */
export function removesActive(rule: RemovalRule): boolean {
  return rule.status === STATUS_ACTIVE;
}

/** A Status in words: "Transferred (4)"; the library's own codes as they are ("2"). */
export function statusWords(status: number): string {
  return statusName(status);
}

/** The rule in words: "patrons with Status Transferred (4), of site MHS, Policy Student, in that Status since before 2026-01-01". */
export function ruleWords(rule: RemovalRule): string {
  const parts = [`patrons with Status ${statusWords(rule.status)}`];
  if (rule.site !== undefined) parts.push(`of site ${rule.site}`);
  if (rule.policy !== undefined) parts.push(`with Policy ${rule.policy}`);
  if (rule.changedBefore !== undefined) parts.push(`in that Status since before ${rule.changedBefore}`);
  if (rule.notSyncedSince !== undefined) parts.push(`not written by any sync since ${rule.notSyncedSince}`);
  return parts.join(', ');
}

/** The rule as query parameters / form fields (the preview's links and the confirmation carry it). */
export function ruleFields(rule: RemovalRule): Record<string, string> {
  const out: Record<string, string> = { status: String(rule.status) };
  if (rule.site !== undefined) out.site = rule.site;
  if (rule.policy !== undefined) out.policy = rule.policy;
  if (rule.changedBefore !== undefined) out.changedBefore = rule.changedBefore;
  if (rule.notSyncedSince !== undefined) out.notSyncedSince = rule.notSyncedSince;
  return out;
}

function dateOf(value: string | undefined, what: string): string | undefined {
  const v = (value ?? '').trim();
  if (v === '') return undefined;
  const t = /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== v)
    throw new RollcallError('invalid_input', `${what} must be a day as YYYY-MM-DD, like 2026-06-30, not "${v}".`);
  return v;
}
