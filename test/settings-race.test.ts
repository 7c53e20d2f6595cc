/**
 * A save of an integration's settings while a sync applies must not undo what the sync wrote in
 * the same settings (its delta watermark), nor its barcode sequence (in the library's creation
 * defaults since migration 0015): every save is one locked
 * read-change-write (sources/options.ts lockedUpdate) — the options, ClassLink's sign-in, and
 * `oneroster configure` / `csv configure`. The sync's apply is played by a transaction that
 * writes its progress and stays open until the save is waiting for it; on PostgreSQL the old
 * read-then-write lost the sync's write. (On SQLite one process's store has one connection, so a
 * save queues behind the sync's transaction either way; there the last test, two saves at once,
 * is the one that lost a field with the old unlocked `csv configure`.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IntegrationKind } from '../src/domain/patron.ts';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { loadClassLink, saveClassLink } from '../src/sources/classlink/state.ts';
import { loadCsvSource, saveCsvSettings } from '../src/sources/csv/source.ts';
import { CSV_SETTINGS } from '../src/sources/csv/source.ts';
import { configureCsv, CSV_OPTIONS } from '../src/sources/csv/options.ts';
import { configureOneRoster } from '../src/sources/oneroster/connect.ts';
import { loadOneRoster, ONEROSTER_SETTINGS, saveOneRoster } from '../src/sources/oneroster/state.ts';
import { readClassLinkSettings } from '../src/sources/settings.ts';
import { loadCreationDefaults, readCreationDefaults } from '../src/sources/creation-defaults.ts';
import { saveSyncProgress } from '../src/sources/registry.ts';
import { updateOptions } from '../src/sources/options.ts';
import { CLASSLINK_OPTIONS } from '../src/sources/classlink/definition.ts';
import { changeSso } from '../src/sources/classlink/sign-in-settings.ts';
import { testConfig } from '../src/config/load.ts';
import type { Store } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { somethingWaitsForALock } from './support/lock-wait.ts';

const SEQUENCE = {};
const DEFAULTS = { student: { barcode: { kind: 'sequence', prefix: 'S', next: 1 } } };
const PROGRESS = { nextBarcode: { student: 501 }, lastSuccessAt: '2026-11-29T02:00:00.000Z' };

describeEachDatabase('integration settings: a save during a sync keeps the sync’s progress', (db) => {
  let emulator: RunningEmulator;
  let folder = '';
  beforeAll(async () => {
    emulator = await startEmulator({ district: { students: 5, seed: 'settings-race' } });
    folder = await mkdtemp(join(tmpdir(), 'rollcall-race-'));
  });
  afterAll(async () => {
    await emulator?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  async function library(kind: IntegrationKind = 'classlink') {
    const store = db.store();
    const lib = await db.newLibrary();
    if (kind === 'classlink') await saveClassLink(store, lib.id, { settings: readClassLinkSettings(SEQUENCE), enabled: true });
    else if (kind === 'oneroster') await saveOneRoster(store, lib.id, { settings: ONEROSTER_SETTINGS.parse(SEQUENCE), enabled: true });
    else await saveCsvSettings(store, lib.id, CSV_SETTINGS.parse(SEQUENCE));
    await store.creationDefaults.save(lib.id, readCreationDefaults(DEFAULTS), 0, 'test');
    return { store, lib };
  }

  /** A sync's apply: writes its progress, then holds its transaction until `release`. */
  function applying(store: Store, libraryId: number, kind: IntegrationKind = 'classlink') {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    const done = store.transaction(async (tx) => {
      await saveSyncProgress(tx, libraryId, kind, PROGRESS);
      wrote();
      await gate;
    });
    return { written, release, done };
  }

  /** Runs `save` while a sync of `kind` holds its progress uncommitted; both must survive. */
  async function duringSync<T>(store: Store, libraryId: number, kind: IntegrationKind, save: () => Promise<T>): Promise<T> {
    const sync = applying(store, libraryId, kind);
    await sync.written;
    const saving = save();
    await somethingWaitsForALock(db);
    sync.release();
    await sync.done;
    return saving;
  }

  it('options saved from a page', async () => {
    const { store, lib } = await library();
    await duringSync(store, lib.id, 'classlink', () => updateOptions(store, lib.id, { maxTransferPct: 3 }, CLASSLINK_OPTIONS));
    const after = (await loadClassLink(store, lib.id)).settings;
    expect(after.thresholds.maxTransferPct).toBe(3);
    expect(after.lastSuccessAt).toBe(PROGRESS.lastSuccessAt);
    expect((await loadCreationDefaults(store, lib.id)).defaults.student.barcode).toMatchObject({ kind: 'sequence', next: 501 });
  });

  it('sign-in settings saved from a page', async () => {
    const { store, lib } = await library();
    await duringSync(store, lib.id, 'classlink', () => changeSso(testConfig(), store, lib.id, lib.code, { enabled: true }));
    const after = (await loadClassLink(store, lib.id)).settings;
    expect(after.sso).toBe(true);
    expect(after.lastSuccessAt).toBe(PROGRESS.lastSuccessAt);
    expect((await loadCreationDefaults(store, lib.id)).defaults.student.barcode).toMatchObject({ next: 501 });
  });

  it('`oneroster configure`: the new connection and the sync’s progress both survive', async () => {
    const { store, lib } = await library('oneroster');
    const view = await duringSync(store, lib.id, 'oneroster', () =>
      configureOneRoster({ config: testConfig(), store, now: () => new Date() }, lib.id, {
        baseUrl: emulator.url,
        version: '1.2',
        clientId: emulator.oauth2.clientId,
        clientSecret: emulator.oauth2.clientSecret,
        tokenUrl: emulator.oauth2.tokenUrl,
      }),
    );
    expect(view.baseUrl).toBe(emulator.url);
    const after = await loadOneRoster(store, lib.id);
    expect(after.settings.connection).toMatchObject({ baseUrl: emulator.url, version: '1.2', auth: 'oauth2' });
    expect(after.secrets.clientSecret).toBe(emulator.oauth2.clientSecret);
    expect(after.settings.lastSuccessAt).toBe(PROGRESS.lastSuccessAt);
    expect((await loadCreationDefaults(store, lib.id)).defaults.student.barcode).toMatchObject({ kind: 'sequence', next: 501 });
  });

  it('`csv configure`: the watched folder and the sync’s progress both survive', async () => {
    const { store, lib } = await library('csv');
    const view = await duringSync(store, lib.id, 'csv', () => configureCsv(store, lib.id, { watchDir: folder }));
    expect(view.watchDir).toBe(folder);
    const after = (await loadCsvSource(store, lib.id)).settings;
    expect(after.watchDir).toBe(folder);
    expect(after.lastSuccessAt).toBe(PROGRESS.lastSuccessAt);
    expect((await loadCreationDefaults(store, lib.id)).defaults.student.barcode).toMatchObject({ kind: 'sequence', next: 501 });
  });

  it('`csv configure` and `csv options` at once: the folder and the thresholds both survive', async () => {
    const { store, lib } = await library('csv');
    await duringSync(store, lib.id, 'csv', async () => {
      const [view] = await Promise.all([
        configureCsv(store, lib.id, { watchDir: folder }),
        updateOptions(store, lib.id, { maxUpdatePct: 7 }, CSV_OPTIONS),
      ]);
      return view;
    });
    const after = (await loadCsvSource(store, lib.id)).settings;
    expect(after).toMatchObject({ watchDir: folder, lastSuccessAt: PROGRESS.lastSuccessAt });
    expect(after.thresholds.maxUpdatePct).toBe(7);
  });
});
