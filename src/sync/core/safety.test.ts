import { describe, expect, it } from 'vitest';
import { checkThresholds } from './safety.ts';
import { plan } from './plan.ts';
import type { PatronFieldKey } from '../../domain/fields.ts';
import type { Patron } from '../../domain/patron.ts';
import type { RosterUser } from '../../domain/roster.ts';
import { buildPatron, buildSettings, buildSnapshot, buildSyncedPatron, buildUser } from './test-builders.ts';
import type { Change, FieldDiff, PlanCounts } from './types.ts';
import { DEFAULT_THRESHOLDS } from './types.ts';

const zero: PlanCounts = { created: 0, updated: 0, unchanged: 0, transferred: 0, reactivated: 0, skipped: 0, conflicts: 0, warnings: 0 };
/** `n` update changes whose diffs touch these fields (only kind and diff matter to the check). */
const updates = (n: number, fields: PatronFieldKey[] = ['lastName']): Change[] =>
  Array.from(
    { length: n },
    (_, i) =>
      ({
        kind: 'update',
        sourcedId: `u${i}`,
        diff: fields.map((field): FieldDiff => ({ field, from: 'a', to: 'b' })),
      }) as unknown as Change,
  );
/** The check of a plan with these counts, `inScope` in-scope patrons and `owned` patrons synced from ClassLink. */
const check = (
  counts: Partial<PlanCounts>,
  inScope: number,
  thresholds = DEFAULT_THRESHOLDS,
  changes = updates(counts.updated ?? 0),
  owned = inScope,
) =>
  checkThresholds(
    { changes, counts: { ...zero, ...counts }, inScopePatronCount: inScope, ownedPatronCount: owned },
    { thresholds },
    'ClassLink',
  );

describe('safety thresholds (SPEC §3.5)', () => {
  it('defaults are 10% transferred and 50% updated', () => {
    expect(DEFAULT_THRESHOLDS).toEqual({ maxTransferPct: 10, maxUpdatePct: 50 });
  });

  it('more than 10% of the patrons synced from the source transferred needs review; exactly 10% does not', () => {
    expect(check({ transferred: 100 }, 1000)).toEqual({ ok: true });
    expect(check({ transferred: 101 }, 1000)).toEqual({
      ok: false,
      reasons: ['101 of 1,000 patrons synced from ClassLink (10.1%) would be transferred; the limit is 10%.'],
    });
  });

  it('more than 50% updated needs review; exactly 50% does not', () => {
    expect(check({ updated: 500 }, 1000)).toEqual({ ok: true });
    expect(check({ updated: 501 }, 1000)).toMatchObject({
      ok: false,
      reasons: [expect.stringContaining('would be updated; the limit is 50%')],
    });
  });

  it('both thresholds report together, each with its own denominator in words', () => {
    const r = check({ transferred: 3, updated: 8 }, 12, DEFAULT_THRESHOLDS, updates(8), 10);
    expect(r.ok === false && r.reasons).toEqual([
      '3 of 10 patrons synced from ClassLink (30%) would be transferred; the limit is 10%.',
      '8 of 12 in-scope patrons (66.7%) would be updated; the limit is 50%.',
    ]);
  });

  it('transfers are measured against the owned patrons only: local patrons never dilute them', () => {
    // SPEC §3.5's example: 5,000 local patrons and 100 synced ones; 11 synced ones would leave.
    const r = check({ transferred: 11 }, 5100, DEFAULT_THRESHOLDS, [], 100);
    expect(r).toEqual({ ok: false, reasons: ['11 of 100 patrons synced from ClassLink (11%) would be transferred; the limit is 10%.'] });
    expect(check({ transferred: 10 }, 5100, DEFAULT_THRESHOLDS, [], 100)).toEqual({ ok: true });
  });

  it('updates are measured against the in-scope patrons, local ones included', () => {
    // 60 of 100 owned would be over half; 60 of 5,100 in scope is not.
    expect(check({ updated: 60 }, 5100, DEFAULT_THRESHOLDS, updates(60), 100)).toEqual({ ok: true });
    expect(check({ updated: 2601 }, 5100, DEFAULT_THRESHOLDS, updates(2601), 100)).toMatchObject({
      ok: false,
      reasons: ['2,601 of 5,100 in-scope patrons (51%) would be updated; the limit is 50%.'],
    });
  });

  it('the source is named as given', () => {
    const r = checkThresholds(
      { changes: [], counts: { ...zero, transferred: 12 }, inScopePatronCount: 80, ownedPatronCount: 80 },
      { thresholds: DEFAULT_THRESHOLDS },
      'OneRoster CSV',
    );
    expect(r).toEqual({ ok: false, reasons: ['12 of 80 patrons synced from OneRoster CSV (15%) would be transferred; the limit is 10%.'] });
  });

  it('creates, reactivations and unchanged patrons do not count', () => {
    expect(check({ created: 5000, reactivated: 900, unchanged: 1000 }, 1000)).toEqual({ ok: true });
  });

  it('thresholds are settings', () => {
    expect(check({ transferred: 30 }, 100, { maxTransferPct: 25, maxUpdatePct: 50 }).ok).toBe(false);
    expect(check({ transferred: 30 }, 100, { maxTransferPct: 30, maxUpdatePct: 50 }).ok).toBe(true);
    expect(check({ transferred: 1 }, 100, { maxTransferPct: 0, maxUpdatePct: 0 }).ok).toBe(false);
  });

  it('an update that only links a patron (sets its GUID) does not count; one that changes a field does', () => {
    // The first sync after an import links every patron: expected, not an accident.
    expect(check({ updated: 900 }, 1000, DEFAULT_THRESHOLDS, updates(900, ['guid']))).toEqual({ ok: true });
    // Linking AND blanking a barcode (a wrong mapping) counts, first sync or not.
    expect(check({ updated: 900 }, 1000, DEFAULT_THRESHOLDS, updates(900, ['guid', 'barcode'])).ok).toBe(false);
  });

  it('with no in-scope patrons the update threshold does not apply', () => {
    expect(check({ updated: 5 }, 0)).toEqual({ ok: true });
  });

  it('transfers while the integration owns no patron need review: no share of nothing is small', () => {
    expect(check({ transferred: 0 }, 50, DEFAULT_THRESHOLDS, [], 0)).toEqual({ ok: true });
    expect(check({ transferred: 2 }, 50, DEFAULT_THRESHOLDS, [], 0)).toEqual({
      ok: false,
      reasons: [
        '2 patrons would be transferred while no patron is synced from ClassLink yet; the limit is 10% of the patrons synced from it.',
      ],
    });
  });
});

