/**
 * `rollcall patrons import FILE.csv`: the library's existing patrons, loaded before the first
 * sync so matching can find them (SPEC §3.2). The header row names the fields (numbers or
 * names); every row is checked (import-row.ts) and bad rows are reported with their line.
 *
 * All or nothing: the rows are inserted in one transaction, and when any row is rejected none
 * is kept. Why: rows without a GUID cannot be told apart from earlier imports, so a partly
 * imported file, fixed and imported again, would duplicate every good row. The librarian fixes
 * the listed lines and imports the same file again.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { csvRowBatches } from '../../csv/csv-rows.ts';
import { RollcallError } from '../../domain/errors.ts';
import { creationRows, type JournalBy, type PatronWrite, type Store } from '../../store/store.ts';
import { importColumns, importRow, type RowContext } from './import-row.ts';
import type { FieldDefinition } from '../../domain/fields.ts';

/** Rows parsed and inserted per batch: bounds memory on a file of a million patrons. */
const IMPORT_BATCH_ROWS = 2000;

/** A row that was not imported. */
export interface RejectedRow {
  /** The line of the file the row starts on (the header is line 1). */
  line: number;
  /** Why, in one sentence. */
  message: string;
}

/** What an import did. */
export interface ImportReport {
  /** Patrons inserted (0 when any row was rejected: all or nothing). */
  imported: number;
  /** Rows rejected, in file order. */
  rejected: RejectedRow[];
}

/** Opens a CSV file for import; a plain sentence when it cannot be read. */
export async function openImportFile(path: string): Promise<Readable> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
  } catch {
    throw new RollcallError('invalid_input', `Cannot read the file "${path}"; check the path.`);
  }
  return createReadStream(path);
}

/**
 * Imports the patrons of a CSV stream into the library (see the module comment). Each patron
 * imported is journaled (SPEC §3.9) as one row of kind `import` with its values, `by` naming who.
 */
export async function importPatrons(store: Store, libraryId: number, input: Readable, by: JournalBy = {}): Promise<ImportReport> {
  const siteCodes = new Set((await store.sites.list(libraryId)).map((s) => s.code));
  const guids = new Set<string>();
  for await (const batch of store.patrons.batches(libraryId)) for (const p of batch) if (p.guid !== '') guids.add(p.guid);
  const ctx: RowContext = { siteCodes, guids };
  const report: ImportReport = { imported: 0, rejected: [] };
  let columns: FieldDefinition[] | undefined;

  await store
    .transaction(async (tx) => {
      for await (const batch of csvRowBatches(input, IMPORT_BATCH_ROWS)) {
        for (const p of batch.problems) report.rejected.push({ line: p.line, message: p.message });
        const accepted: PatronWrite[] = [];
        for (let i = 0; i < batch.rows.length; i++) {
          const cells = batch.rows[i]!;
          if (!columns) {
            columns = importColumns(cells);
            continue;
          }
          const outcome = importRow(cells, columns, ctx);
          if (outcome.ok) accepted.push(outcome.patron);
          else report.rejected.push({ line: batch.lines[i]!, message: outcome.message });
        }
        const ids = await tx.patrons.insertMany(libraryId, accepted);
        await tx.journal.append(libraryId, by, creationRows(ids, accepted, 'import'));
        report.imported += accepted.length;
      }
      if (report.rejected.length > 0) throw NOTHING_KEPT;
    })
    .catch((e: unknown) => {
      if (e !== NOTHING_KEPT) throw e;
      report.imported = 0;
    });
  if (!columns)
    throw new RollcallError('invalid_input', 'The file is empty: it needs a header row of patron fields, then one row per patron.');
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}

/** Thrown inside the import's transaction to roll back every row when one was rejected. */
const NOTHING_KEPT = Symbol('nothing kept: a row was rejected');
