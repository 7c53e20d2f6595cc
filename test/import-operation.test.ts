/**
 * A patron file import is an operation (SPEC §3.7) and can be undone (SPEC §3.9: "Undo an
 * operation (a sync, an approved plan, an import, or an undo …)"), on SQLite and PostgreSQL:
 * its counts, log and journal rows carrying its id; a refused file a failed operation that wrote
 * nothing; never beside a sync or an undo of the library; undone field for field (created
 * patrons set Transferred, never deleted), and the undo undone in turn.
 */
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { operationTypeName } from '../src/domain/operation.ts';
import { exportPatrons, type ExportedPatron } from '../src/services/patrons/export-patrons.ts';
import { importPatrons } from '../src/services/patrons/import-patrons.ts';
import { applyUndo, previewUndo } from '../src/services/operations/undo-operation.ts';
import type { Store } from '../src/store/store.ts';
import { refusal } from './support/caught.ts';
import { describeEachDatabase } from './support/db.ts';

async function exported(store: Store, libraryId: number): Promise<ExportedPatron[]> {
  let text = '';
  await exportPatrons(store, libraryId, { format: 'json' }, (chunk) => {
    text += chunk;
  });
  return JSON.parse(text) as ExportedPatron[];
}

const EXISTING = 'GUID,Barcode,First Name,Last Name,Site,Status,Policy\nold-1,B1,Ann,Lee,MAIN,1,Student\nold-2,B2,Bo,Ray,MAIN,4,Teacher\n';
const NEW = [
  'GUID,Barcode,First Name,Last Name,Email,Site,Status,Policy',
  'new-1,B11,Cy,Dee,cy@example.org,MAIN,1,Student',
  ',B12,Di,Eve,,MAIN,2,Student',
  'new-3,,Ed,Fay,,,1,Community',
  '',
].join('\n');

