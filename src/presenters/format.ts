/**
 * Plain-text formatting for people reading a terminal (pure): aligned tables, durations and
 * the counts of an operation.
 */
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
    `${c.conflicts} conflicts`,
    `${c.warnings} warnings`,
  ].join(', ');
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
