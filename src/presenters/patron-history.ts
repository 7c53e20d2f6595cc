/**
 * A patron's history (SPEC §3.9: "A patron's page shows its history"): the journal's rows for
 * one patron, newest first, paged by a cursor (the id of the last row shown, so rows written
 * meanwhile never shift a page), each with who or what made it. The patron page, GET
 * /api/v1/patrons/{id}/history and `rollcall patrons history` all read it from here.
 */
import { FIELDS } from '../domain/fields.ts';
import { operationTypeName } from '../domain/operation.ts';
import { statusName } from '../domain/words.ts';
import { requirePatron } from '../services/patrons/find-patron.ts';
import { CREATED_FIELD, type HistoryEntry, type JournalKind, type Store } from '../store/store.ts';

/** Changes per page unless asked otherwise, and the most one page holds. */
export const HISTORY_PER_PAGE = 50;
export const MAX_HISTORY_PER_PAGE = 500;

/** One change as the API and the CLI's --json give it. */
export interface HistoryItemJson {
  /** The journal row's id (later changes have larger ids). */
  id: number;
  /** When (ISO 8601 UTC). */
  at: string;
  /** What wrote it: create, update, transfer, reactivate (a sync), edit (by hand), import, switch, undo, removal. */
  kind: JournalKind;
  /** The field's key (`lastName`, `notes`), or `*` for a whole new patron. */
  field: string;
  /** The library field number (1006), or null (notes, `*`). */
  fieldNumber: number | null;
  /** The value before, null when blank. */
  oldValue: string | null;
  /** The value after, null when blank; for `*` the new patron's values as JSON. */
  newValue: string | null;
  /** The operation that made it (a sync, an import, an undo), or null (a hand edit). */
  operation: { id: number; name: string } | null;
  /** Who or what made it, in words: the staff account, the import, the sync. */
  by: string;
}

/** A page of a patron's history. */
export interface HistoryPageJson {
  /** The changes, newest first. */
  items: HistoryItemJson[];
  /** Pass as `before` for the next (older) page; null when this is the last. */
  next: number | null;
}

/** One change as the patron page shows it. */
export interface HistoryRow extends HistoryItemJson {
  /** The field as people read it (`1006 Last Name`, `Notes`, `Every field (new patron)`). */
  fieldText: string;
  /** What happened, in words (`Updated by a sync`, `Edited by hand`, …). */
  kindText: string;
  /** The old and new values as shown ('—' when blank; a new patron's values listed). */
  oldShown: string;
  newShown: string;
}

/** How to page. */
export interface HistoryAsk {
  /** Only changes older than this row id (a page's `next`). */
  before?: number | undefined;
  /** Changes per page (default 50, at most 500). */
  limit?: number | undefined;
}

const KIND_TEXT: Record<JournalKind, string> = {
  create: 'Created by a sync',
  update: 'Updated by a sync',
  transfer: 'Transferred by a sync',
  reactivate: 'Reactivated by a sync',
  edit: 'Edited by hand',
  import: 'Imported from a file',
  switch: 'GUID cleared: another integration turned on',
  undo: 'Undone',
  removal: 'Removed',
};

const FIELD_BY_KEY = new Map(FIELDS.map((f) => [f.key as string, f]));

/** A page of the patron's history, newest first; not_found for another library's patron. */
export async function patronHistory(
  store: Pick<Store, 'patrons' | 'journal'>,
  libraryId: number,
  patronId: number,
  ask: HistoryAsk = {},
): Promise<HistoryPageJson> {
  await requirePatron(store, libraryId, patronId);
  const limit = Math.min(Math.max(1, Math.trunc(ask.limit ?? HISTORY_PER_PAGE)), MAX_HISTORY_PER_PAGE);
  const page = await store.journal.history(libraryId, patronId, { limit, ...(ask.before === undefined ? {} : { before: ask.before }) });
  return { items: page.items.map(historyItem), next: page.next };
}

/** Every change of the patron, newest first (the CLI prints them all). */
export async function wholeHistory(
  store: Pick<Store, 'patrons' | 'journal'>,
  libraryId: number,
  patronId: number,
): Promise<HistoryItemJson[]> {
  const all: HistoryItemJson[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await patronHistory(store, libraryId, patronId, { before, limit: MAX_HISTORY_PER_PAGE });
    all.push(...page.items);
    if (page.next === null) return all;
    before = page.next;
  }
}

/** One journal row as JSON. */
export function historyItem(e: HistoryEntry): HistoryItemJson {
  const operation = e.operationId === null ? null : { id: e.operationId, name: operationName(e) };
  return {
    id: e.id,
    at: e.at,
    kind: e.kind,
    field: e.field,
    fieldNumber: FIELD_BY_KEY.get(e.field)?.number ?? null,
    oldValue: e.oldValue,
    newValue: e.newValue,
    operation,
    by: byText(e, operation),
  };
}

/** One change as the page shows it. */
export function historyRow(item: HistoryItemJson): HistoryRow {
  const f = FIELD_BY_KEY.get(item.field);
  const fieldText = item.field === CREATED_FIELD ? 'Every field (new patron)' : f ? `${f.number} ${f.label}` : labelOf(item.field);
  return {
    ...item,
    fieldText,
    kindText: KIND_TEXT[item.kind] ?? item.kind,
    oldShown: shownValue(item.field, item.oldValue),
    newShown: item.field === CREATED_FIELD ? createdText(item.newValue) : shownValue(item.field, item.newValue),
  };
}

function operationName(e: HistoryEntry): string {
  return e.operationType === null ? 'Operation' : operationTypeName(e.operationType, e.operationSource ?? '', e.operationUndoOf);
}

function byText(e: HistoryEntry, operation: HistoryItemJson['operation']): string {
  if (e.staffName) return e.staffName;
  if (e.actor) return e.actor;
  if (operation) return `${operation.name} #${operation.id}`;
  return 'Unknown';
}

/** A value as the page shows it: '—' when blank, Status by name with its number (SPEC §1.2). */
function shownValue(field: string, value: string | null): string {
  if (value === null || value === '') return '—';
  return field === 'status' ? statusName(value) : value;
}

function labelOf(key: string): string {
  return key === 'notes' ? 'Notes' : key;
}

/** A new patron's values, `Label: value` by field, from the `*` row's JSON. */
function createdText(json: string | null): string {
  if (!json) return '—';
  try {
    const values = JSON.parse(json) as Record<string, unknown>;
    return Object.entries(values)
      .map(([k, v]) => `${FIELD_BY_KEY.get(k)?.label ?? k}: ${shownValue(k, String(v))}`)
      .join('; ');
  } catch {
    return json;
  }
}
