import { describe, expect, it } from 'vitest';
import { checked } from './body.ts';

describe('form values', () => {
  it('reads checkboxes', () => {
    expect(checked('on')).toBe(true);
    expect(checked(['false', 'true'])).toBe(true);
    expect(checked(undefined)).toBe(false);
    expect(checked('')).toBe(false);
  });
});
