/**
 * The conflict queue (SPEC §3.9) as the Conflicts page, the API and `rollcall conflicts list`
 * show it: each item with both sides side by side — the roster user (name, role, key values as
 * the sync matched them) and each patron it points at, as that patron is now. The JSON keeps
 * SPEC §8's keys (`id`, `operation`, `sourcedId`, `reason`, `patrons[{guid, barcode, firstName,
 * lastName}]`) and adds the rest.
 */
import type { Patron } from '../domain/patron.ts';
import type { ConflictJournalEntry, ConflictRecord, ConflictState, Store } from '../store/store.ts';
import { requireConflict } from '../services/conflicts/resolve-conflict.ts';

/** The kinds of conflict, as a librarian reads them. */
const CAUSE_TEXT: Record<string, string> = {
  'guid-shared': 'Several patrons hold this GUID',
  'key-shared': 'One key matches several patrons',
  'keys-disagree': 'The keys point at different patrons',
  'identity-drift': 'The patron holds another GUID',
  'claimed-twice': 'Two roster users claim one patron',
};

const KEY_LABEL: Record<string, string> = { communityId: 'Student #', barcode: 'Barcode', email: 'Email' };

/** One patron side of an item. */
export interface ConflictPatronView {
  /** The patron's id. */
  id: number;
  /** Still in the library (false: deleted since the sync saw it). */
  exists: boolean;
  guid: string;
  barcode: string;
  firstName: string;
  lastName: string;
  communityId: string;
  email: string;
  site: string;
  status: number | null;
  /** The keys the roster user matched it on (Student #, Barcode, Email, GUID). */
  matchedOn: string[];
}

/** An item of the queue as shown. */
export interface ConflictView {
  id: number;
  /** The operation that last saw it (SPEC §8 `operation`). */
  operation: number;
  sourcedId: string;
  reason: string;
  patrons: ConflictPatronView[];
  state: ConflictState;
  cause: string;
  causeText: string;
  source: string;
  /** The roster side. */
  user: { name: string; role: string; keys: { label: string; value: string }[] };
  /** Other roster users claiming the same patron. */
  rivals: string[];
  seenCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
  firstOperation: number;
  /** What a person decided, or null while open. */
  resolution: { action: string; patronId: number | null; by: string; at: string | null } | null;
  /** What the last sync said of it, or ''. */
  note: string;
  closedAt: string | null;
}

/** The stored sides (the sync's ConflictDetail), read defensively. */
interface StoredDetail {
  reason?: string;
  user?: { name?: string; role?: string };
  keys?: Record<string, string>;
  candidates?: { patronId: number; guid?: string; name?: string; matchedOn?: string[] }[];
  rivals?: string[];
}

/** Which items a list shows. */
export type ConflictListFilter = 'open' | 'pending' | 'all';

const STATES: Record<ConflictListFilter, ConflictState[] | undefined> = {
  open: ['open'],
  pending: ['open', 'ignored', 'resolved'],
  all: undefined,
};

/** Items of the library (open first, then newest) with both sides. */
export async function conflictList(
  store: Pick<Store, 'conflicts' | 'patrons'>,
  libraryId: number,
  filter: ConflictListFilter = 'pending',
  paging: { limit?: number; offset?: number } = {},
): Promise<{ items: ConflictView[]; total: number }> {
  const page = await store.conflicts.list(libraryId, { states: STATES[filter], ...paging });
  return { items: await views(store, libraryId, page.items), total: page.total };
}

/** One item with both sides and its journal; not_found for another library's. */
export async function conflictDetail(
  store: Pick<Store, 'conflicts' | 'patrons'>,
  libraryId: number,
  id: number,
): Promise<ConflictView & { journal: ConflictJournalEntry[] }> {
  const item = await requireConflict(store, libraryId, id);
  const [view] = await views(store, libraryId, [item]);
  return { ...view!, journal: await store.conflicts.journal(libraryId, id) };
}

/** Items as shown: their patrons read once, as they are now. */
export async function views(store: Pick<Store, 'patrons'>, libraryId: number, items: readonly ConflictRecord[]): Promise<ConflictView[]> {
  const ids = new Set<number>();
  for (const item of items) {
    for (const c of detailOf(item).candidates ?? []) ids.add(c.patronId);
    if (item.patronId !== null) ids.add(item.patronId);
  }
  const patrons = new Map((await store.patrons.getMany(libraryId, [...ids])).map((p) => [p.id, p]));
  return items.map((item) => view(item, patrons));
}

function detailOf(item: ConflictRecord): StoredDetail {
  return (item.detail ?? {}) as StoredDetail;
}

function view(item: ConflictRecord, patrons: ReadonlyMap<number, Patron>): ConflictView {
  const d = detailOf(item);
  const sides = (d.candidates ?? []).map((c) => patronSide(c.patronId, patrons.get(c.patronId), c.guid ?? '', c.matchedOn ?? []));
  // A link to a patron the sync did not point at is shown too: the page shows what was chosen.
  if (item.patronId !== null && !sides.some((s) => s.id === item.patronId)) {
    sides.push(patronSide(item.patronId, patrons.get(item.patronId), '', []));
  }
  return {
    id: item.id,
    operation: item.lastOperationId,
    sourcedId: item.sourcedId,
    reason: d.reason ?? '',
    patrons: sides,
    state: item.state,
    cause: item.cause,
    causeText: CAUSE_TEXT[item.cause] ?? item.cause,
    source: item.source,
    user: {
      name: d.user?.name ?? '',
      role: d.user?.role ?? '',
      keys: Object.entries(d.keys ?? {}).map(([k, value]) => ({ label: KEY_LABEL[k] ?? k, value })),
    },
    rivals: d.rivals ?? [],
    seenCount: item.seenCount,
    firstSeenAt: item.firstSeenAt,
    lastSeenAt: item.lastSeenAt,
    firstOperation: item.firstOperationId,
    resolution: item.action === 'none' ? null : { action: item.action, patronId: item.patronId, by: item.resolvedBy, at: item.resolvedAt },
    note: item.note,
    closedAt: item.closedAt,
  };
}

function patronSide(id: number, p: Patron | undefined, guidSeen: string, matchedOn: readonly string[]): ConflictPatronView {
  const on = matchedOn.map((k) => (k === 'guid' ? 'GUID' : (KEY_LABEL[k] ?? k)));
  if (!p) {
    return {
      id,
      exists: false,
      guid: guidSeen,
      barcode: '',
      firstName: '',
      lastName: '',
      communityId: '',
      email: '',
      site: '',
      status: null,
      matchedOn: on,
    };
  }
  return {
    id,
    exists: true,
    guid: p.guid,
    barcode: p.barcode,
    firstName: p.firstName,
    lastName: p.lastName,
    communityId: p.communityId,
    email: p.email,
    site: p.site,
    status: p.status,
    matchedOn: on,
  };
}
