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
  /** The full-sync weekday: `sun` … `sat`. */
  fullSyncDay: (typeof WEEKDAYS)[number];
  /** Whether an integration is enabled (no integration: slots are skipped). */
  integrationEnabled: boolean;
  /** The next run, or null when off. */
  next: UpcomingRun | null;
  /** The next full sync, or null when off. */
  nextFull: UpcomingRun | null;
  /** The slot last handled, or null. */
  lastRun: { at: string; kind: string; note: string } | null;
}

/** Runs looked ahead to find the next full sync: a week and a day. */
const LOOK_AHEAD = 8;

/** The library's Daily Operations as of `now`. */
export async function showSchedule(store: Store, libraryId: number, now: Date): Promise<ScheduleView> {
  const record = await store.schedules.get(libraryId);
  if (!record) throw new RollcallError('not_found', `There is no library with id ${libraryId}.`);
  const integrationEnabled = (await store.integrations.list(libraryId)).some((i) => i.enabled);
  return viewOf(record, integrationEnabled, now);
}

/** Changes the library's Daily Operations (values already checked by schedule.ts's parsers). */
export async function changeSchedule(store: Store, libraryId: number, change: ScheduleChange, now: Date): Promise<ScheduleView> {
  if (Object.keys(change).length > 0) await store.schedules.save(libraryId, change);
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
    fullSyncDay: WEEKDAYS[record.fullSyncDay] ?? 'sun',
    integrationEnabled,
    next: runs[0] ?? null,
    nextFull: runs.find((r) => r.kind === 'full') ?? null,
    lastRun: record.lastRunAt ? { at: record.lastRunAt, kind: record.lastRunKind, note: record.lastRunNote } : null,
  };
}
