/**
 * Plain-text formatting for people reading a terminal (pure): aligned tables, durations and
 * the counts of an operation.
 */
import { OPERATION_TYPES } from '../domain/operation.ts';
import { countOf, numberText } from '../domain/words.ts';
import type { OperationCounts } from '../store/store.ts';

/** Spaces between table columns. */
const COLUMN_GAP = 2;
const MS_PER_SECOND = 1000;
const SECONDS_PER_MINUTE = 60;
const MINUTES_PER_HOUR = 60;

/** Rows aligned under a header, columns padded to their widest cell (the last is not padded). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + COLUMN_GAP)))
      .join('')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A duration as people say it: `850 ms`, `12.4 s`, `3 min 05 s`, `1 h 02 min`. */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < MS_PER_SECOND) return `${Math.round(ms)} ms`;
  const seconds = ms / MS_PER_SECOND;
  if (seconds < SECONDS_PER_MINUTE) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / SECONDS_PER_MINUTE);
  if (minutes < MINUTES_PER_HOUR) return `${minutes} min ${String(Math.floor(seconds % SECONDS_PER_MINUTE)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / MINUTES_PER_HOUR)} h ${String(minutes % MINUTES_PER_HOUR).padStart(2, '0')} min`;
}

/** "3 created, 1 updated, …" with every count, in the contract's order. */
export function countsLine(c: OperationCounts): string {
  return [
    `${c.created} created`,
    `${c.updated} updated`,
    `${c.unchanged} unchanged`,
    `${c.transferred} transferred`,
    `${c.reactivated} reactivated`,
    `${c.skipped} skipped`,
    countOf(c.conflicts, 'conflict'),
    countOf(c.warnings, 'warning'),
  ].join(', ');
}

/**
 * Which part of a list a page shows: the count alone when the page shows it all ("1 patron",
 * "12 patrons"), else "Patrons 21–40 of 1,234" — never "1–1 of 1 patrons".
 */
export function rangeText(first: number, last: number, total: number, one: string, many = `${one}s`): string {
  if (first <= 1 && last >= total) return countOf(total, one, many);
  return `${many.charAt(0).toUpperCase()}${many.slice(1)} ${numberText(first)}–${numberText(last)} of ${numberText(total)}`;
}

/** A state as people read it: `needs_review` → `needs review`. */
export function stateText(state: string): string {
  return state.replace(/_/g, ' ');
}

/** An ISO time shortened for a table: `2026-03-01 02:00:13` (UTC). */
export function shortTime(iso: string | null): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one. */
const ZONE_FORMATS = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(zone: string): Intl.DateTimeFormat {
  let f = ZONE_FORMATS.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    ZONE_FORMATS.set(zone, f);
  }
  return f;
}

/**
 * An ISO time as the library reads it: `2026-03-01 20:00:13` in the library's own time zone
 * (SPEC §3.7: the library's zone, never a silent UTC), one short line for a table cell. A zone
 * the runtime does not know falls back to UTC (the caller shows which zone it used).
 */
export function zonedTime(iso: string | null, zone: string): string {
  if (!iso) return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = zoneFormat(zone).formatToParts(at);
  } catch {
    return shortTime(iso);
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** The zone a library's times are shown in: its own when the runtime knows it, else UTC. */
export function shownZone(zone: string | undefined): string {
  if (!zone) return 'UTC';
  try {
    zoneFormat(zone);
    return zone;
  } catch {
    return 'UTC';
  }
}

/**
 * What an operation changed, in one short cell: its non-zero counts but conflicts and warnings
 * (they have columns of their own), "planned" when the plan was never applied (held, rejected, a
 * dry run), "no change" when nothing moved. Keeps Operations Management inside a 1280 px page,
 * where eight count columns did not fit.
 */
export function changesText(op: { counts: OperationCounts; state: string; type: string }): string {
  const c = op.counts;
  const parts = [
    [c.created, 'created'],
    [c.updated, 'updated'],
    [c.transferred, 'transferred'],
    [c.reactivated, 'reactivated'],
    [c.skipped, 'skipped'],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, what]) => `${n} ${what}`);
  const text = parts.length > 0 ? parts.join(', ') : c.unchanged > 0 ? `${c.unchanged} unchanged` : 'no change';
  return countsArePlanned(op) && parts.length > 0 ? `planned: ${text}` : text;
}

/**
 * Whether an operation's counts are what its plan would do rather than what it wrote: a plan
 * never applied (held for review, rejected, a dry run). The list and the operation page both say
 * "planned" from this one rule.
 */
export function countsArePlanned(op: { state: string; type: string }): boolean {
  return op.state === 'needs_review' || op.state === 'rejected' || op.type === OPERATION_TYPES.dryRun;
}
