/**
 * Patron exports on both databases: Koha's patron import CSV of a synced generated district (the
 * generator the demo uses) with the library's Koha codes, refused while a site or policy has
 * none; the filters (site, status, policy, changed since a cursor or a day); and the CSV a
 * spreadsheet opens (BOM, formula-looking values kept as text) that `patrons import` reads back
 * to the same values, as a removal archive is re-imported.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import { encodeChangeCursor } from '../src/domain/change-cursor.ts';
import { isRollcallError } from '../src/domain/errors.ts';
import { KOHA_COLUMNS } from '../src/domain/koha.ts';
import { exportPatrons, type ExportAsk, type ExportedPatron } from '../src/services/patrons/export-patrons.ts';
import { importPatrons } from '../src/services/patrons/import-patrons.ts';
import { saveKohaCodes } from '../src/services/patrons/koha-codes.ts';
import type { Store } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, type SyncFixture } from './support/sync-fixture.ts';

/** An export's text and report; `chunks` counts the sink's calls (0: nothing written). */
async function run(store: Store, libraryId: number, ask: ExportAsk) {
  let text = '';
  let chunks = 0;
  const report = await exportPatrons(store, libraryId, ask, (chunk) => {
    chunks++;
    text += chunk;
  });
  return { text, report, chunks };
}

