/**
 * `rollcall conflicts list|resolve` (SPEC §8) through the CLI's entry, on SQLite and
 * PostgreSQL, over conflicts made by a real sync: the contract's JSON keys, a resolution by
 * Barcode applied by the next sync, a refusal in one line with exit 1, bad usage exit 2.
 */
import { expect, it } from 'vitest';
import { dbEnv, rollcallHere } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures } from './support/sync-fixture.ts';

describeEachDatabase('cli: conflicts', (db) => {
  const setUp = syncFixtures(db);

  it('lists the queue as the contract says, resolves by Barcode, and the next sync applies it', async () => {
    const f = await setUp();
    const code = (await f.store.libraries.get(f.libraryId))!.code;
    const cli = (args: string[]) => rollcallHere([...args, '--library', code], dbEnv(db));
    const u = f.expectedInScope(['student']).find((x) => x.email !== '')!;
    await f.addPatron({ email: u.email, firstName: 'Twin', lastName: 'One', barcode: 'C-1', policy: 'Student' });
    const two = await f.addPatron({ email: u.email, firstName: 'Twin', lastName: 'Two', barcode: 'C-2', policy: 'Student' });
    const op = (await f.sync('full')).operation;

    const listed = await cli(['conflicts', 'list', '--json']);
    expect(listed.code).toBe(0);
    const items = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(items).toHaveLength(1);
    expect(Object.keys(items[0]!)).toEqual(expect.arrayContaining(['id', 'operation', 'sourcedId', 'reason', 'patrons']));
    expect(items[0]).toMatchObject({ operation: op.id, sourcedId: u.sourcedId, state: 'open' });
    expect((items[0]!.patrons as Record<string, unknown>[]).map((p) => [p.guid, p.barcode, p.firstName, p.lastName])).toEqual([
      ['', 'C-1', 'Twin', 'One'],
      ['', 'C-2', 'Twin', 'Two'],
    ]);
    const id = items[0]!.id as number;
    const text = await cli(['conflicts', 'list']);
    expect(text.stdout).toContain(u.sourcedId);
    expect(text.stdout).toContain('#2 Twin Two [C-2]'.replace('#2', `#${two.id}`));

    expect((await cli(['conflicts', 'resolve', String(id)])).code).toBe(2);
    expect((await cli(['conflicts', 'resolve', String(id), '--create', '--ignore'])).code).toBe(2);
    const unknown = await cli(['conflicts', 'resolve', String(id), '--link-barcode', 'NOPE']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain('No patron has the Barcode NOPE.');

    const resolved = await cli(['conflicts', 'resolve', String(id), '--link-barcode', 'C-2']);
    expect(resolved.code).toBe(0);
    expect(resolved.stdout).toContain(`link the user to patron #${two.id}`);
    const again = await cli(['conflicts', 'resolve', String(id), '--ignore']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already resolved by cli');

    await f.sync('full');
    expect(await f.store.patrons.get(f.libraryId, two.id)).toMatchObject({ guid: u.sourcedId, matchedBy: 'linked' });
    expect(JSON.parse((await cli(['conflicts', 'list', '--json'])).stdout)).toEqual([]);
    const all = JSON.parse((await cli(['conflicts', 'list', '--json', '--all'])).stdout) as { id: number; state: string }[];
    expect(all).toEqual([expect.objectContaining({ id, state: 'closed' })]);
  });
});
