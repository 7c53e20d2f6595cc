/**
 * Field locks (SPEC §3.8): "a librarian may lock a field of one patron (e.g. a preferred name, a
 * hand-fixed phone); a sync never writes a locked field and its plan says so ("locked, kept").
 * Locks are listed and removable." The pages, the API and `rollcall patrons lock|unlock|locks`
 * all come through here; the rule itself is the sync core's (src/sync/core/locks.ts).
 *
 * A field is named by its JSON key of the export (`firstName`) or its number (`1007`), as SPEC
 * §8 says. Only the fields a sync writes can be locked: Policy and Nickname are never written
 * after a patron is created, so a lock there would promise nothing.
 *
 * Undo (SPEC §3.9) is a person's explicit act, not a sync: it restores a locked field like any
 * other (the undo preview lists each such field; src/services/operations/undo-operation.ts).
 */
import { RollcallError } from '../../domain/errors.ts';
import { FIELDS, fieldByNumber, type FieldDefinition, type PatronFieldKey } from '../../domain/fields.ts';
import type { FieldLockRecord, Store } from '../../store/store.ts';
import { LOCKABLE_FIELDS } from '../../sync/core/locks.ts';
import { requirePatron } from './find-patron.ts';

const BY_KEY = new Map<string, FieldDefinition>(FIELDS.map((f) => [f.key.toLowerCase(), f]));
const LOCKABLE = new Set<PatronFieldKey>(LOCKABLE_FIELDS);

/** A lock as listed (`patrons locks --json`, GET /api/v1/patrons/locks). */
export interface FieldLockJson {
  /** The patron's id. */
  patronId: number;
  /** Its GUID, Barcode and name, as they are now. */
  guid: string;
  barcode: string;
  firstName: string;
  lastName: string;
  /** The locked field's JSON key (`firstName`). */
  field: PatronFieldKey;
  /** Its number (1007) and label (`First Name`). */
  fieldNumber: number;
  fieldLabel: string;
  /** Who locked it, and when (ISO 8601 UTC). */
  lockedBy: string;
  lockedAt: string;
}

/**
 * The fields named, in the field table's order, each once: a JSON key (any case) or a field
 * number. Every name is checked before anything is written: an unknown one, or a field no sync
 * writes, is refused with a sentence naming it.
 */
export function lockableFields(names: readonly string[]): PatronFieldKey[] {
  if (names.length === 0)
    throw new RollcallError('usage', 'Name at least one field: a JSON key of the export (firstName) or a field number (1007).');
  const found = new Set<PatronFieldKey>();
  for (const raw of names) {
    const name = raw.trim();
    const def = /^\d+$/.test(name) ? fieldByNumber(Number(name)) : BY_KEY.get(name.toLowerCase());
    if (!def) {
      throw new RollcallError(
        'invalid_input',
        `"${name}" is not a patron field: name it by its JSON key of the export (firstName, phone, …) or its number (1007, 1017, …).`,
      );
    }
    if (!LOCKABLE.has(def.key)) {
      throw new RollcallError('invalid_input', `${def.label} (${def.number}) is never written by a sync, so there is nothing to lock.`);
    }
    found.add(def.key);
  }
  return FIELDS.map((f) => f.key).filter((k) => found.has(k));
}

/** What a lock or unlock did. */
export interface LockOutcome {
  /** The patron. */
  patronId: number;
  /** Its name, `First Last` ('' when blank). */
  name: string;
  /** The fields it was asked for. */
  fields: PatronFieldKey[];
  /** How many locks were added or removed (a field locked already, or not locked, is left as it was). */
  changed: number;
  /** The patron's locked fields now. */
  locked: PatronFieldKey[];
}

/** Locks fields of one patron of the library (by its id): no sync writes them until they are unlocked. */
export async function lockFields(
  store: Pick<Store, 'patrons' | 'locks'>,
  libraryId: number,
  patronId: number,
  names: readonly string[],
  by: string,
): Promise<LockOutcome> {
  const fields = lockableFields(names);
  const patron = await requirePatron(store, libraryId, patronId);
  const changed = await store.locks.lock(libraryId, patron.id, fields, by);
  return outcome(store, libraryId, patron, fields, changed);
}

/** Unlocks fields of one patron of the library: the next sync writes them again. */
export async function unlockFields(
  store: Pick<Store, 'patrons' | 'locks'>,
  libraryId: number,
  patronId: number,
  names: readonly string[],
): Promise<LockOutcome> {
  const fields = lockableFields(names);
  const patron = await requirePatron(store, libraryId, patronId);
  const changed = await store.locks.unlock(libraryId, patron.id, fields);
  return outcome(store, libraryId, patron, fields, changed);
}

/**
 * Makes a patron's locks among `offered` exactly `wanted` (the edit form's "keep my value"
 * boxes: a box left unticked unlocks its field; fields not offered are left alone). Returns how
 * many locks were added or removed.
 */
export async function setOfferedLocks(
  store: Pick<Store, 'locks'>,
  libraryId: number,
  patronId: number,
  offered: readonly PatronFieldKey[],
  wanted: readonly PatronFieldKey[],
  by: string,
): Promise<number> {
  const want = new Set(wanted.filter((k) => offered.includes(k)));
  const now = new Set((await store.locks.ofPatron(libraryId, patronId)).map((l) => l.field));
  const add = [...want].filter((k) => !now.has(k));
  const remove = offered.filter((k) => now.has(k) && !want.has(k));
  let changed = 0;
  if (add.length > 0) changed += await store.locks.lock(libraryId, patronId, add, by);
  if (remove.length > 0) changed += await store.locks.unlock(libraryId, patronId, remove);
  return changed;
}

/** Every lock of the library, by patron name, as listed. */
export async function listLocks(store: Pick<Store, 'locks'>, libraryId: number): Promise<FieldLockJson[]> {
  return (await store.locks.list(libraryId)).map(lockJson);
}

/** One patron's locks (not_found for another library's patron). */
export async function patronLocks(store: Pick<Store, 'patrons' | 'locks'>, libraryId: number, patronId: number): Promise<FieldLockJson[]> {
  await requirePatron(store, libraryId, patronId);
  return (await store.locks.ofPatron(libraryId, patronId)).map(lockJson);
}

/** A stored lock as listed. */
export function lockJson(r: FieldLockRecord): FieldLockJson {
  const def = FIELDS.find((f) => f.key === r.field);
  return {
    patronId: r.patronId,
    guid: r.guid,
    barcode: r.barcode,
    firstName: r.firstName,
    lastName: r.lastName,
    field: r.field,
    fieldNumber: def?.number ?? 0,
    fieldLabel: def?.label ?? r.field,
    lockedBy: r.lockedBy,
    lockedAt: r.lockedAt,
  };
}

async function outcome(
  store: Pick<Store, 'locks'>,
  libraryId: number,
  patron: { id: number; firstName: string; lastName: string },
  fields: PatronFieldKey[],
  changed: number,
): Promise<LockOutcome> {
  const locked = (await store.locks.ofPatron(libraryId, patron.id)).map((l) => l.field);
  const name = [patron.firstName, patron.lastName].filter((s) => s !== '').join(' ');
  return { patronId: patron.id, name, fields, changed, locked: FIELDS.map((f) => f.key).filter((k) => locked.includes(k)) };
}
