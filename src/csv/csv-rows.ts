/**
 * Streams a CSV file's rows in batches, with the line each row starts on, using csv-parse's
 * streaming parser (the one module that imports it). Handles a BOM, CRLF/LF/CR line ends,
 * quoted cells with commas or line breaks, stray quotes inside unquoted cells, and blank
 * lines. A row the parser cannot read is reported as a problem, never thrown.
 */
import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';

/** Rows of a file, in order: the first row of the first batch is the header. */
export interface RowBatch {
  /** The rows' cells, as written (not trimmed). */
  rows: string[][];
  /** The 1-based line each row starts on (rows with quoted line breaks span several). */
  lines: number[];
  /** Rows the parser could not read. */
  problems: RowProblem[];
}

/** A row the parser could not read. */
export interface RowProblem {
  /** The line the row starts on (best known). */
  line: number;
  /** What was wrong, in one line, without the row's content. */
  message: string;
  /** True when the rest of the file was lost with it (a quote never closed). */
  restOfFileLost: boolean;
}

interface Skipped {
  /** How many records the parser had produced before the bad one. */
  afterRecords: number;
  /** The line the parser was on when it gave up. */
  errorLine: number;
  /** csv-parse's error code (safe to show: never roster data). */
  code: string;
}

const QUOTE_NOT_CLOSED = 'CSV_QUOTE_NOT_CLOSED';

/**
 * Yields the rows of a CSV stream in batches of up to `batchSize`, skipping blank lines and
 * rows whose cells are all empty. Destroys the input when done or abandoned. Errors of the
 * input stream (an unreadable file) are thrown.
 */
export async function* csvRowBatches(input: Readable, batchSize: number): AsyncGenerator<RowBatch> {
  const skipped: Skipped[] = [];
  const parser = parse({
    bom: true,
    // Column counts and stray quotes are judged per row by the caller, not fatal to the file.
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      // CsvError carries the parser's counters as untyped extra fields.
      const count = (v: unknown): number => (typeof v === 'number' ? v : 0);
      skipped.push({ afterRecords: count(err?.records), errorLine: count(err?.lines), code: err?.code ?? 'CSV_ERROR' });
      return undefined;
    },
  });
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);

  let rows: string[][] = [];
  let lines: number[] = [];
  let problems: RowProblem[] = [];
  let line = 1;
  let records = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      placeSkipped();
      records++;
      const start = line;
      line += 1 + lineBreaksIn(cells);
      if (isBlank(cells)) continue;
      rows.push(cells);
      lines.push(start);
      if (rows.length >= batchSize) {
        yield { rows, lines, problems };
        rows = [];
        lines = [];
        problems = [];
      }
    }
    placeSkipped(true);
    if (rows.length > 0 || problems.length > 0) yield { rows, lines, problems };
  } finally {
    input.unpipe(parser);
    input.destroy();
    parser.destroy();
  }

  /** Reports the bad rows the parser skipped just before the row about to be read. */
  function placeSkipped(atEnd = false): void {
    while (skipped.length > 0 && (atEnd || (skipped[0]?.afterRecords ?? 0) <= records)) {
      const s = skipped.shift()!;
      const lost = s.code === QUOTE_NOT_CLOSED;
      problems.push({
        line,
        message: lost
          ? 'a quoted value is never closed, so the rest of the file could not be read'
          : `the row could not be read (${s.code})`,
        restOfFileLost: lost,
      });
      // Best effort: resume counting after the line the parser gave up on.
      if (s.errorLine >= line) line = s.errorLine + 1;
    }
  }
}

function isBlank(cells: readonly string[]): boolean {
  for (const c of cells) if (c !== '') return false;
  return true;
}

/** Line breaks inside a row's quoted cells (CRLF, LF or a lone CR each count once). */
function lineBreaksIn(cells: readonly string[]): number {
  let n = 0;
  for (const c of cells) {
    if (c.length === 0 || (!c.includes('\n') && !c.includes('\r'))) continue;
    for (let i = 0; i < c.length; i++) {
      const ch = c.charCodeAt(i);
      if (ch === 10) n++;
      else if (ch === 13 && c.charCodeAt(i + 1) !== 10) n++;
    }
  }
  return n;
}
