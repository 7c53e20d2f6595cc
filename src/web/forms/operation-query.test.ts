import { describe, expect, it } from 'vitest';
import { isRollcallError } from '../../domain/errors.ts';
import { logLevelsOf, operationStateOf, pageNumberOf, planKindOf } from './operation-query.ts';

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isRollcallError(e) ? e.kind : 'other';
  }
  return 'none';
}

describe('operation pages: request values', () => {
  it('reads levels, states and kinds, and refuses unknown ones', () => {
    expect(logLevelsOf('')).toBeUndefined();
    expect(logLevelsOf('warning')).toEqual(['warning']);
    expect(logLevelsOf('warning, error')).toEqual(['warning', 'error']);
    expect(refusal(() => logLevelsOf('debug'))).toBe('invalid_input');
    expect(operationStateOf('')).toBeUndefined();
    expect(operationStateOf('needs_review')).toBe('needs_review');
    expect(operationStateOf('rejected')).toBe('rejected');
    expect(refusal(() => operationStateOf('rejecting'))).toBe('invalid_input');
    expect(planKindOf(undefined)).toBe('create');
    expect(planKindOf('conflict')).toBe('conflict');
    expect(refusal(() => planKindOf('meta'))).toBe('invalid_input');
  });

  it('reads a page number: a whole number from 1, anything else is page 1', () => {
    expect([pageNumberOf('4'), pageNumberOf('x'), pageNumberOf('-2'), pageNumberOf(undefined), pageNumberOf('1.5')]).toEqual([
      4, 1, 1, 1, 1,
    ]);
  });
});
