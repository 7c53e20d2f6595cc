import { describe, expect, it } from 'vitest';
import { decodeChangeCursor } from '../../domain/change-cursor.ts';
import type { JournalEntry } from '../../store/store.ts';
import { changeEvents } from './change-events.ts';

let nextId = 1;
function row(r: Partial<JournalEntry> & Pick<JournalEntry, 'patronId' | 'field' | 'kind'>): JournalEntry {
  return {
    id: nextId++,
    libraryId: 7,
    oldValue: null,
    newValue: null,
    operationId: 3,
    staffUserId: null,
    actor: '',
    at: '2026-01-01T00:00:00.000Z',
    ...r,
  };
}

describe('change events from journal rows', () => {
  it('a create is the whole record in the export keys; a removal is deleted with the record as it was', () => {
    const created = row({
      patronId: 1,
      field: '*',
      kind: 'create',
      newValue: JSON.stringify({ guid: 'g1', lastName: 'Ng', status: 1, nickname: 'N' }),
    });
    const removed = row({ patronId: 1, field: '*', kind: 'removal', oldValue: JSON.stringify({ guid: 'g1', status: 4 }) });
    const [c, d] = changeEvents(7, [created, removed]);
    expect(c).toMatchObject({ type: 'created', patron: 1, kind: 'create', operation: 3 });
    expect(c!.values).toMatchObject({ guid: 'g1', lastName: 'Ng', status: 1, firstName: '', policy: '' });
    expect(Object.keys(c!.values)).not.toContain('nickname');
    expect(Object.keys(c!.values)).toHaveLength(17);
    expect(d).toMatchObject({ type: 'deleted', values: { guid: 'g1', status: 4 } });
    expect(decodeChangeCursor(d!.cursor)).toEqual({ libraryId: 7, journalId: removed.id });
  });

  it('groups one write of one patron; a status of 4 is transferred, 1 reactivated; notes alone are no event', () => {
    const rows = [
      row({ patronId: 2, field: 'lastName', kind: 'update', newValue: 'Li' }),
      row({ patronId: 2, field: 'email', kind: 'update', oldValue: 'a@b.c', newValue: null }),
      row({ patronId: 3, field: 'status', kind: 'transfer', oldValue: '1', newValue: '4' }),
      row({ patronId: 3, field: 'status', kind: 'reactivate', oldValue: '4', newValue: '1', operationId: 4 }),
      row({ patronId: 3, field: 'notes', kind: 'edit', newValue: 'hi', operationId: null, staffUserId: 9 }),
    ];
    const events = changeEvents(7, rows);
    expect(events.map((e) => [e.type, e.patron, e.values])).toEqual([
      ['updated', 2, { lastName: 'Li', email: '' }],
      ['transferred', 3, { status: 4 }],
      ['reactivated', 3, { status: 1 }],
    ]);
    expect(decodeChangeCursor(events[0]!.cursor).journalId).toBe(rows[1]!.id);
  });
});
