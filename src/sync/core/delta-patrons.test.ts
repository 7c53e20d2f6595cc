/**
 * A delta planned against only the patrons its keys find (plus the library facts) must be the
 * very plan it would be against the whole library. Checked on many random small libraries full
 * of the awkward cases: keys stored with spaces or in another case, shared and duplicated keys,
 * returning (Transferred) patrons, changed demographics of unchanged users, sequence barcodes.
 */
import { describe, expect, it } from 'vitest';
import type { Patron } from '../../domain/patron.ts';
import type { RosterUser } from '../../domain/roster.ts';
import { deltaScan, wantedKeys } from './delta-patrons.ts';
import { plan } from './plan.ts';
import {
  buildPatron,
  buildSettings,
  buildSnapshot,
  buildUser,
  keysOf,
  ORG_EHS,
  ORG_MHS,
  ORG_UNMATCHED,
  seededRandom as random,
} from './test-builders.ts';
import type { Snapshot, SyncSettings } from './types.ts';
import { defaultRoleDefaults } from './types.ts';

/** A delta scan over the patrons, as run.ts drives it over the store's scanKeys. */
function scan(patrons: readonly Patron[], snapshot: Snapshot, settings: SyncSettings) {
  const s = deltaScan(wantedKeys(snapshot, settings), settings);
  for (const p of patrons) s.visit(keysOf(p));
  return s;
}

/** Settings mapping Barcode to the identifier and Community ID to a userIds type, with student barcodes by sequence otherwise. */
function settingsFor(rand: () => number): SyncSettings {
  const defaults = defaultRoleDefaults();
  defaults.student = { ...defaults.student, barcode: { kind: 'sequence', prefix: 'S', width: 3, next: 1 } };
  const mapBarcode = rand() < 0.5;
  return buildSettings({
    defaults,
    mapping: {
      ...buildSettings().mapping,
      barcode: mapBarcode ? { kind: 'identifier' } : { kind: 'none' },
      communityId: rand() < 0.5 ? { kind: 'userid', type: 'SIS' } : { kind: 'none' },
    },
  });
}

function library(rand: () => number): { patrons: Patron[]; snapshot: Snapshot } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const n = (k: number): string => String(Math.floor(rand() * k));
  const messy = (s: string): string => (rand() < 0.2 ? ` ${s.toUpperCase()} ` : s);
  const patrons: Patron[] = [];
  for (let id = 1; id <= 120; id++) {
    patrons.push(
      buildPatron({
        id,
        guid: rand() < 0.7 ? messy(`u${n(80)}`) : '',
        guidSource: pick(['classlink', 'classlink', 'oneroster', null] as const),
        matchedBy: pick(['guid', 'email', null] as const),
        barcode: rand() < 0.6 ? messy(pick(['S001', 'S002', 'S004', `B${n(60)}`])) : '',
        communityId: rand() < 0.5 ? messy(`C${n(60)}`) : '',
        email: rand() < 0.6 ? messy(`p${n(70)}@d.example.org`) : '',
        status: pick([1, 1, 1, 4, 2]),
        policy: pick(['Student', 'Teacher', ' student ', 'Staff']),
        site: pick(['MHS', 'EHS', ' mhs', 'OTHER', '']),
        firstName: pick(['Ann', 'Bo']),
      }),
    );
  }
  const users: RosterUser[] = [];
  for (let i = 0; i < 30; i++) {
    users.push(
      buildUser({
        sourcedId: rand() < 0.1 ? ` u${n(100)} ` : `u${n(100)}`,
        status: rand() < 0.15 ? 'tobedeleted' : 'active',
        role: pick(['student', 'student', 'teacher', 'administrator', 'parent']),
        orgSourcedIds: [pick([ORG_MHS, ORG_EHS, ORG_UNMATCHED])],
        identifier: rand() < 0.7 ? `B${n(60)}` : '',
        userIds: rand() < 0.6 ? [{ type: pick(['SIS', 'sis ', 'other']), identifier: `C${n(60)}` }] : [],
        email: rand() < 0.8 ? `P${n(70)}@d.example.org` : '',
        givenName: pick(['Ann', 'Bo']),
      }),
    );
  }
  const demographics = new Map<string, { birthDate: string; sex: string }>();
  for (let i = 0; i < 10; i++)
    demographics.set(pick([`u${n(100)}`, ` u${n(100)}`]), {
      birthDate: pick(['2010-01-02', '2011-02-30', '']),
      sex: pick(['male', 'Female', 'x']),
    });
  return { patrons, snapshot: buildSnapshot({ kind: 'delta', users, demographics }) };
}

