/**
 * `rollcall patrons export [--format csv|json|koha] [--site CODE] [--status N] [--policy NAME]
 * [--changed-since CURSOR|DATE]` (SPEC §8) and the web/API download: the library's patrons,
 * streamed batch by batch so a million of them never sit in memory. JSON is one array of
 * objects with the contract's keys in the contract's order; CSV has the same columns headed by
 * field numbers, in the order of SPEC §1.2's table, then Policy (1028); Koha is Koha's patron
 * import CSV (domain/koha.ts), with the library's Koha codes.
 *
 * CSV files start with a byte-order mark and their cells are formula-safe (src/csv/csv-write.ts);
 * `patrons import` reads the field-number CSV back to the same values. The Koha file has the
 * mark (Koha's import strips it) but no formula prefix: Koha's import takes every cell as it is,
 * so a `'` would end up in Koha (a phone number `+1 555…` would read `'+1 555…` at the desk).
 */
import { CSV_BOM, csvLine as spreadsheetLine, csvQuoted } from '../../csv/csv-write.ts';
import { parseChangedSince } from '../../domain/changed-since.ts';
import { RollcallError } from '../../domain/errors.ts';
import { EXPORT_FIELDS } from '../../domain/fields.ts';
import { KOHA_COLUMNS, kohaCells, type KohaCodes } from '../../domain/koha.ts';
import type { Patron } from '../../domain/patron.ts';
import type { ExportFilter, Store } from '../../store/store.ts';
import { requireSite } from '../sites/sites.ts';

/** The export formats. */
export const EXPORT_FORMATS = ['csv', 'json', 'koha'] as const;

/** An export format. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Where the export goes: awaited, so a slow reader (a pipe) slows the export down. */
export type ExportSink = (chunk: string) => void | Promise<void>;

/** A patron as `patrons export --format json` prints it (SPEC §8). */
export type ExportedPatron = Record<(typeof EXPORT_FIELDS)[number]['key'], string | number>;

/** What to export, as typed (the CLI's options, the download's query). */
export interface ExportAsk {
  /** csv (field numbers), json, or koha. */
  format: ExportFormat;
  /** Only this site's patrons. */
  siteCode?: string | undefined;
  /** Only patrons with this Status number. */
  status?: string | undefined;
  /** Only patrons with this Policy. */
  policy?: string | undefined;
  /** Only patrons changed since a change cursor or a day (YYYY-MM-DD, in the library's zone). */
  changedSince?: string | undefined;
}

/** What an export wrote. */
export interface ExportReport {
  /** Patrons written. */
  count: number;
  /** Koha only: patrons left out because they have no Barcode (Koha matches on cardnumber). */
  withoutBarcode: number;
}

/** The store an export reads. */
export type ExportStore = Pick<Store, 'patrons' | 'sites' | 'journal' | 'kohaCodes' | 'libraries'>;

/** Status codes are small whole numbers (1 Active, 4 Transferred, a library's own up to 4 digits). */
const STATUS = /^\d{1,4}$/;

/**
 * The export's filters from what was typed, checked before anything is written: the one place
 * every interface's filters are read (site, status, policy, changed since). One sentence for
 * each bad value; a cursor of another library is not_found (the API answers 404).
 */
export async function exportFilterOf(store: ExportStore, libraryId: number, ask: Omit<ExportAsk, 'format'>): Promise<ExportFilter> {
  const filter: ExportFilter = {};
  if (ask.siteCode !== undefined && ask.siteCode.trim() !== '') filter.siteCode = (await requireSite(store, libraryId, ask.siteCode)).code;
  if (ask.status !== undefined && ask.status.trim() !== '') {
    const status = ask.status.trim();
    if (!STATUS.test(status))
      throw new RollcallError('invalid_input', `A status is a number (1 Active, 4 Transferred, …), not "${status}".`);
    filter.status = Number(status);
  }
  if (ask.policy !== undefined && ask.policy.trim() !== '') filter.policy = ask.policy.trim();
  if (ask.changedSince !== undefined && ask.changedSince.trim() !== '') {
    // A day is read in the library's zone (domain/changed-since.ts).
    const timezone = (await store.libraries.get(libraryId))?.timezone ?? 'UTC';
    const since = parseChangedSince(ask.changedSince, timezone);
    // The journal keeps its rows for a retention period (SPEC §3.9); older ones are pruned, oldest
    // first (jobs/reap-stale.ts). While its first row (id 1) is still there nothing was pruned;
    // after, rows older than the oldest kept one are gone, and what changed then is not known.
    const oldest = await store.journal.oldest();
    const pruned = oldest !== undefined && oldest.id > 1;
    if ('cursor' in since) {
      if (since.cursor.libraryId !== libraryId) throw new RollcallError('not_found', 'That change cursor belongs to another library.');
      if (pruned && oldest.id > since.cursor.journalId + 1) throw journalTooShort(oldest.at);
      filter.changedSince = { afterJournalId: since.cursor.journalId };
    } else {
      if (pruned && since.from.toISOString() < oldest.at) throw journalTooShort(oldest.at);
      filter.changedSince = { at: since.from.toISOString() };
    }
  }
  return filter;
}

