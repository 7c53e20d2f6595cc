import { describe, expect, it } from 'vitest';
import { decodeChangeCursor, encodeChangeCursor } from './change-cursor.ts';

describe('change cursor', () => {
  it('round-trips and is opaque', () => {
    const text = encodeChangeCursor({ libraryId: 7, journalId: 123456 });
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(text).not.toContain('123456');
    expect(decodeChangeCursor(text)).toEqual({ libraryId: 7, journalId: 123456 });
    expect(decodeChangeCursor(encodeChangeCursor({ libraryId: 1, journalId: 0 }))).toEqual({ libraryId: 1, journalId: 0 });
  });

  it('refuses malformed and foreign text with one sentence', () => {
    for (const bad of [
      '',
      'abc',
      '!!!',
      Buffer.from('v2.1.5').toString('base64url'),
      Buffer.from('v1.0.5').toString('base64url'),
      Buffer.from('v1.1.-5').toString('base64url'),
      Buffer.from('v1.1.5.6').toString('base64url'),
    ]) {
      expect(() => decodeChangeCursor(bad)).toThrow(/is not a change cursor this server issued/);
    }
  });
});