describeEachDatabase('a patron import is an operation', (db) => {
  async function library() {
    const store = db.store();
    const lib = await db.newLibrary();
    await store.sites.add(lib.id, { code: 'MAIN', name: 'Main library' });
    const run = (text: string, requestedBy = 'alice', fileName = 'patrons.csv') =>
      importPatrons(store, lib.id, Readable.from([text]), { requestedBy, fileName });
    return { store, lib, run };
  }

  it('records a Patron Import: who asked, succeeded with its counts, a log line per patron, and journal rows carrying its id', async () => {
    const { store, lib, run } = await library();
    const report = await run(NEW, 'alice', 'new.csv');
    expect(report).toMatchObject({ imported: 3, rejected: [] });
    const op = (await store.operations.get(lib.id, report.operation))!;
    expect(op).toMatchObject({
      type: 'patron_import',
      source: 'file',
      requestedBy: 'alice',
      state: 'succeeded',
      error: '',
      undoneBy: null,
    });
    expect(operationTypeName(op.type, op.source, op.undoOf)).toBe('Patron Import');
    expect(op.counts).toEqual({
      created: 3,
      updated: 0,
      unchanged: 0,
      transferred: 0,
      reactivated: 0,
      skipped: 0,
      conflicts: 0,
      warnings: 0,
    });
    expect(op.startedAt).not.toBeNull();
    expect(op.finishedAt).not.toBeNull();
    expect(op.summary).toBe('Imported 3 patrons from new.csv.');

    const patrons = (await store.patrons.loadAll(lib.id)).sort((a, b) => a.id - b.id);
    const log = (await store.operations.log(lib.id, op.id)).items;
    expect(log.map((l) => [l.level, l.sourcedId, l.message])).toEqual([
      ['info', 'new-1', `Created: Cy Dee (B11), patron ${patrons[0]!.id} — line 2 of new.csv`],
      ['info', '', `Created: Di Eve (B12), patron ${patrons[1]!.id} — line 3 of new.csv`],
      ['info', 'new-3', `Created: Ed Fay, patron ${patrons[2]!.id} — line 4 of new.csv`],
    ]);
    const journal = await store.journal.ofOperation(lib.id, op.id);
    expect(journal.map((r) => [r.patronId, r.field, r.kind, r.operationId, r.actor])).toEqual(
      patrons.map((p) => [p.id, '*', 'import', op.id, 'import of new.csv']),
    );
    // Operations Management finds it like any other operation, by its type too.
    expect((await store.operations.search(lib.id, { type: 'patron_import' })).items.map((o) => o.id)).toEqual([op.id]);
  });

  it('records a refused file as a failed operation listing each rejected line, and writes no patron', async () => {
    const { store, lib, run } = await library();
    const revision = await store.libraries.revision(lib.id);
    const report = await run('GUID,Last Name,Site,Status\nr-1,Ok,MAIN,1\nr-2,Bad,NOPE,1\nr-3,Worse,MAIN,Active\n', 'bob', 'bad.csv');
    expect(report.imported).toBe(0);
    expect(report.rejected.map((r) => r.line)).toEqual([3, 4]);
    const op = (await store.operations.get(lib.id, report.operation))!;
    expect(op).toMatchObject({ type: 'patron_import', requestedBy: 'bob', state: 'failed' });
    expect(op.counts).toMatchObject({ created: 0, skipped: 2 });
    expect(op.error).toMatch(/^2 rows rejected \(first: line 3, there is no site with code "NOPE".*\); nothing was imported\.$/);
    const log = (await store.operations.log(lib.id, op.id)).items.map((l) => l.message);
    expect(log[0]).toMatch(/^bad\.csv was refused: 2 rows rejected/);
    expect(log.slice(1)).toEqual([`Line 3: ${report.rejected[0]!.message}`, `Line 4: ${report.rejected[1]!.message}`]);
    expect(await store.patrons.count(lib.id)).toBe(0);
    expect(await store.libraries.revision(lib.id)).toBe(revision);
    expect(await store.journal.ofOperation(lib.id, op.id)).toEqual([]);
    expect(await refusal(previewUndo(store, lib.id, op.id))).toBe(
      `Operation ${op.id} (Patron Import) failed and wrote nothing: there is nothing to undo.`,
    );

    // A header that names no patron field is refused the same way, its sentence the error.
    const header = await refusal(run('GUID,Shoe Size\nx,9\n', 'bob', 'shoes.csv'));
    expect(header).toMatch(/^The header has a column that is not a patron field: "Shoe Size"/);
    const [latest] = await store.operations.list(lib.id, { limit: 1 });
    expect(latest).toMatchObject({ type: 'patron_import', state: 'failed', error: header });
    expect(await store.patrons.count(lib.id)).toBe(0);
  });

  it('is refused while a sync or an undo of the library runs, naming it, writing nothing and recording nothing', async () => {
    const { store, lib, run } = await library();
    const sync = (await store.operations.create(lib.id, { type: 'classlink_full_sync', source: 'classlink', requestedBy: 't' })).operation;
    await store.operations.start(lib.id, sync.id);
    expect(await refusal(run(NEW))).toBe(`A sync is running: try after operation ${sync.id}.`);
    await store.operations.finish(lib.id, sync.id, { state: 'succeeded' });

    const undo = (
      await store.operations.create(lib.id, {
        type: 'undo',
        source: '',
        requestedBy: 't',
        undoOf: { id: sync.id, type: sync.type },
        running: true,
      })
    ).operation;
    expect(await refusal(run(NEW))).toBe(`An undo is running: try after operation ${undo.id}.`);
    await store.operations.finish(lib.id, undo.id, { state: 'failed', error: 'stopped' });

    expect(await store.patrons.count(lib.id)).toBe(0);
    expect((await store.operations.list(lib.id)).map((o) => o.id)).toEqual([undo.id, sync.id]);
    // Once neither runs, the same file imports.
    expect((await run(NEW)).imported).toBe(3);
  });

  it('is undone field for field: its patrons set Transferred (never deleted), a Status changed since kept and listed; the undo undone', async () => {
    const { store, lib, run } = await library();
    expect((await run(EXISTING)).imported).toBe(2);
    const before = await exported(store, lib.id);
    const imp = await run(NEW, 'alice', 'new.csv');
    const afterImport = await exported(store, lib.id);
    const added = afterImport.filter((p) => !before.some((b) => b.barcode === p.barcode));
    expect(added.map((p) => p.barcode)).toEqual(['B11', 'B12', '']);
    // A librarian sets one imported patron's Status by hand since: kept, not overwritten.
    const fay = (await store.patrons.loadAll(lib.id)).find((p) => p.lastName === 'Fay')!;
    await store.patrons.updateMany(lib.id, [{ ...fay, status: 3 }]);

    const preview = await previewUndo(store, lib.id, imp.operation);
    expect(preview.name).toBe('Patron Import');
    expect(preview).toMatchObject({ reverted: 2, kept: 1, patrons: { transferred: 2, reactivated: 0, updated: 0 } });
    expect(preview.keptFields.map((k) => [k.patron.name, k.label, k.wrote, k.now])).toEqual([['Fay, Ed', 'Status', '1', '3']]);
    const result = await applyUndo(store, lib.id, imp.operation, { requestedBy: 'alice', expect: preview });
    if (result.status !== 'applied') throw new Error('the undo was not applied');
    expect(operationTypeName(result.operation.type, result.operation.source, result.operation.undoOf)).toBe(
      `Undo of Patron Import ${imp.operation}`,
    );
    expect(result.undone.undoneBy).toBe(result.operation.id);

    // The library before the import, field for field — and the imported patrons still there, Transferred
    // (the one changed by hand since keeps its Status).
    const afterUndo = await exported(store, lib.id);
    expect(afterUndo.filter((p) => before.some((b) => b.guid === p.guid && b.barcode === p.barcode))).toEqual(before);
    expect(afterUndo.filter((p) => !before.some((b) => b.barcode === p.barcode))).toEqual(
      added.map((p) => ({ ...p, status: p.lastName === 'Fay' ? 3 : 4 })),
    );

    // Undo of the undo: the import's patrons as they were after it (and the hand edit).
    const again = await previewUndo(store, lib.id, result.operation.id);
    expect(again.name).toBe(`Undo of Patron Import ${imp.operation}`);
    const redo = await applyUndo(store, lib.id, result.operation.id, { requestedBy: 'alice', expect: again });
    expect(redo.status).toBe('applied');
    expect(await exported(store, lib.id)).toEqual(afterImport.map((p) => (p.lastName === 'Fay' ? { ...p, status: 3 } : p)));
  });
});
