/**
 * Patrons for the web pages and the API (SPEC §5): the search (one box, site and status
 * filters, pages) and one patron with every field by number and where it came from. The pages
 * and /api/v1/patrons call these same functions; JSON keys are SPEC §8's. A hand edit is
 * services/patrons/edit-patron.ts; the edit form's parsing is web/forms/patron.ts.
 */
import { FIELDS, type PatronFieldKey } from '../domain/fields.ts';
import { statusName } from '../domain/words.ts';
import type { IntegrationKind, MatchedBy, Patron } from '../domain/patron.ts';
import { SOURCE_NAMES, enabledIntegration, loadSourceSettings } from '../sources/registry.ts';
import type { PatronDetail, Store } from '../store/store.ts';
import { operationTypeName } from '../domain/operation.ts';
import { paged, pageWindow, type PageAsk, type Paged } from './operation-pages.ts';
import { fieldsSyncOverwrites, type EditableKey } from '../services/patrons/patron-edit.ts';
import { requirePatron } from '../services/patrons/find-patron.ts';
import { exportedPatron, type ExportedPatron } from '../services/patrons/export-patrons.ts';
import { lockJson, type FieldLockJson } from '../services/patrons/field-locks.ts';
import { LOCKABLE_FIELDS } from '../sync/core/locks.ts';

/** Patrons per page of the search unless asked otherwise. */
export const PATRONS_PER_PAGE = 50;

/** A patron as the search lists it and the API returns it: SPEC §8's keys, Nickname, and its id. */
export type PatronJson = ExportedPatron & { id: number; nickname: string };

/** A patron with its provenance, as GET /api/v1/patrons/{id} returns it. */
export type PatronDetailJson = PatronJson & {
  notes: string;
  guidSource: IntegrationKind | null;
  matchedBy: MatchedBy | null;
  lastSyncOperationId: number | null;
  createdAt: string;
  updatedAt: string;
  editedBy: string;
  editedAt: string | null;
};

/** What the search asks. */
export interface PatronQuery extends PageAsk {
  /** The search text: an exact Barcode, Student #, GUID or Email, or the start of a name. */
  q?: string | undefined;
  /** A site code; '-' for patrons without a site; blank for every site. */
  site?: string | undefined;
  /** A Status number; blank for every status. */
  status?: number | undefined;
}

/** The site filter's value meaning "patrons without a site". */
export const NO_SITE = '-';

/** Status 1026 as people read it: `Active (1)`, `Transferred (4)`, other codes as they are. */
export function statusText(status: number): string {
  return statusName(status);
}

/** A patron's JSON (SPEC §8's keys, then Nickname and the store's id). */
export function patronJson(p: Patron): PatronJson {
  return { id: p.id, ...exportedPatron(p), nickname: p.nickname };
}

/** A patron's JSON with its notes and provenance. */
export function patronDetailJson(d: PatronDetail): PatronDetailJson {
  return {
    ...patronJson(d),
    notes: d.notes,
    guidSource: d.guidSource,
    matchedBy: d.matchedBy,
    lastSyncOperationId: d.lastSyncOperationId,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    editedBy: d.editedBy,
    editedAt: d.editedAt,
  };
}

/** One page of the library's patrons found by the search, in name order. */
export async function findPatrons(store: Pick<Store, 'patrons'>, libraryId: number, query: PatronQuery = {}): Promise<Paged<PatronJson>> {
  const w = pageWindow(query, PATRONS_PER_PAGE);
  const site = query.site?.trim() ?? '';
  const found = await store.patrons.search(libraryId, {
    query: query.q ?? '',
    ...(site === '' ? {} : { siteCode: site === NO_SITE ? '' : site }),
    ...(query.status === undefined ? {} : { status: query.status }),
    limit: w.perPage,
    offset: w.offset,
  });
  return paged(found.items.map(patronJson), found.total, w);
}

/** One field as the patron page shows it. */
export interface FieldRow {
  /** The library field number, or null (Notes has none). */
  number: number | null;
  /** The JSON key (`firstName`, `notes`). */
  key: EditableKey;
  /** The label (`First Name`). */
  label: string;
  /** The stored value as text ('' when blank; Status as its number). */
  value: string;
  /** The value as shown (`Active (1)`, '—' when blank). */
  shown: string;
  /** Whether the next sync overwrites it on a patron it matches (false when locked). */
  synced: boolean;
  /** Whether it is locked: no sync writes it (SPEC §3.8). */
  locked: boolean;
  /** Whether the edit form offers "keep my value" for it: a field the sync writes, or one locked already. */
  offerLock: boolean;
  /** The longest value kept. */
  maxLength: number;
}

