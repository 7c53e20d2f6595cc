/**
 * A package whose sync's process died (SPEC §6), on SQLite and PostgreSQL. A killed process
 * leaves its operation running with an old heartbeat and the package's record `running`; here
 * that state is made by a store whose clock stands eleven minutes back (the process's last sign
 * of life). The watched folder finds such a package by the reaper's stale rule and syncs it once
 * more; a retry whose process dies too is marked failed and never tried again; a package whose
 * sync is alive (a fresh heartbeat) is left alone. The reaper, which cannot give a queued sync
 * the package, leaves the retry to the folder.
 */
import { copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { reapStale } from '../src/jobs/reap-stale.ts';
import { LocalQueue } from '../src/jobs/local-queue.ts';
import { configureCsv } from '../src/sources/csv/options.ts';
import { fingerprintPackage } from '../src/sources/csv/source.ts';
import { watchFolderOnce } from '../src/services/csv/watch-folder.ts';
import type { Store } from '../src/store/store.ts';
import { STALE_AFTER_MS } from '../src/sync/stale.ts';
import { dbEnv, rollcallHere } from './cli-support.ts';
import { csvLibrary, generatedData, inScope, schoolIds, tempDirs, writePackage, zipFolder } from './support/csv-fixture.ts';
import { describeEachDatabase } from './support/db.ts';

const data = generatedData(20, 'csv-watch-stopped');
const ORGS = schoolIds(data).slice(0, 2);
const expected = inScope(data, ORGS);
const tempDir = tempDirs();
const MINUTE = 60_000;

describeEachDatabase('csv source: a package whose sync died', (db) => {
  /** A CSV library watching a folder holding one package, `nightly.zip`. */
  async function watching() {
    const lib = await csvLibrary(db, ORGS);
    const folder = await tempDir();
    await configureCsv(lib.store, lib.libraryId, { watchDir: folder });
    const scratch = await tempDir();
    const path = join(folder, 'nightly.zip');
    await copyFile(await zipFolder(await writePackage(join(scratch, 'pkg'), data), join(scratch, 'nightly.zip')), path);
    return { ...lib, folder, path, pass: () => watchFolderOnce(lib.deps, lib.libraryId, { requestedBy: 'watch' }) };
  }

  /**
   * What a process killed while syncing `path` leaves: its operation running and the package
   * recorded `running`, written through `store` (whose clock says when it last showed life).
   */
  async function leftRunning(store: Store, libraryId: number, path: string, retryOf?: number): Promise<number> {
    const made = await store.operations.create(libraryId, { type: 'csv_full_sync', source: 'csv', requestedBy: 'watch', retryOf });
    expect(made.created).toBe(true);
    expect(await store.operations.start(libraryId, made.operation.id)).toBe(true);
    const s = await stat(path);
    await store.csvPackages.add(libraryId, {
      ...(await fingerprintPackage(path)),
      mtime: new Date(Math.floor(s.mtimeMs)).toISOString(),
      operationId: made.operation.id,
      outcome: 'running',
      message: '',
    });
    return made.operation.id;
  }
  /** A store whose clock stands past the stale-after time back: what it writes looks long dead. */
  const pastStore = () => db.open({ now: () => new Date(Date.now() - STALE_AFTER_MS - MINUTE) });

  it('a package left running by a killed process is synced once more by the watcher, then never again', async () => {
    const w = await watching();
    const dead = await leftRunning(await pastStore(), w.libraryId, w.path);

    const pass = await w.pass();
    expect(pass.stopped).toEqual([
      {
        name: 'nightly.zip',
        operation: dead,
        outcome: 'retry',
        message: expect.stringMatching(
          /^The process syncing nightly\.zip stopped \(no sign of life since .+\); nothing was applied, and it is synced once more\.$/,
        ),
      },
    ]);
    expect(pass.packages.map((p) => [p.name, p.outcome, p.result?.state])).toEqual([['nightly.zip', 'synced', 'succeeded']]);
    expect(pass.packages[0]!.result!.counts.created).toBe(expected.length);
    const retry = pass.packages[0]!.result!.operation;
    // The dead operation is ended by the stale rule; the retry names it.
    expect(await w.store.operations.get(w.libraryId, dead)).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/^The process running this sync stopped/),
    });
    expect(await w.store.operations.get(w.libraryId, retry)).toMatchObject({ retryOf: dead, requestedBy: 'retry' });
    const records = await w.store.csvPackages.recent(w.libraryId, 5);
    expect(records.map((r) => [r.operationId, r.outcome])).toEqual([
      [retry, 'succeeded'],
      [dead, 'failed'],
    ]);
    expect(records[1]!.message).toMatch(new RegExp(`it is synced once more\\. Synced once more as operation ${retry}\\.$`));

    const next = await w.pass();
    expect([next.stopped, next.packages]).toEqual([[], []]);
    expect((await w.store.operations.list(w.libraryId)).length).toBe(2);
  });

  it('a retry whose process dies too is marked failed with what to do, and never tried again', async () => {
    const w = await watching();
    const past = await pastStore();
    const first = await leftRunning(past, w.libraryId, w.path);
    expect(await w.pass()).toMatchObject({ stopped: [{ outcome: 'retry' }], packages: [{ outcome: 'synced' }] });
    // The retry's process dies as well: made again, as a retry of the first.
    const retry = await leftRunning(past, w.libraryId, w.path, first);

    const pass = await w.pass();
    expect(pass.packages).toEqual([]);
    expect(pass.stopped).toEqual([
      {
        name: 'nightly.zip',
        operation: retry,
        outcome: 'failed',
        message: expect.stringMatching(
          new RegExp(
            `^The process syncing nightly\\.zip stopped again \\(no sign of life since .+\\), on its one retry; nothing was applied and it is not tried again: sync it with \`rollcall sync --from-csv ${w.path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\`\\.$`,
          ),
        ),
      },
    ]);
    expect((await w.store.csvPackages.recent(w.libraryId, 1))[0]).toMatchObject({ operationId: retry, outcome: 'failed' });
    const count = (await w.store.operations.list(w.libraryId)).length;
    // Never looped: the next passes — and the command line's — take nothing.
    expect(await w.pass()).toMatchObject({ stopped: [], packages: [] });
    const lib = (await w.store.libraries.list()).find((l) => l.id === w.libraryId)!;
    const cli = await rollcallHere(['csv', 'watch', '--once', '--json', '--library', lib.code], dbEnv(db));
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ stopped: [], packages: [] });
    expect((await w.store.operations.list(w.libraryId)).length).toBe(count);
  });

  it('a package whose sync is alive (a fresh heartbeat) is left alone, and the packages after it wait', async () => {
    const w = await watching();
    const live = await leftRunning(w.store, w.libraryId, w.path);
    const scratch = await tempDir();
    await copyFile(
      await zipFolder(await writePackage(join(scratch, 'pkg'), data), join(scratch, 'later.zip')),
      join(w.folder, 'later.zip'),
    );

    const pass = await w.pass();
    expect(pass.stopped).toEqual([]);
    expect(pass.packages.map((p) => [p.name, p.outcome])).toEqual([['later.zip', 'waiting']]);
    expect(await w.store.operations.get(w.libraryId, live)).toMatchObject({ state: 'running' });
    expect((await w.store.csvPackages.recent(w.libraryId, 5)).map((r) => [r.name, r.outcome])).toEqual([['nightly.zip', 'running']]);
  });

  it('the reaper fails a dead CSV sync without queuing a retry that has no package; the watcher retries it', async () => {
    const w = await watching();
    const dead = await leftRunning(await pastStore(), w.libraryId, w.path);
    const queue = new LocalQueue();
    try {
      const reaped = await reapStale({ store: w.store, syncDeps: w.deps, queue, staleAfterMs: STALE_AFTER_MS });
      expect(reaped).toMatchObject({ ok: true, detail: expect.stringContaining(`operation ${dead}`) });
    } finally {
      await queue.stop();
    }
    expect(await w.store.operations.get(w.libraryId, dead)).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/^worker stopped/),
    });
    expect((await w.store.operations.list(w.libraryId)).map((o) => o.id)).toEqual([dead]);
    const log = await w.store.operations.log(w.libraryId, dead);
    expect(log.items.map((l) => l.message)).toContain(
      'Not retried from the queue: a OneRoster CSV sync reads its package, so the watched folder syncs it once more (a package given by hand or uploaded: give it again).',
    );

    const pass = await w.pass();
    expect(pass.stopped.map((s) => [s.operation, s.outcome])).toEqual([[dead, 'retry']]);
    expect(pass.packages.map((p) => [p.outcome, p.result?.state])).toEqual([['synced', 'succeeded']]);
  });

  it('a package given by hand whose process died is marked failed with what to do, not read again', async () => {
    const w = await watching();
    const elsewhere = join(await tempDir(), 'by-hand.zip');
    await copyFile(w.path, elsewhere);
    const dead = await leftRunning(await pastStore(), w.libraryId, elsewhere);
    const pass = await w.pass();
    expect(pass.stopped).toEqual([
      {
        name: 'by-hand.zip',
        operation: dead,
        outcome: 'failed',
        message: expect.stringMatching(
          /it is not in the watched folder: sync it with `rollcall sync --from-csv .*by-hand\.zip`, or upload it again\.$/,
        ),
      },
    ]);
    // The folder's own package is new, and synced as usual.
    expect(pass.packages.map((p) => [p.name, p.outcome])).toEqual([['nightly.zip', 'synced']]);
  });
});
