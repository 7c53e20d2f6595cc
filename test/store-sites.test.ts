import { expect, it } from 'vitest';
import { isRollcallError } from '../src/domain/errors.ts';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { describeEachDatabase } from './support/db.ts';
import { caught } from './support/caught.ts';

describeEachDatabase('store: libraries and sites', (db) => {
  it('has the default library, and ensure() creates a library once', async () => {
    const store = db.store();
    const def = await store.libraries.byCode('default');
    expect(def).toMatchObject({ code: 'default', timezone: 'UTC', patronRevision: 0 });
    const a = await store.libraries.ensure('north', 'North District');
    const again = await store.libraries.ensure('north', 'Another name');
    expect(again).toEqual(a);
    expect(a.name).toBe('North District');
    expect(await store.libraries.get(a.id)).toEqual(a);
    expect((await store.libraries.list()).map((l) => l.code)).toEqual(expect.arrayContaining(['default', 'north']));
    expect(await store.libraries.byCode('nope')).toBeUndefined();
  });

  it('adds, lists, renames and maps sites', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const mhs = await store.sites.add(lib.id, { code: ' MHS ', name: 'Main High' });
    expect(mhs).toMatchObject({ code: 'MHS', name: 'Main High', orgGuid: '' });
    await store.sites.add(lib.id, { code: 'ELM', name: 'Elm Elementary' });
    expect((await store.sites.list(lib.id)).map((s) => s.code)).toEqual(['ELM', 'MHS']);

    expect(await store.sites.setOrgGuid(lib.id, 'MHS', 'org-1')).toMatchObject({ code: 'MHS', orgGuid: 'org-1' });
    expect((await store.sites.byCode(lib.id, 'MHS'))!.orgGuid).toBe('org-1');
    expect((await store.sites.clearOrgGuid(lib.id, 'MHS')).orgGuid).toBe('');

    const renamed = await store.sites.update(lib.id, 'ELM', { code: 'EES', name: 'Elm School' });
    expect(renamed).toMatchObject({ code: 'EES', name: 'Elm School' });
    expect(await store.sites.byCode(lib.id, 'ELM')).toBeUndefined();
  });

  it('refuses a duplicate code, an unknown site and a bad code with a sentence', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    await store.sites.add(lib.id, { code: 'MHS', name: 'Main' });
    await store.sites.add(lib.id, { code: 'ELM', name: 'Elm' });
    const dup = await caught(store.sites.add(lib.id, { code: 'MHS', name: 'Again' }));
    expect(isRollcallError(dup, 'conflict')).toBe(true);
    expect((dup as Error).message).toBe('A site with code "MHS" already exists in this library.');
    expect(isRollcallError(await caught(store.sites.update(lib.id, 'ELM', { code: 'MHS' })), 'conflict')).toBe(true);
    expect(isRollcallError(await caught(store.sites.setOrgGuid(lib.id, 'NOPE', 'x')), 'not_found')).toBe(true);
    expect(isRollcallError(await caught(store.sites.add(lib.id, { code: 'A B', name: 'x' })), 'invalid_input')).toBe(true);
    expect(isRollcallError(await caught(store.sites.add(lib.id, { code: '  ', name: 'x' })), 'invalid_input')).toBe(true);
  });

  it('clears every site match of one library when switching integrations', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const other = await db.newLibrary();
    for (const code of ['A', 'B', 'C']) await store.sites.add(lib.id, { code, name: code });
    await store.sites.add(other.id, { code: 'A', name: 'A' });
    await store.sites.setOrgGuid(lib.id, 'A', 'o1');
    await store.sites.setOrgGuid(lib.id, 'B', 'o2');
    await store.sites.setOrgGuid(other.id, 'A', 'o1');
    expect(await store.sites.clearAllOrgGuids(lib.id)).toBe(2);
    expect((await store.sites.list(lib.id)).every((s) => s.orgGuid === '')).toBe(true);
    expect((await store.sites.byCode(other.id, 'A'))!.orgGuid).toBe('o1');
  });

  it('keeps sites to their library: same code in two libraries, nothing crosses', async () => {
    const store = db.store();
    const a = await db.newLibrary();
    const b = await db.newLibrary();
    await store.sites.add(a.id, { code: 'MHS', name: 'A main' });
    await store.sites.add(b.id, { code: 'MHS', name: 'B main' });
    await store.sites.add(b.id, { code: 'ELM', name: 'B elm' });
    await store.sites.update(a.id, 'MHS', { name: 'A renamed' });
    expect((await store.sites.list(a.id)).map((s) => s.name)).toEqual(['A renamed']);
    expect((await store.sites.byCode(b.id, 'MHS'))!.name).toBe('B main');
    expect(await store.sites.byCode(a.id, 'ELM')).toBeUndefined();
    expect(isRollcallError(await caught(store.sites.clearOrgGuid(a.id, 'ELM')), 'not_found')).toBe(true);
  });

  it('deletes only a site of this library that no patron uses and no integration has matched', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const other = await db.newLibrary();
    for (const code of ['USED', 'MATCHED', 'FREE']) await store.sites.add(lib.id, { code, name: code });
    await store.sites.add(other.id, { code: 'FREE', name: 'theirs' });
    await store.sites.setOrgGuid(lib.id, 'MATCHED', 'org-9', 'classlink');
    await store.patrons.insertMany(lib.id, [
      { ...emptyPatronValues(), guidSource: null, matchedBy: null, lastName: 'Smith', site: 'USED' },
    ]);

    // The statement itself refuses a used or matched site (the service asks first; this is the race guard).
    expect(await store.sites.removeUnused(lib.id, 'USED')).toBe(false);
    expect(await store.sites.removeUnused(lib.id, 'MATCHED')).toBe(false);
    expect(await store.sites.removeUnused(lib.id, 'NONE')).toBe(false);
    expect(await store.sites.removeUnused(lib.id, 'FREE')).toBe(true);
    expect((await store.sites.list(lib.id)).map((s) => s.code)).toEqual(['MATCHED', 'USED']);
    expect((await store.sites.list(other.id)).map((s) => s.code)).toEqual(['FREE']);
  });
});
