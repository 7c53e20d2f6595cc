import { describe, expect, it } from 'vitest';
import { checkSiteCode } from './sites.ts';

describe('site codes', () => {
  it('accepts short plain codes, trimmed', () => {
    expect(checkSiteCode(' MHS ')).toBe('MHS');
    expect(checkSiteCode('elm-2')).toBe('elm-2');
    expect(checkSiteCode('A.B_C')).toBe('A.B_C');
  });

  it('refuses empty, spaced, punctuated-at-the-edge or over-long codes', () => {
    for (const bad of ['', 'M H S', '-MHS', 'MHS.', 'a,b', 'x'.repeat(33), 'MHS"'])
      expect(() => checkSiteCode(bad), bad).toThrow(/not a usable site code/);
  });
});
