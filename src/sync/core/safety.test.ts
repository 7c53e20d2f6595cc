import { describe, expect, it } from 'vitest';
import { checkThresholds } from './safety.ts';
import type { PatronFieldKey } from '../../domain/fields.ts';
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
const check = (counts: Partial<PlanCounts>, inScope: number, thresholds = DEFAULT_THRESHOLDS, changes = updates(counts.updated ?? 0)) =>
  checkThresholds({ changes, counts: { ...zero, ...counts }, inScopePatronCount: inScope }, { thresholds });

describe('safety thresholds (SPEC §3.5)', () => {
  it('defaults are 10% transferred and 50% updated', () => {
    expect(DEFAULT_THRESHOLDS).toEqual({ maxTransferPct: 10, maxUpdatePct: 50 });
  });

  it('more than 10% of the in-scope patrons transferred needs review; exactly 10% does not', () => {
    expect(check({ transferred: 100 }, 1000)).toEqual({ ok: true });
    expect(check({ transferred: 101 }, 1000)).toEqual({
      ok: false,
      reasons: ['101 of 1,000 in-scope patrons (10.1%) would be transferred; the limit is 10%.'],
    });
  });

  it('more than 50% updated needs review; exactly 50% does not', () => {
    expect(check({ updated: 500 }, 1000)).toEqual({ ok: true });
    expect(check({ updated: 501 }, 1000)).toMatchObject({
      ok: false,
      reasons: [expect.stringContaining('would be updated; the limit is 50%')],
    });
  });

  it('both thresholds report together', () => {
    const r = check({ transferred: 3, updated: 8 }, 10);
    expect(r.ok === false && r.reasons).toEqual([
      '3 of 10 in-scope patrons (30%) would be transferred; the limit is 10%.',
      '8 of 10 in-scope patrons (80%) would be updated; the limit is 50%.',
    ]);
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

  it('with no in-scope patrons the thresholds do not apply', () => {
    expect(check({ transferred: 5, updated: 5 }, 0)).toEqual({ ok: true });
  });
});
