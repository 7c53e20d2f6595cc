import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isRollcallError } from '../domain/errors.ts';
import { SecretBox, parseSecretKey } from './secret-box.ts';

function failure(work: () => unknown): Error {
  try {
    work();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips text, Unicode and the empty string', () => {
    for (const text of ['client-secret', 'sëcret 🔑 秘密', '', '{"a":"b"}']) expect(box.decrypt(box.encrypt(text))).toBe(text);
  });

  it('writes a versioned text form that never contains the plaintext, with a fresh IV each time', () => {
    const a = box.encrypt('hunter2-hunter2');
    const b = box.encrypt('hunter2-hunter2');
    expect(a).toMatch(/^rc1:[0-9a-f]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(Buffer.from(a.split(':')[3]!, 'base64url').toString('utf8')).not.toContain('hunter2');
  });

  it('says plainly when the key is another one', () => {
    const e = failure(() => new SecretBox(randomBytes(32)).decrypt(box.encrypt('x')));
    expect(isRollcallError(e, 'config_invalid')).toBe(true);
    expect(e.message).toMatch(/^The stored credentials were encrypted with another key;/);
  });

  it('says plainly when the text was tampered with or is not ours', () => {
    const text = box.encrypt('secret value');
    const parts = text.split(':');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    for (const bad of [parts.join(':'), 'plain', 'rc1:abc', 'rc9:a:b:c:d']) {
      const e = failure(() => box.decrypt(bad));
      expect(isRollcallError(e, 'config_invalid')).toBe(true);
      expect(e.message).toBe('The stored credentials are damaged and cannot be decrypted; enter the credentials again.');
    }
  });
});

describe('parseSecretKey', () => {
  const key = randomBytes(32);

  it('reads 64 hex digits and base64 (standard or URL-safe) of 32 bytes', () => {
    expect(parseSecretKey(key.toString('hex'), 'k')).toEqual(key);
    expect(parseSecretKey(` ${key.toString('hex').toUpperCase()}\n`, 'k')).toEqual(key);
    expect(parseSecretKey(key.toString('base64'), 'k')).toEqual(key);
    expect(parseSecretKey(key.toString('base64url'), 'k')).toEqual(key);
  });

  it('refuses anything else with a config_invalid sentence naming where it came from', () => {
    for (const bad of [
      '',
      'secret',
      key.toString('hex').slice(2),
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('base64'),
    ]) {
      const e = failure(() => parseSecretKey(bad, 'ROLLCALL_SECRET_KEY'));
      expect(isRollcallError(e, 'config_invalid')).toBe(true);
      expect(e.message).toMatch(/^ROLLCALL_SECRET_KEY must be a 32-byte key written as 64 hex digits or 44 base64 characters/);
    }
  });
});
