/**
 * The OneRoster 1.1 read API over a district: route matching, collections with paging
 * headers, single records, nested scopes. Authentication and faults are the server's job.
 */
import type { RosterCollection } from '../domain/roster.ts';
import { anyTable, parentExists, SCOPES, scopeRows, type District, type ScopeKind } from './district-model.ts';
import { imsxError, type Reply } from './http-io.ts';
import { parseCollectionQuery, parseFields, selectRows } from './query.ts';
import type { Rows } from './rows.ts';
import { project, SINGLE_KEY, toWire, type WireContext, type WireMode, type WireObject } from './wire.ts';

/** Turns a record into its JSON on the wire (1.1's toWire by default; 1.2 has its own). */
export type Serializer = (collection: RosterCollection, record: never, ctx: WireContext) => WireObject;

/** The path every OneRoster 1.1 endpoint starts with. */
export const ROSTER_PATH = '/ims/oneroster/v1p1';

/** A matched OneRoster request. */
export interface RosterRoute {
  /** The collection served (and the envelope key of a list). */
  collection: RosterCollection;
  /** The subset, for `/students`, `/schools/{id}/classes`, … */
  scope: ScopeKind | null;
  /** The school or class of a nested path ('' otherwise). */
  parentId: string;
  /** The record of a single-record request, else null. */
  id: string | null;
}

const TOP: Record<string, [RosterCollection, ScopeKind | null]> = {
  users: ['users', null],
  students: ['users', 'students'],
  teachers: ['users', 'teachers'],
  orgs: ['orgs', null],
  schools: ['orgs', 'schools'],
  classes: ['classes', null],
  enrollments: ['enrollments', null],
  demographics: ['demographics', null],
  academicSessions: ['academicSessions', null],
  terms: ['academicSessions', 'terms'],
  gradingPeriods: ['academicSessions', 'gradingPeriods'],
};

const NESTED: Record<string, Record<string, ScopeKind>> = {
  schools: { students: 'schoolStudents', teachers: 'schoolTeachers', classes: 'schoolClasses', enrollments: 'schoolEnrollments' },
  classes: { students: 'classStudents', teachers: 'classTeachers' },
};

/** Matches the part of a path after ROSTER_PATH (e.g. `/schools/x/students`); null when unknown. */
export function matchRoute(rest: string): RosterRoute | null {
  const parts = rest.split('/').filter((p) => p !== '');
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    return null;
  }
  const top = TOP[decoded[0] ?? ''];
  if (!top) return null;
  if (decoded.length === 1) return { collection: top[0], scope: top[1], parentId: '', id: null };
  if (decoded.length === 2) return { collection: top[0], scope: top[1], parentId: '', id: decoded[1]! };
  const nested = decoded.length === 3 ? NESTED[decoded[0]!]?.[decoded[2]!] : undefined;
  if (!nested) return null;
  return { collection: SCOPES[nested].collection, scope: nested, parentId: decoded[1]!, id: null };
}

/** How a fault alters a successful list. */
export interface ListTweaks {
  /** Serve at most this many records whatever the limit (null: no clamp). */
  clampPageSize: number | null;
  /** Added to X-Total-Count. */
  totalDrift: number;
  /** Puts the list under this key instead of the collection's (the wrong-envelope fault). */
  envelopeKey?: string;
}

/**
 * Records encoded per batch. Encoding in batches lets each record's objects die young, which
 * keeps garbage collection cheap on 10,000-record pages (holding a whole page of objects until
 * one JSON.stringify call made GC the largest cost).
 */
const ENCODE_BATCH = 500;
const COMMA = Buffer.from(',');

/** Cached selections kept (a paged pull reuses one per collection). */
const CACHE_SIZE = 16;

/** Serves OneRoster requests from a district. */
export class RosterApi {
  private readonly cache = new Map<string, Rows>();
  private readonly ctx: WireContext;

  constructor(
    private readonly district: District,
    mode: WireMode,
    hrefBase: string,
    private readonly serialize: Serializer = toWire,
    extraContext: object = {},
  ) {
    this.ctx = { mode, hrefBase, children: district.children, ...extraContext };
  }

  /** Answers a matched request; `selfUrl` is the URL as requested (for Link headers). */
  reply(route: RosterRoute, params: URLSearchParams, selfUrl: URL, tweaks: ListTweaks): Reply {
    return route.id === null ? this.list(route, params, selfUrl, tweaks) : this.single(route, route.id, params);
  }

