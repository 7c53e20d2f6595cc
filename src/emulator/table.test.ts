import { describe, expect, it } from 'vitest';
import { arrayBaseRows } from './data-district.ts';
import { listRows, type Rows } from './rows.ts';
import { Table, type BaseRows } from './table.ts';

interface Rec {
  sourcedId: string;
  role: string;
}

const ids = (table: Table<Rec>, rows: Rows) => Array.from({ length: rows.length }, (_, k) => table.idOf(rows.at(k)));

function table(): Table<Rec> {
  const base: BaseRows<Rec> = {
    ...arrayBaseRows(['b', 'd', 'f', 'h'].map((id) => ({ sourcedId: id, role: id === 'd' ? 'teacher' : 'student' }))),
    // A fast getter that would be wrong for changed rows, to prove the overlay bypasses it.
    fastGetter: (path) => (path === 'role' ? () => 'fast' : undefined),
  };
  return new Table(base, (r, path) => (r as unknown as Record<string, string>)[path]);
}

describe('Table overlay', () => {
  it('serves base rows in order until something changes', () => {
    const t = table();
    expect(ids(t, t.order())).toEqual(['b', 'd', 'f', 'h']);
    expect(t.mutated).toBe(false);
  });

  it('merges added records into sourcedId order and drops removed ones', () => {
    const t = table();
    t.put({ sourcedId: 'a', role: 'student' });
    t.put({ sourcedId: 'e', role: 'student' });
    t.put({ sourcedId: 'z', role: 'student' });
    expect(t.remove('d')).toBe(true);
    expect(t.remove('d')).toBe(false);
    expect(ids(t, t.order())).toEqual(['a', 'b', 'e', 'f', 'h', 'z']);
    expect(t.size).toBe(6);
    expect(t.get('d')).toBeUndefined();
    expect(t.get('e')).toEqual({ sourcedId: 'e', role: 'student' });
    expect(t.remove('e')).toBe(true);
    expect(ids(t, t.order())).toEqual(['a', 'b', 'f', 'h', 'z']);
  });

  it('replaces a base record in place, and a removed one comes back when put again', () => {
    const t = table();
    t.remove('f');
    t.put({ sourcedId: 'f', role: 'teacher' });
    t.put({ sourcedId: 'b', role: 'teacher' });
    expect(ids(t, t.order())).toEqual(['b', 'd', 'f', 'h']);
    expect(t.get('b')?.role).toBe('teacher');
  });

  it('bumps its version on every change', () => {
    const t = table();
    const v = t.version;
    t.put({ sourcedId: 'x', role: 'student' });
    t.remove('x');
    expect(t.version).toBe(v + 2);
  });

  it('reads changed and added rows from the record, untouched ones through the fast getter', () => {
    const t = table();
    t.put({ sourcedId: 'b', role: 'teacher' });
    t.put({ sourcedId: 'c', role: 'parent' });
    const role = t.getter('role');
    expect(ids(t, t.order()).map((id) => role(t.find(id)!))).toEqual(['teacher', 'parent', 'fast', 'fast', 'fast']);
  });

  it('refines scope candidates: drops changed rows that left, adds rows that joined', () => {
    const t = table();
    const isStudent = (r: Rec) => r.role === 'student';
    const students = listRows([0, 2, 3]);
    expect(t.refine(students, isStudent, isStudent)).toBe(students);
    t.put({ sourcedId: 'f', role: 'teacher' });
    t.put({ sourcedId: 'd', role: 'student' });
    t.put({ sourcedId: 'c', role: 'student' });
    t.put({ sourcedId: 'y', role: 'teacher' });
    t.remove('h');
    expect(ids(t, t.refine(students, isStudent, isStudent))).toEqual(['b', 'c', 'd']);
    expect(ids(t, t.refine(students, isStudent))).toEqual(['b']);
  });
});
