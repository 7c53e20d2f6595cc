/**
 * `rollcall patrons export [--format csv|json] [--site CODE] [--status N] [--policy NAME]` (SPEC §8, §3.10): the library's patrons,
 * streamed batch by batch so a million of them never sit in memory. JSON is one array of
 * objects with the contract's keys in the contract's order; CSV has the same columns headed by
 * field numbers, in the order of SPEC §1.2's table, then Policy (1028).
 */
import { EXPORT_FIELDS } from '../../domain/fields.ts';
import type { Patron } from '../../domain/patron.ts';
import type { PatronFilter, Store } from '../../store/store.ts';
import { requireSite } from '../sites/sites.ts';

/** The export formats. */
export type ExportFormat = 'csv' | 'json';

/** Where the export goes: awaited, so a slow reader (a pipe) slows the export down. */
export type ExportSink = (chunk: string) => void | Promise<void>;

/** A patron as `patrons export --format json` prints it (SPEC §8). */
export type ExportedPatron = Record<(typeof EXPORT_FIELDS)[number]['key'], string | number>;

/** Which patrons to export: every condition given must hold. */
export interface ExportOptions {
  /** csv or json. */
  format: ExportFormat;
  /** Only this site's patrons (its code). */
  siteCode?: string | undefined;
  /** Only this Status (1026) number, e.g. 4 Transferred: a library's own end-of-year archive (SPEC §3.10). */
  status?: number | undefined;
  /** Only this Policy (any case). */
  policy?: string | undefined;
}

/** Writes the library's patrons (of one site, Status or Policy, if asked) to the sink; returns how many. */
export async function exportPatrons(
  store: Pick<Store, 'patrons' | 'sites'>,
  libraryId: number,
  options: ExportOptions,
  sink: ExportSink,
): Promise<number> {
  // Checked first, so an unknown code fails before anything is written.
  if (options.siteCode !== undefined) await requireSite(store, libraryId, options.siteCode);
  const filter: PatronFilter = {};
  if (options.siteCode !== undefined) filter.siteCode = options.siteCode.trim();
  if (options.status !== undefined) filter.status = options.status;
  if (options.policy !== undefined && options.policy.trim() !== '') filter.policy = options.policy.trim();
  const json = options.format === 'json';
  let count = 0;
  await sink(json ? '[' : `${csvHeader()}\n`);
  for await (const batch of store.patrons.batches(libraryId, filter)) {
    let chunk = '';
    for (const p of batch) {
      chunk += json ? `${count === 0 ? '\n' : ',\n'}${JSON.stringify(exportedPatron(p))}` : `${csvLine(p)}\n`;
      count++;
    }
    await sink(chunk);
  }
  if (json) await sink(count === 0 ? ']\n' : '\n]\n');
  return count;
}

/** A patron's export object: every contract key, in order; absent values as "" and status as its number. */
export function exportedPatron(p: Patron): ExportedPatron {
  const out = {} as ExportedPatron;
  for (const f of EXPORT_FIELDS) out[f.key] = f.key === 'status' ? p.status : (p[f.key] ?? '');
  return out;
}

/** The CSV header: field numbers in export order. */
export function csvHeader(): string {
  return EXPORT_FIELDS.map((f) => String(f.number)).join(',');
}

/** A patron as one CSV line (RFC 4180 quoting, no line end). */
export function csvLine(p: Patron): string {
  return EXPORT_FIELDS.map((f) => csvCell(String(f.key === 'status' ? p.status : (p[f.key] ?? '')))).join(',');
}

/** A CSV cell, quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
