/**
 * `rollcall patrons import` and `rollcall patrons export` through the CLI's entry (in this
 * process: see cli-support.ts), on SQLite and on PostgreSQL: headers by number or name, BOM and
 * CRLF, bad rows reported by line while the good ones are imported, and the export's exact
 * CSV and JSON shapes (SPEC §8).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dbEnv, rollcallHere, tempDir, type CliRun } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';

const JSON_KEYS = [
  'guid',
  'barcode',
  'communityId',
  'firstName',
  'middleName',
  'lastName',
  'birthdate',
  'sex',
  'phone',
  'email',
  'additionalContact',
  'otherEmails',
  'location',
  'level',
  'site',
  'status',
  'policy',
];
const CSV_HEADER = '1200,1000,1001,1007,1008,1006,1045,1032,1017,1019,1049,1054,1004,1010,1050,1026,1028';

let files: { path: string; remove: () => void };
beforeAll(() => {
  files = tempDir('rollcall-cli-patrons-');
});
afterAll(() => files.remove());

/** Writes a file for import and returns its path. */
function file(name: string, text: string): string {
  const path = join(files.path, name);
  writeFileSync(path, text);
  return path;
}

describeEachDatabase('cli: patrons import and export', (db) => {
  const cli = (args: string[]): Promise<CliRun> => rollcallHere(args, dbEnv(db));

  async function libraryWithSites(): Promise<string[]> {
    const lib = await db.newLibrary();
    const at = ['--library', lib.code];
    for (const code of ['MHS', 'ELM']) expect((await cli(['sites', 'add', '--code', code, '--name', code, ...at])).code).toBe(0);
    return at;
  }

  it('imports a file headed by field numbers (BOM, CRLF, quoted commas) and exports it in the contract shapes', async () => {
    const at = await libraryWithSites();
    const csv = [
      '1200,1000,1001,1007,1008,1006,1045,1032,1017,1019,1049,1054,1004,1010,1050,1026,1028,1070',
      'g-1,B100,S1,Ann,Marie,Lee,2010-04-05,female,555-0100,ann@example.org,"Lee, Pat (555-0101)","p@example.org, q@example.org",Room 4,09,MHS,1,Student,Annie',
      ',B200,,Bo,,"Ray ""Jr""",,,,,,,,KG,ELM,4,Teacher,',
      '',
    ].join('\r\n');
    const run = await cli(['patrons', 'import', file('numbers.csv', `\uFEFF${csv}`), ...at]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('2 imported, 0 rejected.');
    expect(run.stderr).toBe('');

    const json = await cli(['patrons', 'export', '--format', 'json', ...at]);
    expect(json.code).toBe(0);
    const patrons = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(patrons).toHaveLength(2);
    for (const p of patrons) expect(Object.keys(p)).toEqual(JSON_KEYS);
    expect(patrons[0]).toEqual({
      guid: 'g-1',
      barcode: 'B100',
      communityId: 'S1',
      firstName: 'Ann',
      middleName: 'Marie',
      lastName: 'Lee',
      birthdate: '2010-04-05',
      sex: 'Female',
      phone: '555-0100',
      email: 'ann@example.org',
      additionalContact: 'Lee, Pat (555-0101)',
      otherEmails: 'p@example.org, q@example.org',
      location: 'Room 4',
      level: '09',
      site: 'MHS',
      status: 1,
      policy: 'Student',
    });
    expect(patrons[1]).toMatchObject({ guid: '', lastName: 'Ray "Jr"', site: 'ELM', status: 4, policy: 'Teacher', birthdate: '', sex: '' });

    const csvOut = await cli(['patrons', 'export', ...at]);
    expect(csvOut.code).toBe(0);
    const lines = csvOut.stdout.split('\n');
    // A byte-order mark first, so a spreadsheet reads the file as UTF-8 (src/csv/csv-write.ts).
    expect(lines[0]).toBe(`\uFEFF${CSV_HEADER}`);
    expect(lines[1]).toBe(
      'g-1,B100,S1,Ann,Marie,Lee,2010-04-05,Female,555-0100,ann@example.org,"Lee, Pat (555-0101)","p@example.org, q@example.org",Room 4,09,MHS,1,Student',
    );
    const rows = parse(csvOut.stdout, { bom: true }) as string[][];
    expect(rows).toHaveLength(3);
    expect(rows[2]).toEqual(['', 'B200', '', 'Bo', '', 'Ray "Jr"', '', '', '', '', '', '', '', 'KG', 'ELM', '4', 'Teacher']);

    const site = JSON.parse((await cli(['patrons', 'export', '--format', 'json', '--site', 'ELM', ...at])).stdout) as {
      firstName: string;
    }[];
    expect(site.map((p) => p.firstName)).toEqual(['Bo']);
    const unknown = await cli(['patrons', 'export', '--site', 'NOPE', ...at]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^rollcall: There is no site with code "NOPE"/);
    expect((await cli(['patrons', 'export', '--format', 'xml', ...at])).code).toBe(2);

    // The filters of every export: status, policy.
    const transferred = JSON.parse((await cli(['patrons', 'export', '--format', 'json', '--status', '4', ...at])).stdout) as {
      firstName: string;
    }[];
    expect(transferred.map((p) => p.firstName)).toEqual(['Bo']);
    const students = JSON.parse((await cli(['patrons', 'export', '--format', 'json', '--policy', 'Student', ...at])).stdout) as {
      firstName: string;
    }[];
    expect(students.map((p) => p.firstName)).toEqual(['Ann']);
    const badStatus = await cli(['patrons', 'export', '--status', 'gone', ...at]);
    // A bad option value is bad usage (SPEC §8: exit 2), said before anything is read.
    expect([badStatus.code, badStatus.stdout, badStatus.stderr]).toEqual([
      2,
      '',
      'rollcall: --status takes a Status number (1 Active, 4 Transferred, …), not "gone".\n',
    ]);

    // Koha: refused (naming what is unmapped) until every site and policy written has a Koha code.
    const refused = await cli(['patrons', 'export', '--format', 'koha', ...at]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('not mapped: site "ELM", site "MHS", policy "Student", policy "Teacher".');
    const bad = await cli(['koha', 'codes', '--site', 'MHS', ...at]);
    expect(bad.code).toBe(2);
    const set = await cli([
      'koha',
      'codes',
      '--site',
      'MHS=MAIN',
      '--site',
      'ELM=ELEM',
      '--policy',
      'Student=ST',
      '--policy',
      'Teacher=T',
      '--json',
      ...at,
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      branches: [
        { siteCode: 'ELM', branchcode: 'ELEM' },
        { siteCode: 'MHS', branchcode: 'MAIN' },
      ],
      categories: [
        { policy: 'Student', patrons: 1, categorycode: 'ST' },
        { policy: 'Teacher', patrons: 1, categorycode: 'T' },
      ],
    });
    const koha = await cli(['patrons', 'export', '--format', 'koha', ...at]);
    expect(koha.code, koha.stderr).toBe(0);
    expect(koha.stdout.split('\n').slice(0, 3)).toEqual([
      '\uFEFFcardnumber,surname,firstname,middle_name,dateofbirth,sex,email,phone,branchcode,categorycode,sort1,sort2',
      'B100,Lee,Ann,Marie,2010-04-05,F,ann@example.org,555-0100,MAIN,ST,09,Room 4',
      'B200,"Ray ""Jr""",Bo,,,,,,ELEM,T,KG,',
    ]);
  });

  it('keeps file GUIDs unowned: they belong to no integration until a sync matches them', async () => {
    const lib = await db.newLibrary();
    const run = await cli(['patrons', 'import', file('guid.csv', 'GUID,First Name,Last Name\nu-77,Cy,Dee\n'), '--library', lib.code]);
    expect(run.code, run.stderr).toBe(0);
    const [patron] = await db.store().patrons.loadAll(lib.id);
    expect(patron).toMatchObject({ guid: 'u-77', guidSource: null, matchedBy: null, status: 1 });
  });

  it('reports bad rows by line, imports nothing (all or nothing), and exits 1; the fixed file then imports', async () => {
    const at = await libraryWithSites();
    const csv = [
      'GUID,First Name,Last Name,Site,Status,Email,Birthdate',
      'a-1,Good,One,MHS,,good@example.org,2011-01-02',
      'a-2,Bad,Site,ZZZ,1,,',
      'a-1,Dup,Guid,MHS,1,,',
      'a-4,Bad,Date,MHS,1,,2011-02-30',
      'a-5,Bad,Status,MHS,Active,,',
      'a-6,Good,Two,,2,,',
      '',
    ].join('\n');
    const run = await cli(['patrons', 'import', file('mixed.csv', csv), '--json', ...at]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { imported: number; rejected: { line: number; message: string }[] };
    expect(report.imported).toBe(0);
    expect(report.rejected.map((r) => r.line)).toEqual([3, 4, 5, 6]);
    expect(report.rejected[0]!.message).toContain('no site with code "ZZZ"');
    expect(report.rejected[1]!.message).toContain('GUID "a-1"');
    expect(report.rejected[2]!.message).toContain('Birthdate');
    expect(report.rejected[3]!.message).toContain('Status must be a number');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^rollcall: 4 rows of .* were rejected \(first: line 3, .*\); nothing was imported/);

    const text = await cli(['patrons', 'import', file('one-bad.csv', 'GUID,Last Name,Site\nb-1,Ok,MHS\nb-2,Bad,XX\n'), ...at]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('line 3: there is no site with code "XX"');
    expect(text.stdout).toContain('0 imported, 1 rejected.');
    const none = JSON.parse((await cli(['patrons', 'export', '--format', 'json', ...at])).stdout) as unknown[];
    expect(none).toEqual([]);

    // Fixed, the same file imports whole — and nothing is doubled.
    const fixed = await cli(['patrons', 'import', file('fixed.csv', 'GUID,Last Name,Site\nb-1,Ok,MHS\nb-2,Good,MHS\n'), ...at]);
    expect(fixed.code, fixed.stderr).toBe(0);
    const all = JSON.parse((await cli(['patrons', 'export', '--format', 'json', ...at])).stdout) as { guid: string }[];
    expect(all.map((p) => p.guid).sort()).toEqual(['b-1', 'b-2']);
  });

  it('an import is an operation: its number printed, listed and shown by `operations`, undone by `operations undo` (its patrons set Transferred)', async () => {
    const at = await libraryWithSites();
    const run = await cli(['patrons', 'import', file('op.csv', 'GUID,Last Name,Site\no-1,One,MHS\no-2,Two,ELM\n'), ...at]);
    expect(run.code, run.stderr).toBe(0);
    // The count line scripts read is unchanged; the operation's line follows it.
    const [count, opLine] = run.stdout.trim().split('\n');
    expect(count).toBe('2 imported, 0 rejected.');
    const id = Number(/^Operation (\d+) \(Patron Import\): rollcall operations undo \1 undoes it\.$/.exec(opLine ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);

    const list = JSON.parse((await cli(['operations', 'list', '--json', ...at])).stdout) as Record<string, unknown>[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id, type: 'patron_import', typeName: 'Patron Import', state: 'succeeded', requestedBy: 'cli' });
    expect(list[0]!.counts).toMatchObject({ created: 2 });
    expect((await cli(['operations', 'log', String(id), ...at])).stdout).toMatch(/Created: One, patron \d+ — line 2 of op\.csv/);

    const undo = await cli(['operations', 'undo', String(id), '--json', ...at]);
    expect(undo.code, undo.stderr).toBe(0);
    expect(JSON.parse(undo.stdout)).toMatchObject({ state: 'succeeded', reverted: 2, kept: 0 });
    const after = JSON.parse((await cli(['patrons', 'export', '--format', 'json', ...at])).stdout) as { guid: string; status: number }[];
    expect(after.map((p) => [p.guid, p.status]).sort()).toEqual([
      ['o-1', 4],
      ['o-2', 4],
    ]);
    const show = JSON.parse((await cli(['operations', 'show', String(id), '--json', ...at])).stdout) as { typeName: string };
    expect(show.typeName).toBe('Patron Import');
  });

  it('refuses a file it cannot read as patrons, importing nothing', async () => {
    const at = await libraryWithSites();
    const unknownColumn = await cli(['patrons', 'import', file('unknown.csv', 'GUID,Shoe Size\nx,9\n'), ...at]);
    expect(unknownColumn.code).toBe(1);
    expect(unknownColumn.stderr).toMatch(/^rollcall: The header has a column that is not a patron field: "Shoe Size"/);
    expect((await cli(['patrons', 'import', file('empty.csv', ''), ...at])).stderr).toMatch(/The file is empty/);
    expect((await cli(['patrons', 'import', join(files.path, 'missing.csv'), ...at])).stderr).toMatch(/Cannot read the file/);
    expect((await cli(['patrons', 'import', ...at])).code).toBe(2);
    expect((await cli(['patrons', 'export', '--format', 'json', ...at])).stdout.trim()).toBe('[]');
  });
});
