import { describe, expect, it } from 'vitest';
import { parseBoolean, parseStatus, parseUserIds, splitList } from './cell-values.ts';

describe('parseBoolean', () => {
  it.each(['true', 'TRUE', 'True', 't', 'T', '1', 'yes', ' true '])('reads %j as true', (cell) => {
    expect(parseBoolean(cell)).toBe(true);
  });
  it.each(['false', 'FALSE', 'f', '0', 'no'])('reads %j as false', (cell) => {
    expect(parseBoolean(cell)).toBe(false);
  });
  it.each(['', ' ', 'maybe', '2'])('gives undefined for %j', (cell) => {
    expect(parseBoolean(cell)).toBeUndefined();
  });
});

describe('parseStatus', () => {
  it('reads active and tobedeleted without case', () => {
    expect(parseStatus('active')).toBe('active');
    expect(parseStatus('Active')).toBe('active');
    expect(parseStatus('tobedeleted')).toBe('tobedeleted');
    expect(parseStatus('toBeDeleted')).toBe('tobedeleted');
  });
  it("reads 1.0's inactive as tobedeleted", () => {
    expect(parseStatus('inactive')).toBe('tobedeleted');
  });
  it('says blank for an empty cell, so the caller can apply the file mode', () => {
    expect(parseStatus('')).toBe('blank');
    expect(parseStatus('  ')).toBe('blank');
  });
  it('gives undefined for an unknown word', () => {
    expect(parseStatus('deleted')).toBeUndefined();
  });
});

describe('splitList', () => {
  it('splits a quoted list cell on commas, trimming and dropping blanks', () => {
    expect(splitList('09,10,11')).toEqual(['09', '10', '11']);
    expect(splitList(' as-1 , as-2 ,')).toEqual(['as-1', 'as-2']);
    expect(splitList('')).toEqual([]);
    expect(splitList('KG')).toEqual(['KG']);
  });
});

describe('parseUserIds', () => {
  it('reads {type:id} lists', () => {
    expect(parseUserIds('{LDAP:12},{LTI:15}')).toEqual({
      userIds: [
        { type: 'LDAP', identifier: '12' },
        { type: 'LTI', identifier: '15' },
      ],
      bare: 0,
    });
  });
  it('splits at the first colon only, so identifiers may hold colons', () => {
    expect(parseUserIds('{URN:urn:district:42}').userIds).toEqual([{ type: 'URN', identifier: 'urn:district:42' }]);
  });
  it('tolerates spaces between items', () => {
    expect(parseUserIds('{FED:1}, {LDAP:x}').userIds).toEqual([
      { type: 'FED', identifier: '1' },
      { type: 'LDAP', identifier: 'x' },
    ]);
  });
  it('keeps bare identifiers with an empty type, and counts them', () => {
    expect(parseUserIds('abc')).toEqual({ userIds: [{ type: '', identifier: 'abc' }], bare: 1 });
  });
  it('gives nothing for a blank cell', () => {
    expect(parseUserIds('')).toEqual({ userIds: [], bare: 0 });
  });
  it('drops items with an empty identifier', () => {
    expect(parseUserIds('{LDAP:}').userIds).toEqual([]);
  });
});
