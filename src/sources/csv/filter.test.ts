import { describe, expect, it } from 'vitest';
import { idFilters } from '../../sync/fetch.ts';
import { compileFilter } from './filter.ts';

const users = [
  { sourcedId: 'a', role: 'student', dateLastModified: '2026-09-01T00:00:00.000Z' },
  { sourcedId: "O'Brien", role: 'teacher', dateLastModified: '2026-09-03T00:00:00.000Z' },
  { sourcedId: 'c', role: 'parent', dateLastModified: '' },
];

const passing = (filter: string) => users.filter((u) => compileFilter(filter).test(u)).map((u) => u.sourcedId);

describe('compileFilter (the filters fetch sends, on CSV records)', () => {
  it("answers fetch's sourcedId lists, quotes doubled, with the ids listed", () => {
    const [filter] = idFilters(['a', "O'Brien", 'zz']);
    const compiled = compileFilter(filter!);
    expect(compiled.ids).toEqual(new Set(['a', "O'Brien", 'zz']));
    expect(passing(filter!)).toEqual(['a', "O'Brien"]);
  });

  it('compares text: equality, and ISO times in order (a blank time is never after one)', () => {
    expect(passing("classType='homeroom'")).toEqual([]);
    expect(passing("role='teacher'")).toEqual(["O'Brien"]);
    expect(passing("dateLastModified>'2026-09-02T00:00:00.000Z'")).toEqual(["O'Brien"]);
    expect(passing("role!='parent'")).toEqual(['a', "O'Brien"]);
    expect(compileFilter("dateLastModified>'x'").ids).toBeUndefined();
  });

  it('binds AND tighter than OR', () => {
    expect(passing("role='student' OR role='teacher' AND dateLastModified<'2026-09-02'")).toEqual(['a']);
    expect(passing("role='parent' or sourcedId='a'")).toEqual(['a', 'c']);
  });

  it('throws on text that is not a filter (a caller bug)', () => {
    expect(() => compileFilter('role=student')).toThrow(/not a OneRoster filter/);
    expect(() => compileFilter("role='student")).toThrow(/unclosed quote/);
    expect(() => compileFilter("role='a' role='b'")).toThrow(/expected AND or OR/);
  });
});
