import { describe, expect, it } from 'vitest';
import type { Patron } from '../../domain/patron.ts';
import { buildPatronIndex, matchUsers, secondaryKeysOf, type MatchRequest, type MatchResult, type SecondaryKeys } from './matching.ts';
import { buildPatron } from './test-builders.ts';
import type { FieldMapping } from './types.ts';

const ALL_KEYS: FieldMapping = { barcode: { kind: 'identifier' }, communityId: { kind: 'username' }, location: 'none' };
const NO_KEYS: FieldMapping = { barcode: { kind: 'none' }, communityId: { kind: 'none' }, location: 'none' };

function match(
  patrons: Patron[],
  users: Array<{ sourcedId: string; keys?: SecondaryKeys; guidOnly?: boolean }>,
  mapping: FieldMapping = ALL_KEYS,
): Map<string, MatchResult> {
  const requests: MatchRequest[] = users.map((u) => ({ sourcedId: u.sourcedId, keys: u.keys ?? {}, guidOnly: u.guidOnly ?? false }));
  return matchUsers(requests, buildPatronIndex(patrons, mapping), 'classlink');
}

function one(patrons: Patron[], keys: SecondaryKeys, mapping: FieldMapping = ALL_KEYS): MatchResult {
  return match(patrons, [{ sourcedId: 'u1', keys }], mapping).get('u1')!;
}

