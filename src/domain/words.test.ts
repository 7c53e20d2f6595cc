import { describe, expect, it } from 'vitest';
import { countOf, loggedTime, numberText, statusName } from './words.ts';

describe('words for numbers and codes', () => {
  it('puts the noun in the right number, with thousands grouped', () => {
    expect(countOf(1, 'patron')).toBe('1 patron');
    expect(countOf(0, 'patron')).toBe('0 patrons');
    expect(countOf(2, 'site')).toBe('2 sites');
    expect(countOf(1234, 'patron')).toBe('1,234 patrons');
    expect(countOf(2, 'delivery', 'deliveries')).toBe('2 deliveries');
    expect(countOf(1, 'delivery', 'deliveries')).toBe('1 delivery');
    expect(numberText(1234567)).toBe('1,234,567');
  });

  it('names Status by name with its number, and leaves the library’s own codes as they are', () => {
    expect(statusName(1)).toBe('Active (1)');
    expect(statusName(4)).toBe('Transferred (4)');
    expect(statusName('4')).toBe('Transferred (4)');
    expect(statusName(' 1 ')).toBe('Active (1)');
    expect(statusName(2)).toBe('2');
    expect(statusName('')).toBe('');
    expect(statusName('x')).toBe('x');
  });

  it('writes a time inside a stored sentence to the minute, saying its zone', () => {
    expect(loggedTime('2026-03-01T01:58:13.123Z')).toBe('2026-03-01 01:58 UTC');
    expect(loggedTime('not a time')).toBe('not a time');
  });
});
