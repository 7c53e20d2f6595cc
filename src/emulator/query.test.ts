import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMIT, MAX_LIMIT, parseCollectionQuery, parseFields, selectRows, type CollectionQuery } from './query.ts';
import { RangeRows } from './rows.ts';

function query(text: string): CollectionQuery {
  const parsed = parseCollectionQuery(new URLSearchParams(text), 'users');
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

describe('parseCollectionQuery', () => {
  it('defaults to limit 100, offset 0, sourcedId ascending, all fields', () => {
    expect(query('')).toEqual({ limit: DEFAULT_LIMIT, offset: 0, filter: null, sort: 'sourcedId', desc: false, fields: null });
  });

  it('clamps limit at 10,000', () => {
    expect(query('limit=50000').limit).toBe(MAX_LIMIT);
    expect(query('limit=10000&offset=20000')).toMatchObject({ limit: 10_000, offset: 20_000 });
  });

  it('refuses bad numbers, orders and fields with the right codeMinor', () => {
    const refused = (text: string) => parseCollectionQuery(new URLSearchParams(text), 'users');
    expect(refused('limit=0')).toMatchObject({ ok: false, codeMinor: 'invaliddata' });
    expect(refused('limit=ten')).toMatchObject({ ok: false, codeMinor: 'invaliddata' });
    expect(refused('offset=-1')).toMatchObject({ ok: false, codeMinor: 'invaliddata' });
    expect(refused('orderBy=sideways')).toMatchObject({ ok: false, codeMinor: 'invaliddata' });
    expect(refused('sort=shoeSize')).toMatchObject({ ok: false, codeMinor: 'invalid_sort_field' });
    expect(refused('fields=sourcedId,shoeSize')).toMatchObject({ ok: false, codeMinor: 'invalid_selection_field' });
    expect(refused("filter=shoeSize='9'")).toMatchObject({ ok: false, codeMinor: 'invalid_filter_field' });
  });

  it('accepts the IMS OpenAPI typo "acs" for ascending, and desc', () => {
    expect(query('orderBy=acs').desc).toBe(false);
    expect(query('orderBy=desc').desc).toBe(true);
  });

  it('reads fields as a comma-separated list', () => {
    expect(parseFields(new URLSearchParams('fields=sourcedId, email'), 'users')).toEqual({ ok: true, value: ['sourcedId', 'email'] });
  });
});

describe('selectRows', () => {
  const names = ['d', 'b', 'a', 'b', 'c'];
  const getter = (path: string) => (ref: number) =>
    path === 'familyName' ? names[ref] : path === 'role' ? (ref % 2 ? 'teacher' : 'student') : undefined;
  const run = (text: string) => {
    const rows = selectRows(new RangeRows(0, names.length), query(text), getter);
    return Array.from({ length: rows.length }, (_, k) => rows.at(k));
  };

  it('keeps natural (sourcedId) order by default and reverses it for desc', () => {
    expect(run('')).toEqual([0, 1, 2, 3, 4]);
    expect(run('orderBy=desc')).toEqual([4, 3, 2, 1, 0]);
  });

  it('sorts stably by another field', () => {
    expect(run('sort=familyName')).toEqual([2, 1, 3, 4, 0]);
  });

  it('filters before sorting', () => {
    expect(run("sort=familyName&filter=role='student'")).toEqual([2, 4, 0]);
  });

  it('answers a filter that lists sourcedIds by lookups, in sourcedId order, each once', () => {
    const ids = ['u0', 'u1', 'u2', 'u3', 'u4'];
    const index = { find: (id: string) => (ids.includes(id) ? ids.indexOf(id) : undefined), idOf: (ref: number) => ids[ref]! };
    const scanning = () => () => {
      throw new Error('a sourcedId list must not scan the collection');
    };
    const rows = selectRows(
      new RangeRows(0, ids.length),
      query("filter=sourcedId='u3' OR sourcedId='u1' OR sourcedId='nobody' OR sourcedId='u3'"),
      scanning,
      index,
    );
    expect(Array.from({ length: rows.length }, (_, k) => rows.at(k))).toEqual([1, 3]);
  });

  it('scans for a filter that is not only a sourcedId list', () => {
    const index = { find: () => 0, idOf: (ref: number) => String(ref) };
    const rows = selectRows(new RangeRows(0, names.length), query("filter=sourcedId='x' OR role='teacher'"), getter, index);
    expect(Array.from({ length: rows.length }, (_, k) => rows.at(k))).toEqual([1, 3]);
  });
});