/** The refusal of `work`: its kind and sentence. */
async function refusal(work: Promise<unknown>): Promise<{ kind: string; message: string }> {
  try {
    await work;
  } catch (e) {
    if (isRollcallError(e)) return { kind: e.kind, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

/**
 * Opens CSV bytes the way a spreadsheet does: UTF-8 only when the byte-order mark says so (else
 * Windows-1252, Excel's default), and a cell starting with = + - @ is a formula unless it starts
 * with a quote, which makes it text (shown without the quote).
 */
function openAsSpreadsheet(bytes: Buffer): { rows: string[][]; formulas: string[] } {
  const utf8 = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const text = utf8 ? bytes.subarray(3).toString('utf8') : bytes.toString('latin1');
  const cells = parse(text, { relax_column_count: true }) as string[][];
  const formulas: string[] = [];
  const rows = cells.map((row) =>
    row.map((cell) => {
      if (/^[=+\-@]/.test(cell)) formulas.push(cell);
      return cell.startsWith("'") ? cell.slice(1) : cell;
    }),
  );
  return { rows, formulas };
}

describeEachDatabase('patron export: Koha, filters, spreadsheet-safe CSV', (db) => {
  const setUp = syncFixtures(db);

  async function synced(): Promise<SyncFixture> {
    const f = await setUp({ settings: (s) => (s.mapping.barcode = { kind: 'identifier' }) });
    expect((await f.sync('full')).operation.state).toMatch(/^succeeded/);
    return f;
  }

  it("writes Koha's patron import CSV with the mapped branch and category codes, and refuses (naming them) while any is unmapped", async () => {
    const f = await synced();
    // A patron the library keeps by hand, without a Barcode: Koha could not match it.
    await f.addPatron({ firstName: 'No', lastName: 'Card', site: 'ES', policy: 'Student' });
    const patrons = await f.patrons();
    const sites = [...new Set(patrons.map((p) => p.site))].sort();
    const policies = [...new Set(patrons.map((p) => p.policy))].sort();
    expect(sites).toEqual(['ES', 'MS']);
    expect(policies).toEqual(['Student', 'Teacher']);

    const unmapped = await refusal(run(f.store, f.libraryId, { format: 'koha' }));
    expect(unmapped.message).toBe(
      'The Koha export needs a Koha code for every site and policy it writes; not mapped: site "ES", site "MS", policy "Student", policy "Teacher". Map them on Patrons › Koha codes or with `rollcall koha codes`.',
    );
    // Half mapped: only what is still missing is named, and nothing is written.
    await saveKohaCodes(f.store, f.libraryId, { branches: { ES: 'ELEM', MS: 'MIDDLE' }, categories: { Student: 'ST' } });
    let chunks = -1;
    const half = await refusal(
      exportPatrons(f.store, f.libraryId, { format: 'koha' }, () => {
        chunks++;
      }),
    );
    expect(half.message).toContain('not mapped: policy "Teacher".');
    expect(chunks).toBe(-1);

    await saveKohaCodes(f.store, f.libraryId, { categories: { Teacher: 'T' } });
    const { text, report } = await run(f.store, f.libraryId, { format: 'koha' });
    expect(text.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parse(text.slice(1)) as string[][];
    expect(header).toEqual(KOHA_COLUMNS.map((c) => c.name));
    expect(header!.slice(0, 3)).toEqual(['cardnumber', 'surname', 'firstname']);
    const withCard = patrons.filter((p) => p.barcode !== '');
    expect(report).toEqual({ count: withCard.length, withoutBarcode: 1 });
    expect(rows).toHaveLength(withCard.length);
    const col = (name: string) => header!.indexOf(name);
    const branch: Record<string, string> = { ES: 'ELEM', MS: 'MIDDLE' };
    const category: Record<string, string> = { Student: 'ST', Teacher: 'T' };
    for (const row of rows) {
      const p = withCard.find((x) => x.barcode === row[col('cardnumber')])!;
      expect(p, row.join(',')).toBeDefined();
      expect(row[col('surname')]).toBe(p.lastName);
      expect(row[col('firstname')]).toBe(p.firstName);
      expect(row[col('branchcode')]).toBe(branch[p.site]);
      expect(row[col('categorycode')]).toBe(category[p.policy]);
      expect(row[col('dateofbirth')]).toBe(p.birthdate);
      expect(row[col('sex')]).toBe(p.sex === 'Male' ? 'M' : p.sex === 'Female' ? 'F' : '');
      expect(row[col('email')]).toBe(p.email);
    }

    // The filters narrow the Koha file as they do every export.
    const teachersOfMs = await run(f.store, f.libraryId, { format: 'koha', siteCode: 'MS', policy: 'Teacher', status: '1' });
    const expected = withCard.filter((p) => p.site === 'MS' && p.policy === 'Teacher' && p.status === 1);
    expect(expected.length).toBeGreaterThan(0);
    expect(teachersOfMs.report.count).toBe(expected.length);
    expect(await refusal(run(f.store, f.libraryId, { format: 'koha', status: 'active' }))).toEqual({
      kind: 'invalid_input',
      message: 'A status is a number (1 Active, 4 Transferred, …), not "active".',
    });
    expect((await refusal(run(f.store, f.libraryId, { format: 'csv', siteCode: 'NOPE' }))).kind).toBe('not_found');

    // A Koha code Koha could not hold is refused, and nothing of that change is saved.
    const bad = await refusal(saveKohaCodes(f.store, f.libraryId, { branches: { ES: 'X' }, categories: { Student: 'TOO-LONG-CODE' } }));
    expect(bad.message).toMatch(/^The Koha patron category code \(categorycode\) of policy Student is 1 to 10 letters/);
    expect((await f.store.kohaCodes.branches(f.libraryId)).find((b) => b.siteCode === 'ES')!.branchcode).toBe('ELEM');
  });

  it('exports only what changed after a change cursor, or on or after a day, and refuses a cursor of another library', async () => {
    const f = await synced();
    const { text: all } = await run(f.store, f.libraryId, { format: 'json' });
    const everyone = JSON.parse(all) as ExportedPatron[];
    // Every synced patron was journaled (created) today, so "since today" is everyone.
    const today = (await f.store.journal.oldest())!.at.slice(0, 10);
    expect(JSON.parse((await run(f.store, f.libraryId, { format: 'json', changedSince: today })).text)).toHaveLength(everyone.length);

    const sync = (await f.store.operations.list(f.libraryId)).find((o) => o.type.endsWith('full_sync'))!;
    const rows = await f.store.journal.ofOperation(f.libraryId, sync.id);
    const cursor = encodeChangeCursor({ libraryId: f.libraryId, journalId: rows[rows.length - 1]!.id });
    expect(JSON.parse((await run(f.store, f.libraryId, { format: 'json', changedSince: cursor })).text)).toEqual([]);

    // Then a hand edit.
    const edited = (await f.patrons())[3]!;
    await f.store.patrons.edit(f.libraryId, edited.id, { firstName: 'Changed' }, { editedBy: 'test' });
    const since = JSON.parse((await run(f.store, f.libraryId, { format: 'json', changedSince: cursor })).text) as ExportedPatron[];
    expect(since.map((p) => p.guid)).toEqual([edited.guid]);
    expect(since[0]!.firstName).toBe('Changed');

    const other = await db.newLibrary();
    const foreign = encodeChangeCursor({ libraryId: other.id, journalId: 0 });
    expect(await refusal(run(f.store, f.libraryId, { format: 'csv', changedSince: foreign }))).toEqual({
      kind: 'not_found',
      message: 'That change cursor belongs to another library.',
    });
    expect((await refusal(run(f.store, f.libraryId, { format: 'csv', changedSince: 'garbage!' }))).kind).toBe('invalid_input');
    // Nothing pruned yet: a day before the journal began is every change it holds.
    expect(JSON.parse((await run(f.store, f.libraryId, { format: 'json', changedSince: '2001-01-01' })).text)).toHaveLength(
      everyone.length,
    );
    // Once the sync's rows are pruned (retention), what changed then is not known: refused rather than half answered.
    const editRow = (await f.store.journal.history(f.libraryId, edited.id)).items[0]!;
    expect(await f.store.journal.prune(editRow.at)).toBeGreaterThan(0);
    expect((await f.store.journal.oldest())!.id).toBe(editRow.id);
    // (The sync's last row was the cursor: the next row, the edit, is kept, so that cursor still reads.)
    expect(JSON.parse((await run(f.store, f.libraryId, { format: 'json', changedSince: cursor })).text)).toHaveLength(1);
    const older = encodeChangeCursor({ libraryId: f.libraryId, journalId: rows[0]!.id });
    for (const changedSince of [older, today]) {
      const early = await refusal(run(f.store, f.libraryId, { format: 'csv', changedSince }));
      expect(early.message).toMatch(/^The change journal goes back only to \d{4}-\d{2}-\d{2}, so what changed before then is not known/);
    }
    // A cursor at or after the oldest kept row still reads what changed after it.
    const fresh = encodeChangeCursor({ libraryId: f.libraryId, journalId: editRow.id - 1 });
    expect(
      (JSON.parse((await run(f.store, f.libraryId, { format: 'json', changedSince: fresh })).text) as ExportedPatron[]).map((p) => p.guid),
    ).toEqual([edited.guid]);
  });

  it('writes a CSV a spreadsheet opens with accents intact and formula-looking values as text, which patrons import reads back unchanged', async () => {
    const f = await synced();
    await f.addPatron({
      guid: 'hand-1',
      barcode: '@risky',
      firstName: 'Adébáyọ̀ →',
      lastName: '=HYPERLINK("http://evil.example/","click")',
      phone: '+1 555 0100',
      location: "'=already quoted",
      level: '-3',
      site: 'MS',
      policy: 'Community',
    });
    const { text } = await run(f.store, f.libraryId, { format: 'csv' });
    const sheet = openAsSpreadsheet(Buffer.from(text, 'utf8'));
    expect(sheet.formulas).toEqual([]);
    const [header, ...rows] = sheet.rows;
    const row = rows.find((r) => r[header!.indexOf('1200')] === 'hand-1')!;
    expect(row[header!.indexOf('1006')]).toBe('=HYPERLINK("http://evil.example/","click")');
    expect(row[header!.indexOf('1007')]).toBe('Adébáyọ̀ →');
    expect(row[header!.indexOf('1017')]).toBe('+1 555 0100');
    // Without the byte-order mark a spreadsheet would have read the name as Windows-1252.
    expect(openAsSpreadsheet(Buffer.from(text.slice(1), 'utf8')).rows.some((r) => r.includes('Adébáyọ̀ →'))).toBe(false);

    // The round trip: the file imported into another library gives the same patrons back.
    const copy = await db.newLibrary();
    for (const code of ['ES', 'MS', 'HS']) await f.store.sites.add(copy.id, { code, name: code });
    const imported = await importPatrons(f.store, copy.id, Readable.from([text]), { requestedBy: 'test', fileName: 'export.csv' });
    expect(imported.rejected).toEqual([]);
    const before = JSON.parse((await run(f.store, f.libraryId, { format: 'json' })).text) as ExportedPatron[];
    const after = JSON.parse((await run(f.store, copy.id, { format: 'json' })).text) as ExportedPatron[];
    expect(after).toHaveLength(before.length);
    expect(after).toEqual(before);
  });
});
