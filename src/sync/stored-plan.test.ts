import { describe, expect, it } from 'vitest';
import { plan } from './core/plan.ts';
import { buildSettings, buildSnapshot, buildUser, ORG_EHS } from './core/test-builders.ts';
import type { FieldDiff } from './core/types.ts';
import { storedPlan } from './stored-plan.ts';

describe('a stored plan', () => {
  it("a new patron's diff is worked out when the plan is stored: every non-blank field, from ''", () => {
    const teacher = buildUser({ sourcedId: 't1', role: 'teacher', givenName: 'Ada', familyName: 'Byron', orgSourcedIds: [ORG_EHS] });
    const planned = plan(buildSnapshot({ users: [teacher] }), [], buildSettings());
    expect(planned.changes.map((c) => c.kind)).toEqual(['create']);
    const stored = storedPlan(planned, {
      revision: 0,
      kind: 'full',
      startedAt: '',
      transfersHeld: false,
      complete: true,
      nextBarcode: {},
    });
    const diff = (stored[1]!.detail as { diff: FieldDiff[] }).diff;
    expect(diff).toContainEqual({ field: 'status', from: '', to: '1' });
    expect(diff).toContainEqual({ field: 'lastName', from: '', to: 'Byron' });
    expect(diff.every((d) => d.from === '' && d.to !== '')).toBe(true);
  });
});
