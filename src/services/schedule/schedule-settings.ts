/**
 * A library's Daily Operations as the CLI (and the admin pages) show and change it: the
 * settings, the next runs in the library's local time, and the last slot handled.
 */
import { RollcallError } from '../../domain/errors.ts';
import type { ScheduleChange, ScheduleRecord, Store } from '../../store/store.ts';
import { WEEKDAYS, WEEKDAY_NAMES, localTime, upcomingRuns, type RunKind } from '../../domain/schedule.ts';

/** One upcoming run. */
export interface UpcomingRun {
  /** When (ISO 8601 UTC). */
  at: string;
  /** The same instant on the library's clock: `2026-03-08 03:00 (America/New_York)`. */
  local: string;
  /** Delta or full. */
  kind: RunKind;
}

/** A library's Daily Operations, for people and `--json`. */
export interface ScheduleView {
  /** Whether Daily Operations runs. */
  enabled: boolean;
  /** Local time of the daily run, `HH:MM`. */
  time: string;
  /** The library's time zone. */
  timezone: string;
  /** Whether a person chose or confirmed the time zone (SPEC §3.7: never a silent UTC). */
  timezoneConfirmed: boolean;
  /** The settings' revision: send it back with a change to be told of another admin's save. */
  revision: number;
  /** The full-sync weekday: `sun` … `sat`. */
  fullSyncDay: (typeof WEEKDAYS)[number];
  /** Whether an integration is enabled (no integration: slots are skipped). */
  integrationEnabled: boolean;
  /** The next run, or null when off. */
  next: UpcomingRun | null;
  /** The next full sync, or null when off. */
  nextFull: UpcomingRun | null;
  /** The slot last handled (`local`: on the library's clock), or null. */
  lastRun: { at: string; local: string; kind: string; note: string } | null;
}

/** Runs looked ahead to find the next full sync: a week and a day. */
const LOOK_AHEAD = 8;

/** The library's Daily Operations as of `now`. */
export async function showSchedule(store: Store, libraryId: number, now: Date): Promise<ScheduleView> {
  const record = await store.schedules.get(libraryId);
  if (!record) throw new RollcallError('not_found', `There is no library with id ${libraryId}.`);
  return viewWithIntegration(store, record, now);
}

async function viewWithIntegration(store: Store, record: ScheduleRecord, now: Date): Promise<ScheduleView> {
  const integrationEnabled = (await store.integrations.list(record.libraryId)).some((i) => i.enabled);
  return viewOf(record, integrationEnabled, now);
}

/**
 * A change refused because another admin saved the schedule after `revision` was shown: nothing
 * of this change was written; `current` is the schedule as it is now, to show and save again.
 */
export class StaleScheduleError extends RollcallError {
  /** The schedule as it is now. */
  readonly current: ScheduleView;

  constructor(current: ScheduleView) {
    super(
      'conflict',
      `Another admin changed the schedule after this form was shown, so nothing was saved; it is now ${scheduleLine(current)}. Check it and save again.`,
    );
    this.current = current;
  }
}

/**
 * Changes the library's Daily Operations (values already checked by schedule.ts's parsers). With
 * `revision` (what a form or API client was shown), only if nobody saved since: otherwise
 * StaleScheduleError, nothing written. Naming the time zone (even the same one) confirms it.
 */
export async function changeSchedule(
  store: Store,
  libraryId: number,
  change: ScheduleChange,
  now: Date,
  revision?: number,
): Promise<ScheduleView> {
  if (Object.keys(change).length > 0 || revision !== undefined) {
    const saved = await store.schedules.save(libraryId, change, revision);
    if (!saved) throw new RollcallError('not_found', `There is no library with id ${libraryId}.`);
    if ('stale' in saved) throw new StaleScheduleError(await viewWithIntegration(store, saved.stale, now));
  }
  return showSchedule(store, libraryId, now);
}

/** One line for people: `on: delta daily at 02:00 America/New_York, full on Sunday`. */
export function scheduleLine(view: ScheduleView): string {
  const when = `daily at ${view.time} ${view.timezone}, full sync on ${WEEKDAY_NAMES[WEEKDAYS.indexOf(view.fullSyncDay)]}`;
  return view.enabled ? `on: ${when}` : `off (when on: ${when})`;
}

function viewOf(record: ScheduleRecord, integrationEnabled: boolean, now: Date): ScheduleView {
  const runs = upcomingRuns(record, now, LOOK_AHEAD).map((r) => ({
    at: r.at.toISOString(),
    local: localTime(r.at, record.timezone),
    kind: r.kind,
  }));
  return {
    enabled: record.enabled,
    time: record.time,
    timezone: record.timezone,
    timezoneConfirmed: record.timezoneConfirmed,
    revision: record.revision,
    fullSyncDay: WEEKDAYS[record.fullSyncDay] ?? 'sun',
    integrationEnabled,
    next: runs[0] ?? null,
    nextFull: runs.find((r) => r.kind === 'full') ?? null,
    lastRun: record.lastRunAt
      ? {
          at: record.lastRunAt,
          local: localTime(new Date(record.lastRunAt), record.timezone),
          kind: record.lastRunKind,
          note: record.lastRunNote,
        }
      : null,
  };
}
