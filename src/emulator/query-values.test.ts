/**
 * Filters that list values of one field (`user.sourcedId='a' OR …`) answered from an index of
 * the field's values (Table.rowsByValues through selectRows): always the rows, and the order,
 * the scan gives — before and after mutations — and any other filter still scans.
 */
import { describe, expect, it } from 'vitest';
import { equalityList, parseFilter } from './filter.ts';
import { generateDistrict } from './generated-district.ts';
import { districtMutations } from './mutations.ts';
import { parseCollectionQuery, selectRows } from './query.ts';
import type { Table } from './table.ts';

function ids<T extends { sourcedId: string }>(table: Table<T>, filter: string, indexed: boolean): string[] {
  const parsed = parseCollectionQuery(new URLSearchParams({ filter }), 'enrollments');
  if (!parsed.ok) throw new Error(parsed.message);
  const rows = selectRows(table.order(), parsed.value, (path) => table.getter(path), indexed ? table : undefined);
  return Array.from({ length: rows.length }, (_, k) => table.idOf(rows.at(k)));
}

const or = (path: string, values: string[]) => values.map((v) => `${path}='${v}'`).join(' OR ');

describe('equality lists from an index', () => {
  it('gives what the scan gives, for users, classes and odd values, before and after enrollments change', () => {
    const district = generateDistrict({ students: 400, seed: 'values' });
    const table = district.tables.enrollments;
    let clock = Date.UTC(2026, 10, 1);
    const mutate = districtMutations(district, () => new Date((clock += 1000)));
    const filters = [
      or('user.sourcedId', ['stu-00000001', 'stu-00000002', 'stu-00000002', 'nobody', 'tch-00000003']),
      or('class.sourcedId', ['cls-00000000', 'cls-00000005', "cls-'odd"]),
      or('role', ['teacher']),
    ];
    const check = () => {
      for (const f of filters) {
        const scanned = ids(table, f, false);
        expect(ids(table, f, true), f).toEqual(scanned);
      }
    };
    check();
    expect(ids(table, filters[0]!, true).length).toBeGreaterThan(0);
    mutate.moveHomeroom('stu-00000001');
    mutate.moveHomeroom('stu-00000002', 'cls-00000000');
    mutate.changeEnrollment('enr-s00000001-1', { userSourcedId: 'stu-00000009' });
    mutate.addEnrollment({ sourcedId: 'enr-zz', userSourcedId: 'tch-00000003', classSourcedId: 'cls-00000005', role: 'teacher' });
    check();
    expect(ids(table, filters[0]!, true)).toContain('enr-zz');
    expect(ids(table, filters[0]!, true)).not.toContain('enr-s00000001-1');
  });

  it('takes only OR-lists of `=` on one field that is not a date', () => {
    const list = (text: string) => {
      const parsed = parseFilter(text, 'enrollments');
      if (!parsed.ok) throw new Error(parsed.message);
      return equalityList(parsed.value);
    };
    expect(list("user.sourcedId='a' OR user.sourcedId='b'")).toEqual({ path: 'user.sourcedId', values: ['a', 'b'] });
    expect(list("user.sourcedId='a' OR class.sourcedId='b'")).toBeNull();
    expect(list("user.sourcedId='a' AND role='student'")).toBeNull();
    expect(list("user.sourcedId!='a'")).toBeNull();
    expect(list("dateLastModified='2026-01-01T00:00:00Z'")).toBeNull();
  });
});