function journalTooShort(oldestAt: string): RollcallError {
  return new RollcallError(
    'invalid_input',
    `The change journal goes back only to ${oldestAt.slice(0, 10)}, so what changed before then is not known; export every patron instead (without --changed-since).`,
  );
}

/** Writes the library's patrons that the filters keep to the sink; returns how many. */
export async function exportPatrons(store: ExportStore, libraryId: number, ask: ExportAsk, sink: ExportSink): Promise<ExportReport> {
  // Checked first, so a bad filter or an unmapped Koha code fails before anything is written.
  const filter = await exportFilterOf(store, libraryId, ask);
  const koha = ask.format === 'koha' ? await kohaCodesFor(store, libraryId, filter) : undefined;
  const json = ask.format === 'json';
  const report: ExportReport = { count: 0, withoutBarcode: 0 };
  await sink(json ? '[' : `${CSV_BOM}${koha ? kohaHeader() : csvHeader()}\n`);
  for await (const batch of store.patrons.batches(libraryId, filter)) {
    let chunk = '';
    for (const p of batch) {
      if (koha) {
        // Koha matches on cardnumber: a row without one would make a new Koha patron every night.
        if (p.barcode === '') {
          report.withoutBarcode++;
          continue;
        }
        chunk += `${kohaCells(p, koha).map(csvQuoted).join(',')}\n`;
      } else chunk += json ? `${report.count === 0 ? '\n' : ',\n'}${JSON.stringify(exportedPatron(p))}` : `${csvLine(p)}\n`;
      report.count++;
    }
    await sink(chunk);
  }
  if (json) await sink(report.count === 0 ? ']\n' : '\n]\n');
  return report;
}

/**
 * The library's Koha codes, refusing (one sentence naming them) when a site or a policy of the
 * patrons to export has none: Koha refuses a row without a branchcode or categorycode, and a
 * guessed code would put patrons in the wrong Koha library.
 */
async function kohaCodesFor(store: ExportStore, libraryId: number, filter: ExportFilter): Promise<KohaCodes> {
  const branches = new Map(
    (await store.kohaCodes.branches(libraryId)).filter((b) => b.branchcode !== '').map((b) => [b.siteCode, b.branchcode]),
  );
  const categories = new Map(
    (await store.kohaCodes.categories(libraryId)).filter((c) => c.categorycode !== '').map((c) => [c.policy, c.categorycode]),
  );
  const sites = new Set<string>();
  const policies = new Set<string>();
  for await (const batch of store.patrons.batches(libraryId, filter)) {
    for (const p of batch) {
      if (p.barcode === '') continue;
      if (!branches.has(p.site)) sites.add(p.site);
      if (!categories.has(p.policy)) policies.add(p.policy);
    }
  }
  if (sites.size > 0 || policies.size > 0) {
    const named = (values: Set<string>, what: string, blank: string) =>
      [...values].sort().map((v) => (v === '' ? blank : `${what} "${v}"`));
    const missing = [...named(sites, 'site', 'patrons without a site'), ...named(policies, 'policy', 'patrons without a policy')];
    throw new RollcallError(
      'invalid_input',
      `The Koha export needs a Koha code for every site and policy it writes; not mapped: ${missing.join(', ')}. Map them on Patrons › Koha codes or with \`rollcall koha codes\`.`,
    );
  }
  return { branches, categories };
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

/** A patron as one CSV line: formula-safe cells, RFC 4180 quoting, no line end. */
export function csvLine(p: Patron): string {
  return spreadsheetLine(EXPORT_FIELDS.map((f) => String(f.key === 'status' ? p.status : (p[f.key] ?? ''))));
}

/** The Koha file's header: Koha's borrowers column names. */
export function kohaHeader(): string {
  return KOHA_COLUMNS.map((c) => c.name).join(',');
}
