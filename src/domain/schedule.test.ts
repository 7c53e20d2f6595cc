import { describe, expect, it } from 'vitest';
import { isRollcallError } from './errors.ts';
import {
  checkTimezone,
  dueRun,
  localTime,
  parseRunTime,
  parseWeekday,
  timeZoneChoices,
  upcomingRuns,
  weekdayIn,
  type ScheduleSettings,
} from './schedule.ts';

const NY = 'America/New_York';
const LONDON = 'Europe/London';
const MINUTE = 60_000;

/**
 * A fake clock stepping five minutes at a time (the slots fall on those steps) from `from` to `to`; whenever a run is due it is
 * "run" (recorded as handled, as the fan-out does). Returns the runs: when the clock saw them,
 * the slot, the kind.
 */
function simulate(settings: ScheduleSettings, from: string, to: string, stepMs = 5 * MINUTE) {
  const runs: { at: string; slot: string; kind: string; missed: number }[] = [];
  let lastRunAt: Date | null = null;
  const since = new Date(from);
  for (let t = Date.parse(from); t <= Date.parse(to); t += stepMs) {
    const now = new Date(t);
    const due = dueRun(settings, { lastRunAt, since }, now);
    if (due.kind === 'none') continue;
    runs.push({ at: now.toISOString(), slot: due.slot.toISOString(), kind: due.kind, missed: due.missed });
    lastRunAt = due.slot;
  }
  return runs;
}

const daily = (timezone: string, time = '02:00', fullSyncDay = 0): ScheduleSettings => ({ enabled: true, time, fullSyncDay, timezone });

