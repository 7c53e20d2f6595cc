/**
 * Many libraries (SPEC §6) through the CLI's entry, on SQLite and PostgreSQL: `libraries add`
 * and `libraries list`, and nothing of one library visible from another's command line — its
 * sites, patrons, integration, operations and their logs, nor approve/reject of its operation.
 * Each check is made from the owning library too, so a command that saw nothing at all could
 * not pass for one that keeps libraries apart.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { dbEnv, rollcall, rollcallHere, tempDir, type CliRun } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';

let files: { path: string; remove: () => void };
let emulator: RunningEmulator;
beforeAll(async () => {
  files = tempDir('rollcall-libraries-');
  emulator = await startEmulator({ district: { students: 20, seed: 'libraries-cli' } });
});
afterAll(async () => {
  files.remove();
  await emulator.close();
});

describeEachDatabase('cli: libraries', (db) => {
  const cli = (args: string[]): Promise<CliRun> => rollcallHere(args, dbEnv(db));
  const ok = async (args: string[]): Promise<CliRun> => {
    const run = await cli(args);
    expect(run.code, `rollcall ${args.join(' ')}\n${run.stderr}`).toBe(0);
    return run;
  };
  let made = 0;
  const code = (stem: string) => `${stem}-${db.dialect}-${++made}`;

  it('adds libraries (code, name, time zone) and lists them; refuses a taken code, a bad code and an unknown time zone', async () => {
    const north = code('north');
    const added = JSON.parse(
      (await ok(['libraries', 'add', '--code', north, '--name', 'North District', '--timezone', 'America/New_York', '--json'])).stdout,
    );
    expect(added).toEqual({
      code: north,
      name: 'North District',
      timezone: 'America/New_York',
      timezoneConfirmed: true,
      createdAt: expect.any(String),
    });
    // No --timezone: the server's zone (a process of its own, so its TZ is the server's), shown,
    // and left unconfirmed for an admin (SPEC §3.7: never a silent UTC).
    const south = code('south');
    const southAdded = await rollcall(['libraries', 'add', '--code', south, '--name', 'South District'], {
      env: { ...dbEnv(db), TZ: 'America/Denver' },
    });
    expect(southAdded.code, southAdded.stderr).toBe(0);
    expect(southAdded.stdout).toContain(
      `Added library ${south} (South District, time zone America/Denver, the server's: change it with --timezone`,
    );
    expect(JSON.parse((await ok(['schedule', 'show', '--library', south, '--json'])).stdout)).toMatchObject({
      timezone: 'America/Denver',
      timezoneConfirmed: false,
    });
    expect(JSON.parse((await ok(['schedule', 'show', '--library', north, '--json'])).stdout)).toMatchObject({ timezoneConfirmed: true });

    const listed = JSON.parse((await ok(['libraries', 'list', '--json'])).stdout) as { code: string; timezone: string }[];
    expect(listed.map((l) => l.code)).toEqual(expect.arrayContaining(['default', north, south]));
    expect(listed.find((l) => l.code === north)!.timezone).toBe('America/New_York');
    expect((await ok(['libraries', 'list'])).stdout).toMatch(new RegExp(`${north}\\s+North District\\s+America/New_York`));

    const taken = await cli(['libraries', 'add', '--code', north, '--name', 'Again']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe(`rollcall: There is already a library with code "${north}"; see \`rollcall libraries list\`.\n`);
    const badZone = await cli(['libraries', 'add', '--code', code('east'), '--name', 'East', '--timezone', 'Mars/Olympus']);
    expect(badZone.code).toBe(2);
    expect(badZone.stderr).toContain('"Mars/Olympus" is not a time zone');
    const badCode = await cli(['libraries', 'add', '--code', 'has space', '--name', 'X']);
    expect(badCode.code).toBe(1);
    expect(badCode.stderr).toContain('"has space" is not a usable library code');
    // A library that is not there is named as such, with the ones that are.
    const unknown = await cli(['sites', 'list', '--library', 'nowhere']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`There is no library with code "nowhere"; the libraries here are: `);
    expect(unknown.stderr).toContain(north);
  });

  it("shows nothing of one library from another's command line", async () => {
    const mine = code('mine');
    const theirs = code('theirs');
    await ok(['libraries', 'add', '--code', mine, '--name', 'Mine']);
    await ok(['libraries', 'add', '--code', theirs, '--name', 'Theirs']);
    const A = ['--library', mine];
    const B = ['--library', theirs];

    // Library A: a site matched to a ClassLink school, an imported patron, a dry run, a held sync.
    const c = emulator.credentials;
    await ok(['classlink', 'configure', '--roster-url', emulator.url, '--client-id', c.clientId, '--client-secret', c.clientSecret, ...A]);
    const school = (JSON.parse((await ok(['classlink', 'schools', '--json', ...A])).stdout) as { sourcedId: string }[])[0]!.sourcedId;
    await ok(['sites', 'add', '--code', 'MAIN', '--name', 'Main library', ...A]);
    await ok(['classlink', 'match-site', 'MAIN', school, ...A]);
    const csv = join(files.path, `${mine}.csv`);
    writeFileSync(csv, '1000,1007,1006,1050,1026,1028\nB-1,Ann,Lee,MAIN,1,Student\n');
    const imported = JSON.parse((await ok(['patrons', 'import', csv, '--json', ...A])).stdout) as { operation: number };
    const dry = JSON.parse((await ok(['sync', '--dry-run', '--json', ...A])).stdout) as { operation: number };
    const libA = (await db.store().libraries.byCode(mine))!;
    const held = (await db.store().operations.create(libA.id, { type: 'classlink_full_sync', source: 'classlink', requestedBy: 'test' }))
      .operation;
    await db.store().operations.finish(libA.id, held.id, { state: 'needs_review', summary: 'Stopped for review.' });

    // From A, all of it is there.
    expect(JSON.parse((await ok(['sites', 'list', '--json', ...A])).stdout)).toHaveLength(1);
    expect(JSON.parse((await ok(['patrons', 'export', '--format', 'json', ...A])).stdout)).toHaveLength(1);
    expect((await ok(['patrons', 'export', '--site', 'MAIN', ...A])).stdout).toContain('B-1');
    expect((JSON.parse((await ok(['operations', 'list', '--json', ...A])).stdout) as { id: number }[]).map((o) => o.id)).toEqual([
      held.id,
      dry.operation,
      imported.operation,
    ]);
    await ok(['operations', 'show', String(dry.operation), ...A]);
    expect((await ok(['operations', 'log', String(dry.operation), ...A])).stdout).not.toBe('');
    expect(JSON.parse((await ok(['classlink', 'options', '--json', ...A])).stdout)).toBeTruthy();

    // From B, none of it.
    expect(JSON.parse((await ok(['sites', 'list', '--json', ...B])).stdout)).toEqual([]);
    expect(JSON.parse((await ok(['patrons', 'export', '--format', 'json', ...B])).stdout)).toEqual([]);
    expect((await ok(['patrons', 'export', ...B])).stdout.trim().split('\n')).toHaveLength(1); // the header alone
    const site = await cli(['patrons', 'export', '--site', 'MAIN', ...B]);
    expect(site.code).toBe(1);
    expect(site.stdout).not.toContain('B-1');
    expect(JSON.parse((await ok(['operations', 'list', '--json', ...B])).stdout)).toEqual([]);
    for (const args of [
      ['operations', 'show', String(dry.operation)],
      ['operations', 'log', String(dry.operation)],
      ['operations', 'log', String(dry.operation), '--format', 'csv'],
      ['operations', 'approve', String(held.id)],
      ['operations', 'reject', String(held.id)],
    ]) {
      const run = await cli([...args, ...B]);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr, args.join(' ')).toMatch(/^rollcall: There is no operation \d+ in this library/);
      expect(run.stdout, args.join(' ')).toBe('');
    }
    const schools = await cli(['classlink', 'schools', ...B]);
    expect(schools.code).toBe(1);
    expect(schools.stdout).not.toContain(school);
    const sync = await cli(['sync', '--json', ...B]);
    expect(sync.code).not.toBe(0);

    // B's attempts changed nothing of A's.
    expect((await db.store().operations.get(libA.id, held.id))!.state).toBe('needs_review');
    expect((JSON.parse((await ok(['operations', 'list', '--json', ...A])).stdout) as { id: number }[]).map((o) => o.id)).toEqual([
      held.id,
      dry.operation,
      imported.operation,
    ]);
  });
});
