/**
 * The watched folder (packages dropped by SFTP), on SQLite and PostgreSQL: each new,
 * complete .zip is synced once, oldest first, and remembered by name, size, mtime and sha256;
 * a zip still arriving (no readable central directory yet) is waited for, and refused once it
 * has stayed unreadable for the grace period; a package held for review holds back the ones
 * after it. `rollcall csv watch --once --json` reports a pass.
 */
import { copyFile, mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { isRollcallError } from '../src/domain/errors.ts';
import type { DistrictData } from '../src/domain/district.ts';
import { configureCsv } from '../src/sources/csv/options.ts';
import { UNREADABLE_GRACE_MS, watchFolderOnce } from '../src/services/csv/watch-folder.ts';
import { csvWatchHandler } from '../src/jobs/csv-watch.ts';
import { rejectOperation } from '../src/sync/review.ts';
import { dbEnv, rollcallHere } from './cli-support.ts';
import { csvLibrary, generatedData, inScope, schoolIds, tempDirs, writePackage, zipFolder } from './support/csv-fixture.ts';
import { describeEachDatabase } from './support/db.ts';

const data = generatedData(40, 'csv-source-watch');
const ORGS = schoolIds(data).slice(0, 2);
const expected = inScope(data, ORGS);
const tempDir = tempDirs();

/** A zip of `content` at `name` in `folder`, its mtime set `agoMs` before now. */
async function dropZip(folder: string, name: string, content: Partial<DistrictData>, agoMs: number): Promise<string> {
  const scratch = await tempDir();
  const zip = await zipFolder(await writePackage(join(scratch, 'pkg'), content), join(scratch, name));
  const target = join(folder, name);
  await copyFile(zip, target);
  const at = new Date(Date.now() - agoMs);
  await utimes(target, at, at);
  return target;
}

/** A CSV library watching a fresh folder. */
async function watchingLibrary(db: Parameters<typeof csvLibrary>[0]) {
  const lib = await csvLibrary(db, ORGS);
  const folder = await tempDir();
  await configureCsv(lib.store, lib.libraryId, { watchDir: folder });
  return { ...lib, folder, pass: () => watchFolderOnce(lib.deps, lib.libraryId, { requestedBy: 'watch' }) };
}

const MINUTE = 60_000;

describeEachDatabase('csv source: the watched folder', (db) => {
  it("the worker's csv-watch job syncs a new package of a CSV library once, and nothing the next minute", async () => {
    const w = await watchingLibrary(db);
    await dropZip(w.folder, 'nightly.zip', data, 30 * MINUTE);
    const job = csvWatchHandler({ store: w.store, syncDeps: w.deps });
    const first = await job({ at: new Date().toISOString() });
    expect(first).toMatchObject({ ok: true });
    expect(first.ok && first.detail).toMatch(/1 package/);
    expect((await w.store.operations.list(w.libraryId)).map((o) => o.type)).toEqual(['csv_full_sync']);
    expect(await job({ at: new Date().toISOString() })).toMatchObject({ ok: true });
    expect((await w.store.operations.list(w.libraryId)).length).toBe(1);
  });

  it('syncs each new package once, oldest first; a package uploaded again under the same name is new', async () => {
    const w = await watchingLibrary(db);
    const renamed = { ...data, users: data.users.map((u) => (u.sourcedId === expected[0]!.sourcedId ? { ...u, familyName: 'Later' } : u)) };
    await dropZip(w.folder, 'b-second.zip', renamed, 20 * MINUTE);
    await dropZip(w.folder, 'a-first.zip', data, 30 * MINUTE);
    await writeFile(join(w.folder, 'notes.txt'), 'not a package');

    const first = await w.pass();
    expect(first.packages.map((p) => [p.name, p.outcome, p.result?.state, p.result?.type])).toEqual([
      ['a-first.zip', 'synced', 'succeeded', 'csv_full_sync'],
      ['b-second.zip', 'synced', 'succeeded', 'csv_full_sync'],
    ]);
    expect(first.packages[0]!.result!.counts.created).toBe(expected.length);
    expect(first.packages[1]!.result!.counts).toMatchObject({ created: 0, updated: 1 });
    const recorded = await w.store.csvPackages.recent(w.libraryId, 5);
    expect(recorded.map((r) => [r.name, r.outcome, r.sha256.length])).toEqual([
      ['b-second.zip', 'succeeded', 64],
      ['a-first.zip', 'succeeded', 64],
    ]);
    expect(recorded[0]!.size).toBe((await readFile(join(w.folder, 'b-second.zip'))).length);

    expect((await w.pass()).packages).toEqual([]);

    // The district's next upload overwrites a-first.zip: another name/size/mtime, a new package.
    await dropZip(w.folder, 'a-first.zip', data, 0);
    const third = await w.pass();
    expect(third.packages.map((p) => [p.name, p.outcome])).toEqual([['a-first.zip', 'synced']]);
    expect(third.packages[0]!.result!.counts).toMatchObject({ updated: 1, created: 0 });
  });

  it('waits for a zip still arriving; refuses one unreadable past the grace period, once', async () => {
    const w = await watchingLibrary(db);
    const whole = await dropZip(w.folder, 'day1.zip', data, 0);
    const bytes = await readFile(whole);
    // Half uploaded: the central directory at the end of the file is not there yet.
    await writeFile(whole, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const waiting = await w.pass();
    expect(waiting.packages.map((p) => [p.name, p.outcome])).toEqual([['day1.zip', 'waiting']]);
    expect(waiting.packages[0]!.message).toMatch(
      /^day1\.zip cannot be read yet \(day1\.zip is not a readable zip file .*\); it may still be arriving, so it is tried again later\.$/,
    );
    expect(await w.store.csvPackages.recent(w.libraryId, 5)).toEqual([]);

    await writeFile(whole, bytes);
    expect((await w.pass()).packages.map((p) => [p.name, p.outcome, p.result?.state])).toEqual([['day1.zip', 'synced', 'succeeded']]);

    const broken = join(w.folder, 'broken.zip');
    await writeFile(broken, bytes.subarray(0, 100));
    const old = new Date(Date.now() - UNREADABLE_GRACE_MS - MINUTE);
    await utimes(broken, old, old);
    const refused = await w.pass();
    expect(refused.packages.map((p) => [p.name, p.outcome])).toEqual([['broken.zip', 'refused']]);
    expect(refused.packages[0]!.message).toMatch(/^broken\.zip is not a readable zip file/);
    expect((await w.store.csvPackages.recent(w.libraryId, 1))[0]).toMatchObject({
      name: 'broken.zip',
      outcome: 'refused',
      operationId: null,
    });
    expect((await w.pass()).packages).toEqual([]);
  });

  it('a package held for review holds back the packages after it until it is approved or rejected', async () => {
    const w = await watchingLibrary(db);
    const leaving = new Set(
      expected
        .filter((u) => u.role === 'student')
        .slice(0, 10)
        .map((u) => u.sourcedId),
    );
    await dropZip(w.folder, '1.zip', data, 30 * MINUTE);
    await dropZip(w.folder, '2.zip', { ...data, users: data.users.filter((u) => !leaving.has(u.sourcedId)) }, 20 * MINUTE);
    await dropZip(w.folder, '3.zip', data, 10 * MINUTE);

    const first = await w.pass();
    expect(first.packages.map((p) => [p.name, p.result?.state])).toEqual([
      ['1.zip', 'succeeded'],
      ['2.zip', 'needs_review'],
    ]);
    const held = first.packages[1]!.result!.operation;
    expect(await w.pass()).toMatchObject({ heldBy: held, packages: [] });

    await rejectOperation(w.deps, w.libraryId, held, 'librarian');
    expect((await w.pass()).packages.map((p) => [p.name, p.result?.state])).toEqual([['3.zip', 'succeeded']]);
  });

  it('is refused without a watched folder, or while OneRoster CSV is not the enabled integration', async () => {
    const lib = await csvLibrary(db, ORGS);
    const none = await watchFolderOnce(lib.deps, lib.libraryId).catch((x: unknown) => x);
    expect(isRollcallError(none, 'not_configured')).toBe(true);
    expect((none as Error).message).toBe('No watched folder is configured: set one with `rollcall csv configure --watch-dir DIR`.');
    await configureCsv(lib.store, lib.libraryId, { watchDir: await tempDir() });
    await lib.store.integrations.save(lib.libraryId, 'csv', { enabled: false });
    const off = await watchFolderOnce(lib.deps, lib.libraryId).catch((x: unknown) => x);
    expect((off as Error).message).toMatch(/^OneRoster CSV is not enabled for this library/);
  });

  it('keeps watched folders inside ROLLCALL_CSV_WATCH_ROOT when one is set', async () => {
    const lib = await csvLibrary(db, ORGS);
    const root = await tempDir();
    const inside = join(root, 'district-a');
    await mkdir(inside);
    const outside = await tempDir();
    expect((await configureCsv(lib.store, lib.libraryId, { watchDir: inside }, { root })).watchDir).toBe(inside);
    const refused = await configureCsv(lib.store, lib.libraryId, { watchDir: outside }, { root }).catch((x: unknown) => x);
    expect((refused as Error).message).toMatch(/must be inside/);
    const sneaky = await configureCsv(lib.store, lib.libraryId, { watchDir: join(inside, '..', '..') }, { root }).catch((x: unknown) => x);
    expect(isRollcallError(sneaky, 'invalid_input')).toBe(true);
  });

  it('`rollcall csv watch --once --json` reports the pass; exit 0', async () => {
    const w = await watchingLibrary(db);
    await dropZip(w.folder, 'roster.zip', data, 5 * MINUTE);
    const code = (await db.store().libraries.list()).find((l) => l.id === w.libraryId)!.code;
    const run = await rollcallHere(['csv', 'watch', '--once', '--json', '--library', code], dbEnv(db));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      folder: string;
      packages: { name: string; outcome: string; state: string; counts: { created: number } }[];
    };
    expect(out.folder).toBe(w.folder);
    expect(out.packages).toMatchObject([
      { name: 'roster.zip', outcome: 'synced', state: 'succeeded', counts: { created: expected.length } },
    ]);
  });
});
