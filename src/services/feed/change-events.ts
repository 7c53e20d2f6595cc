/**
 * The change feed's events from journal rows (issue "Patrons reach the circulation system":
 * "every patron change of the library in commit order (created / updated with the changed
 * fields' new values / transferred / reactivated / deleted)"). Pure: rows in, events out.
 *
 * - A `*` row of kind `create` or `import` is **created**: its new value holds the created
 *   values as JSON; the event carries the whole record in the export's keys (SPEC §8 `patrons
 *   export --format json`: every key, absent values "", status a number).
 * - A `*` row of kind `removal` (old value: the patron's values as JSON, new value NULL) is
 *   **deleted**, carrying the record as it was, so a consumer can find it by GUID or barcode.
 * - Field rows are grouped: consecutive rows of one patron written together (same operation or
 *   staff account, same instant) are one event with the changed fields' new values. A group
 *   that sets Status to 4 is **transferred**, to 1 **reactivated**; any other is **updated**.
 *   Fields the export does not carry (notes, nickname) are left out; a group of only those
 *   is no event (the cursor still moves past it).
 *
 * Each event's cursor is its last row's: a consumer that saves it and asks again from it gets
 * what follows, never the event again. A group cut by a page's end arrives as two events.
 */
import { encodeChangeCursor } from '../../domain/change-cursor.ts';
import { EXPORT_FIELDS, STATUS_ACTIVE, STATUS_TRANSFERRED, type PatronFieldKey } from '../../domain/fields.ts';
import { CREATED_FIELD, type JournalEntry, type JournalKind } from '../../store/store.ts';

/** An event's type. */
export type ChangeType = 'created' | 'updated' | 'transferred' | 'reactivated' | 'deleted';

/** Export keys with their values (status a number, the rest text, "" when blank). */
export type ChangeValues = Partial<Record<PatronFieldKey, string | number>>;

/** One change of one patron. */
export interface ChangeEvent {
  /** Where a consumer stands once it has applied this event (pass as `after`). */
  cursor: string;
  /** What happened to the patron. */
  type: ChangeType;
  /** The patron's id in Rollcall (stable; the key to follow a patron by). */
  patron: number;
  /**
   * created / deleted: the whole record (every export key); otherwise the changed fields' new
   * values only.
   */
  values: ChangeValues;
  /** When it was written (ISO 8601 UTC). */
  at: string;
  /** The operation that wrote it (a sync, an import, an undo, a removal), or null (a hand edit). */
  operation: number | null;
  /** What wrote it, as the journal says: create, update, transfer, reactivate, edit, import, switch, undo, removal. */
  kind: JournalKind;
}

const EXPORT_KEYS = new Set<string>(EXPORT_FIELDS.map((f) => f.key));

/** The events of `rows` (one library's, in id order). */
export function changeEvents(libraryId: number, rows: readonly JournalEntry[]): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  let group: JournalEntry[] = [];
  const flush = () => {
    if (group.length > 0) {
      const event = fieldEvent(libraryId, group);
      if (event) events.push(event);
    }
    group = [];
  };
  for (const row of rows) {
    if (row.field === CREATED_FIELD) {
      flush();
      const event = wholeEvent(libraryId, row);
      if (event) events.push(event);
      continue;
    }
    if (group.length > 0 && !sameWrite(group[0]!, row)) flush();
    group.push(row);
  }
  flush();
  return events;
}

/** Whether two field rows were written by one write of one patron. */
function sameWrite(a: JournalEntry, b: JournalEntry): boolean {
  return (
    a.patronId === b.patronId && a.operationId === b.operationId && a.staffUserId === b.staffUserId && a.at === b.at && a.kind === b.kind
  );
}

function wholeEvent(libraryId: number, row: JournalEntry): ChangeEvent | null {
  const base = {
    cursor: encodeChangeCursor({ libraryId, journalId: row.id }),
    patron: row.patronId,
    at: row.at,
    operation: row.operationId,
    kind: row.kind,
  };
  if (row.newValue !== null) return { ...base, type: 'created', values: wholeRecord(row.newValue) };
  if (row.oldValue !== null) return { ...base, type: 'deleted', values: wholeRecord(row.oldValue) };
  return null;
}

function fieldEvent(libraryId: number, rows: readonly JournalEntry[]): ChangeEvent | null {
  const values: ChangeValues = {};
  let type: ChangeType = 'updated';
  for (const r of rows) {
    if (!EXPORT_KEYS.has(r.field)) continue;
    const key = r.field as PatronFieldKey;
    values[key] = exportValue(key, r.newValue);
    if (key === 'status' && values.status === STATUS_TRANSFERRED) type = 'transferred';
    else if (key === 'status' && values.status === STATUS_ACTIVE) type = 'reactivated';
  }
  if (Object.keys(values).length === 0) return null;
  const last = rows[rows.length - 1]!;
  return {
    cursor: encodeChangeCursor({ libraryId, journalId: last.id }),
    type,
    patron: last.patronId,
    values,
    at: last.at,
    operation: last.operationId,
    kind: last.kind,
  };
}

/** A `*` row's JSON as the export's record: every key, absent values "", status a number. */
function wholeRecord(json: string): ChangeValues {
  let parsed: Record<string, unknown> = {};
  try {
    const v = JSON.parse(json) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) parsed = v as Record<string, unknown>;
  } catch {
    // A row that is not JSON (never written so) still yields the record's shape.
  }
  const out: ChangeValues = {};
  for (const f of EXPORT_FIELDS) {
    const raw = parsed[f.key];
    out[f.key] = exportValue(f.key, raw === undefined || raw === null ? null : String(raw));
  }
  return out;
}

/** A journaled value as the export shows it: status a number, blank "". */
function exportValue(key: PatronFieldKey, value: string | null): string | number {
  if (key === 'status') return value === null || value === '' ? '' : Number(value);
  return value ?? '';
}
