import { describe, expect, it } from 'vitest';
import { zeroCounts } from '../store/store.ts';
import { changesText, countsLine, duration, shortTime, shownZone, stateText, table, zonedTime } from './format.ts';

describe('text formatting', () => {
  it('aligns a table under its header without trailing spaces', () => {
    expect(
      table(
        ['ID', 'NAME', 'X'],
        [
          ['1', 'Maple High', 'a'],
          ['22', 'Elm', ''],
        ],
      ),
    ).toEqual(['ID  NAME        X', '1   Maple High  a', '22  Elm']);
  });

  it('writes durations as people say them', () => {
    expect(duration(null)).toBe('—');
    expect(duration(850)).toBe('850 ms');
    expect(duration(12_400)).toBe('12.4 s');
    expect(duration(185_000)).toBe('3 min 05 s');
    expect(duration(3_720_000)).toBe('1 h 02 min');
  });

  it('writes every count in the contract order, states and times plainly', () => {
    expect(countsLine({ ...zeroCounts(), created: 3, warnings: 1 })).toBe(
      '3 created, 0 updated, 0 unchanged, 0 transferred, 0 reactivated, 0 skipped, 0 conflicts, 1 warning',
    );
    expect(stateText('succeeded_with_warnings')).toBe('succeeded with warnings');
    expect(shortTime('2026-03-01T02:00:13.123Z')).toBe('2026-03-01 02:00:13');
    expect(shortTime(null)).toBe('—');
  });
});

describe('zonedTime', () => {
  it("shows an ISO time in the library's zone, one line, summer and winter", () => {
    expect(zonedTime('2026-12-06T14:03:12.345Z', 'America/Chicago')).toBe('2026-12-06 08:03:12');
    expect(zonedTime('2026-07-01T14:03:12Z', 'America/Chicago')).toBe('2026-07-01 09:03:12');
    expect(zonedTime('2026-12-31T23:30:00Z', 'Pacific/Auckland')).toBe('2027-01-01 12:30:00');
    expect(zonedTime('2026-12-06T00:00:00Z', 'UTC')).toBe('2026-12-06 00:00:00');
    expect(zonedTime(null, 'UTC')).toBe('—');
  });

  it('falls back to UTC for a zone the runtime does not know, and says so', () => {
    expect(shownZone('Mars/Olympus')).toBe('UTC');
    expect(shownZone(undefined)).toBe('UTC');
    expect(shownZone('Europe/Paris')).toBe('Europe/Paris');
    expect(zonedTime('2026-12-06T14:03:12Z', 'Mars/Olympus')).toBe('2026-12-06 14:03:12');
  });
});

describe('changesText', () => {
  const counts = (c: Partial<ReturnType<typeof zeroCounts>>) => ({ ...zeroCounts(), ...c });
  it('lists the non-zero changes, planned when never applied, "no change" otherwise', () => {
    expect(
      changesText({ counts: counts({ created: 3, updated: 12, unchanged: 40 }), state: 'succeeded', type: 'classlink_full_sync' }),
    ).toBe('3 created, 12 updated');
    expect(changesText({ counts: counts({ unchanged: 40 }), state: 'succeeded', type: 'classlink_full_sync' })).toBe('40 unchanged');
    expect(changesText({ counts: counts({}), state: 'failed', type: 'classlink_full_sync' })).toBe('no change');
    expect(changesText({ counts: counts({ updated: 1049 }), state: 'rejected', type: 'classlink_full_sync' })).toBe(
      'planned: 1049 updated',
    );
    expect(changesText({ counts: counts({ transferred: 2 }), state: 'succeeded', type: 'dry_run' })).toBe('planned: 2 transferred');
  });
});
