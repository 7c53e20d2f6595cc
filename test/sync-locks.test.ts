/**
 * Field locks (SPEC §3.8) through the store on SQLite and PostgreSQL against the emulator: a
 * full, a delta and an approved-after-review sync never write a locked field; the log says what
 * was kept; removing the lock lets the next sync write it; a deleted patron drops its locks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/db.ts';
import { lockFields, unlockFields, listLocks } from '../src/services/patrons/field-locks.ts';
import { approveOperation } from '../src/sync/review.ts';
import { applyUndo, previewUndo } from '../src/services/operations/undo-operation.ts';
import { describeEachDatabase } from './support/db.ts';
import { HOUR_MS, syncFixtures, type SyncFixture } from './support/sync-fixture.ts';

/** A synced student whose roster First Name becomes Robert while the library keeps Bobby, locked. */
async function bobby(f: SyncFixture): Promise<{ id: number; sourcedId: string }> {
  await f.sync('full');
  const u = f.expectedInScope(['student'])[0]!;
  const p = (await f.patronByGuid(u.sourcedId))!;
  await f.editPatron(p.id, { firstName: 'Bobby' });
  await lockFields(f.store, f.libraryId, p.id, ['firstName'], 'librarian');
  f.advance(HOUR_MS);
  // Another field changes too: the sync writes it, only the locked one is kept.
  f.emulator.mutate.changeUser(u.sourcedId, { givenName: 'Robert', familyName: 'Roster-Changed' });
  f.advance(HOUR_MS);
  return { id: p.id, sourcedId: u.sourcedId };
}

const KEPT = "First Name locked, kept 'Bobby' (roster: 'Robert')";