/** Where a patron came from (SPEC §3.2). */
export interface Provenance {
  /** How a sync matched it: `GUID`, `Student #`, …, `Created by a sync`, or `Never matched by a sync`. */
  matchedBy: string;
  /** Whose the GUID is: an integration's name, or a sentence saying it belongs to none. */
  guidSource: string;
  /** The sync that last wrote it, or null. */
  lastSync: { id: number; name: string; at: string } | null;
  /** When the patron was created and last written (ISO). */
  createdAt: string;
  updatedAt: string;
  /** The last hand edit, or null. */
  edited: { by: string; at: string } | null;
}

/** What the next sync will do to the patron's fields. */
export interface SyncNote {
  /** The enabled integration's name, or null when none is enabled. */
  integration: string | null;
  /** The labels of the fields it overwrites on a patron it matches. */
  fields: string[];
  /** Whether this patron's GUID belongs to the enabled integration (it is synced from it). */
  linked: boolean;
}

/** Everything the patron page shows. */
export interface PatronPage {
  /** The patron. */
  patron: PatronDetail;
  /** Its fields, in SPEC §1.2's order, then Policy, Nickname and Notes. */
  fields: FieldRow[];
  /** Where it came from. */
  provenance: Provenance;
  /** What the next sync overwrites. */
  sync: SyncNote;
  /** Its locked fields (SPEC §3.8), in field order. */
  locks: FieldLockJson[];
}

const MATCHED_BY: Record<MatchedBy, string> = {
  guid: 'GUID',
  communityId: 'Student #',
  barcode: 'Barcode',
  email: 'Email',
  created: 'Created by a sync',
  linked: 'Linked by a resolved conflict',
};

/** The patron page's data; not_found for another library's patron. */
export async function patronPage(
  store: Pick<Store, 'patrons' | 'operations' | 'integrations' | 'locks'>,
  libraryId: number,
  id: number,
): Promise<PatronPage> {
  const patron = await requirePatron(store, libraryId, id);
  const sync = await syncNote(store, libraryId, patron);
  const synced = new Set(sync.fields);
  const lockRows = await store.locks.ofPatron(libraryId, patron.id);
  const locked = new Set<string>(lockRows.map((l) => l.field));
  const lockable = new Set<string>(LOCKABLE_FIELDS);
  const fields: FieldRow[] = FIELDS.map((f) => {
    const value = f.key === 'status' ? String(patron.status) : patron[f.key];
    return {
      number: f.number,
      key: f.key,
      label: f.label,
      value,
      shown: f.key === 'status' ? statusText(patron.status) : value || '—',
      synced: synced.has(f.label) && !locked.has(f.key),
      locked: locked.has(f.key),
      offerLock: lockable.has(f.key) && (synced.has(f.label) || locked.has(f.key)),
      maxLength: f.maxLength,
    };
  });
  fields.push({
    number: null,
    key: 'notes',
    label: 'Notes',
    value: patron.notes,
    shown: patron.notes || '—',
    synced: false,
    locked: false,
    offerLock: false,
    maxLength: 4000,
  });
  const byField = new Map(FIELDS.map((f, i) => [f.key as string, i]));
  const locks = lockRows.map(lockJson).sort((a, b) => byField.get(a.field)! - byField.get(b.field)!);
  return { patron, fields, provenance: await provenanceOf(store, libraryId, patron), sync, locks };
}

async function provenanceOf(store: Pick<Store, 'operations'>, libraryId: number, p: PatronDetail): Promise<Provenance> {
  let lastSync: Provenance['lastSync'] = null;
  if (p.lastSyncOperationId !== null) {
    const op = await store.operations.get(libraryId, p.lastSyncOperationId);
    lastSync = {
      id: p.lastSyncOperationId,
      name: op ? operationTypeName(op.type, op.source, op.undoOf) : 'Sync',
      at: op ? (op.finishedAt ?? op.startedAt ?? op.createdAt) : '',
    };
  }
  let guidSource: string;
  if (p.guid === '') guidSource = 'No GUID: not linked to a roster user.';
  else if (p.guidSource === null)
    guidSource = 'None: the GUID was imported or typed by hand; it belongs to no integration until a sync matches it.';
  else guidSource = SOURCE_NAMES[p.guidSource];
  return {
    matchedBy: p.matchedBy === null ? 'Never matched by a sync' : MATCHED_BY[p.matchedBy],
    guidSource,
    lastSync,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    edited: p.editedAt === null ? null : { by: p.editedBy, at: p.editedAt },
  };
}

async function syncNote(store: Pick<Store, 'integrations'>, libraryId: number, p: Patron): Promise<SyncNote> {
  const kind = await enabledIntegration(store, libraryId);
  if (kind === undefined) return { integration: null, fields: [], linked: false };
  const { settings } = await loadSourceSettings(store, libraryId, kind);
  const label = new Map<PatronFieldKey, string>(FIELDS.map((f) => [f.key, f.label]));
  return {
    integration: SOURCE_NAMES[kind],
    fields: fieldsSyncOverwrites(settings.mapping).map((k) => label.get(k)!),
    linked: p.guid !== '' && p.guidSource === kind,
  };
}
