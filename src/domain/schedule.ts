/**
 * Daily Operations' calendar (SPEC §3.6, §3.7), pure: given a library's schedule settings, the slot it
 * last handled and `now`, which run is due — none, a delta, or the weekly full.
 *
 * Each library has a local time (default 02:00) in its own time zone; croner finds the slots,
 * so daylight-saving changes follow the zone's rules: a time that does not exist on the
 * spring-forward day (02:30 in New York on 2026-03-08) runs at the first valid time after the
 * gap (03:00), and a time that occurs twice on the fall-back day runs once. On the full-sync
 * weekday the full sync replaces the delta.
 *
 * Missed runs: only the latest slot is ever due. A server that was down for three days runs
 * once when it comes back, not three times; that one run is a full sync when a full-sync day
 * was among the slots missed, so the weekly full is not skipped for a week.
 */
import { Cron } from 'croner';
import { RollcallError } from './errors.ts';

/** Weekday names as the CLI takes them, index = JavaScript's day number (0 Sunday). */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Weekday names for people. */
export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** The settings a library starts with. */
export const DEFAULT_SCHEDULE = { enabled: true, time: '02:00', fullSyncDay: 0 } as const;

/** Slots looked back over to learn whether a full-sync day was missed: a week covers every weekday. */
const LOOK_BACK_SLOTS = 7;

/** A library's Daily Operations settings. */
export interface ScheduleSettings {
  /** Whether Daily Operations runs at all. */
  enabled: boolean;
  /** Local time of the daily run, `HH:MM` (24 h). */
  time: string;
  /** Weekday of the weekly full sync: 0 Sunday … 6 Saturday. */
  fullSyncDay: number;
  /** IANA time zone the time is read in (`America/New_York`). */
  timezone: string;
}

/** What the library has already done. */
export interface ScheduleHistory {
  /** The slot last handled (run or skipped), or null when none has been. */
  lastRunAt: Date | null;
  /** Slots at or before this are never due: when the schedule was created or last changed. */
  since: Date;
}

/** A run of Daily Operations. */
export type RunKind = 'delta' | 'full';

/** Which run is due now. */
export type DueRun =
  | { kind: 'none' }
  | {
      kind: RunKind;
      /** The slot this run stands for (the latest one due): record it as handled. */
      slot: Date;
      /** Slots not handled up to now, this one included (1 on time; capped at a week). */
      missed: number;
    };

/** The run due at `now`, if any (see the module comment). */
export function dueRun(settings: ScheduleSettings, history: ScheduleHistory, now: Date): DueRun {
  if (!settings.enabled) return { kind: 'none' };
  const cron = cronOf(settings);
  const baseline = new Date(Math.max(history.lastRunAt?.getTime() ?? -Infinity, history.since.getTime()));
  // The common case (called every minute for every library) costs one look forward: nothing due.
  const first = cron.nextRun(baseline);
  if (!first || first.getTime() > now.getTime()) return { kind: 'none' };
  const missed = cron.nextRuns(LOOK_BACK_SLOTS, baseline).filter((slot) => slot.getTime() <= now.getTime());
  // A week or more missed: the latest slot is further on than the ones enumerated.
  const latest = missed.length < LOOK_BACK_SLOTS ? missed[missed.length - 1]! : cron.previousRuns(1, new Date(now.getTime() + 1))[0]!;
  const full = missed.length >= LOOK_BACK_SLOTS || missed.some((slot) => weekdayIn(slot, settings.timezone) === settings.fullSyncDay);
  return { kind: full ? 'full' : 'delta', slot: latest, missed: missed.length };
}

/** The next `count` runs after `now` and what each will be. */
export function upcomingRuns(settings: ScheduleSettings, now: Date, count: number): { at: Date; kind: RunKind }[] {
  if (!settings.enabled) return [];
  return cronOf(settings)
    .nextRuns(count, now)
    .map((at) => ({ at, kind: weekdayIn(at, settings.timezone) === settings.fullSyncDay ? 'full' : 'delta' }));
}

/** The weekday (0 Sunday … 6 Saturday) of an instant in a time zone. */
export function weekdayIn(at: Date, timezone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short' }).format(at).toLowerCase();
  return WEEKDAYS.indexOf(name as (typeof WEEKDAYS)[number]);
}

/** An instant as the library's local wall-clock time: `2026-03-08 03:00 (America/New_York)`. */
export function localTime(at: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} (${timezone})`;
}

/** `HH:MM` (or `H:MM`) → `HH:MM`; a usage error otherwise. */
export function parseRunTime(text: string): string {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!m) throw new RollcallError('usage', `A run time is HH:MM on a 24-hour clock (e.g. 02:00), not "${text}".`);
  return `${m[1]!.padStart(2, '0')}:${m[2]}`;
}

/** `sun` … `sat` (or the full English name) → 0 … 6; a usage error otherwise. */
export function parseWeekday(text: string): number {
  const v = text.trim().toLowerCase();
  const day = WEEKDAYS.findIndex((d, i) => v === d || v === WEEKDAY_NAMES[i]!.toLowerCase());
  if (day < 0) throw new RollcallError('usage', `A full-sync day is one of ${WEEKDAYS.join(', ')}, not "${text}".`);
  return day;
}

/**
 * An IANA time zone the runtime knows, in its canonical spelling (`america/new_york` →
 * `America/New_York`, `Etc/UTC` → `UTC`); a usage error naming the field otherwise.
 */
export function checkTimezone(text: string): string {
  const tz = text.trim();
  if (tz === '') throw new RollcallError('usage', 'The time zone is empty; use an IANA name such as America/New_York.');
  try {
    // Throws RangeError for a zone the runtime does not know.
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    throw new RollcallError('usage', `"${text}" is not a time zone; use an IANA name such as America/New_York or Europe/London.`);
  }
}

/** The server's own time zone: what a new library is offered (SPEC §3.7: asked for, never a silent UTC). */
export function serverTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * The zones a person chooses from: the runtime's list (`Intl.supportedValuesOf`), which leaves out
 * `UTC` itself, plus `UTC` and `also` (a zone already stored, so a form always shows it), sorted.
 */
export function timeZoneChoices(...also: string[]): string[] {
  return [...new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', ...also])].sort();
}

/** A croner pattern for the daily slot (no callback: croner only computes, no timer runs). */
function cronOf(settings: ScheduleSettings): Cron {
  const [hour, minute] = parseRunTime(settings.time).split(':').map(Number);
  return new Cron(`${minute} ${hour} * * *`, { timezone: settings.timezone });
}