describeEachDatabase('sync: field locks (SPEC §3.8)', (db) => {
  const setUp = syncFixtures(db);
  /** A second connection, for writes the store would not make (closed after each test). */
  let raw: Awaited<ReturnType<typeof openDatabase>> | undefined;
  afterEach(async () => {
    await raw?.kysely.destroy();
    raw = undefined;
  });

  it.each(['full', 'delta'] as const)(
    'a %s sync never writes a locked field, says so in its log, and writes it once unlocked',
    async (kind) => {
      const f = await setUp();
      const b = await bobby(f);

      const { operation } = await f.sync(kind);
      expect(operation.state).toMatch(/^succeeded/);
      expect(await f.patronByGuid(b.sourcedId)).toMatchObject({ firstName: 'Bobby', lastName: 'Roster-Changed' });
      const log = await f.log(operation.id);
      expect(log.some((l) => l.sourcedId === b.sourcedId && l.message.includes(KEPT))).toBe(true);

      await unlockFields(f.store, f.libraryId, b.id, ['1007']);
      f.advance(HOUR_MS);
      // A delta reads only changed users: the roster record is touched so it is read again.
      f.emulator.mutate.changeUser(b.sourcedId, { givenName: 'Robert' });
      f.advance(HOUR_MS);
      const after = await f.sync(kind);
      expect(await f.patronByGuid(b.sourcedId)).toMatchObject({ firstName: 'Robert' });
      expect((await f.log(after.operation.id)).some((l) => l.message.includes('locked, kept'))).toBe(false);
    },
  );

  it("a dry run's stored plan lists the kept field", async () => {
    const f = await setUp();
    const b = await bobby(f);
    const { operation } = await f.sync('full', { dryRun: true });
    const locked = await f.store.operations.changes(f.libraryId, operation.id, { kind: 'locked' });
    expect(locked.items).toHaveLength(1);
    expect(locked.items[0]).toMatchObject({ sourcedId: b.sourcedId, patronId: b.id });
    expect((locked.items[0]!.detail as { reason: string }).reason).toBe(KEPT);
  });

  it('a plan held for review and approved after a lock was added does not write the locked field', async () => {
    const f = await setUp();
    await f.sync('full');
    const renamed = f
      .expectedInScope()
      .slice(0, Math.floor(f.expectedInScope().length / 2) + 1)
      .map((u) => u.sourcedId);
    for (const id of renamed) f.emulator.mutate.changeUser(id, { familyName: `Renamed-${id}` });
    const { operation } = await f.sync('full');
    expect(operation.state).toBe('needs_review');

    // Locked while the plan waits: the held plan was made without it.
    const target = (await f.patronByGuid(renamed[0]!))!;
    await lockFields(f.store, f.libraryId, target.id, ['lastName'], 'librarian');
    const done = await approveOperation(f.deps, f.libraryId, operation.id, 'admin');
    expect(done.state).toMatch(/^succeeded/);
    expect((await f.patronByGuid(renamed[0]!))!.lastName).toBe(target.lastName);
    expect((await f.patronByGuid(renamed[1]!))!.lastName).toBe(`Renamed-${renamed[1]}`);
    expect(
      (await f.log(operation.id)).some((l) =>
        l.message.includes(`Last Name locked, kept '${target.lastName}' (roster: 'Renamed-${renamed[0]}')`),
      ),
    ).toBe(true);
  });

  describe('a lock that lands after the plan was read (no patron revision moved)', () => {
    it('is still honoured when the held plan is applied as stored', async () => {
      const f = await setUp();
      await f.sync('full');
      const renamed = f
        .expectedInScope()
        .slice(0, Math.floor(f.expectedInScope().length / 2) + 1)
        .map((u) => u.sourcedId);
      for (const id of renamed) f.emulator.mutate.changeUser(id, { familyName: `Renamed-${id}` });
      const { operation } = await f.sync('full');
      expect(operation.state).toBe('needs_review');
      const target = (await f.patronByGuid(renamed[0]!))!;
      const revision = await f.revision();
      // Written straight to the table, as a lock committed between the plan's read and its apply
      // would be: the revision does not move, so approval applies the stored plan as it is.
      raw = await openDatabase({ url: db.url(), migrate: false });
      await raw.kysely
        .insertInto('patron_locks')
        .values({
          library_id: f.libraryId,
          patron_id: target.id,
          field: 'lastName',
          locked_by: 'test',
          locked_at: new Date().toISOString(),
        })
        .execute();
      expect(await f.revision()).toBe(revision);

      const done = await approveOperation(f.deps, f.libraryId, operation.id, 'admin');
      expect(done.state).toMatch(/^succeeded/);
      expect((await f.patronByGuid(renamed[0]!))!.lastName).toBe(target.lastName);
      expect(done.counts.updated).toBe(renamed.length - 1);
      expect((await f.log(operation.id)).some((l) => /locked since the plan was made/.test(l.message))).toBe(true);
      expect((await f.log(operation.id)).some((l) => /planning again/i.test(l.message))).toBe(false);
    });
  });

  it('a lock names a patron of its own library only, and a deleted patron drops its locks', async () => {
    const f = await setUp();
    const p = await f.addPatron({ firstName: 'Local', lastName: 'One', site: 'ES', policy: 'Student' });
    await lockFields(f.store, f.libraryId, p.id, ['phone', 'firstName'], 'librarian');
    expect((await listLocks(f.store, f.libraryId)).map((l) => l.field)).toEqual(['firstName', 'phone']);

    const other = await db.newLibrary();
    await expect(lockFields(f.store, other.id, p.id, ['phone'], 'x')).rejects.toMatchObject({ kind: 'not_found' });
    expect(await f.store.locks.lock(other.id, p.id, ['email'], 'x')).toBe(0);
    expect(await listLocks(f.store, other.id)).toEqual([]);

    raw = await openDatabase({ url: db.url(), migrate: false });
    await raw.kysely.deleteFrom('patrons').where('id', '=', p.id).execute();
    expect(await raw.kysely.selectFrom('patron_locks').select('field').where('patron_id', '=', p.id).execute()).toEqual([]);
  });

  it("an undo (a person's act, not a sync) puts a locked field back, and its preview and log say it is locked", async () => {
    const f = await setUp();
    await f.sync('full');
    const u = f.expectedInScope(['student'])[0]!;
    const before = (await f.patronByGuid(u.sourcedId))!;
    f.advance(HOUR_MS);
    f.emulator.mutate.changeUser(u.sourcedId, { familyName: 'Wrong-Name' });
    f.advance(HOUR_MS);
    const bad = await f.sync('full');
    expect((await f.patronByGuid(u.sourcedId))!.lastName).toBe('Wrong-Name');
    await lockFields(f.store, f.libraryId, before.id, ['lastName'], 'librarian');

    const preview = await previewUndo(f.store, f.libraryId, bad.operation.id);
    expect(preview.reverts.find((r) => r.patronId === before.id && r.field === 'lastName')).toMatchObject({
      locked: true,
      to: before.lastName,
    });
    const done = await applyUndo(f.store, f.libraryId, bad.operation.id, { requestedBy: 'librarian' });
    expect(done.status).toBe('applied');
    expect((await f.patronByGuid(u.sourcedId))!.lastName).toBe(before.lastName);
    if (done.status !== 'applied') return;
    expect((await f.log(done.operation.id)).some((l) => l.message.includes('It is locked: a lock stops syncs, not an undo.'))).toBe(true);
  });

  it('bad input: an unknown field or one no sync writes is refused with a sentence, and nothing is locked', async () => {
    const f = await setUp();
    const p = await f.addPatron({ firstName: 'Local', lastName: 'Two', site: 'ES', policy: 'Student' });
    await expect(lockFields(f.store, f.libraryId, p.id, ['phone', 'shoeSize'], 'x')).rejects.toThrow(
      '"shoeSize" is not a patron field: name it by its JSON key of the export (firstName, phone, …) or its number (1007, 1017, …).',
    );
    await expect(lockFields(f.store, f.libraryId, p.id, ['1028'], 'x')).rejects.toThrow(
      'Policy (1028) is never written by a sync, so there is nothing to lock.',
    );
    await expect(lockFields(f.store, f.libraryId, p.id, ['9999'], 'x')).rejects.toMatchObject({ kind: 'invalid_input' });
    expect(await listLocks(f.store, f.libraryId)).toEqual([]);
  });
});
