/**
 * `--changed-since CURSOR|DATE` of `patrons export` (and `changedSince` of the export download):
 * a change cursor (domain/change-cursor.ts: the journal rows after it) or a calendar day. A day
 * is read in the library's time zone (libraries.timezone, the zone its Daily Operations run in):
 * "changed since 2026-09-01" is every change written at or after midnight of that day where the
 * library is, so a nightly export from a librarian's point of view misses nothing of the day.
 */
import { decodeChangeCursor, type ChangeCursor } from './change-cursor.ts';
import { RollcallError } from './errors.ts';

/** What `--changed-since` asked for. */
export type ChangedSince = { cursor: ChangeCursor } | { day: string; from: Date };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Reads `--changed-since`: a day (YYYY-MM-DD, a real date) or a change cursor; one sentence otherwise. */
export function parseChangedSince(text: string, timezone: string): ChangedSince {
  const value = text.trim();
  const m = DAY.exec(value);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const check = new Date(Date.UTC(y, mo - 1, d));
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
      throw new RollcallError('invalid_input', `"${value}" is not a date; give a day as YYYY-MM-DD or a change cursor.`);
    }
    return { day: value, from: startOfDayIn(y, mo, d, timezone) };
  }
  if (value === '') throw new RollcallError('invalid_input', 'Changed since what? Give a day as YYYY-MM-DD or a change cursor.');
  return { cursor: decodeChangeCursor(value) };
}

/**
 * The instant a day begins in a time zone (midnight local time). Why twice: the zone's offset is
 * taken at a first guess and again at the result, which settles on the right side of a change of
 * offset during that day.
 */
export function startOfDayIn(year: number, month: number, day: number, timezone: string): Date {
  const wall = Date.UTC(year, month - 1, day);
  let at = wall - offsetAt(new Date(wall), timezone);
  at = wall - offsetAt(new Date(at), timezone);
  return new Date(at);
}

/** The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich). */
function offsetAt(at: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}
