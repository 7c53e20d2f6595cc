import { describe, expect, it } from 'vitest';
import { isRollcallError } from './errors.ts';
import { characterCount, TEXT_LIMITS, TextTooLongError, tooLongProblem, withinLimit } from './text-limits.ts';

describe('text limits', () => {
  it('counts characters as a person does: an accented letter or an emoji is one', () => {
    expect(characterCount('é')).toBe(1);
    expect(characterCount('📚ab')).toBe(3);
  });

  it('says nothing at the limit and one sentence over it', () => {
    expect(tooLongProblem('The site name', 'x'.repeat(100), 100)).toBe('');
    expect(tooLongProblem('The site name', '📚'.repeat(100), 100)).toBe('');
    expect(tooLongProblem('The site name', 'x'.repeat(408), 100)).toBe('The site name is 408 characters long; it can hold at most 100.');
  });

  it('returns the value whole within the limit, and refuses it naming the field over it', () => {
    const exact = 'a'.repeat(TEXT_LIMITS.tokenName);
    expect(withinLimit('name', 'The token name', exact, 'tokenName')).toBe(exact);
    let error: unknown;
    try {
      withinLimit('name', 'The token name', `${exact}b`, 'tokenName');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TextTooLongError);
    expect(isRollcallError(error, 'invalid_input')).toBe(true);
    expect((error as TextTooLongError).field).toBe('name');
  });
});
