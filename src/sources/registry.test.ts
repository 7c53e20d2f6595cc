import { describe, expect, it } from 'vitest';
import type { Site } from '../store/store.ts';
import { CSV_SETTINGS } from './csv/source.ts';
import { SOURCE_COMMANDS, SOURCE_NAMES } from './kinds.ts';
import { ONEROSTER_SETTINGS } from './oneroster/state.ts';
import { readCreationDefaults } from './creation-defaults.ts';
import { INTEGRATION_KINDS, SOURCES, isIntegrationKind, sitesOfSource, sourceOf, sourceSyncSettings } from './registry.ts';
import { CLASSLINK_SETTINGS, SOURCE_SYNC_SETTINGS } from './settings.ts';

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
    const defaults = readCreationDefaults({ student: { policy: 'Students', fixed: { nickname: 'x' } } });
    const withDefaults = sourceSyncSettings('csv', settings, sites, defaults);
    expect(withDefaults.defaults.student).toMatchObject({ policy: 'Students', status: 1, fixed: { nickname: 'x' } });
    withDefaults.defaults.student.fixed.level = '09';
    expect(defaults.student.fixed).toEqual({ nickname: 'x' });
  });

  it('knows the integration kinds', () => {
    expect(['classlink', 'oneroster', 'csv', '', 'rollcall'].map(isIntegrationKind)).toEqual([true, true, true, false, false]);
  });

  it('lists each source once, in the order of its kinds, with its name, command group and settings', () => {
    expect(SOURCES.map((s) => s.kind)).toEqual(INTEGRATION_KINDS);
    for (const s of SOURCES) {
      expect(sourceOf(s.kind)).toBe(s);
      expect([s.name, s.command]).toEqual([SOURCE_NAMES[s.kind], SOURCE_COMMANDS[s.kind]]);
    }
    expect(sourceOf('classlink').settings).toBe(CLASSLINK_SETTINGS);
    expect(sourceOf('oneroster').settings).toBe(ONEROSTER_SETTINGS);
    expect(sourceOf('csv').settings).toBe(CSV_SETTINGS);
  });

  it('is configured: a REST source with a saved connection; CSV always', () => {
    const configured = (kind: 'classlink' | 'oneroster' | 'csv', raw: unknown) => {
      const s = sourceOf(kind);
      return s.isConfigured(s.settings.parse(raw));
    };
    expect(configured('classlink', {})).toBe(false);
    expect(configured('classlink', { connection: { mode: 'direct', rosterUrl: 'u', auth: 'oauth1' } })).toBe(true);
    expect(configured('oneroster', {})).toBe(false);
    expect(configured('oneroster', { connection: { baseUrl: 'u', version: '1.1', auth: 'oauth1', clientId: 'k' } })).toBe(true);
    expect(configured('csv', {})).toBe(true);
  });

  it('every source extends the shared sync settings, with the same defaults', () => {
    const shared = {
      roles: ['student', 'teacher'],
      mapping: { barcode: { kind: 'none' }, communityId: { kind: 'none' }, location: 'none' },
      thresholds: { maxTransferPct: 10, maxUpdatePct: 50 },
      lastSuccessAt: '',
    };
    expect(SOURCE_SYNC_SETTINGS.parse({})).toEqual(shared);
    expect(CLASSLINK_SETTINGS.parse({})).toEqual({ ...shared, connection: null, sso: false, ssoClientId: '', ssoTenantId: null });
    expect(ONEROSTER_SETTINGS.parse({})).toEqual({ ...shared, connection: null });
    expect(CSV_SETTINGS.parse({})).toEqual({ ...shared, watchDir: '' });
  });
});
