/**
 * What the Schedule page and `PUT /api/v1/schedule` send, read into a change of Daily Operations
 * (pure). Every value goes through the same parsers as `rollcall schedule set` (domain/schedule.ts),
 * so a bad time, day or time zone gets the same sentence naming the field everywhere, and nothing
 * is saved: the whole body is read before anything is written.
 */
import { checkTimezone, parseRunTime, parseWeekday } from '../../domain/schedule.ts';
import type { ScheduleChange } from '../../store/store.ts';
import { type Body, invalid, textOf } from './body.ts';

/** A change and the revision of the settings the sender was shown (undefined: not sent). */
export interface ScheduleRequest {
  change: ScheduleChange;
  revision: number | undefined;
}

/** Reads a form or JSON body; absent fields are kept as they are. */
export function scheduleRequestOf(body: Body): ScheduleRequest {
  const change: ScheduleChange = {};
  if (body.enabled !== undefined) change.enabled = onOff(body.enabled);
  if (body.time !== undefined) change.time = parseRunTime(textOf(body.time));
  if (body.fullSyncDay !== undefined) change.fullSyncDay = parseWeekday(textOf(body.fullSyncDay));
  if (body.timezone !== undefined) change.timezone = checkTimezone(textOf(body.timezone));
  return { change, revision: revisionOf(body.revision) };
}

/** Daily Operations on or off: a JSON boolean, or the page's `on` / `off`. */
function onOff(value: unknown): boolean {
  if (value === true || value === 'on') return true;
  if (value === false || value === 'off') return false;
  throw invalid(`Daily Operations is either on or off, not "${textOf(value) || String(value)}".`);
}

/** The revision a form carried back; a form Rollcall did not make is refused. */
function revisionOf(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const text = textOf(value);
  if (!/^\d{1,9}$/.test(text)) throw invalid('This form is not one Rollcall showed (its revision is not a number): reload the page.');
  return Number(text);
}
