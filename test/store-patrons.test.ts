import { describe, expect, it } from 'vitest';
import { emptyPatronValues, type Patron } from '../src/domain/patron.ts';
import { isRollcallError } from '../src/domain/errors.ts';
import type { PatronWrite } from '../src/store/store.ts';
import type { PatronKeys } from '../src/domain/patron.ts';
import { describeEachDatabase } from './support/db.ts';
import { caught } from './support/caught.ts';

/** A patron write with every field set, each value different and some non-ASCII. */
function fullPatron(n: number, site: string): PatronWrite {
  return {
    guid: `guid-${n}`,
    barcode: `B${n}`,
    communityId: `S${n}`,
    firstName: `Zoë ${n}`,
    middleName: 'Łucja',
    lastName: `O'Brien-Nguyễn ${n}`,
    birthdate: '2010-02-28',
    sex: 'Female',
    phone: '+1 (555) 010-1234',
    email: `zoe.${n}@example.org`,
    additionalContact: 'José Müller (555-0100)',
    otherEmails: 'a@example.org, b@example.org',
    location: 'Room 12 "B", east',
    level: '09',
    site,
    status: 1,
    policy: 'Student',
    nickname: '小明 🙂',
    guidSource: 'classlink',
    matchedBy: 'created',
  };
}

function withoutId(p: Patron): Omit<Patron, 'id'> {
  const { id: _id, ...rest } = p;
  return rest;
}

function withoutLast(w: PatronWrite): Omit<Patron, 'id'> {
  const { lastSyncOperationId: _op, ...rest } = w;
  return rest;
}

