import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import { isRollcallError } from '../src/domain/errors.ts';
import { describeEachDatabase, type DatabaseTestContext } from './support/db.ts';
import { caught } from './support/caught.ts';

/** The raw `secrets` column of a library's integration, read around the store. */
async function rawSecrets(db: DatabaseTestContext, libraryId: number): Promise<string> {
  const query = 'select secrets from integration_settings where library_id = $1';
  if (db.dialect === 'sqlite') {
    const handle = new BetterSqlite3(db.url().slice('sqlite:'.length), { readonly: true });
    try {
      return (handle.prepare(query.replace('$1', '?')).get(libraryId) as { secrets: string }).secrets;
    } finally {
      handle.close();
    }
  }
  const client = new pg.Client({ connectionString: db.url() });
  await client.connect();
  try {
    return (await client.query<{ secrets: string }>(query, [libraryId])).rows[0]!.secrets;
  } finally {
    await client.end();
  }
}

describeEachDatabase('store: integration settings', (db) => {
  it('saves settings and secrets, and reads them back decrypted', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    expect(await store.integrations.get(lib.id, 'classlink')).toBeUndefined();
    const settings = { tenantId: '2233', roles: ['student', 'teacher'], thresholds: { transferPct: 10 } };
    await store.integrations.save(lib.id, 'classlink', {
      enabled: true,
      settings,
      secrets: { clientSecret: 'sëcret-ünïcode', bearer: 'tok-123' },
    });
    const got = await store.integrations.get(lib.id, 'classlink');
    expect(got).toMatchObject({
      kind: 'classlink',
      enabled: true,
      settings,
      secrets: { clientSecret: 'sëcret-ünïcode', bearer: 'tok-123' },
    });
    expect(await store.integrations.list(lib.id)).toEqual([{ kind: 'classlink', enabled: true, settings, updatedAt: got!.updatedAt }]);
  });

  it('keeps omitted parts on save, so toggling does not need the secrets again', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    await store.integrations.save(lib.id, 'oneroster', { enabled: true, settings: { url: 'x' }, secrets: { key: 'k' } });
    await store.integrations.save(lib.id, 'oneroster', { enabled: false });
    expect(await store.integrations.get(lib.id, 'oneroster')).toMatchObject({
      enabled: false,
      settings: { url: 'x' },
      secrets: { key: 'k' },
    });
    await store.integrations.save(lib.id, 'oneroster', { secrets: {} });
    expect((await store.integrations.get(lib.id, 'oneroster'))!.secrets).toEqual({});
  });

  it('stores ciphertext, never the plaintext', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const secret = 'plain-text-secret-4711';
    await store.integrations.save(lib.id, 'classlink', {
      settings: { note: 'settings are not secret' },
      secrets: { clientSecret: secret },
    });
    const stored = await rawSecrets(db, lib.id);
    expect(stored).toMatch(/^rc1:/);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain('clientSecret');
    // Read the raw column through a store opened with a different key: get() must fail, and the
    // failure must not leak the plaintext either.
    const other = await db.open({ secretKey: randomBytes(32).toString('hex') });
    const e = await caught(other.integrations.get(lib.id, 'classlink'));
    expect(isRollcallError(e, 'config_invalid')).toBe(true);
    expect((e as Error).message).toBe(
      'The stored credentials were encrypted with another key; set ROLLCALL_SECRET_KEY (or restore the secret.key file) to the key used when they were saved, or enter the credentials again.',
    );
    expect((e as Error).message).not.toContain(secret);
    // Settings without secrets stay readable without the key.
    expect((await other.integrations.list(lib.id))[0]!.settings).toEqual({ note: 'settings are not secret' });
  });

  it('keeps integrations to their library', async () => {
    const store = db.store();
    const a = await db.newLibrary();
    const b = await db.newLibrary();
    await store.integrations.save(a.id, 'classlink', { enabled: true, settings: { t: 'a' }, secrets: { s: 'a' } });
    expect(await store.integrations.get(b.id, 'classlink')).toBeUndefined();
    expect(await store.integrations.list(b.id)).toEqual([]);
    await store.integrations.save(b.id, 'classlink', { settings: { t: 'b' } });
    expect((await store.integrations.get(a.id, 'classlink'))!.settings).toEqual({ t: 'a' });
  });

  it('generates secret.key (mode 0600) on first use when no key is configured, and reuses it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rollcall-key-'));
    try {
      const first = await db.open({ secretKey: undefined, dataDir: join(dataDir, 'nested') });
      const keyFile = join(dataDir, 'nested', 'secret.key');
      expect(existsSync(keyFile)).toBe(false);
      const lib = await db.newLibrary();
      await first.integrations.save(lib.id, 'csv', { secrets: { password: 'p' } });
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const second = await db.open({ secretKey: undefined, dataDir: join(dataDir, 'nested') });
      expect((await second.integrations.get(lib.id, 'csv'))!.secrets).toEqual({ password: 'p' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a malformed configured key at open', async () => {
    const e = await caught(db.open({ secretKey: 'too-short' }));
    expect(isRollcallError(e, 'config_invalid')).toBe(true);
    expect((e as Error).message).toMatch(/^ROLLCALL_SECRET_KEY must be a 32-byte key/);
  });
});
