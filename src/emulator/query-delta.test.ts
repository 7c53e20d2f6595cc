/**
 * Date comparisons answered from an index ordered by instant (Table.rowsByKey through
 * selectRows): always the rows, and the order, the scan gives — for random bounds, at exact
 * instants, with odd values, after mutations, paged, sorted — and every other filter still scans.
 */
import { describe, expect, it } from 'vitest';
import { arrayBaseRows } from './data-district.ts';
import { generateDistrict } from './generated-district.ts';
import { districtMutations } from './mutations.ts';
import { parseCollectionQuery, selectRows, type CollectionQuery, type KeyedIndex } from './query.ts';
import { matchRoute, ROSTER_PATH, RosterApi } from './roster-api.ts';
import { KeyOrder, type RangeOp, type Rows } from './rows.ts';
import { Table } from './table.ts';

interface Rec {
  sourcedId: string;
  dateLastModified: string;
  familyName: string;
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
const FROM = Date.UTC(2026, 6, 1);
const OPS: RangeOp[] = ['>', '>=', '<', '<='];

function query(collection: 'users' | 'demographics', text: string): CollectionQuery {
  const parsed = parseCollectionQuery(new URLSearchParams(text), collection);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

const filterText = (op: string, value: string, rest = '') => `filter=${encodeURIComponent(`dateLastModified${op}'${value}'`)}${rest}`;

/** The sourcedIds a selection gives: through the index (`table` as index) or by the scan. */
function select<T extends { sourcedId: string }>(table: Table<T>, q: CollectionQuery, indexed: boolean): string[] {
  const rows: Rows = selectRows(table.order(), q, (path) => table.getter(path), indexed ? table : undefined);
  return Array.from({ length: rows.length }, (_, k) => table.idOf(rows.at(k)));
}

/** Asserts that the index answers like the scan and returns the answer. */
function same<T extends { sourcedId: string }>(table: Table<T>, q: CollectionQuery): string[] {
  const scanned = select(table, q, false);
  expect(select(table, q, true)).toEqual(scanned);
  return scanned;
}

/**
 * Records with instants on whole seconds over a month (so many ties), a few in other forms
 * (date-only, an offset, no milliseconds) and a few that are no instant at all.
 */
function records(count: number, seed: number): Rec[] {
  const next = random(seed);
  const out: Rec[] = [];
  for (let i = 0; i < count; i++) {
    const ms = FROM + Math.floor(next() * 31 * 24 * 3600) * 1000;
    const form = next();
    const dateLastModified =
      form < 0.03
        ? ''
        : form < 0.05
          ? 'not a date'
          : form < 0.08
            ? new Date(ms).toISOString().slice(0, 10)
            : form < 0.1
              ? new Date(ms).toISOString().replace('.000Z', '+02:00')
              : form < 0.12
                ? new Date(ms).toISOString().replace('.000Z', 'Z')
                : new Date(ms).toISOString();
    out.push({
      sourcedId: `id-${String(Math.floor(next() * 1e9)).padStart(9, '0')}-${i}`,
      dateLastModified,
      familyName: `F${Math.floor(next() * 20)}`,
    });
  }
  return out;
}

function recordTable(recs: readonly Rec[]): Table<Rec> {
  return new Table(arrayBaseRows(recs), (r, path) => (r as unknown as Record<string, string>)[path]);
}

/** Bounds to compare with: random instants in and around the data, and the data's own instants. */
function bounds(recs: readonly Rec[], count: number, seed: number): string[] {
  const next = random(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const pick = next();
    if (pick < 0.4) {
      out.push(new Date(FROM - 2 * DAY + Math.floor(next() * 35 * DAY)).toISOString());
    } else if (pick < 0.8) {
      const own = recs[Math.floor(next() * recs.length)]!.dateLastModified;
      out.push(own === '' ? '2026-07-15' : own);
    } else {
      out.push(new Date(FROM + Math.floor(next() * 31) * DAY).toISOString().slice(0, 10));
    }
  }
  return out;
}

describe('date comparisons through the index', () => {
  it('give the rows the scan gives, in its order, for many bounds and every range operator', () => {
    const recs = records(2000, 7);
    const table = recordTable(recs);
    for (const since of bounds(recs, 150, 11)) {
      for (const op of OPS) same(table, query('users', filterText(op, since)));
    }
  });

  it('tell > from >= at an exact instant, ties included', () => {
    const at = '2026-07-10T12:00:00.000Z';
    const table = recordTable([
      { sourcedId: 'a', dateLastModified: at, familyName: '' },
      { sourcedId: 'b', dateLastModified: '2026-07-10T12:00:00.001Z', familyName: '' },
      { sourcedId: 'c', dateLastModified: at, familyName: '' },
      { sourcedId: 'd', dateLastModified: '2026-07-10T11:59:59.999Z', familyName: '' },
      // The same instant written another way compares equal, as it does in the scan.
      { sourcedId: 'e', dateLastModified: '2026-07-10T14:00:00+02:00', familyName: '' },
    ]);
    expect(same(table, query('users', filterText('>', at)))).toEqual(['b']);
    expect(same(table, query('users', filterText('>=', at)))).toEqual(['a', 'b', 'c', 'e']);
    expect(same(table, query('users', filterText('<', at)))).toEqual(['d']);
    expect(same(table, query('users', filterText('<=', at)))).toEqual(['a', 'c', 'd', 'e']);
  });

  it('leave values that are no instant to the filter, which compares them as text', () => {
    const table = recordTable([
      { sourcedId: 'a', dateLastModified: '', familyName: '' },
      { sourcedId: 'b', dateLastModified: 'zzz', familyName: '' },
      { sourcedId: 'c', dateLastModified: '2026-07-10T12:00:00.000Z', familyName: '' },
    ]);
    // 'zzz' > '2026-…' as text; '' is below it.
    expect(same(table, query('users', filterText('>', '2026-07-01T00:00:00.000Z')))).toEqual(['b', 'c']);
    expect(same(table, query('users', filterText('<', '2026-07-01T00:00:00.000Z')))).toEqual(['a']);
  });

  it('see every mutation: changed, back-dated, removed, re-added and added records', () => {
    const recs = records(500, 3);
    const table = recordTable(recs);
    const next = random(5);
    const check = () => {
      for (const since of bounds(recs, 30, Math.floor(next() * 1000))) {
        for (const op of OPS) same(table, query('users', filterText(op, since)));
      }
      same(table, query('users', filterText('>', '2026-11-29T07:00:00.000Z')));
    };
    check();
    // The index is built now; what follows must not be answered from it stale.
    for (let i = 0; i < 40; i++) {
      const r = recs[Math.floor(next() * recs.length)]!;
      table.put({ ...r, dateLastModified: new Date(Date.UTC(2026, 10, 29, 8, 0, i)).toISOString() });
    }
    for (let i = 0; i < 10; i++) {
      const r = recs[Math.floor(next() * recs.length)]!;
      table.put({ ...r, dateLastModified: '2026-06-01T00:00:00.000Z' });
    }
    for (let i = 0; i < 10; i++) table.remove(recs[Math.floor(next() * recs.length)]!.sourcedId);
    table.put({ ...recs[0]!, dateLastModified: 'soon' });
    table.put({ sourcedId: 'aaa-new', dateLastModified: '2026-11-29T09:00:00.000Z', familyName: 'New' });
    table.put({ sourcedId: 'zzz-new', dateLastModified: '2026-07-02T00:00:00.000Z', familyName: 'New' });
    table.put({ sourcedId: 'mmm-new', dateLastModified: '', familyName: 'New' });
    check();
    const changed = same(table, query('users', filterText('>', '2026-11-29T07:00:00.000Z')));
    expect(changed).toContain('aaa-new');
    expect(changed.length).toBeGreaterThan(30);
    table.remove('aaa-new');
    expect(same(table, query('users', filterText('>', '2026-11-29T07:00:00.000Z')))).not.toContain('aaa-new');
  });

  it('order the rows by sort and orderBy as the scan does', () => {
    const recs = records(1000, 9);
    const table = recordTable(recs);
    table.put({ ...recs[5]!, dateLastModified: '2026-11-29T08:00:00.000Z', familyName: 'F3' });
    table.put({ sourcedId: 'added', dateLastModified: '2026-11-29T08:00:00.000Z', familyName: 'F3' });
    for (const since of ['2026-07-15T00:00:00.000Z', '2026-06-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z']) {
      for (const rest of ['&sort=familyName', '&sort=familyName&orderBy=desc', '&orderBy=desc', '&sort=dateLastModified']) {
        for (const op of OPS) same(table, query('users', filterText(op, since, rest)));
      }
    }
  });

  it('come from the index only for one range comparison of a date with an instant; all else scans', () => {
    const table = recordTable(records(300, 1));
    let indexed = 0;
    const spy: KeyedIndex & { find: (id: string) => number | undefined; idOf: (ref: number) => string } = {
      find: (id) => table.find(id),
      idOf: (ref) => table.idOf(ref),
      rowsByKey: (...args) => {
        indexed++;
        return table.rowsByKey(...args);
      },
    };
    const answer = (text: string) => {
      const q = query('users', text);
      const rows = selectRows(table.order(), q, (path) => table.getter(path), spy);
      const ids = Array.from({ length: rows.length }, (_, k) => table.idOf(rows.at(k)));
      expect(ids).toEqual(select(table, q, false));
    };
    const scanning = [
      `filter=${encodeURIComponent("dateLastModified>'2026-07-15T00:00:00.000Z' AND familyName='F3'")}`,
      `filter=${encodeURIComponent("dateLastModified>'2026-07-25T00:00:00.000Z' OR dateLastModified<'2026-07-05T00:00:00.000Z'")}`,
      `filter=${encodeURIComponent("familyName>'F3'")}`,
      filterText('=', '2026-07-15T00:00:00.000Z'),
      filterText('!=', '2026-07-15T00:00:00.000Z'),
      filterText('~', '2026-07-1'),
      filterText('>', 'not an instant'),
      filterText('>', ''),
    ];
    for (const text of scanning) answer(text);
    expect(indexed).toBe(0);
    for (const op of OPS) answer(filterText(op, '2026-07-15T00:00:00.000Z'));
    expect(indexed).toBe(OPS.length);
  });
});

describe('delta pulls from a generated district', () => {
  const SINCE = '2026-11-29T07:00:00.000Z';

  it('page through exactly the records a delta should see, before and after mutations', () => {
    const district = generateDistrict({ students: 300, seed: 'delta-index' });
    const api = new RosterApi(district, 'classlink', `http://emulator.test${ROSTER_PATH}`);
    let clock = Date.UTC(2026, 10, 29, 8);
    const mutate = districtMutations(district, () => new Date((clock += 1000)));
    /** Every page of a filtered pull, limit 7, as sourcedIds. */
    const pull = (collection: 'users' | 'demographics', since: string, rest = ''): string[] => {
      const ids: string[] = [];
      for (let offset = 0; ; offset += 7) {
        const params = new URLSearchParams(`${filterText('>', since, rest)}&limit=7&offset=${offset}`);
        const reply = api.reply(
          matchRoute(`/${collection}`)!,
          params,
          new URL(`http://emulator.test${ROSTER_PATH}/${collection}?${params}`),
          {
            clampPageSize: null,
            totalDrift: 0,
          },
        );
        const page = (JSON.parse(reply.encoded!.toString()) as Record<string, { sourcedId: string }[]>)[collection]!;
        ids.push(...page.map((r) => r.sourcedId));
        if (page.length < 7) return ids;
      }
    };
    /** The same records found the slow, obvious way: every record, by its parsed date. */
    const expected = (collection: 'users' | 'demographics', since: string): string[] => {
      const table = district.tables[collection];
      const all = table.order();
      const out: string[] = [];
      for (let k = 0; k < all.length; k++) {
        const r: { sourcedId: string; dateLastModified: string } = table.record(all.at(k));
        if (Date.parse(r.dateLastModified) > Date.parse(since)) out.push(r.sourcedId);
      }
      return out;
    };
    const midJuly = '2026-07-16T00:00:00.000Z';
    expect(expected('users', midJuly).length).toBeGreaterThan(100);
    expect(expected('users', midJuly).length).toBeLessThan(district.tables.users.size - 100);
    expect(pull('users', SINCE)).toEqual([]);
    expect(pull('users', midJuly)).toEqual(expected('users', midJuly));
    expect(pull('demographics', midJuly)).toEqual(expected('demographics', midJuly));

    for (let s = 0; s < 300; s += 9) mutate.changeUser(`stu-${String(s).padStart(8, '0')}`, { familyName: `Changed${s}` });
    mutate.markToBeDeleted('stu-00000004');
    mutate.changeUser('stu-00000005', { dateLastModified: '2026-07-01T00:00:00.000Z' });
    mutate.removeUser('stu-00000009');
    mutate.addUser({ sourcedId: 'stu-new', role: 'student', orgSourcedIds: ['org-00000001'], givenName: 'New', familyName: 'Pupil' });
    mutate.changeDemographics('stu-00000001', { sex: 'female' });

    const changed = pull('users', SINCE);
    expect(changed).toEqual(expected('users', SINCE));
    expect(changed).toContain('stu-new');
    expect(changed).toContain('stu-00000004');
    expect(changed).not.toContain('stu-00000005');
    expect(changed).not.toContain('stu-00000009');
    expect(changed.length).toBe(Math.ceil(300 / 9) - 1 + 2);
    expect(pull('demographics', SINCE)).toEqual(['stu-00000001']);
    expect(pull('users', midJuly)).toEqual(expected('users', midJuly));
    // Sorted pages hold the same records in the order the sort gives.
    expect(pull('users', midJuly, '&sort=familyName').sort()).toEqual(expected('users', midJuly).sort());
  });
});

describe('KeyOrder', () => {
  /** The references whose key passes, found by testing every key, ascending. */
  const slow = (keys: number[], op: RangeOp, bound: number) => {
    const pass = (key: number) => (op === '>' ? key > bound : op === '>=' ? key >= bound : op === '<' ? key < bound : key <= bound);
    return keys.flatMap((key, ref) => (pass(key) ? [ref] : []));
  };
  const ascending = (refs: Int32Array) => Array.from(refs).sort((a, b) => a - b);

  it('finds the same references by a pass over the keys and by binary search, whichever sort the keys need', () => {
    const next = random(21);
    const kinds: ((i: number) => number)[] = [
      () => FROM + Math.floor(next() * 50) * 1000,
      () => Math.floor(next() * 40_000),
      () => Math.floor(next() * 2 ** 40) - 2 ** 39,
      () => Math.floor(next() * 2 ** 52) * (next() < 0.5 ? 1 : -1),
      () => next() * 100,
      (i) => (i % 17 === 0 ? Infinity : i % 19 === 0 ? -Infinity : Math.floor(next() * 100)),
    ];
    for (const kind of kinds) {
      // About a third of the references have no key.
      const keys = Array.from({ length: 400 }, (_, i) => (next() < 0.3 ? NaN : kind(i)));
      const make = () => new KeyOrder(keys.length, (ref) => keys[ref]!);
      expect(Array.from(make().unkeyed)).toEqual(keys.flatMap((key, ref) => (Number.isNaN(key) ? [ref] : [])));
      // Asked once, an order passes over its keys; asked again, it sorts them and searches.
      const searched = make();
      const own = keys.filter((key) => !Number.isNaN(key));
      searched.range('>', own[0]!);
      searched.range('>', own[1]!);
      const probes = [
        ...own.slice(0, 30),
        ...own.slice(0, 30).map((k) => k + 0.5),
        -Infinity,
        Infinity,
        Math.min(...own) - 1,
        Math.max(...own) + 1,
      ];
      for (const bound of probes) {
        for (const op of OPS) {
          const want = slow(keys, op, bound);
          expect(ascending(make().range(op, bound))).toEqual(want);
          expect(ascending(searched.range(op, bound))).toEqual(want);
        }
      }
    }
  });

  it('answers no rows, and rows without any key', () => {
    for (const keys of [[], [NaN, NaN]]) {
      const order = new KeyOrder(keys.length, (ref) => keys[ref]!);
      expect(order.unkeyed.length).toBe(keys.length);
      for (const op of OPS) expect(order.range(op, 0).length).toBe(0);
    }
  });
});
