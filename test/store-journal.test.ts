import { expect, it } from 'vitest';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { createdValuesJson, type JournalWrite, type PatronWrite, type Store } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';

async function twoPatrons(store: Store, libraryId: number): Promise<number[]> {
  return store.patrons.insertMany(libraryId, [
    { ...emptyPatronValues(), lastName: 'Ng', guidSource: null, matchedBy: null },
    { ...emptyPatronValues(), lastName: 'Oh', guidSource: null, matchedBy: null },
  ]);
}

function write(patronId: number, field: JournalWrite['field'], oldValue: string | null, newValue: string | null): JournalWrite {
  return { patronId, field, oldValue, newValue, kind: 'update' };
}

describeEachDatabase('store: patron journal', (db) => {
  it("pages a patron's history newest first by a stable cursor, blank stored as null", async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const [a, b] = await twoPatrons(store, lib.id);
    const { operation: op } = await store.operations.create(lib.id, { type: 'full_sync', source: 'classlink', requestedBy: 'test' });
    await store.journal.append(lib.id, { operationId: op.id }, [
      write(a!, 'firstName', '', 'Ann'),
      write(b!, 'firstName', null, 'Bob'),
      write(a!, 'phone', '555', null),
    ]);
    await store.journal.append(lib.id, { actor: 'jane' }, [{ ...write(a!, 'lastName', 'Ng', 'Ngo'), kind: 'edit' }]);

    const first = await store.journal.history(lib.id, a!, { limit: 2 });
    expect(first.items.map((e) => [e.field, e.oldValue, e.newValue, e.kind])).toEqual([
      ['lastName', 'Ng', 'Ngo', 'edit'],
      ['phone', '555', null, 'update'],
    ]);
    expect(first.items[0]).toMatchObject({ actor: 'jane', operationId: null, operationType: null, staffName: null });
    expect(first.items[1]).toMatchObject({ operationId: op.id, operationType: 'full_sync', libraryId: lib.id, patronId: a });
    expect(first.next).toBe(first.items[1]!.id);

    // A row appended between pages does not shift the older page: the cursor is an id.
    await store.journal.append(lib.id, {}, [write(a!, 'email', null, 'a@x.org')]);
    const second = await store.journal.history(lib.id, a!, { limit: 2, before: first.next! });
    expect(second.items.map((e) => [e.field, e.oldValue, e.newValue])).toEqual([['firstName', null, 'Ann']]);
    expect(second.next).toBeNull();

    const other = await db.newLibrary();
    expect((await store.journal.history(other.id, a!)).items).toEqual([]);
  });

  it("journals created patrons in SQL with exactly the JSON createdValuesJson builds, in the caller's transaction", async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    await store.sites.add(lib.id, { code: 'MHS', name: 'Main High' });
    const base = { ...emptyPatronValues(), guidSource: 'classlink' as const, matchedBy: 'created' as const };
    const rows: PatronWrite[] = [
      { ...base, guid: 'g-1', firstName: 'Adébáyọ̀ "Ade"', lastName: "O'Neil\\", site: 'MHS', status: 1, policy: 'Student' },
      { ...base, guid: 'g-2', lastName: 'Tab\there', birthdate: '2011-05-17', sex: 'Female', otherEmails: 'a@x.org, b@x.org', status: 4 },
      { ...base, lastName: 'Only', nickname: 'Ó 😀 \u2028' },
    ];
    const { operation: op } = await store.operations.create(lib.id, { type: 'full_sync', source: 'classlink', requestedBy: 'test' });
    const ids = await store.transaction(async (tx) => {
      const made = await tx.patrons.insertMany(lib.id, rows);
      await tx.journal.appendCreated(lib.id, { operationId: op.id }, made, 'create');
      return made;
    });
    const written = await store.journal.ofOperation(lib.id, op.id);
    expect(written.map((e) => [e.patronId, e.field, e.oldValue, e.kind, e.operationId])).toEqual(
      ids.map((id) => [id, '*', null, 'create', op.id]),
    );
    // The same object, key for key and in the same order, as the JavaScript builder's.
    written.forEach((e, i) => {
      expect(Object.entries(JSON.parse(e.newValue!))).toEqual(Object.entries(JSON.parse(createdValuesJson(rows[i]!))));
    });
    // Another library's patrons named by id are not journaled as this library's.
    const other = await db.newLibrary();
    await store.journal.appendCreated(other.id, { actor: 'x' }, ids, 'import');
    expect((await store.journal.history(other.id, ids[0]!)).items).toEqual([]);
  });

  it('names the staff account of a hand edit as it is now', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const [a] = await twoPatrons(store, lib.id);
    const staff = await store.staff.create(lib.id, { username: 'jane', displayName: 'Jane Doe', role: 'librarian', passwordHash: '' });
    await store.journal.append(lib.id, { staffUserId: staff.id, actor: 'jane' }, [{ ...write(a!, 'nickname', null, 'Jo'), kind: 'edit' }]);
    const page = await store.journal.history(lib.id, a!);
    expect(page.items[0]).toMatchObject({ staffUserId: staff.id, staffName: 'Jane Doe', actor: 'jane', kind: 'edit' });
  });

  it('lands with the transaction it is written in, or not at all', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const [a] = await twoPatrons(store, lib.id);
    await expect(
      store.transaction(async (tx) => {
        await tx.journal.append(lib.id, {}, [write(a!, 'level', '09', '10')]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await store.journal.history(lib.id, a!)).items).toEqual([]);
    await store.transaction((tx) => tx.journal.append(lib.id, {}, [write(a!, 'level', '09', '10')]));
    expect((await store.journal.history(lib.id, a!)).items).toHaveLength(1);
  });

  it("reads every row of one operation in the order written, paged, and only the library's", async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const ids = await store.patrons.insertMany(
      lib.id,
      Array.from({ length: 30 }, (_, i) => ({ ...emptyPatronValues(), lastName: `P${i}`, guidSource: null, matchedBy: null })),
    );
    const { operation: op } = await store.operations.create(lib.id, { type: 'full_sync', source: 'classlink', requestedBy: 'test' });
    // More rows than one PostgreSQL statement carries, so chunks must keep the order.
    const rows: JournalWrite[] = [];
    for (let i = 0; i < 12_000; i++) rows.push(write(ids[i % ids.length]!, 'level', String(i), String(i + 1)));
    await store.journal.append(lib.id, { operationId: op.id }, rows);

    const all = await store.journal.ofOperation(lib.id, op.id);
    expect(all).toHaveLength(12_000);
    expect(all.map((e) => e.oldValue)).toEqual(rows.map((r) => r.oldValue));
    expect(all.every((e, i) => i === 0 || e.id > all[i - 1]!.id)).toBe(true);
    const page = await store.journal.ofOperation(lib.id, op.id, { after: all[99]!.id, limit: 10 });
    expect(page.map((e) => e.id)).toEqual(all.slice(100, 110).map((e) => e.id));

    const other = await db.newLibrary();
    expect(await store.journal.ofOperation(other.id, op.id)).toEqual([]);
  });

  it('finds the changes made to patrons after a given row', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const [a, b] = await twoPatrons(store, lib.id);
    await store.journal.append(lib.id, { operationId: null }, [write(a!, 'phone', null, '1'), write(b!, 'phone', null, '2')]);
    const [mark] = (await store.journal.history(lib.id, b!)).items;
    await store.journal.append(lib.id, {}, [write(a!, 'phone', '1', '3'), write(b!, 'email', null, 'b@x.org')]);
    const later = await store.journal.changedAfter(lib.id, [a!, b!], mark!.id);
    expect(later.map((e) => [e.patronId, e.field, e.newValue])).toEqual([
      [a, 'phone', '3'],
      [b, 'email', 'b@x.org'],
    ]);
    expect(await store.journal.changedAfter(lib.id, [a!], later[1]!.id)).toEqual([]);
  });
});

