/**
 * A page saving integration options while a sync applies must not undo what the sync wrote in
 * the same settings (its barcode sequence and delta watermark): the save is one locked
 * read-change-write (sources/options.ts lockedUpdate). The sync's apply is played by
 * a transaction that writes its progress and stays open while the options are saved; on
 * PostgreSQL the old read-then-write lost the sync's write.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { loadClassLink, saveClassLink } from '../src/sources/classlink/state.ts';
import { readClassLinkSettings } from '../src/sources/settings.ts';
import { saveSyncProgress } from '../src/sources/registry.ts';
import { updateOptions } from '../src/sources/options.ts';
import { CLASSLINK_OPTIONS } from '../src/sources/classlink/definition.ts';
import { changeSso } from '../src/sources/classlink/sign-in-settings.ts';
import { testConfig } from '../src/config/load.ts';
import { describeEachDatabase } from './support/db.ts';

describeEachDatabase('integration settings: a save during a sync keeps the sync’s progress', (db) => {
  async function library() {
    const store = db.store();
    const lib = await db.newLibrary();
    const settings = readClassLinkSettings({ defaults: { student: { barcode: { kind: 'sequence', prefix: 'S', next: 1 } } } });
    await saveClassLink(store, lib.id, { settings, enabled: true });
    return { store, lib };
  }

  /** A sync's apply: writes its progress, then holds its transaction until `release`. */
  function applying(store: ReturnType<typeof db.store>, libraryId: number) {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    const done = store.transaction(async (tx) => {
      await saveSyncProgress(tx, libraryId, 'classlink', { nextBarcode: { student: 501 }, lastSuccessAt: '2026-11-29T02:00:00.000Z' });
      wrote();
      await gate;
    });
    return { written, release, done };
  }

  it('options saved from a page', async () => {
    const { store, lib } = await library();
    const sync = applying(store, lib.id);
    await sync.written;
    const saving = updateOptions(store, lib.id, { maxTransferPct: 3 }, CLASSLINK_OPTIONS);
    await sleep(150);
    sync.release();
    await sync.done;
    await saving;
    const after = (await loadClassLink(store, lib.id)).settings;
    expect(after.thresholds.maxTransferPct).toBe(3);
    expect(after.lastSuccessAt).toBe('2026-11-29T02:00:00.000Z');
    expect(after.defaults.student.barcode).toMatchObject({ kind: 'sequence', next: 501 });
  });

  it('sign-in settings saved from a page', async () => {
    const { store, lib } = await library();
    const sync = applying(store, lib.id);
    await sync.written;
    const saving = changeSso(testConfig(), store, lib.id, lib.code, { enabled: true });
    await sleep(150);
    sync.release();
    await sync.done;
    await saving;
    const after = (await loadClassLink(store, lib.id)).settings;
    expect(after.sso).toBe(true);
    expect(after.lastSuccessAt).toBe('2026-11-29T02:00:00.000Z');
    expect(after.defaults.student.barcode).toMatchObject({ next: 501 });
  });
});