describe('dueRun: the library local time across daylight-saving changes', () => {
  it('runs at 02:00 New York time around the spring-forward day (2026-03-08), the full sync on Sunday', () => {
    const runs = simulate(daily(NY), '2026-03-06T12:00:00Z', '2026-03-10T12:00:00Z');
    expect(runs.map(({ at, kind }) => [at, kind])).toEqual([
      ['2026-03-07T07:00:00.000Z', 'delta'], // Sat 02:00 EST (UTC−5)
      ['2026-03-08T07:00:00.000Z', 'full'], // Sun: 02:00 does not exist; the first valid time, 03:00 EDT
      ['2026-03-09T06:00:00.000Z', 'delta'], // Mon 02:00 EDT (UTC−4)
      ['2026-03-10T06:00:00.000Z', 'delta'],
    ]);
    expect(runs.every((r) => r.at === r.slot && r.missed === 1)).toBe(true);
  });

  it('runs a 02:30 time once on the spring-forward day, at 03:00 EDT', () => {
    const runs = simulate(daily(NY, '02:30'), '2026-03-07T12:00:00Z', '2026-03-09T12:00:00Z');
    expect(runs.map((r) => r.at)).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(runs.map((r) => localTime(new Date(r.at), NY))).toEqual([`2026-03-08 03:00 (${NY})`, `2026-03-09 02:30 (${NY})`]);
  });

  it('runs at 02:00 New York time around the fall-back day (2026-11-01), and a 01:30 time only once that day', () => {
    const runs = simulate(daily(NY), '2026-10-30T12:00:00Z', '2026-11-02T12:00:00Z');
    expect(runs.map(({ at, kind }) => [at, kind])).toEqual([
      ['2026-10-31T06:00:00.000Z', 'delta'], // Sat 02:00 EDT
      ['2026-11-01T07:00:00.000Z', 'full'], // Sun 02:00 EST: clocks went back at 02:00 EDT, 02:00 happens once
      ['2026-11-02T07:00:00.000Z', 'delta'],
    ]);
    // 01:00–01:59 happens twice on 2026-11-01; the run does not.
    const early = simulate(daily(NY, '01:30'), '2026-11-01T00:00:00Z', '2026-11-01T23:59:00Z');
    expect(early.map((r) => r.at)).toEqual(['2026-11-01T05:30:00.000Z']);
  });

  it('follows Europe/London through both of its 2026 changes (29 March, 25 October)', () => {
    const spring = simulate(daily(LONDON), '2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z');
    expect(spring.map(({ at, kind }) => [at, kind])).toEqual([
      ['2026-03-28T02:00:00.000Z', 'delta'], // GMT
      ['2026-03-29T01:00:00.000Z', 'full'], // BST from 01:00 GMT that Sunday
      ['2026-03-30T01:00:00.000Z', 'delta'],
    ]);
    const autumn = simulate(daily(LONDON, '01:30'), '2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z');
    expect(autumn.map((r) => r.at)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });
});

describe('dueRun: the weekly full sync', () => {
  it('replaces the delta on its weekday, in the library time zone (not UTC)', () => {
    // Wednesday full sync in Auckland, whose Wednesday 02:00 is Tuesday afternoon UTC.
    const runs = simulate(daily('Pacific/Auckland', '02:00', 3), '2026-06-01T00:00:00Z', '2026-06-08T00:00:00Z');
    expect(runs).toHaveLength(7);
    const full = runs.filter((r) => r.kind === 'full');
    expect(full).toHaveLength(1);
    expect(full[0]!.slot).toBe('2026-06-02T14:00:00.000Z'); // Wed 3 June 02:00 NZST (UTC+12)
    expect(weekdayIn(new Date(full[0]!.slot), 'Pacific/Auckland')).toBe(3);
    expect(new Date(full[0]!.slot).getUTCDay()).toBe(2); // a Tuesday in UTC
  });
});

describe('dueRun: missed runs', () => {
  const settings = daily(NY, '02:00', 0);

  it('runs once at start-up after three days down, not once per missed day', () => {
    const lastRunAt = new Date('2026-03-09T06:00:00Z'); // Mon 02:00 EDT ran
    const startUp = new Date('2026-03-12T15:00:00Z'); // back on Thursday afternoon: Tue, Wed, Thu missed
    const due = dueRun(settings, { lastRunAt, since: new Date('2026-01-01T00:00:00Z') }, startUp);
    expect(due).toEqual({ kind: 'delta', slot: new Date('2026-03-12T06:00:00Z'), missed: 3 });
    // The one run recorded, nothing more is due that day.
    const after = { lastRunAt: new Date('2026-03-12T06:00:00Z'), since: new Date('2026-01-01T00:00:00Z') };
    expect(dueRun(settings, after, startUp).kind).toBe('none');
    expect(dueRun(settings, after, new Date('2026-03-12T23:59:00Z')).kind).toBe('none');
    expect(dueRun(settings, after, new Date('2026-03-13T06:00:00Z')).kind).toBe('delta');
  });

  it('makes the catch-up run a full sync when the full-sync day was among the days missed', () => {
    const lastRunAt = new Date('2026-03-06T07:00:00Z'); // Fri
    const due = dueRun(settings, { lastRunAt, since: lastRunAt }, new Date('2026-03-10T12:00:00Z')); // Tue: Sat, Sun, Mon, Tue missed
    expect(due).toMatchObject({ kind: 'full', slot: new Date('2026-03-10T06:00:00Z'), missed: 4 });
    // Down for more than a week: a full sync, counted as a week.
    const long = dueRun(settings, { lastRunAt, since: lastRunAt }, new Date('2026-04-01T12:00:00Z'));
    expect(long).toMatchObject({ kind: 'full', missed: 7 });
  });

  it('is due at the slot itself, not a minute later, and not before it', () => {
    const history = { lastRunAt: new Date('2026-03-09T06:00:00Z'), since: new Date('2026-01-01T00:00:00Z') };
    expect(dueRun(settings, history, new Date('2026-03-10T05:59:59.999Z')).kind).toBe('none');
    expect(dueRun(settings, history, new Date('2026-03-10T06:00:00.000Z')).kind).toBe('delta');
    // A slot handled is not due again, even within its own second; nor one a moment before `since`.
    const handled = { lastRunAt: new Date('2026-03-10T06:00:00.000Z'), since: new Date('2026-01-01T00:00:00Z') };
    expect(dueRun(settings, handled, new Date('2026-03-10T06:00:00.500Z')).kind).toBe('none');
    const changed = { lastRunAt: null, since: new Date('2026-03-10T06:00:00.400Z') };
    expect(dueRun(settings, changed, new Date('2026-03-10T06:00:00.900Z')).kind).toBe('none');
  });

  it('never counts slots before the schedule began or last changed', () => {
    // Created (or changed) Tuesday 14:00 New York: Tuesday's 02:00 is not a missed run.
    const since = new Date('2026-03-10T18:00:00Z');
    expect(dueRun(settings, { lastRunAt: null, since }, new Date('2026-03-10T20:00:00Z')).kind).toBe('none');
    expect(dueRun(settings, { lastRunAt: null, since }, new Date('2026-03-11T06:00:00Z'))).toMatchObject({ kind: 'delta', missed: 1 });
  });

  it('is never due when Daily Operations is off', () => {
    const off = { ...settings, enabled: false };
    expect(dueRun(off, { lastRunAt: null, since: new Date('2020-01-01T00:00:00Z') }, new Date('2026-03-10T12:00:00Z'))).toEqual({
      kind: 'none',
    });
    expect(upcomingRuns(off, new Date('2026-03-10T12:00:00Z'), 3)).toEqual([]);
  });
});

describe('upcomingRuns', () => {
  it('lists the next runs with their kinds', () => {
    const next = upcomingRuns(daily(NY, '02:00', 0), new Date('2026-03-06T12:00:00Z'), 3);
    expect(next.map((r) => [r.at.toISOString(), r.kind])).toEqual([
      ['2026-03-07T07:00:00.000Z', 'delta'],
      ['2026-03-08T07:00:00.000Z', 'full'],
      ['2026-03-09T06:00:00.000Z', 'delta'],
    ]);
  });
});

describe('parsers', () => {
  it('reads times, weekdays and time zones, and refuses anything else with a usage error', () => {
    expect(parseRunTime('2:05')).toBe('02:05');
    expect(parseRunTime(' 23:59 ')).toBe('23:59');
    expect(parseWeekday('Wed')).toBe(3);
    expect(parseWeekday('saturday')).toBe(6);
    expect(checkTimezone('Europe/London')).toBe('Europe/London');
    for (const bad of [
      () => parseRunTime('24:00'),
      () => parseRunTime('2pm'),
      () => parseWeekday('someday'),
      () => checkTimezone('Mars/Olympus'),
      () => checkTimezone(''),
    ]) {
      let error: unknown;
      try {
        bad();
      } catch (e) {
        error = e;
      }
      expect(isRollcallError(error, 'usage')).toBe(true);
    }
  });

  it('stores a time zone in its canonical spelling, so the list of choices always finds it', () => {
    expect(checkTimezone(' america/new_york ')).toBe('America/New_York');
    expect(checkTimezone('Etc/UTC')).toBe('UTC');
    const choices = timeZoneChoices();
    expect(choices).toContain('UTC');
    expect(choices).toContain('America/Chicago');
    expect(choices).toEqual([...choices].sort());
    // A zone the runtime knows but does not list (a stored legacy name) is still offered.
    expect(timeZoneChoices('Etc/GMT+5')).toContain('Etc/GMT+5');
  });
});