// A database per test: prune walks the whole table (every library), oldest id first.
describeEachDatabase(
  'store: patron journal retention',
  (db) => {
    it('prunes rows written before the cutoff, oldest first, in batches, in every library', async () => {
      let clock = new Date('2025-01-01T00:00:00.000Z');
      const store = await db.open({ now: () => clock });
      const lib = await db.newLibrary();
      const other = await db.newLibrary();
      const [a] = await twoPatrons(store, lib.id);
      await store.journal.append(lib.id, {}, [write(a!, 'level', '1', '2'), write(a!, 'level', '2', '3')]);
      await store.journal.append(other.id, {}, [write(a!, 'level', 'x', 'y')]);
      clock = new Date('2026-06-01T00:00:00.000Z');
      await store.journal.append(lib.id, {}, [write(a!, 'level', '3', '4')]);

      const cutoff = '2026-01-01T00:00:00.000Z';
      let pruned = 0;
      for (let n = await store.journal.prune(cutoff, 2); n > 0; n = await store.journal.prune(cutoff, 2)) pruned += n;
      expect(pruned).toBe(3);
      expect((await store.journal.history(lib.id, a!)).items.map((e) => e.newValue)).toEqual(['4']);
      expect((await store.journal.history(other.id, a!)).items).toEqual([]);
    });
  },
  { isolation: 'test' },
);
