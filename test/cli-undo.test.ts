/**
 * `rollcall operations undo ID [--dry-run] [--json]` (SPEC §3.9, §8) through the CLI's entry
 * against a ClassLink emulator on loopback, on SQLite and on PostgreSQL: the exact JSON object,
 * a dry run that writes nothing, the undo of the undo, and one-line refusals (exit 1) and bad
 * usage (exit 2).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { dbEnv, rollcallHere, type CliRun } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';

describeEachDatabase('cli: operations undo', (db) => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ district: { students: 40, seed: `cli-undo-${db.dialect}` } });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const cli = (args: string[]): Promise<CliRun> => rollcallHere(args, dbEnv(db));

  it('previews with --dry-run, undoes with --json (exactly the contract object), undoes the undo, and refuses a second undo in one line', async () => {
    const lib = await db.newLibrary();
    const at = ['--library', lib.code];
    const c = emulator.credentials;
    expect(
      (
        await cli([
          'classlink',
          'configure',
          '--roster-url',
          emulator.url,
          '--client-id',
          c.clientId,
          '--client-secret',
          c.clientSecret,
          ...at,
        ])
      ).code,
    ).toBe(0);
    const schools = (JSON.parse((await cli(['classlink', 'schools', '--json', ...at])).stdout) as { sourcedId: string }[])
      .map((s) => s.sourcedId)
      .sort();
    expect((await cli(['sites', 'add', '--code', 'S1', '--name', 'School 1', ...at])).code).toBe(0);
    expect((await cli(['classlink', 'match-site', 'S1', schools[0]!, ...at])).code).toBe(0);
    expect((await cli(['classlink', 'enable', ...at])).code).toBe(0);
    expect((await cli(['sync', '--json', ...at])).code).toBe(0);

    const exported = async () =>
      JSON.parse((await cli(['patrons', 'export', '--format', 'json', ...at])).stdout) as Record<string, string>[];
    const before = await exported();
    const victim = before.find((p) => p.policy === 'Student')!;
    emulator.mutate.changeUser(victim.guid!, { givenName: 'Wrong', familyName: 'Name' });
    const bad = JSON.parse((await cli(['sync', '--json', ...at])).stdout) as { operation: number };
    const after = await exported();
    expect(after.find((p) => p.guid === victim.guid)).toMatchObject({ firstName: 'Wrong', lastName: 'Name' });

    const dry = await cli(['operations', 'undo', String(bad.operation), '--dry-run', '--json', ...at]);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({ operation: bad.operation, state: 'preview', reverted: 2, kept: 0 });
    expect(await exported()).toEqual(after);
    const text = await cli(['operations', 'undo', String(bad.operation), '--dry-run', ...at]);
    expect(text.stdout).toContain(`Undo of operation ${bad.operation} (ClassLink Full Sync) would put back 2 fields`);

    const undo = await cli(['operations', 'undo', String(bad.operation), '--json', ...at]);
    expect(undo.code).toBe(0);
    const result = JSON.parse(undo.stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['operation', 'state', 'reverted', 'kept']);
    expect(result).toMatchObject({ state: 'succeeded', reverted: 2, kept: 0 });
    expect(await exported()).toEqual(before);

    const again = await cli(['operations', 'undo', String(bad.operation), ...at]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(
      `rollcall: Operation ${bad.operation} (ClassLink Full Sync) was already undone by operation ${result.operation}.`,
    );

    const redo = await cli(['operations', 'undo', String(result.operation), ...at]);
    expect(redo.code).toBe(0);
    expect(redo.stdout).toContain(`(Undo of Undo ${result.operation}): 2 fields put back, 0 kept`);
    expect(await exported()).toEqual(after);
    const listed = JSON.parse((await cli(['operations', 'list', '--json', ...at])).stdout) as { id: number; typeName: string }[];
    expect(listed.find((o) => o.id === result.operation)!.typeName).toBe(`Undo of ClassLink Full Sync ${bad.operation}`);
  });

  it('refuses what cannot be undone (exit 1, one line) and a bad id (exit 2)', async () => {
    const lib = await db.newLibrary();
    const missing = await cli(['operations', 'undo', '999999', '--library', lib.code]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('rollcall: There is no operation 999999 in this library.');
    const bad = await cli(['operations', 'undo', 'abc', '--library', lib.code]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
