import { describe, expect, it } from 'vitest';
import { encodeChangeCursor } from './change-cursor.ts';
import { parseChangedSince, startOfDayIn } from './changed-since.ts';

describe('--changed-since', () => {
  it("reads a day as midnight in the library's zone", () => {
    expect(parseChangedSince('2026-09-01', 'America/New_York')).toEqual({ day: '2026-09-01', from: new Date('2026-09-01T04:00:00Z') });
    expect(parseChangedSince('2026-01-15', 'America/New_York')).toEqual({ day: '2026-01-15', from: new Date('2026-01-15T05:00:00Z') });
    expect(parseChangedSince('2026-09-01', 'UTC')).toEqual({ day: '2026-09-01', from: new Date('2026-09-01T00:00:00Z') });
    expect(startOfDayIn(2026, 7, 1, 'Asia/Kolkata')).toEqual(new Date('2026-06-30T18:30:00Z'));
    // The days daylight saving starts and ends in New York (the change is at 02:00, after midnight).
    expect(startOfDayIn(2026, 3, 8, 'America/New_York')).toEqual(new Date('2026-03-08T05:00:00Z'));
    expect(startOfDayIn(2026, 11, 1, 'America/New_York')).toEqual(new Date('2026-11-01T04:00:00Z'));
  });

  it('reads anything else as a change cursor', () => {
    expect(parseChangedSince(encodeChangeCursor({ libraryId: 3, journalId: 42 }), 'UTC')).toEqual({
      cursor: { libraryId: 3, journalId: 42 },
    });
  });

  it('refuses a date that does not exist, an empty value and a foreign cursor, in one sentence', () => {
    expect(() => parseChangedSince('2026-02-30', 'UTC')).toThrow(
      '"2026-02-30" is not a date; give a day as YYYY-MM-DD or a change cursor.',
    );
    expect(() => parseChangedSince('  ', 'UTC')).toThrow('Changed since what?');
    expect(() => parseChangedSince('not a cursor!', 'UTC')).toThrow('is not a change cursor this server issued');
  });
});
