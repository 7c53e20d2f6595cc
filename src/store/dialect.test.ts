import { describe, expect, it } from 'vitest';
import { containsPattern, storable } from './dialect.ts';

describe('containsPattern', () => {
  it('lower-cases and wraps the text in wildcards', () => {
    expect(containsPattern('Ana')).toBe('%ana%');
  });

  it('escapes LIKE wildcards and the escape character, so they match literally', () => {
    expect(containsPattern('100%_a\\b')).toBe('%100\\%\\_a\\\\b%');
  });
});

describe('storable', () => {
  it('leaves ordinary text, emoji and other scripts alone', () => {
    for (const text of ['', 'Zoë', '小明 🙂', 'O\'Brien "B"']) expect(storable(text)).toBe(text);
  });

  it('drops NUL and replaces lone surrogates, which PostgreSQL cannot store', () => {
    expect(storable('a\0b')).toBe('ab');
    expect(storable('x\uD83Dy')).toBe('x\uFFFDy');
    expect(storable('\uDE00z')).toBe('\uFFFDz');
    expect(storable('ok 🙂\0')).toBe('ok 🙂');
  });
});
