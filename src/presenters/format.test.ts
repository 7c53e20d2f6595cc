import { describe, expect, it } from 'vitest';
import { zeroCounts } from '../store/store.ts';
import { countsLine, duration, shortTime, stateText, table } from './format.ts';

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
      '3 created, 0 updated, 0 unchanged, 0 transferred, 0 reactivated, 0 skipped, 0 conflicts, 1 warnings',
    );
    expect(stateText('succeeded_with_warnings')).toBe('succeeded with warnings');
    expect(shortTime('2026-03-01T02:00:13.123Z')).toBe('2026-03-01 02:00:13');
    expect(shortTime(null)).toBe('—');
  });
});