describe('matching (SPEC §3.2)', () => {
  it('1. GUID: a patron whose GUID equals the sourcedId', () => {
    const r = one([buildPatron({ id: 1, guid: 'u1' })], {});
    expect(r).toMatchObject({ kind: 'matched', by: 'guid', patron: { id: 1 } });
  });

  it('a GUID match is final: secondary keys are not consulted for the match', () => {
    const patrons = [buildPatron({ id: 1, guid: 'u1' }), buildPatron({ id: 2, email: 'a@x.org' })];
    const r = one(patrons, { email: 'a@x.org' });
    expect(r).toMatchObject({ kind: 'matched', by: 'guid', patron: { id: 1 } });
  });

  it('a secondary key of a GUID-matched user finding another patron is a possible duplicate', () => {
    const patrons = [buildPatron({ id: 1, guid: 'u1', email: 'a@x.org' }), buildPatron({ id: 2, email: 'A@X.org' })];
    const r = one(patrons, { email: 'a@x.org' });
    expect(r.kind === 'matched' && r.duplicates.map((d) => [d.patron.id, d.key])).toEqual([[2, 'email']]);
  });

  it("a sibling's patron (this integration's GUID) sharing the Email is not a possible duplicate; one sharing the Barcode is", () => {
    const patrons = [
      buildPatron({ id: 1, guid: 'u1', guidSource: 'classlink', email: 'f@x.org', barcode: 'B1' }),
      buildPatron({ id: 2, guid: 'u2', guidSource: 'classlink', email: 'f@x.org' }),
      buildPatron({ id: 3, guid: 'u3', guidSource: 'classlink', barcode: 'B1' }),
    ];
    const r = one(patrons, { email: 'f@x.org', barcode: 'B1' });
    expect(r.kind === 'matched' && r.duplicates.map((d) => [d.patron.id, d.key])).toEqual([[3, 'barcode']]);
  });

  it('2. Student # (Community ID), only when mapped', () => {
    const patrons = [buildPatron({ id: 1, communityId: '4711' })];
    expect(one(patrons, { communityId: '4711' })).toMatchObject({ kind: 'matched', by: 'communityId' });
    expect(one(patrons, { communityId: '4711' }, NO_KEYS)).toEqual({ kind: 'none' });
  });

  it('3. Barcode, only when mapped', () => {
    const patrons = [buildPatron({ id: 1, barcode: 'B1' })];
    expect(one(patrons, { barcode: 'B1' })).toMatchObject({ kind: 'matched', by: 'barcode' });
    expect(one(patrons, { barcode: 'B1' }, NO_KEYS)).toEqual({ kind: 'none' });
  });

  it('4. Email, trimmed and case-insensitive (patron side too)', () => {
    const patrons = [buildPatron({ id: 1, email: '  Ana.Cruz@X.org ' })];
    expect(one(patrons, { email: 'ana.cruz@x.org' }, NO_KEYS)).toMatchObject({ kind: 'matched', by: 'email', patron: { id: 1 } });
  });

  it('keys are tried in order: Student # before Barcode before Email (matchedBy is the first)', () => {
    const patrons = [buildPatron({ id: 1, communityId: 'C', barcode: 'B', email: 'e@x.org' })];
    expect(one(patrons, { communityId: 'C', barcode: 'B', email: 'e@x.org' })).toMatchObject({ by: 'communityId' });
    expect(one(patrons, { barcode: 'B', email: 'e@x.org' })).toMatchObject({ by: 'barcode' });
  });

  it('secondaryKeysOf: a blank value never matches (blank keys are dropped; emails folded)', () => {
    expect(secondaryKeysOf({ barcode: '  ', communityId: '', email: ' A@X.org ' }, ALL_KEYS)).toEqual({ email: 'a@x.org' });
    expect(secondaryKeysOf({ barcode: 'B', communityId: 'C' }, NO_KEYS)).toEqual({});
  });

  it('a blank patron value is never indexed, so blank never matches blank', () => {
    const index = buildPatronIndex([buildPatron({ id: 1 })], ALL_KEYS);
    expect(index.byGuid.size).toBe(0);
    expect(index.byKey.email.size + index.byKey.barcode.size + index.byKey.communityId.size).toBe(0);
  });

  it('a patron holding a different GUID is never taken over by a secondary key: identity drift', () => {
    const r = one([buildPatron({ id: 1, guid: 'old-guid', email: 'a@x.org' })], { email: 'a@x.org' });
    expect(r).toMatchObject({
      kind: 'conflict',
      cause: 'identity-drift',
      candidates: [{ patronId: 1, guid: 'old-guid', matchedOn: ['email'] }],
    });
  });

  describe("a patron holding this integration's GUID is owned, whoever else is in the read", () => {
    const sibling = buildPatron({
      id: 1,
      guid: 'sibling',
      guidSource: 'classlink',
      email: 'family@x.org',
      barcode: 'B1',
      communityId: 'C1',
    });

    it('found by Email, it is passed over (siblings share a parent’s e-mail): no match, no conflict', () => {
      // Alone, or read with its owner: the same answer (a delta reads only changed users).
      expect(one([sibling], { email: 'family@x.org' })).toEqual({ kind: 'none' });
      const both = match([sibling], [{ sourcedId: 'u1', keys: { email: 'family@x.org' } }, { sourcedId: 'sibling' }]);
      expect(both.get('u1')).toEqual({ kind: 'none' });
      expect(both.get('sibling')).toMatchObject({ kind: 'matched', by: 'guid', patron: { id: 1 } });
    });

    it('found by Barcode or Student #, it is a conflict (identity drift), read with its owner or not', () => {
      for (const keys of [{ barcode: 'B1' }, { communityId: 'C1' }, { barcode: 'B1', email: 'family@x.org' }] as SecondaryKeys[]) {
        const expected = { kind: 'conflict', cause: 'identity-drift', candidates: [{ patronId: 1, guid: 'sibling' }] };
        expect(one([sibling], keys), JSON.stringify(keys)).toMatchObject(expected);
        expect(match([sibling], [{ sourcedId: 'u1', keys }, { sourcedId: 'sibling' }]).get('u1'), JSON.stringify(keys)).toMatchObject(
          expected,
        );
      }
    });

    it('a GUID that belongs to no sync of this integration (a file import’s, another integration’s) is not owned: Email finding it is a conflict', () => {
      for (const guidSource of [null, 'oneroster'] as const) {
        const imported = buildPatron({ id: 1, guid: 'sibling', guidSource, email: 'family@x.org' });
        expect(one([imported], { email: 'family@x.org' }), String(guidSource)).toMatchObject({ kind: 'conflict', cause: 'identity-drift' });
      }
    });

    it('an owned patron passed over by Email leaves another key free to match an unowned patron', () => {
      const free = buildPatron({ id: 2, barcode: 'B9' });
      expect(one([sibling, free], { email: 'family@x.org', barcode: 'B9' })).toMatchObject({
        kind: 'matched',
        by: 'barcode',
        patron: { id: 2 },
      });
    });
  });

  it('matching looks at patrons of every status', () => {
    expect(one([buildPatron({ id: 1, guid: 'u1', status: 4 })], {})).toMatchObject({ kind: 'matched' });
    expect(one([buildPatron({ id: 1, email: 'a@x.org', status: 7 })], { email: 'a@x.org' })).toMatchObject({ kind: 'matched' });
  });

  it('secondary keys pointing at different patrons: conflict', () => {
    const patrons = [buildPatron({ id: 1, communityId: 'C' }), buildPatron({ id: 2, email: 'e@x.org' })];
    const r = one(patrons, { communityId: 'C', email: 'e@x.org' });
    expect(r).toMatchObject({ kind: 'conflict', cause: 'keys-disagree' });
    expect(r.kind === 'conflict' && r.candidates.map((c) => [c.patronId, c.matchedOn])).toEqual([
      [1, ['communityId']],
      [2, ['email']],
    ]);
  });

  it('one key pointing at several patrons: conflict', () => {
    const patrons = [buildPatron({ id: 1, email: 'e@x.org' }), buildPatron({ id: 2, email: 'E@x.org' })];
    expect(one(patrons, { email: 'e@x.org' })).toMatchObject({
      kind: 'conflict',
      cause: 'key-shared',
      candidates: [{ patronId: 1 }, { patronId: 2 }],
    });
  });

  it('several patrons holding the GUID: conflict', () => {
    const patrons = [buildPatron({ id: 1, guid: 'u1' }), buildPatron({ id: 2, guid: ' u1 ' })];
    expect(one(patrons, {})).toMatchObject({ kind: 'conflict', cause: 'guid-shared' });
  });

  it('two roster users claiming the same patron: conflict for both, naming each other', () => {
    const patrons = [buildPatron({ id: 1, email: 'e@x.org' })];
    const results = match(patrons, [
      { sourcedId: 'u1', keys: { email: 'e@x.org' } },
      { sourcedId: 'u2', keys: { email: 'e@x.org' } },
    ]);
    expect(results.get('u1')).toMatchObject({ kind: 'conflict', cause: 'claimed-twice', rivals: ['u2'], candidates: [{ patronId: 1 }] });
    expect(results.get('u2')).toMatchObject({ kind: 'conflict', cause: 'claimed-twice', rivals: ['u1'] });
  });

  it('a guid-only request (user outside the matched sites) never matches by another key', () => {
    const patrons = [buildPatron({ id: 1, email: 'e@x.org' }), buildPatron({ id: 2, guid: 'u2' })];
    const results = match(patrons, [
      { sourcedId: 'u1', keys: { email: 'e@x.org' }, guidOnly: true },
      { sourcedId: 'u2', guidOnly: true },
    ]);
    expect(results.get('u1')).toEqual({ kind: 'none' });
    expect(results.get('u2')).toMatchObject({ kind: 'matched', by: 'guid', duplicates: [] });
  });
});
