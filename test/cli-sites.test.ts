/**
 * `rollcall sites add|delete` and `users add` against the text limits (SPEC §8: bad usage is
 * exit 2, one line): a name over its limit is refused before anything is stored, one exactly
 * at it is kept whole; a site no patron uses is deleted, a used one refused with the count.
 */
import { expect, it } from 'vitest';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { TEXT_LIMITS } from '../src/domain/text-limits.ts';
import { dbEnv, rollcallHere, type CliRun } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';

function expectOneLine(run: CliRun, code: number, text: string): void {
  expect(run.code, run.stderr).toBe(code);
  expect(run.stderr.trimEnd().split('\n')).toEqual([`rollcall: ${text}`]);
}

describeEachDatabase('cli: text limits and deleting sites', (db) => {
  const cli = (args: string[], env: Record<string, string> = {}) => rollcallHere(args, { ...dbEnv(db), ...env });

  it('refuses an over-long site name or staff name as bad usage (exit 2), and keeps one at the limit whole', async () => {
    const lib = (await db.newLibrary()).code;
    const long = 'é'.repeat(TEXT_LIMITS.siteName + 1);
    expectOneLine(
      await cli(['sites', 'add', '--code', 'LONG', '--name', long, '--library', lib]),
      2,
      '--name is 101 characters long; it can hold at most 100.',
    );
    const exact = 'é'.repeat(TEXT_LIMITS.siteName);
    expect((await cli(['sites', 'add', '--code', 'EXACT', '--name', exact, '--library', lib])).code).toBe(0);
    const sites = JSON.parse((await cli(['sites', 'list', '--json', '--library', lib])).stdout) as { code: string; name: string }[];
    expect(sites).toEqual([{ code: 'EXACT', name: exact, orgSourcedId: '' }]);

    const env = { ROLLCALL_NEW_PASSWORD: 'a long enough password' };
    expectOneLine(
      await cli(
        ['users', 'add', '--username', `sam-${lib}`, '--name', 'n'.repeat(TEXT_LIMITS.staffDisplayName + 1), '--library', lib],
        env,
      ),
      2,
      '--name is 101 characters long; it can hold at most 100.',
    );
    expect((await cli(['users', 'list', '--json', '--library', lib])).stdout).not.toContain(`sam-${lib}`);
  });

  it('deletes a site no patron uses; refuses a used one with how many patrons use it', async () => {
    const library = await db.newLibrary();
    const lib = library.code;
    for (const code of ['MHS', 'OAK']) expect((await cli(['sites', 'add', '--code', code, '--name', code, '--library', lib])).code).toBe(0);
    await db
      .store()
      .patrons.insertMany(library.id, [{ ...emptyPatronValues(), guidSource: null, matchedBy: null, lastName: 'Smith', site: 'MHS' }]);

    const deleted = await cli(['sites', 'delete', '--code', 'OAK', '--library', lib]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe('Deleted site OAK (OAK).\n');
    expectOneLine(
      await cli(['sites', 'delete', '--code', 'MHS', '--library', lib]),
      1,
      'Site MHS cannot be deleted: 1 patron uses it. Give them another site (or remove them) first.',
    );
    expectOneLine(
      await cli(['sites', 'delete', '--code', 'OAK', '--library', lib]),
      1,
      'There is no site with code "OAK"; list the sites with `rollcall sites list`.',
    );
    const left = JSON.parse((await cli(['sites', 'list', '--json', '--library', lib])).stdout) as { code: string }[];
    expect(left.map((s) => s.code)).toEqual(['MHS']);
  });
});