  private single(route: RosterRoute, id: string, params: URLSearchParams): Reply {
    const fields = parseFields(params, route.collection);
    if (!fields.ok) return imsxError(400, fields.codeMinor, fields.message);
    const record = anyTable(this.district.tables, route.collection).get(id);
    const belongs = route.scope ? SCOPES[route.scope].belongs : undefined;
    if (!record || (belongs && !belongs(record, ''))) {
      return imsxError(404, 'unknownobject', `There is no ${SINGLE_KEY[route.collection]} with the sourcedId "${id}".`);
    }
    const wire = this.serialize(route.collection, record as never, this.ctx);
    const key = SINGLE_KEY[route.collection];
    return { status: 200, body: { [key]: fields.value ? project(wire, fields.value) : wire }, envelopeKey: key };
  }

  private list(route: RosterRoute, params: URLSearchParams, selfUrl: URL, tweaks: ListTweaks): Reply {
    const parsed = parseCollectionQuery(params, route.collection);
    if (!parsed.ok) return imsxError(400, parsed.codeMinor, parsed.message);
    const q = parsed.value;
    if (route.scope && !parentExists(this.district, route.scope, route.parentId)) {
      const what = SCOPES[route.scope].parent === 'classes' ? 'class' : 'school';
      return imsxError(404, 'unknownobject', `There is no ${what} with the sourcedId "${route.parentId}".`);
    }
    const table = anyTable(this.district.tables, route.collection);
    const rows = this.cached(route, q.filter?.text ?? '', q.sort, q.desc, () => {
      if (route.scope) return selectRows(scopeRows(this.district, route.scope, route.parentId), q, (path) => table.getter(path));
      return selectRows(table.order(), q, (path) => table.getter(path), table);
    });
    const limit = Math.min(q.limit, tweaks.clampPageSize ?? q.limit);
    const end = Math.max(q.offset, Math.min(rows.length, q.offset + limit));
    const key = tweaks.envelopeKey ?? route.collection;
    const encoded = encodeList(key, end - q.offset, (k) => {
      const wire = this.serialize(route.collection, table.record(rows.at(q.offset + k)) as never, this.ctx);
      return q.fields ? project(wire, q.fields) : wire;
    });
    return {
      status: 200,
      headers: {
        'X-Total-Count': String(rows.length + tweaks.totalDrift),
        'X-Count': String(end - q.offset),
        Link: pageLinks(selfUrl, q.offset, limit, rows.length),
      },
      body: null,
      encoded,
      envelopeKey: key,
    };
  }

  /** A selection, reused while no table it reads has changed. */
  private cached(route: RosterRoute, filter: string, sort: string, desc: boolean, compute: () => Rows): Rows {
    const versions = Object.values(this.district.tables)
      .map((t: { version: number }) => t.version)
      .join('.');
    const key = [route.collection, route.scope ?? '', route.parentId, filter, sort, desc, versions].join('\u0000');
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const rows = compute();
    this.cache.set(key, rows);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return rows;
  }
}

/** `{"key":[…]}` of `count` records, stringified ENCODE_BATCH at a time. */
function encodeList(key: string, count: number, recordAt: (k: number) => unknown): Buffer {
  const chunks: Buffer[] = [Buffer.from(`{${JSON.stringify(key)}:[`)];
  for (let from = 0; from < count; from += ENCODE_BATCH) {
    const batch: unknown[] = [];
    for (let k = from; k < Math.min(count, from + ENCODE_BATCH); k++) batch.push(recordAt(k));
    // The batch's array without its brackets (cut from the bytes: slicing the string costs
    // more), joined to the previous batch by a comma.
    const json = Buffer.from(JSON.stringify(batch));
    if (from > 0) chunks.push(COMMA);
    chunks.push(json.subarray(1, json.length - 1));
  }
  chunks.push(Buffer.from(']}'));
  return Buffer.concat(chunks);
}

/** The Link header: first, prev, next and last pages, as absolute URLs. */
export function pageLinks(selfUrl: URL, offset: number, limit: number, total: number): string {
  const at = (o: number) => {
    const u = new URL(selfUrl);
    u.searchParams.set('limit', String(limit));
    u.searchParams.set('offset', String(o));
    return `<${u.href}>`;
  };
  const last = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit;
  const links = [`${at(0)}; rel="first"`];
  if (offset > 0) links.push(`${at(Math.max(0, offset - limit))}; rel="prev"`);
  if (offset + limit < total) links.push(`${at(offset + limit)}; rel="next"`);
  links.push(`${at(last)}; rel="last"`);
  return links.join(', ');
}
