import { describe, expect, it } from 'vitest';
import { emptyPatronValues, type PatronValues } from '../../domain/patron.ts';
import { planUndo, type UndoInput, type UndoJournalRow } from './undo-plan.ts';

let nextId = 1;
function row(patronId: number, field: string, oldValue: string | null, newValue: string | null, extra: Partial<UndoJournalRow> = {}) {
  return { id: nextId++, patronId, field, oldValue, newValue, kind: 'update', operationId: 42, actor: '', ...extra } as UndoJournalRow;
}
function patron(values: Partial<PatronValues>): PatronValues {
  return { ...emptyPatronValues(), ...values };
}
function input(rows: UndoJournalRow[], patrons: Record<number, PatronValues>, extra: Partial<UndoInput> = {}): UndoInput {
  return {
    rows,
    patrons: new Map(Object.entries(patrons).map(([id, p]) => [Number(id), p])),
    later: [],
    siteCodes: new Set(['MHS', 'EHS']),
    guidHolders: new Map(),
    ...extra,
  };
}

describe('planUndo', () => {
  it('restores the old value of each field that still holds the value the operation wrote', () => {
    const plan = planUndo(
      input([row(1, 'lastName', 'Smith', 'Smyth'), row(1, 'email', null, 'a@x.org')], {
        1: patron({ lastName: 'Smyth', email: 'a@x.org' }),
      }),
    );
    expect(plan.reverts).toEqual([
      { patronId: 1, field: 'lastName', from: 'Smyth', to: 'Smith', kind: 'restore' },
      { patronId: 1, field: 'email', from: 'a@x.org', to: '', kind: 'restore' },
    ]);
    expect(plan.kept).toEqual([]);
    expect(plan.patrons).toEqual({ transferred: 0, reactivated: 0, updated: 1 });
  });

  it('keeps and lists a field changed again since, naming who changed it', () => {
    const later = [row(1, 'lastName', 'Smyth', 'Smithe', { kind: 'edit', operationId: null, actor: 'alice' })];
    const plan = planUndo(
      input(
        [row(1, 'lastName', 'Smith', 'Smyth'), row(1, 'firstName', 'Jo', 'Joe')],
        { 1: patron({ lastName: 'Smithe', firstName: 'Joe' }) },
        { later },
      ),
    );
    expect(plan.kept).toEqual([
      { patronId: 1, field: 'lastName', wrote: 'Smyth', now: 'Smithe', reason: 'changed since by a hand edit (alice)' },
    ]);
    expect(plan.reverts).toEqual([{ patronId: 1, field: 'firstName', from: 'Joe', to: 'Jo', kind: 'restore' }]);
  });

  it('names a later operation as the one that changed a field', () => {
    const later = [row(1, 'level', '09', '10', { operationId: 45 })];
    const plan = planUndo(input([row(1, 'level', '08', '09')], { 1: patron({ level: '10' }) }, { later }));
    expect(plan.kept[0]!.reason).toBe('changed since by operation 45');
  });

  it('sets a created patron Transferred (never deleted), unless its Status changed since', () => {
    const plan = planUndo(
      input(
        [row(1, '*', null, '{"firstName":"A","status":1}', { kind: 'create' }), row(2, '*', null, '{"status":1}', { kind: 'create' })],
        {
          1: patron({ status: 1, firstName: 'Changed' }),
          2: patron({ status: 2 }),
        },
      ),
    );
    expect(plan.reverts).toEqual([{ patronId: 1, field: 'status', from: '1', to: '4', kind: 'uncreate' }]);
    expect(plan.kept).toEqual([{ patronId: 2, field: 'status', wrote: '1', now: '2', reason: 'changed since' }]);
    expect(plan.patrons).toEqual({ transferred: 1, reactivated: 0, updated: 0 });
  });

  it('restores the previous status of a transferred patron, with the other fields the transfer wrote', () => {
    const plan = planUndo(
      input([row(1, 'status', '1', '4', { kind: 'transfer' }), row(1, 'site', 'MHS', 'EHS', { kind: 'transfer' })], {
        1: patron({ status: 4, site: 'EHS' }),
      }),
    );
    expect(plan.reverts.map((r) => [r.field, r.to])).toEqual([
      ['site', 'MHS'],
      ['status', '1'],
    ]);
    expect(plan.patrons).toEqual({ transferred: 0, reactivated: 1, updated: 0 });
  });

  it('undoes the net effect of several writes of one field: the first old value, if the last new one still holds', () => {
    const plan = planUndo(input([row(1, 'phone', '1', '2'), row(1, 'phone', '2', '3')], { 1: patron({ phone: '3' }) }));
    expect(plan.reverts).toEqual([{ patronId: 1, field: 'phone', from: '3', to: '1', kind: 'restore' }]);
    const back = planUndo(input([row(1, 'phone', '1', '2'), row(1, 'phone', '2', '1')], { 1: patron({ phone: '1' }) }));
    expect(back.reverts).toEqual([]);
    expect(back.kept).toEqual([]);
  });

  it('an undo of an undo restores what the undone operation wrote', () => {
    // The undo (operation 43) set a created patron Transferred and put a name back.
    const undoRows = [
      row(1, 'status', '1', '4', { kind: 'undo', operationId: 43 }),
      row(2, 'lastName', 'Smyth', 'Smith', { kind: 'undo' }),
    ];
    const plan = planUndo(input(undoRows, { 1: patron({ status: 4 }), 2: patron({ lastName: 'Smith' }) }));
    expect(plan.reverts).toEqual([
      { patronId: 1, field: 'status', from: '4', to: '1', kind: 'restore' },
      { patronId: 2, field: 'lastName', from: 'Smith', to: 'Smyth', kind: 'restore' },
    ]);
    expect(plan.patrons).toEqual({ transferred: 0, reactivated: 1, updated: 1 });
  });

  it('keeps what it cannot put back: a deleted patron, a site gone, a GUID another patron holds now', () => {
    const plan = planUndo(
      input(
        [row(1, 'lastName', 'A', 'B'), row(2, 'site', 'OLD', 'MHS'), row(3, 'guid', 'g-1', 'g-2')],
        { 2: patron({ site: 'MHS' }), 3: patron({ guid: 'g-2' }) },
        { guidHolders: new Map([['g-1', 9]]) },
      ),
    );
    expect(plan.reverts).toEqual([]);
    expect(plan.kept.map((k) => k.reason)).toEqual([
      'the patron was deleted since',
      'site OLD no longer exists',
      'another patron holds GUID g-1 now',
    ]);
  });

  it('leaves a created patron’s other rows alone and ignores fields that are not patron fields', () => {
    const plan = planUndo(
      input([row(1, '*', null, '{}', { kind: 'create' }), row(1, 'lastName', '', 'X'), row(2, 'notes', 'a', 'b')], {
        1: patron({ lastName: 'X', status: 1 }),
        2: patron({}),
      }),
    );
    expect(plan.reverts).toEqual([{ patronId: 1, field: 'status', from: '1', to: '4', kind: 'uncreate' }]);
    expect(plan.kept).toEqual([]);
  });
});
