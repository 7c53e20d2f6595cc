/**
 * `rollcall defaults show|set` (SPEC §8, §3.8) on SQLite and PostgreSQL: one role changed, one
 * library only; the show counts each Policy's patrons at the matched sites; bad input exits 2
 * with one sentence naming the field and saves nothing.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { rollcallHere } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';

describeEachDatabase('defaults: `rollcall defaults show|set`', (db) => {
  const env = () => ({ ROLLCALL_DATABASE_URL: db.url(), ROLLCALL_SECRET_KEY: db.secretKey, ROLLCALL_DATA_DIR: db.dataDir() });

  it('shows and sets one role’s defaults of one library, counting the patrons each Policy matches', async () => {
    const lib = await db.newLibrary('Maple');
    const other = await db.newLibrary('Birch');
    const store = db.store();
    await store.sites.add(lib.id, { code: 'MHS', name: 'Maple High' });
    await store.sites.setOrgGuid(lib.id, 'MHS', 'org-1');
    await store.sites.add(lib.id, { code: 'OFF', name: 'Not matched' });
    const row = (site: string, policy: string, n: number) =>
      Array.from({ length: n }, (_, i) => `,${site}${policy}${i},Old,${site},1,${policy}`).join('\n');
    const csv = ['1000,1007,1006,1050,1026,1028', row('MHS', 'Students', 3), row('OFF', 'Students', 2), row('MHS', 'Student', 1)].join(
      '\n',
    );
    const file = join(await mkdtemp(join(tmpdir(), 'rollcall-defaults-')), 'patrons.csv');
    await writeFile(file, `${csv}\n`);
    expect((await rollcallHere(['patrons', 'import', file, '--library', lib.code], env())).code).toBe(0);

    const shown = await rollcallHere(['defaults', 'show', '--library', lib.code, '--json'], env());
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      revision: 0,
      matchedSites: ['MHS'],
      roles: [
        { role: 'student', policy: 'Student', status: 1, barcode: { kind: 'none' }, matches: 1 },
        { role: 'teacher' },
        { role: 'admin', policy: 'Staff' },
      ],
      policiesInUse: [
        { policy: 'Students', count: 3 },
        { policy: 'Student', count: 1 },
      ],
    });

    const set = await rollcallHere(
      [
        'defaults',
        'set',
        '--library',
        lib.code,
        '--role',
        'student',
        '--policy',
        'Students',
        '--status',
        '2',
        '--barcode',
        'sequence',
        '--barcode-prefix',
        'S',
        '--barcode-next',
        '42',
        '--barcode-width',
        '6',
        '--set',
        'Nickname=Kid',
        '--set',
        '1001=X',
        '--json',
      ],
      env(),
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      revision: 1,
      updatedBy: 'cli',
      roles: [
        {
          policy: 'Students',
          status: 2,
          barcode: { kind: 'sequence', prefix: 'S', next: 42, width: 6, example: 'S000042' },
          fixed: { nickname: 'Kid', communityId: 'X' },
          matches: 3,
        },
        { policy: 'Teacher' },
        { policy: 'Staff' },
      ],
    });
    const text = await rollcallHere(['defaults', 'show', '--library', lib.code], env());
    expect(text.stdout).toContain('The Policy of a role is also which existing patrons a sync is responsible for.');
    expect(text.stdout).toContain(
      'student (not synced): Policy "Students" matches 3 patrons at the matched sites (MHS); Status 2; Barcode sequence S width 6, next S000042; fixed Community ID=X, Nickname=Kid',
    );

    const cleared = await rollcallHere(
      ['defaults', 'set', '--library', lib.code, '--role', 'student', '--set', 'Nickname=', '--json'],
      env(),
    );
    expect(JSON.parse(cleared.stdout).roles[0].fixed).toEqual({ communityId: 'X' });

    const untouched = await rollcallHere(['defaults', 'show', '--library', other.code, '--json'], env());
    expect(JSON.parse(untouched.stdout)).toMatchObject({
      revision: 0,
      roles: [{ policy: 'Student', barcode: { kind: 'none' } }, {}, {}],
      policiesInUse: [],
    });
  });

  it('refuses bad input with one sentence naming the field (exit 2), nothing saved', async () => {
    const lib = await db.newLibrary('Oak');
    const run = (...args: string[]) => rollcallHere(['defaults', 'set', '--library', lib.code, ...args], env());
    const refusals: [string[], RegExp][] = [
      [['--role', 'student', '--policy', '  '], /^rollcall: The Policy of new students is blank/],
      [['--role', 'student', '--barcode-prefix', 'S 1'], /barcode prefix of new students \("S 1"\) has spaces/],
      [
        ['--role', 'teacher', '--barcode-next', '1000', '--barcode-width', '3'],
        /barcode width of new teachers \(3\) is too small for the next number 1000/,
      ],
      [['--role', 'student', '--set', 'Email=x@y.z'], /^rollcall: Email cannot have a fixed value for new students: .* maps it/],
      [['--role', 'student', '--set', 'Shoe=9'], /^rollcall: There is no patron field "Shoe"/],
      [['--role', 'pupil', '--policy', 'P'], /--role is student, teacher or admin/],
      [['--role', 'student'], /Nothing to change/],
    ];
    for (const [args, message] of refusals) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    const shown = await rollcallHere(['defaults', 'show', '--library', lib.code, '--json'], env());
    expect(JSON.parse(shown.stdout)).toMatchObject({
      revision: 0,
      roles: [{ policy: 'Student', fixed: {} }, { policy: 'Teacher', barcode: { kind: 'none' } }, {}],
    });
  });
});
