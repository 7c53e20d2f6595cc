/**
 * `rollcall patrons remove` and `rollcall patrons delete` (SPEC §3.10, §8) end to end through the
 * real command (child processes: exit codes, streams, a pipe for stdin), on SQLite and
 * PostgreSQL: `--dry-run --json` and the real run print the contract's object; in a pipe without
 * --yes nothing is removed (exit 2); the --archive file re-imports to the same patrons; an
 * archive that cannot be written removes nothing; `patrons export --status/--policy`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dbEnv, rollcall, rollcallHere, tempDir, type CliRun } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';

const PATRONS = [
  '1200,1000,1007,1006,1050,1026,1028,1019',
  'g-1,B1,Ann,Lee,MAIN,4,Student,ann@example.org',
  'g-2,B2,Bo,Ray,MAIN,4,Teacher,',
  'g-3,B3,"Cy, Jr",Dee,WEST,4,Student,',
  'g-4,B4,Di,Eve,MAIN,1,Student,',
  'g-5,B5,Ed,Fay,WEST,1,Staff,',
  '',
].join('\n');

describeEachDatabase('cli: patrons remove and delete', (db) => {
  const dir = tempDir('rollcall-removal-');
  afterAll(() => dir.remove());
  let at: string[];
  const env = () => dbEnv(db);
  const here = (args: string[]): Promise<CliRun> => rollcallHere([...args, ...at], env());
  const child = (args: string[]): Promise<CliRun> => rollcall([...args, ...at], { env: env() });
  const exported = async (extra: string[] = []) =>
    JSON.parse((await here(['patrons', 'export', '--format', 'json', ...extra])).stdout) as Record<string, string | number>[];

  beforeAll(async () => {
    const lib = await db.newLibrary();
    at = ['--library', lib.code];
    expect((await here(['sites', 'add', '--code', 'MAIN', '--name', 'Main'])).code).toBe(0);
    expect((await here(['sites', 'add', '--code', 'WEST', '--name', 'West'])).code).toBe(0);
    writeFileSync(join(dir.path, 'patrons.csv'), PATRONS);
    expect((await here(['patrons', 'import', join(dir.path, 'patrons.csv')])).code).toBe(0);
  });

  it('patrons export filters by --status, --site and --policy', async () => {
    expect((await exported(['--status', '4'])).map((p) => p.barcode)).toEqual(['B1', 'B2', 'B3']);
    expect((await exported(['--status', '4', '--policy', 'student', '--site', 'MAIN'])).map((p) => p.barcode)).toEqual(['B1']);
    const bad = await here(['patrons', 'export', '--status', 'four']);
    expect(bad.code).toBe(2);
  });

  it('--dry-run --json prints the count, in a pipe without --yes nothing is removed (exit 2), bad rules are refused in one line', async () => {
    const dry = await child(['patrons', 'remove', '--site', 'MAIN', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({ operation: null, removed: 2, archive: null });
    const text = await here(['patrons', 'remove', '--site', 'MAIN', '--dry-run']);
    expect(text.stdout).toContain('2 patrons would be removed: patrons with Status Transferred (4), of site MAIN.');

    const piped = await child(['patrons', 'remove', '--site', 'MAIN', '--json']);
    expect(piped.code).toBe(2);
    expect(piped.stdout).toBe('');
    expect(piped.stderr.trim().split('\n')).toHaveLength(1);
    expect(piped.stderr).toContain('preview with --dry-run, then run it with --yes');

    const active = await here(['patrons', 'remove', '--status', '1', '--yes']);
    expect(active.code).toBe(2);
    expect(active.stderr).toContain('add --include-active');
    const none = await here(['patrons', 'remove', '--policy', 'Janitor', '--yes']);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toBe(
      'rollcall: No patron matches this rule (patrons with Status Transferred (4), with Policy Janitor): nothing to remove.',
    );
    const date = await here(['patrons', 'remove', '--transferred-before', '2026-02-30', '--dry-run']);
    expect(date.code).toBe(2);
    const unwritable = await here(['patrons', 'remove', '--yes', '--archive', join(dir.path, 'no-such-folder', 'a.csv')]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/^rollcall: The archive could not be written \(.*\); nothing was removed\.\n$/);
    expect(await exported()).toHaveLength(5);
  });

  it('removes with --yes --json, printing the contract object; the archive file re-imports to the same patrons; an undo is refused', async () => {
    const before = await exported();
    const file = join(dir.path, 'archive.csv');
    const run = await child(['patrons', 'remove', '--yes', '--json', '--archive', file]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { operation: number; removed: number; archive: string };
    expect(out).toEqual({ operation: expect.any(Number), removed: 3, archive: file });
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(
      '1200,1000,1001,1007,1008,1006,1045,1032,1017,1019,1049,1054,1004,1010,1050,1026,1028',
    );
    expect((await exported()).map((p) => p.barcode)).toEqual(['B4', 'B5']);
    const show = JSON.parse((await here(['operations', 'show', String(out.operation), '--json'])).stdout) as {
      type: string;
      state: string;
    };
    expect(show).toMatchObject({ state: 'succeeded' });

    const undo = await here(['operations', 'undo', String(out.operation)]);
    expect(undo.code).toBe(1);
    expect(undo.stderr).toContain('a removal is restored from its archive (patrons import).');

    expect((await here(['patrons', 'import', file])).code).toBe(0);
    const byBarcode = (xs: Record<string, string | number>[]) => [...xs].sort((a, b) => String(a.barcode).localeCompare(String(b.barcode)));
    expect(byBarcode(await exported())).toEqual(byBarcode(before));
  });

  it('patrons delete: refused in a pipe without --yes, deletes one with --yes', async () => {
    const piped = await child(['patrons', 'delete', '--barcode', 'B4']);
    expect(piped.code).toBe(2);
    const done = await here(['patrons', 'delete', '--barcode', 'B4', '--yes']);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^Deleted patron #\d+ Di Eve \(B4\)\.\n$/);
    expect((await exported()).map((p) => p.barcode)).not.toContain('B4');
    const history = JSON.parse((await here(['patrons', 'history', '--barcode', 'B5', '--json'])).stdout) as unknown[];
    expect(history.length).toBeGreaterThan(0);
  });
});
