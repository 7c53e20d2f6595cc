/**
 * A district given record by record (DistrictData, e.g. from a OneRoster CSV package): the
 * records are held as given, sorted by sourcedId once, and scopes are found by scanning.
 */
import { createTables, scanCandidates, type District, type DistrictTables, type ScopeKind } from './district-model.ts';
import { listRows, type Rows } from './rows.ts';
import { compareIds, type BaseRows, type FieldValue } from './table.ts';
import type { DistrictData } from '../domain/district.ts';

/** Fields read straight off a record, without its wire form. */
const DIRECT_FIELDS = new Set(['sourcedId', 'status', 'dateLastModified', 'role', 'type', 'classType']);

/** Base rows over records held in memory, sorted by sourcedId (later duplicates win). */
export function arrayBaseRows<T extends { sourcedId: string }>(records: readonly T[]): BaseRows<T> {
  const byId = new Map<string, T>();
  for (const r of records) byId.set(r.sourcedId, r);
  const sorted = [...byId.values()].sort((a, b) => compareIds(a.sourcedId, b.sourcedId));
  const index = new Map(sorted.map((r, i) => [r.sourcedId, i]));
  return {
    size: sorted.length,
    record: (i) => sorted[i]!,
    idOf: (i) => sorted[i]!.sourcedId,
    indexOf: (id) => index.get(id) ?? -1,
    fastGetter: (path) =>
      DIRECT_FIELDS.has(path) && sorted.every((r) => path in r)
        ? (i) => (sorted[i] as unknown as Record<string, FieldValue>)[path]
        : undefined,
  };
}

/**
 * Serves given records. A blank dateLastModified (usual in bulk CSV packages) becomes the load
 * time, as a server stamps what it imports; OneRoster requires the field.
 */
export function dataDistrict(data: DistrictData, loadedAt: Date): District {
  const stamp = loadedAt.toISOString();
  const stamped = <T extends { dateLastModified: string }>(records: readonly T[]): T[] =>
    records.map((r) => (r.dateLastModified ? r : { ...r, dateLastModified: stamp }));
  const childrenOf = new Map<string, string[]>();
  const note = (collection: string, parent: string, child: string) => {
    if (!parent) return;
    const key = `${collection}\u0000${parent}`;
    const list = childrenOf.get(key) ?? [];
    list.push(child);
    childrenOf.set(key, list);
  };
  const orgs = arrayBaseRows(stamped(data.orgs));
  const sessions = arrayBaseRows(stamped(data.academicSessions));
  for (let i = 0; i < orgs.size; i++) note('orgs', orgs.record(i).parentSourcedId, orgs.idOf(i));
  for (let i = 0; i < sessions.size; i++) note('academicSessions', sessions.record(i).parentSourcedId, sessions.idOf(i));
  const children = (collection: 'orgs' | 'academicSessions', id: string) => childrenOf.get(`${collection}\u0000${id}`) ?? [];
  const tables: DistrictTables = createTables(
    {
      users: arrayBaseRows(stamped(data.users)),
      orgs,
      classes: arrayBaseRows(stamped(data.classes)),
      enrollments: arrayBaseRows(stamped(data.enrollments)),
      demographics: arrayBaseRows(stamped(data.demographics)),
      academicSessions: sessions,
    },
    children,
  );
  const cache = new Map<string, Rows>();
  return {
    tables,
    children,
    candidates(kind: ScopeKind, parentId: string): Rows {
      const key = `${kind}\u0000${parentId}`;
      let rows = cache.get(key);
      if (!rows) {
        rows = listRows(scanCandidates({ tables }, kind, parentId));
        cache.set(key, rows);
      }
      return rows;
    },
  };
}
