import { describe, expect, it } from 'vitest';
import { isRollcallError } from '../../domain/errors.ts';
import { MAX_LIBRARY_CODE_LENGTH, checkLibraryCode } from './libraries.ts';

function kindOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (e) {
    return isRollcallError(e) ? e.kind : 'not a RollcallError';
  }
  return undefined;
}

describe('checkLibraryCode', () => {
  it('keeps plain codes, trimmed', () => {
    expect(checkLibraryCode(' maple-sd ')).toBe('maple-sd');
    expect(checkLibraryCode('D42.north_1')).toBe('D42.north_1');
    expect(checkLibraryCode('x'.repeat(MAX_LIBRARY_CODE_LENGTH))).toHaveLength(MAX_LIBRARY_CODE_LENGTH);
  });

  it('refuses empty, spaced, punctuated-at-the-edge and over-long codes as invalid_input', () => {
    for (const bad of ['', '   ', 'maple sd', '-maple', 'maple.', 'a/b', 'é', 'x'.repeat(MAX_LIBRARY_CODE_LENGTH + 1)]) {
      expect(
        kindOf(() => checkLibraryCode(bad)),
        bad,
      ).toBe('invalid_input');
    }
  });
});
