import { describe, expect, it } from 'vitest';
import { readClassLinkSettings } from './settings.ts';
import { optionsView, withChange } from './options.ts';

describe('ClassLink options', () => {
  it('changes only what is given and keeps the rest of the settings', () => {
    const before = readClassLinkSettings({ lastSuccessAt: '2026-01-01T00:00:00.000Z' });
    const after = withChange(before, { roles: ['admin'], barcode: { kind: 'userid', type: 'FED' }, maxUpdatePct: 20 });
    expect(after.roles).toEqual(['admin']);
    expect(after.mapping).toEqual({ barcode: { kind: 'userid', type: 'FED' }, communityId: { kind: 'none' }, location: 'none' });
    expect(after.thresholds).toEqual({ maxTransferPct: 10, maxUpdatePct: 20 });
    expect(after.lastSuccessAt).toBe('2026-01-01T00:00:00.000Z');
    expect(withChange(before, {})).toEqual(before);
  });

  it('shows the options part of the settings', () => {
    expect(optionsView(readClassLinkSettings({ sso: true }))).toEqual({
      roles: ['student', 'teacher'],
      mapping: { barcode: { kind: 'none' }, communityId: { kind: 'none' }, location: 'none' },
      sso: true,
      thresholds: { maxTransferPct: 10, maxUpdatePct: 50 },
    });
  });
});