describeEachDatabase('store: patrons', (db) => {
  it('round-trips every field through insert, load, get and export, Unicode included', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    await store.sites.add(lib.id, { code: 'MHS', name: 'Main High' });
    const rows = [fullPatron(1, 'MHS'), { ...emptyPatronValues(), lastName: 'Blank', guidSource: null, matchedBy: null }];
    const ids = await store.patrons.insertMany(lib.id, rows);
    expect(ids).toHaveLength(2);

    const all = await store.patrons.loadAll(lib.id);
    expect(all.map((p) => p.id)).toEqual(ids);
    expect(withoutId(all[0]!)).toEqual(withoutLast(rows[0]!));
    expect(withoutId(all[1]!)).toEqual(withoutLast(rows[1]!));
    expect(await store.patrons.get(lib.id, ids[0]!)).toEqual(all[0]);

    const exported: Patron[] = [];
    for await (const batch of store.patrons.batches(lib.id)) exported.push(...batch);
    expect(exported).toEqual(all);
  });

  it("loads every patron's keys, and patrons by id, of one library only", async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const other = await db.newLibrary();
    await store.sites.add(lib.id, { code: 'MHS', name: 'Main High' });
    await store.sites.add(other.id, { code: 'MHS', name: 'Other High' });
    const ids = await store.patrons.insertMany(lib.id, [
      fullPatron(1, 'MHS'),
      { ...emptyPatronValues(), lastName: 'Blank', status: 4, guidSource: null, matchedBy: null },
      fullPatron(3, 'MHS'),
    ]);
    const [otherId] = await store.patrons.insertMany(other.id, [fullPatron(9, 'MHS')]);
    const all = await store.patrons.loadAll(lib.id);

    const scanned: PatronKeys[] = [];
    await store.patrons.scanKeys(lib.id, (k) => scanned.push(k));
    expect(scanned).toEqual(
      all.map((p) => ({
        id: p.id,
        guid: p.guid,
        barcode: p.barcode,
        communityId: p.communityId,
        email: p.email,
        status: p.status,
        policy: p.policy,
        site: p.site,
        guidSource: p.guidSource,
      })),
    );
    expect(scanned[1]).toMatchObject({ guid: '', site: '', status: 4, guidSource: null });
    // In id order, each once; another library's id and an unknown one are left out.
    expect(await store.patrons.getMany(lib.id, [ids[2]!, otherId!, ids[0]!, ids[2]!, 999_999])).toEqual([all[0], all[2]]);
    expect(await store.patrons.getMany(lib.id, [])).toEqual([]);
    // More ids than one query takes, and more patrons than one page of the scan.
    const many = await store.patrons.insertMany(
      lib.id,
      Array.from({ length: 5200 }, (_, i) => fullPatron(100 + i, 'MHS')),
    );
    expect((await store.patrons.getMany(lib.id, many)).map((p) => p.id)).toEqual(many);
    const scannedIds: number[] = [];
    await store.patrons.scanKeys(lib.id, (k) => scannedIds.push(k.id));
    expect(scannedIds).toEqual([...all.map((p) => p.id), ...many]);
  });

  it('overwrites full rows with updateMany and leaves notes and other libraries alone', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    await store.sites.add(lib.id, { code: 'A', name: 'A' });
    await store.sites.add(lib.id, { code: 'B', name: 'B' });
    const [id] = await store.patrons.insertMany(lib.id, [fullPatron(1, 'A')]);
    const changed: PatronWrite = {
      ...fullPatron(1, 'B'),
      firstName: 'Ana',
      email: '',
      status: 4,
      matchedBy: 'email',
      guidSource: 'oneroster',
      lastSyncOperationId: 77,
    };
    expect(await store.patrons.updateMany(lib.id, [{ id: id!, ...changed }])).toBe(1);
    const [patron] = await store.patrons.loadAll(lib.id);
    expect(withoutId(patron!)).toEqual(withoutLast(changed));

    const other = await db.newLibrary();
    expect(await store.patrons.updateMany(other.id, [{ id: id!, ...changed, site: '', firstName: 'Intruder' }])).toBe(0);
    expect((await store.patrons.get(lib.id, id!))!.firstName).toBe('Ana');
  });

  it('writes only the given fields of an update (and always the ownership), leaving the others as stored', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    await store.sites.add(lib.id, { code: 'A', name: 'A' });
    await store.sites.add(lib.id, { code: 'B', name: 'B' });
    const ids = await store.patrons.insertMany(lib.id, [fullPatron(1, 'A'), fullPatron(2, 'A'), fullPatron(3, 'A')]);
    const [p1, p2, p3] = await store.patrons.loadAll(lib.id);
    // Stale values everywhere, as a sync that read the patrons a while ago would hold them.
    const stale = { nickname: 'stale', phone: 'stale', level: 'stale' };
    const written = await store.patrons.updateMany(lib.id, [
      {
        ...p1!,
        ...stale,
        lastName: 'Smyth',
        site: 'B',
        guidSource: 'oneroster',
        matchedBy: 'email',
        lastSyncOperationId: 5,
        fields: ['lastName', 'site'],
      },
      { ...p2!, ...stale, status: 4, guidSource: 'csv', matchedBy: 'guid', fields: [] },
      { ...p3!, ...stale, fields: undefined },
    ]);
    expect(written).toBe(3);
    const [a, b, c] = await store.patrons.loadAll(lib.id);
    expect(a).toEqual({ ...p1!, lastName: 'Smyth', site: 'B', guidSource: 'oneroster', matchedBy: 'email' });
    expect(b).toEqual({ ...p2!, guidSource: 'csv', matchedBy: 'guid' });
    // No fields given: every field is written, as before.
    expect(c).toEqual({ ...p3!, ...stale });
    expect(ids).toHaveLength(3);
  });

  it('writes and reads many patrons in bulk, in order', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    await store.sites.add(lib.id, { code: 'S', name: 'S' });
    const count = 12_345;
    const rows = Array.from({ length: count }, (_, i) => fullPatron(i, i % 2 ? 'S' : ''));
    const ids = await store.patrons.insertMany(lib.id, rows);
    expect(new Set(ids).size).toBe(count);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const loaded = await store.patrons.loadAll(lib.id);
    expect(loaded.map((p) => p.guid)).toEqual(rows.map((r) => r.guid));
    expect(loaded[1]!.site).toBe('S');
    expect(loaded[2]!.site).toBe('');

    const updates = loaded.map((p) => ({ ...p, level: '10', guidSource: p.guidSource, matchedBy: 'guid' as const }));
    expect(await store.patrons.updateMany(lib.id, updates)).toBe(count);
    const again = await store.patrons.loadAll(lib.id);
    expect(again.every((p) => p.level === '10' && p.matchedBy === 'guid')).toBe(true);

    expect(await store.patrons.count(lib.id)).toBe(count);
    expect(await store.patrons.count(lib.id, { siteCode: 'S' })).toBe(Math.floor(count / 2));
    let batches = 0;
    let seen = 0;
    for await (const batch of store.patrons.batches(lib.id, { siteCode: 'S', batchSize: 1000 })) {
      batches++;
      seen += batch.length;
      expect(batch.every((p) => p.site === 'S')).toBe(true);
    }
    expect(seen).toBe(Math.floor(count / 2));
    expect(batches).toBe(Math.ceil(Math.floor(count / 2) / 1000));
  });

  it('stores text PostgreSQL would refuse the same way on both engines', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    await store.patrons.insertMany(lib.id, [{ ...fullPatron(1, ''), firstName: 'Nul\0Byte', lastName: 'Half\uD83D' }]);
    const [p] = await store.patrons.loadAll(lib.id);
    expect([p!.firstName, p!.lastName]).toEqual(['NulByte', 'Half\uFFFD']);
  });

  it('keeps GUIDs unique per library, but the same GUID may live in two libraries', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const other = await db.newLibrary();
    await store.sites.add(lib.id, { code: 'MHS', name: 'M' });
    await store.sites.add(other.id, { code: 'MHS', name: 'M' });
    await store.patrons.insertMany(lib.id, [fullPatron(1, 'MHS')]);
    const e = await caught(store.patrons.insertMany(lib.id, [fullPatron(2, 'MHS'), fullPatron(1, 'MHS')]));
    expect(isRollcallError(e, 'conflict')).toBe(true);
    expect((e as Error).message).toMatch(/GUID/);
    expect(await store.patrons.count(lib.id)).toBe(1);
    await store.patrons.insertMany(other.id, [fullPatron(1, 'MHS')]);
    // Blank GUIDs are not identities: any number of patrons may have none.
    const blank = { ...emptyPatronValues(), guidSource: null, matchedBy: null };
    await store.patrons.insertMany(lib.id, [blank, blank, blank]);
    expect(await store.patrons.count(lib.id)).toBe(4);
  });

  it('refuses an unknown site code with invalid_input and writes nothing', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const before = await store.libraries.revision(lib.id);
    const e = await caught(store.patrons.insertMany(lib.id, [fullPatron(1, 'NOPE')]));
    expect(isRollcallError(e, 'invalid_input')).toBe(true);
    expect((e as Error).message).toContain('NOPE');
    expect(await store.patrons.count(lib.id)).toBe(0);
    expect(await store.libraries.revision(lib.id)).toBe(before);
    expect(isRollcallError(await caught(store.patrons.count(lib.id, { siteCode: 'NOPE' })), 'invalid_input')).toBe(true);
  });

  it('bumps the patron revision on every write, and only then', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    expect(await store.libraries.revision(lib.id)).toBe(0);
    const [id] = await store.patrons.insertMany(lib.id, [fullPatron(1, '')]);
    expect(await store.libraries.revision(lib.id)).toBe(1);
    await store.patrons.updateMany(lib.id, [{ id: id!, ...fullPatron(1, ''), firstName: 'X' }]);
    expect(await store.libraries.revision(lib.id)).toBe(2);
    await store.patrons.clearGuids(lib.id, 'classlink');
    expect(await store.libraries.revision(lib.id)).toBe(3);
    await store.patrons.loadAll(lib.id);
    await store.patrons.clearGuids(lib.id, 'classlink');
    await store.patrons.insertMany(lib.id, []);
    expect(await store.libraries.revision(lib.id)).toBe(3);
  });

  it('clears only the GUIDs of one integration in one library', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const other = await db.newLibrary();
    await store.patrons.insertMany(lib.id, [
      fullPatron(1, ''),
      fullPatron(2, ''),
      { ...fullPatron(3, ''), guidSource: 'csv', matchedBy: null },
      { ...fullPatron(4, ''), guidSource: null, matchedBy: null },
    ]);
    await store.patrons.insertMany(other.id, [fullPatron(1, '')]);
    expect(await store.patrons.count(lib.id, { guidSource: 'classlink' })).toBe(2);
    expect(await store.patrons.clearGuids(lib.id, 'classlink')).toBe(2);
    const after = await store.patrons.loadAll(lib.id);
    expect(after.map((p) => [p.guid, p.guidSource, p.matchedBy])).toEqual([
      ['', null, null],
      ['', null, null],
      ['guid-3', 'csv', null],
      ['guid-4', null, null],
    ]);
    expect(after[0]!.firstName).toBe('Zoë 1');
    expect((await store.patrons.loadAll(other.id))[0]!.guid).toBe('guid-1');
  });

  it('lists a page sorted by name, searching names, barcodes and emails case-insensitively', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    await store.patrons.insertMany(lib.id, [
      { ...fullPatron(1, ''), firstName: 'Ana', lastName: 'Zed' },
      { ...fullPatron(2, ''), firstName: 'Bo', lastName: 'Alpha', email: 'BO@School.org' },
      { ...fullPatron(3, ''), firstName: 'Cy', lastName: 'Mid', barcode: 'X_100%' },
    ]);
    const page = await store.patrons.list(lib.id, { limit: 2 });
    expect(page.total).toBe(3);
    expect(page.items.map((p) => p.lastName)).toEqual(['Alpha', 'Mid']);
    expect((await store.patrons.list(lib.id, { limit: 2, offset: 2 })).items.map((p) => p.lastName)).toEqual(['Zed']);
    expect((await store.patrons.list(lib.id, { query: 'school.ORG' })).items.map((p) => p.firstName)).toEqual(['Bo']);
    // LIKE wildcards in the search text are taken literally.
    expect((await store.patrons.list(lib.id, { query: '_100%' })).items.map((p) => p.firstName)).toEqual(['Cy']);
    expect((await store.patrons.list(lib.id, { query: '%' })).total).toBe(1);
  });

  it('keeps each library to itself', async () => {
    const store = db.store();
    const a = await db.newLibrary();
    const b = await db.newLibrary();
    const [idA] = await store.patrons.insertMany(a.id, [fullPatron(1, '')]);
    await store.patrons.insertMany(b.id, [fullPatron(2, ''), fullPatron(3, '')]);
    expect((await store.patrons.loadAll(a.id)).map((p) => p.guid)).toEqual(['guid-1']);
    expect(await store.patrons.get(b.id, idA!)).toBeUndefined();
    expect(await store.patrons.count(b.id)).toBe(2);
    expect((await store.patrons.list(b.id, { query: 'guid-1' })).total).toBe(0);
    const batches: Patron[] = [];
    for await (const batch of store.patrons.batches(b.id)) batches.push(...batch);
    expect(batches.map((p) => p.guid)).toEqual(['guid-2', 'guid-3']);
  });

  it('writes nothing from a transaction that throws', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    await expect(
      store.transaction(async (tx) => {
        await tx.sites.add(lib.id, { code: 'T', name: 'T' });
        await tx.patrons.insertMany(lib.id, [fullPatron(1, 'T')]);
        const [id] = await tx.patrons.insertMany(lib.id, [fullPatron(2, 'T')]);
        await tx.patrons.updateMany(lib.id, [{ id: id!, ...fullPatron(2, 'T'), firstName: 'Y' }]);
        expect(await tx.patrons.count(lib.id)).toBe(2);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.patrons.count(lib.id)).toBe(0);
    expect(await store.sites.list(lib.id)).toEqual([]);
    expect(await store.libraries.revision(lib.id)).toBe(0);

    await store.transaction(async (tx) => {
      await tx.patrons.insertMany(lib.id, [fullPatron(3, '')]);
    });
    expect(await store.patrons.count(lib.id)).toBe(1);
  });
});

describe('fullPatron', () => {
  it('sets every patron field', () => {
    const keys = Object.keys(withoutLast(fullPatron(1, 'X'))).sort();
    expect(keys).toEqual([...Object.keys(emptyPatronValues()), 'guidSource', 'matchedBy'].sort());
  });
});

describeEachDatabase('store: transactions', (db) => {
  it('refuses the outer repositories inside a transaction instead of deadlocking', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    await expect(store.transaction(async () => store.patrons.count(lib.id))).rejects.toThrow(
      "store.patrons.count called inside store.transaction(); use the transaction's repositories (tx.patrons).",
    );
    await expect(store.transaction(async () => store.transaction(async () => 1))).rejects.toThrow(/nest nothing/);
    // Outside the transaction, and from other async work running at the same time, all is well.
    const [inside, outside] = await Promise.all([
      store.transaction(async (tx) => tx.patrons.insertMany(lib.id, [fullPatron(1, '')])),
      store.patrons.count(lib.id),
    ]);
    expect(inside).toHaveLength(1);
    expect([0, 1]).toContain(outside);
    expect(await store.patrons.count(lib.id)).toBe(1);
  });
});
