import { describe, expect, it } from 'vitest';
import type { Site } from '../store/store.ts';
import { isIntegrationKind, sitesOfSource, sourceSyncSettings } from './registry.ts';
import { SOURCE_SYNC_SETTINGS } from './settings.ts';

const site = (code: string, orgGuid: string, orgGuidSource: Site['orgGuidSource']): Site => ({
  id: 0,
  code,
  name: code,
  orgGuid,
  orgGuidSource,
});
const sites = [site('CL', 'org-1', 'classlink'), site('CV', 'org-2', 'csv'), site('OLD', 'org-3', null), site('NONE', '', null)];

describe('sources', () => {
  it("a source's sync uses the sites matched for it and those whose match records no source", () => {
    expect(sitesOfSource('csv', sites).map((s) => s.code)).toEqual(['CV', 'OLD']);
    expect(sitesOfSource('classlink', sites).map((s) => s.code)).toEqual(['CL', 'OLD']);
    expect(sitesOfSource('oneroster', sites).map((s) => s.code)).toEqual(['OLD']);
  });

  it('builds the planner settings with the source as the integration and defaults filled', () => {
    const settings = SOURCE_SYNC_SETTINGS.parse({ roles: ['student'], thresholds: { maxTransferPct: 5 } });
    const planned = sourceSyncSettings('csv', settings, sites);
    expect(planned).toMatchObject({
      integration: 'csv',
      roles: ['student'],
      thresholds: { maxTransferPct: 5, maxUpdatePct: 50 },
      mapping: { barcode: { kind: 'none' }, communityId: { kind: 'none' }, location: 'none' },
      defaults: { student: { policy: 'Student' }, teacher: { policy: 'Teacher' }, admin: { policy: 'Staff' } },
    });
    expect([...planned.siteByOrg]).toEqual([
      ['org-2', 'CV'],
      ['org-3', 'OLD'],
    ]);
    // A copy: the planner may not change the stored settings.
    planned.defaults.student.fixed.level = '09';
    expect(settings.defaults.student.fixed).toEqual({});
  });

  it('knows the integration kinds', () => {
    expect(['classlink', 'oneroster', 'csv', '', 'rollcall'].map(isIntegrationKind)).toEqual([true, true, true, false, false]);
  });
});
