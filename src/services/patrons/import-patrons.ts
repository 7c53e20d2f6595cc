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
import { RollcallError, isRollcallError, oneLine } from '../../domain/errors.ts';
import { IMPORT_SOURCE, OPERATION_TYPES } from '../../domain/operation.ts';
import { startOwnOperation } from '../operations/start-own.ts';
import { type JournalBy, type LogLine, type PatronWrite, type Repositories, type Store, zeroCounts } from '../../store/store.ts';
import { importColumns, importRow, type RowContext } from './import-row.ts';
import type { FieldDefinition } from '../../domain/fields.ts';
import { countOf } from '../../domain/words.ts';

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
  /** The import's operation (SPEC §3.7): succeeded, or failed with nothing written when rows were rejected. */
  operation: number;
}

/** Who imports which file. */
export interface ImportAsk {
  /** Who asked (a staff username, `cli`): the operation's "requested by". */
  requestedBy: string;
  /** The file's name as given (for the journal's "who" and the operation's log). */
  fileName: string;
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
 * Imports the patrons of a CSV stream into the library (see the module comment), as an
 * operation of its own (type `patron_import`) so it can be undone (SPEC §3.9 "Undo an operation
 * (a sync, an approved plan, an import, or an undo …)"): the operation is created, the patrons
 * inserted and journaled (kind `import`, with the operation's id) and the operation finished, all
 * in ONE transaction — an import is all or nothing, its operation included.
 *
 * A refused file (any row rejected, or a header that names no fields) writes no patron; it is
 * recorded as a failed operation whose log lists every rejected line, written after the import's
 * transaction rolled back. Why record it: the web admin's Operations Management is where staff see
 * what was tried and by whom, and a long file's rejections are read (and downloaded) there, as a
 * failed sync's are.
 */
export async function importPatrons(store: Store, libraryId: number, input: Readable, ask: ImportAsk): Promise<ImportReport> {
  const siteCodes = new Set((await store.sites.list(libraryId)).map((s) => s.code));
  const guids = new Set<string>();
  for await (const batch of store.patrons.batches(libraryId)) for (const p of batch) if (p.guid !== '') guids.add(p.guid);
  const ctx: RowContext = { siteCodes, guids };
  const report: ImportReport = { imported: 0, rejected: [], operation: 0 };
  const by: JournalBy = { actor: `import of ${ask.fileName}` };
  let columns: FieldDefinition[] | undefined;

  try {
    await store.transaction(async (tx) => {
      // Never beside a sync or an undo: the librarian imports again once it has finished.
      const operation = await startOwnOperation(tx.operations, libraryId, {
        type: OPERATION_TYPES.patronImport,
        source: IMPORT_SOURCE,
        requestedBy: ask.requestedBy,
      });
      report.operation = operation.id;
      by.operationId = operation.id;
      for await (const batch of csvRowBatches(input, IMPORT_BATCH_ROWS)) {
        for (const p of batch.problems) report.rejected.push({ line: p.line, message: p.message });
        const accepted: PatronWrite[] = [];
        const lines: number[] = [];
        for (let i = 0; i < batch.rows.length; i++) {
          const cells = batch.rows[i]!;
          if (!columns) {
            columns = importColumns(cells);
            continue;
          }
          const outcome = importRow(cells, columns, ctx);
          if (outcome.ok) {
            accepted.push(outcome.patron);
            lines.push(batch.lines[i]!);
          } else report.rejected.push({ line: batch.lines[i]!, message: outcome.message });
        }
        // Once a row is rejected nothing is kept: the rest is only read for its rejections.
        if (report.rejected.length > 0) continue;
        const ids = await tx.patrons.insertMany(libraryId, accepted);
        await tx.journal.appendCreated(libraryId, by, ids, 'import');
        await appendLog(tx, libraryId, operation.id, createdLines(ids, accepted, lines, ask.fileName));
        report.imported += accepted.length;
      }
      if (!columns) throw EMPTY_FILE();
      if (report.rejected.length > 0) throw NOTHING_KEPT;
      const finished = await tx.operations.finish(libraryId, operation.id, {
        state: 'succeeded',
        counts: { ...zeroCounts(), created: report.imported },
        complete: true,
        summary: `Imported ${countOf(report.imported, 'patron')} from ${ask.fileName}.`,
      });
      if (!finished) throw new Error(`operation ${operation.id} was ended while the import ran`);
    });
  } catch (e) {
    report.imported = 0;
    if (e === NOTHING_KEPT) {
      report.rejected.sort((a, b) => a.line - b.line);
      report.operation = await recordRefusal(store, libraryId, ask, report.rejected, refusalSentence(report.rejected));
      return report;
    }
    // The busy refusal wrote nothing and records nothing: the running operation is the record.
    if (isRollcallError(e, 'invalid_input')) await recordRefusal(store, libraryId, ask, [], oneLine(e));
    throw e;
  }
  return report;
}

/** Thrown inside the import's transaction to roll back every row when one was rejected. */
const NOTHING_KEPT = Symbol('nothing kept: a row was rejected');

function EMPTY_FILE(): RollcallError {
  return new RollcallError('invalid_input', 'The file is empty: it needs a header row of patron fields, then one row per patron.');
}

/** Log lines appended per call. */
const LOG_CHUNK = 5000;

async function appendLog(tx: Repositories, libraryId: number, id: number, lines: readonly LogLine[]): Promise<void> {
  for (let i = 0; i < lines.length; i += LOG_CHUNK) await tx.operations.appendLog(libraryId, id, lines.slice(i, i + LOG_CHUNK));
}

/** One line per created patron, as a sync logs its creates ("Created: First Last — why"), with the GUID as sourcedId. */
function createdLines(ids: readonly number[], rows: readonly PatronWrite[], lines: readonly number[], fileName: string): LogLine[] {
  return rows.map((p, i) => ({
    level: 'info',
    sourcedId: p.guid,
    message: `Created: ${[p.firstName, p.lastName].filter(Boolean).join(' ') || '(no name)'}${p.barcode ? ` (${p.barcode})` : ''}, patron ${ids[i]} — line ${lines[i]} of ${fileName}`,
  }));
}

function refusalSentence(rejected: readonly RejectedRow[]): string {
  const first = rejected[0]!;
  return `${countOf(rejected.length, 'row')} rejected (first: line ${first.line}, ${first.message}); nothing was imported.`;
}

/**
 * Records a refused file as a failed operation (nothing written; see importPatrons): its log
 * lists each rejected line. 0 when the slot was taken meanwhile (a sync started): the refusal
 * then goes to the person only.
 */
async function recordRefusal(
  store: Store,
  libraryId: number,
  ask: ImportAsk,
  rejected: readonly RejectedRow[],
  error: string,
): Promise<number> {
  return store.transaction(async (tx) => {
    const made = await tx.operations.create(libraryId, {
      type: OPERATION_TYPES.patronImport,
      source: IMPORT_SOURCE,
      requestedBy: ask.requestedBy,
      running: true,
    });
    if (!made.created) return 0;
    const id = made.operation.id;
    await appendLog(tx, libraryId, id, [
      { level: 'error', message: `${ask.fileName} was refused: ${error}` },
      ...rejected.map((r): LogLine => ({ level: 'error', message: `Line ${r.line}: ${r.message}` })),
    ]);
    await tx.operations.finish(libraryId, id, {
      state: 'failed',
      counts: { ...zeroCounts(), skipped: rejected.length },
      error,
    });
    return id;
  });
}
