import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRollcallError } from '../domain/errors.ts';
import { lazySecretBox, readOrCreateKeyFile } from './secret-key.ts';

const root = mkdtempSync(join(tmpdir(), 'rollcall-secret-key-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the secret key file', () => {
  it('is created with mode 0600 (and its folder) on first use, then reused', () => {
    const dir = join(root, 'a', 'data');
    const key = readOrCreateKeyFile(dir);
    const file = join(dir, 'secret.key');
    expect(key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(key.toString('hex'));
    expect(readOrCreateKeyFile(dir)).toEqual(key);
  });

  it('is not created until a secret is encrypted or decrypted', () => {
    const dir = join(root, 'lazy');
    const box = lazySecretBox({ dataDir: dir });
    expect(() => statSync(join(dir, 'secret.key'))).toThrow();
    const text = box().encrypt('x');
    expect(statSync(join(dir, 'secret.key')).isFile()).toBe(true);
    expect(lazySecretBox({ dataDir: dir })().decrypt(text)).toBe('x');
  });

  it('is refused with a sentence when it does not hold a key', () => {
    const dir = join(root, 'bad');
    mkdirSync(dir);
    writeFileSync(join(dir, 'secret.key'), 'not a key\n');
    let caught: unknown;
    try {
      readOrCreateKeyFile(dir);
    } catch (e) {
      caught = e;
    }
    expect(isRollcallError(caught, 'config_invalid')).toBe(true);
    expect((caught as Error).message).toMatch(/^The secret key file .*secret\.key must be a 32-byte key/);
  });

  it('is not needed when a key is configured, and a bad configured key fails at once', () => {
    const dir = join(root, 'configured');
    const box = lazySecretBox({ dataDir: dir, secretKey: 'ab'.repeat(32) });
    expect(box().decrypt(box().encrypt('y'))).toBe('y');
    expect(() => statSync(join(dir, 'secret.key'))).toThrow();
    expect(() => lazySecretBox({ dataDir: dir, secretKey: 'nope' })).toThrow(/ROLLCALL_SECRET_KEY must be/);
  });
});