describe('the transfer threshold of a planned sync (SPEC §3.5)', () => {
  /** `n` users of MHS, `u0`…; and the patrons a ClassLink sync made of them. */
  const users = (n: number): RosterUser[] => Array.from({ length: n }, (_, i) => buildUser({ sourcedId: `u${i}` }));
  const synced = (us: RosterUser[]): Patron[] => us.map((u, i) => buildSyncedPatron(u, { id: i + 1 }));
  /** 5,000 hand-made or imported patrons of the same Policy and site: in scope, owned by no sync. */
  const local = (from: number): Patron[] =>
    Array.from({ length: 5000 }, (_, i) => buildPatron({ id: from + i, guid: i % 2 === 0 ? `old-${i}` : '', lastName: `Local${i}` }));

  it('a library with 5,000 local patrons and 100 synced ones stops when 11 synced ones would leave', () => {
    const roster = users(100);
    const patrons = [...synced(roster), ...local(1000)];
    const planned = plan(buildSnapshot({ users: roster.slice(11) }), patrons, buildSettings());
    expect(planned.counts.transferred).toBe(11);
    expect(planned.inScopePatronCount).toBe(5100);
    expect(planned.ownedPatronCount).toBe(100);
    expect(checkThresholds(planned, buildSettings(), 'ClassLink')).toEqual({
      ok: false,
      reasons: ['11 of 100 patrons synced from ClassLink (11%) would be transferred; the limit is 10%.'],
    });
    // 10 leaving is exactly 10%: not past it.
    const ten = plan(buildSnapshot({ users: roster.slice(10) }), patrons, buildSettings());
    expect(checkThresholds(ten, buildSettings(), 'ClassLink')).toEqual({ ok: true });
  });

  it('a delta whose tobedeleted users leave is measured the same way', () => {
    const roster = users(100);
    const patrons = [...synced(roster), ...local(1000)];
    const leaving = roster.slice(0, 11).map((u) => ({ ...u, status: 'tobedeleted' as const }));
    const planned = plan(buildSnapshot({ kind: 'delta', users: leaving }), patrons, buildSettings());
    expect(planned.counts.transferred).toBe(11);
    expect(checkThresholds(planned, buildSettings(), 'ClassLink').ok).toBe(false);
  });
});
