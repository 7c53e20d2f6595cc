import { describe, expect, it } from 'vitest';
import { isRollcallError } from '../../domain/errors.ts';
import { scheduleRequestOf } from './schedule.ts';

function refusal(body: Record<string, unknown>): string {
  try {
    scheduleRequestOf(body);
  } catch (e) {
    if (isRollcallError(e)) return e.message;
    throw e;
  }
  throw new Error('not refused');
}

describe('scheduleRequestOf', () => {
  it('reads the page form and a JSON body alike; absent fields are left out', () => {
    expect(scheduleRequestOf({ enabled: 'on', time: '3:15', fullSyncDay: 'wed', timezone: 'america/chicago', revision: '4' })).toEqual({
      change: { enabled: true, time: '03:15', fullSyncDay: 3, timezone: 'America/Chicago' },
      revision: 4,
    });
    expect(scheduleRequestOf({ enabled: false, revision: 0 })).toEqual({ change: { enabled: false }, revision: 0 });
    expect(scheduleRequestOf({})).toEqual({ change: {}, revision: undefined });
  });

  it('refuses each bad value with a sentence naming its field', () => {
    expect(refusal({ time: '25:00' })).toMatch(/^A run time is HH:MM/);
    expect(refusal({ fullSyncDay: 'someday' })).toMatch(/^A full-sync day is one of/);
    expect(refusal({ timezone: 'Mars/Olympus' })).toMatch(/"Mars\/Olympus" is not a time zone/);
    expect(refusal({ timezone: ' ' })).toMatch(/The time zone is empty/);
    expect(refusal({ enabled: 'maybe' })).toBe('Daily Operations is either on or off, not "maybe".');
    expect(refusal({ revision: 'x' })).toMatch(/its revision is not a number/);
  });
});
