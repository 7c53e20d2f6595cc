import { describe, expect, it } from 'vitest';
import { plan } from '../sync/core/plan.ts';
import { CLAIM_KIND, META_KIND, storedPlan } from '../sync/stored-plan.ts';
import { buildPatron, buildSettings, buildSnapshot, buildSyncedPatron, buildUser } from '../sync/core/test-builders.ts';
import { planItem } from './plan-items.ts';

/** The changes of a real plan, stored as the store gives them back (JSON round trip). */
function storedChanges(...args: Parameters<typeof plan>) {
  const meta = { revision: 0, kind: 'full' as const, startedAt: '', transfersHeld: false, complete: true, nextBarcode: {} };
  return storedPlan(plan(...args), meta)
    .filter((r) => r.kind !== META_KIND && r.kind !== CLAIM_KIND)
    .map((r, seq) => ({
      seq,
      kind: r.kind,
      sourcedId: r.sourcedId,
      patronId: r.patronId,
      detail: JSON.parse(JSON.stringify(r.detail)) as unknown,
    }));
}

describe('plan items', () => {
  it('an update shows each changed field with its number, old → new', () => {
    const user = buildUser({ sourcedId: 'u1', givenName: 'Ann', familyName: 'Smyth', grades: ['10'] });
    const patron = buildSyncedPatron({ ...user, familyName: 'Smith', grades: ['09'] }, { id: 7 });
    const [item] = storedChanges(buildSnapshot({ users: [user] }), [patron], buildSettings());
    expect(planItem(item!)).toMatchObject({
      kind: 'update',
      sourcedId: 'u1',
      patronId: 7,
      name: 'Ann Smyth',
      fields: [
        { number: 1006, label: 'Last Name', from: 'Smith', to: 'Smyth' },
        { number: 1010, label: 'Level', from: '09', to: '10' },
      ],
      conflict: null,
    });
  });

  it('a create lists the new values; a conflict shows the roster user and the patrons it points at', () => {
    const users = [
      buildUser({ sourcedId: 'new1', givenName: 'Bo', familyName: 'Ray' }),
      buildUser({ sourcedId: 'c1', givenName: 'Cy', familyName: 'Dee', email: 'e@x.org' }),
    ];
    const patrons = [buildPatron({ id: 1, email: 'e@x.org', firstName: 'Cy' }), buildPatron({ id: 2, email: 'E@x.org', firstName: 'Cyd' })];
    const items = storedChanges(buildSnapshot({ users }), patrons, buildSettings()).map(planItem);
    const create = items.find((i) => i.kind === 'create')!;
    expect(create.patronId).toBeNull();
    expect(create.fields).toContainEqual({ number: 1007, label: 'First Name', from: '', to: 'Bo' });
    const conflict = items.find((i) => i.kind === 'conflict')!;
    expect(conflict.fields).toEqual([]);
    expect(conflict.conflict).toMatchObject({
      cause: 'key-shared',
      user: { name: 'Cy Dee', role: 'student' },
      candidates: [
        { patronId: 1, matchedOn: ['Email'] },
        { patronId: 2, matchedOn: ['Email'] },
      ],
    });
  });

  it('survives a stored detail with missing or odd parts', () => {
    expect(planItem({ seq: 3, kind: 'update', sourcedId: '', patronId: null, detail: null })).toEqual({
      seq: 3,
      kind: 'update',
      sourcedId: '',
      patronId: null,
      name: '',
      reason: '',
      fields: [],
      conflict: null,
    });
    const odd = planItem({
      seq: 0,
      kind: 'transfer',
      sourcedId: 's',
      patronId: 4,
      detail: {
        diff: [
          { field: 'status', from: 1, to: 4 },
          { field: 'mystery', to: 'x' },
        ],
      },
    });
    expect(odd.fields).toEqual([
      { number: 1026, label: 'Status', from: '1', to: '4' },
      { number: null, label: 'mystery', from: '', to: 'x' },
    ]);
    expect(planItem({ seq: 0, kind: 'conflict', sourcedId: 's', patronId: null, detail: {} }).conflict).toEqual({
      cause: '',
      user: { name: '', role: '' },
      candidates: [],
      rivals: [],
    });
  });
});