describe('a delta planned against the patrons its keys find', () => {
  it('is the plan made against the whole library (300 random libraries)', () => {
    let subsetSmaller = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rand = random(seed);
      const settings = settingsFor(rand);
      const { patrons, snapshot } = library(rand);
      const s = scan(patrons, snapshot, settings);
      const ids = new Set(s.ids);
      const subset = patrons.filter((p) => ids.has(p.id));
      if (subset.length < patrons.length) subsetSmaller++;
      const whole = plan(snapshot, patrons, settings);
      const partial = plan(snapshot, subset, settings, s.facts());
      expect(partial, `seed ${seed}`).toEqual(whole);
    }
    // The point of it: most libraries' deltas need only some patrons.
    expect(subsetSmaller).toBeGreaterThan(250);
  });

  it('finds a patron whose stored keys have spaces or another case', () => {
    const settings = buildSettings({ mapping: { ...buildSettings().mapping, barcode: { kind: 'identifier' } } });
    const patrons = [
      buildPatron({ id: 1, guid: ' u1 ' }),
      buildPatron({ id: 2, email: ' ANN@D.EXAMPLE.ORG' }),
      buildPatron({ id: 3, barcode: ' B7 ' }),
      buildPatron({ id: 4, guid: 'u9', email: 'other@d.example.org' }),
    ];
    const snapshot = buildSnapshot({
      kind: 'delta',
      users: [
        buildUser({ sourcedId: 'u1' }),
        buildUser({ sourcedId: 'u2', email: 'ann@d.example.org' }),
        buildUser({ sourcedId: 'u3', identifier: 'B7' }),
      ],
    });
    expect(scan(patrons, snapshot, settings).ids).toEqual([1, 2, 3]);
  });

  it('does not look patrons up by an unmapped key', () => {
    const settings = buildSettings();
    const patrons = [buildPatron({ id: 1, barcode: 'B7' })];
    const snapshot = buildSnapshot({ kind: 'delta', users: [buildUser({ sourcedId: 'u3', identifier: 'B7' })] });
    expect(scan(patrons, snapshot, settings).ids).toEqual([]);
  });

  it('counts in-scope and owned patrons and takes barcodes as the whole library would', () => {
    const defaults = defaultRoleDefaults();
    defaults.student = { ...defaults.student, barcode: { kind: 'sequence', prefix: 'S', width: 3, next: 1 } };
    const settings = buildSettings({ defaults });
    const patrons = [
      buildPatron({ id: 1, policy: ' student', site: 'mhs ', barcode: ' s001 ' }),
      buildPatron({ id: 2, status: 4, barcode: 'B2', guid: 'u2', guidSource: 'classlink' }),
      buildPatron({ id: 3, site: 'OTHER', guid: 'u3', guidSource: 'classlink' }),
      buildPatron({ id: 4, policy: 'Teacher', site: 'EHS', status: 2, guid: 'u4', guidSource: 'classlink' }),
      buildPatron({ id: 5, guid: 'u5', guidSource: 'oneroster' }),
      buildPatron({ id: 6, guid: 'u6', guidSource: null }),
    ];
    const facts = scan(patrons, buildSnapshot({ kind: 'delta' }), settings).facts();
    expect(facts.inScopePatronCount).toBe(4);
    // Active and holding a GUID of this integration, in scope or not (SPEC §3.5): only id 3.
    expect(facts.ownedPatronCount).toBe(1);
    expect(facts.ownedPatronCount).toBe(plan(buildSnapshot(), patrons, settings).ownedPatronCount);
    expect([...facts.takenBarcodes()]).toEqual(['s001', 'b2']);
  });

  it('collects no barcodes when the settings assign none, and says so if asked', () => {
    const settings = buildSettings();
    const facts = scan([buildPatron({ id: 1, barcode: 'B1' })], buildSnapshot({ kind: 'delta' }), settings).facts();
    expect(() => facts.takenBarcodes()).toThrow(/not collected/);
  });

  it('refuses to plan a full sync against a subset', () => {
    const settings = buildSettings();
    expect(() => plan(buildSnapshot(), [], settings, deltaScan(wantedKeys(buildSnapshot(), settings), settings).facts())).toThrow(
      /every patron/,
    );
  });
});
