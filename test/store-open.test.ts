import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { isRollcallError } from '../src/domain/errors.ts';
import { openDatabase } from '../src/store/db.ts';
import { lazySecretBox } from '../src/store/secret-key.ts';
import { openStore, storeOver } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { caught } from './support/caught.ts';

function expectStoreFailed(e: unknown, sentence: RegExp): void {
  expect(isRollcallError(e, 'store_failed'), String(e)).toBe(true);
  const message = (e as Error).message;
  expect(message).toMatch(sentence);
  expect(message).not.toContain('\n');
}

describeEachDatabase('store: opening and migrations', (db) => {
  it('creates the schema with the default library, and opening again changes nothing', async () => {
    const first = db.store();
    const before = await first.libraries.list();
    expect(before.filter((l) => l.code === 'default')).toHaveLength(1);
    const again = await db.open();
    const third = await db.open();
    expect((await third.libraries.list()).filter((l) => l.code === 'default')).toEqual(before.filter((l) => l.code === 'default'));
    expect(again.dialect).toBe(db.dialect);
  });

  it('is reachable from a bare URL, as a child process would get it in ROLLCALL_DATABASE_URL', async () => {
    const lib = await db.newLibrary('Reached by URL');
    const child = await openStore({ url: db.url(), secretKey: db.secretKey, dataDir: db.dataDir() });
    try {
      expect((await child.libraries.byCode(lib.code))!.name).toBe('Reached by URL');
    } finally {
      await child.close();
    }
  });

  it('opens concurrently without tripping over its own migrations', async () => {
    const stores = await Promise.all([db.open(), db.open(), db.open()]);
    for (const s of stores) expect(await s.libraries.byCode('default')).toBeDefined();
  });
});

const scratch = mkdtempSync(join(tmpdir(), 'rollcall-open-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('store: low-level failures become one plain store_failed line', () => {
  it('creates the SQLite folder when missing', async () => {
    const store = await openStore({ url: `sqlite:${join(scratch, 'a', 'b', 'rollcall.db')}`, dataDir: scratch });
    expect(await store.libraries.byCode('default')).toBeDefined();
    await store.close();
  });

  it('maps a full disk (SQLITE_FULL) to store_failed', async () => {
    const database = await openDatabase({ url: `sqlite:${join(scratch, 'full.db')}` });
    const pages = database.sqlite!.pragma('page_count', { simple: true }) as number;
    // A database capped a few pages above its size behaves like a disk that just filled up.
    database.sqlite!.pragma(`max_page_count = ${pages + 2}`);
    const store = storeOver(database, { secrets: lazySecretBox({ dataDir: scratch }) });
    const lib = (await store.libraries.byCode('default'))!;
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      ...emptyPatronValues(),
      guid: `g${i}`,
      lastName: 'x'.repeat(200),
      guidSource: null,
      matchedBy: null,
    }));
    const e = await caught(store.patrons.insertMany(lib.id, rows));
    expectStoreFailed(e, /^The disk holding the database .*full\.db is full; free some space and try again\.$/);
    expect(await store.patrons.count(lib.id)).toBe(0);
    const { operation } = await store.operations.create(lib.id, { type: 'full_sync', source: '', requestedBy: 'test' });
    const lines = Array.from({ length: 500 }, () => ({ level: 'info' as const, message: 'y'.repeat(500) }));
    expectStoreFailed(await caught(store.operations.appendLog(lib.id, operation.id, lines)), /is full/);
    await store.close();
  });

  it('maps a file that is not a database to store_failed', async () => {
    const path = join(scratch, 'garbage.db');
    writeFileSync(path, 'this is not an SQLite database, just text long enough to have a header '.repeat(20));
    expectStoreFailed(await caught(openStore({ url: `sqlite:${path}`, dataDir: scratch })), /is not a Rollcall database or is damaged/);
  });

  it('maps an SQLite path through a file to store_failed', async () => {
    const file = join(scratch, 'plain-file');
    writeFileSync(file, 'x');
    expectStoreFailed(
      await caught(openStore({ url: `sqlite:${join(file, 'db', 'rollcall.db')}`, dataDir: scratch })),
      /^Cannot create the database .*: part of its path is a file, not a folder\.$/,
    );
  });

  it('maps a PostgreSQL server that is not listening to store_failed', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const e = await caught(openStore({ url: 'postgres://rollcall:pw@127.0.0.1:1/rollcall', dataDir: scratch }));
    expectStoreFailed(
      e,
      /^Cannot reach the PostgreSQL server for rollcall@127\.0\.0\.1:1\/rollcall; check that it is running and that ROLLCALL_DATABASE_URL is right\.$/,
    );
    expect((e as Error).message).not.toContain('pw');
  });

  const pgUrl = inject('pgUrl');
  it.skipIf(!pgUrl)('maps a missing PostgreSQL database to store_failed', async () => {
    const u = new URL(pgUrl);
    u.pathname = '/rollcall_no_such_database';
    expectStoreFailed(
      await caught(openStore({ url: u.toString(), dataDir: scratch })),
      /database of .*rollcall_no_such_database does not exist; create it first\.$/,
    );
  });

  it('refuses a bad schema name with config_invalid before connecting', async () => {
    const e = await caught(openStore({ url: 'postgres://u@127.0.0.1:1/x', pgSchema: 'Bad-Name', dataDir: scratch }));
    expect(isRollcallError(e, 'config_invalid')).toBe(true);
  });
});
