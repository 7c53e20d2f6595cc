/**
 * `rollcall patrons lock|unlock|locks` (SPEC §8, §3.8) through the CLI's entry, on SQLite and
 * PostgreSQL: a patron named by --guid or --barcode, FIELD a JSON key or a field number; the
 * list as JSON; bad names and a missing patron refused in one line (exit 2 and 1).
 */
import { expect, it } from 'vitest';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { dbEnv, rollcallHere, type CliRun } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';

describeEachDatabase('cli: patrons lock, unlock, locks', (db) => {
  const cli = (args: string[]): Promise<CliRun> => rollcallHere(args, dbEnv(db));

  it('locks by --barcode with a key and a number, lists as JSON, unlocks by --guid', async () => {
    const lib = await db.newLibrary();
    const at = ['--library', lib.code];
    const [id] = await db.store().patrons.insertMany(lib.id, [
      {
        ...emptyPatronValues(),
        guid: 'g-1',
        barcode: 'B-1',
        firstName: 'Bobby',
        lastName: 'Smith',
        status: 1,
        guidSource: null,
        matchedBy: null,
      },
    ]);

    const locked = await cli(['patrons', 'lock', '--barcode', 'B-1', 'firstName', '1017', ...at]);
    expect(locked.code).toBe(0);
    expect(locked.stdout.trim()).toBe(
      `Locked First Name, Phone Number of patron #${id} (Bobby Smith): no sync writes them until unlocked.`,
    );

    const list = await cli(['patrons', 'locks', '--json', ...at]);
    expect(list.code).toBe(0);
    expect(
      (JSON.parse(list.stdout) as { patronId: number; field: string; fieldNumber: number; lockedBy: string; guid: string }[]).map((l) => [
        l.patronId,
        l.guid,
        l.field,
        l.fieldNumber,
        l.lockedBy,
      ]),
    ).toEqual([
      [id, 'g-1', 'firstName', 1007, 'cli'],
      [id, 'g-1', 'phone', 1017, 'cli'],
    ]);
    const table = await cli(['patrons', 'locks', ...at]);
    expect(table.stdout).toMatch(/1007 First Name/);

    const unlocked = await cli(['patrons', 'unlock', '--guid', 'g-1', '1007', ...at]);
    expect(unlocked.code).toBe(0);
    expect(unlocked.stdout.trim()).toBe(`Unlocked First Name of patron #${id} (Bobby Smith): the next sync writes it again.`);
    const notLocked = await cli(['patrons', 'unlock', '--guid', 'g-1', 'email', ...at]);
    expect(notLocked.stdout.trim()).toBe(`Email of patron #${id} (Bobby Smith) was not locked; nothing changed.`);
    expect((JSON.parse((await cli(['patrons', 'locks', '--json', ...at])).stdout) as unknown[]).length).toBe(1);

    // Another library sees none of them.
    const other = await db.newLibrary();
    expect(JSON.parse((await cli(['patrons', 'locks', '--json', '--library', other.code])).stdout)).toEqual([]);
    expect((await cli(['patrons', 'lock', '--guid', 'g-1', 'phone', '--library', other.code])).code).toBe(1);
  });

  it('refuses bad names (exit 2), a patron not named or not found, in one line, locking nothing', async () => {
    const lib = await db.newLibrary();
    const at = ['--library', lib.code];
    await db
      .store()
      .patrons.insertMany(lib.id, [
        { ...emptyPatronValues(), guid: 'g-2', barcode: 'B-2', firstName: 'Ana', status: 1, guidSource: null, matchedBy: null },
      ]);
    const unknown = await cli(['patrons', 'lock', '--guid', 'g-2', 'phone', 'shoeSize', ...at]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe(
      'rollcall: "shoeSize" is not a patron field: name it by its JSON key of the export (firstName, phone, …) or its number (1007, 1017, …).',
    );
    const policy = await cli(['patrons', 'lock', '--guid', 'g-2', '1028', ...at]);
    expect(policy.code).toBe(2);
    expect(policy.stderr.trim()).toBe('rollcall: Policy (1028) is never written by a sync, so there is nothing to lock.');
    const nobody = await cli(['patrons', 'lock', 'phone', ...at]);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr.trim()).toBe('rollcall: Name the patron with --guid G or --barcode B (one of the two).');
    const missing = await cli(['patrons', 'lock', '--barcode', 'NOPE', 'phone', ...at]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('rollcall: No patron of this library has the Barcode "NOPE".');
    expect(JSON.parse((await cli(['patrons', 'locks', '--json', ...at])).stdout)).toEqual([]);
    expect((await cli(['patrons', 'locks', ...at])).stdout.trim()).toBe('No field is locked: every sync writes the fields it maps.');
  });
});
