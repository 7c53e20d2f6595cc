import { describe, expect, it } from 'vitest';
import { compileFilter, isKnownPath, parseFilter, sortKey, type Filter } from './filter.ts';
import type { FieldValue } from './table.ts';

function parsed(text: string, collection: 'users' | 'enrollments' = 'users'): Filter {
  const r = parseFilter(text, collection);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

/** Evaluates a filter over plain objects standing in for rows. */
function matches(text: string, rows: Record<string, FieldValue>[]): number[] {
  const test = compileFilter(parsed(text), (path) => (ref) => rows[ref]![path]);
  return rows.map((_, i) => i).filter(test);
}

describe('parseFilter', () => {
  it('reads every operator', () => {
    for (const op of ['=', '!=', '>', '>=', '<', '<=', '~']) {
      expect(parsed(`familyName${op}'x'`)).toEqual([[{ path: 'familyName', op, value: 'x' }]]);
    }
  });

  it('reads N predicates joined by AND or OR, AND binding tighter', () => {
    expect(parsed("role='student' OR role='teacher' OR role='administrator'")).toHaveLength(3);
    expect(parsed("role='student' AND status='active' OR role='teacher'")).toEqual([
      [
        { path: 'role', op: '=', value: 'student' },
        { path: 'status', op: '=', value: 'active' },
      ],
      [{ path: 'role', op: '=', value: 'teacher' }],
    ]);
  });

  it('keeps quotes and spaces inside values, and reads dotted sub-fields', () => {
    expect(parsed("familyName='O'Brien' AND orgs.sourcedId='a b'")).toEqual([
      [
        { path: 'familyName', op: '=', value: "O'Brien" },
        { path: 'orgs.sourcedId', op: '=', value: 'a b' },
      ],
    ]);
  });

  it('refuses unknown fields as invalid_filter_field', () => {
    expect(parseFilter("shoeSize='9'", 'users')).toMatchObject({ ok: false, codeMinor: 'invalid_filter_field' });
    expect(parseFilter("orgs.colour='red'", 'users')).toMatchObject({ ok: false, codeMinor: 'invalid_filter_field' });
    expect(parseFilter("role='student'", 'enrollments')).toMatchObject({ ok: true });
    expect(parseFilter("givenName='x'", 'enrollments')).toMatchObject({ ok: false, codeMinor: 'invalid_filter_field' });
  });

  it('refuses malformed text as invaliddata', () => {
    for (const bad of ['role=student', "role='student", "role='a' AND", "='x'", '']) {
      expect(parseFilter(bad, 'users')).toMatchObject({ ok: false, codeMinor: 'invaliddata' });
    }
  });
});

describe('isKnownPath', () => {
  it('knows top-level fields, ref sub-fields and userIds sub-fields', () => {
    expect(isKnownPath('users', 'email')).toBe(true);
    expect(isKnownPath('users', 'agents.sourcedId')).toBe(true);
    expect(isKnownPath('users', 'userIds.type')).toBe(true);
    expect(isKnownPath('users', 'email.domain')).toBe(false);
    expect(isKnownPath('classes', 'school.sourcedId')).toBe(true);
    expect(isKnownPath('users', 'orgs.sourcedId.x')).toBe(false);
  });
});

describe('compileFilter', () => {
  const rows: Record<string, FieldValue>[] = [
    { role: 'student', dateLastModified: '2026-07-01T00:00:00.000Z', 'orgs.sourcedId': ['s1', 's2'], enabledUser: true },
    { role: 'teacher', dateLastModified: Date.parse('2026-09-01T00:00:00Z'), 'orgs.sourcedId': ['s2'], enabledUser: 'false' },
    { role: 'parent', dateLastModified: '2026-08-01T00:00:00Z', 'orgs.sourcedId': [], enabledUser: false },
  ];

  it('compares dates as instants, whatever their precision or form', () => {
    expect(matches("dateLastModified>'2026-07-01T00:00:00Z'", rows)).toEqual([1, 2]);
    expect(matches("dateLastModified>='2026-07-01T00:00:00Z'", rows)).toEqual([0, 1, 2]);
    expect(matches("dateLastModified<'2026-08-01'", rows)).toEqual([0]);
  });

  it('matches any element of a list, and != only when no element is equal', () => {
    expect(matches("orgs.sourcedId='s2'", rows)).toEqual([0, 1]);
    expect(matches("orgs.sourcedId!='s1'", rows)).toEqual([1, 2]);
  });

  it('compares booleans as their strings, and ~ as a case-insensitive substring', () => {
    expect(matches("enabledUser='true'", rows)).toEqual([0]);
    expect(matches("role~'TEA'", rows)).toEqual([1]);
  });

  it('joins AND within a group and OR across groups', () => {
    expect(matches("role='student' AND enabledUser='false' OR role='parent'", rows)).toEqual([2]);
  });

  it('treats a missing field as unequal to everything', () => {
    expect(matches("email='x'", rows)).toEqual([]);
    expect(matches("email!='x'", rows)).toEqual([0, 1, 2]);
  });
});

describe('sortKey', () => {
  it('gives instants for date fields and the first value otherwise', () => {
    expect(sortKey('dateLastModified', '2026-07-01T00:00:00Z')).toBe(Date.parse('2026-07-01T00:00:00Z'));
    expect(sortKey('dateLastModified', 5)).toBe(5);
    expect(sortKey('grades', ['09', '10'])).toBe('09');
    expect(sortKey('email', undefined)).toBe('');
  });
});
