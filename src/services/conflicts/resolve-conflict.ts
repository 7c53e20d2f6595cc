/**
 * A person's resolution of a conflict of the queue (SPEC §3.9): "link this user to that patron;
 * create a new patron; ignore until the data changes. A resolution takes effect on the next
 * sync and is journaled." Bad input is refused here with the reason, before anything is
 * stored; the store's compare-and-set then decides between two people resolving one item.
 */
import { RollcallError } from '../../domain/errors.ts';
import type { ConflictRecord, Store } from '../../store/store.ts';

/** What a person asks. A link names its patron by id (pages, API) or by Barcode (the CLI, SPEC §8). */
export type ResolveRequest = { action: 'link'; patronId?: number; barcode?: string } | { action: 'create' } | { action: 'ignore' };

/** The roster side of an item, as a sync stored it (ConflictDetail). */
interface StoredSides {
  keys?: { barcode?: string };
}

/** Resolves an open item; refuses with the reason, or tells who resolved it first. */
export async function resolveConflict(
  store: Pick<Store, 'conflicts' | 'patrons'>,
  libraryId: number,
  id: number,
  request: ResolveRequest,
  by: string,
): Promise<ConflictRecord> {
  const item = await requireConflict(store, libraryId, id);
  if (item.state !== 'open') throw new RollcallError('conflict', notOpen(item));
  let patronId: number | null = null;
  if (request.action === 'link') patronId = await linkTarget(store, libraryId, item, request);
  if (request.action === 'create') await mayCreate(store, libraryId, item);
  const outcome = await store.conflicts.resolve(libraryId, id, { action: request.action, patronId, by });
  // "Two people resolving the same conflict: one wins, the other is told."
  if (!outcome.ok) throw new RollcallError('conflict', notOpen(outcome.item));
  return outcome.item;
}

/** The item, or not_found (the same for another library's). */
export async function requireConflict(store: Pick<Store, 'conflicts'>, libraryId: number, id: number): Promise<ConflictRecord> {
  const item = Number.isSafeInteger(id) && id > 0 ? await store.conflicts.get(libraryId, id) : undefined;
  if (!item) throw new RollcallError('not_found', `There is no conflict ${id} in this library.`);
  return item;
}

/** What a person decided, in words: "linked to patron #12", "a new patron", "ignored". */
export function resolutionText(item: Pick<ConflictRecord, 'action' | 'patronId'>): string {
  switch (item.action) {
    case 'link':
      return `link the user to patron #${item.patronId}`;
    case 'create':
      return 'create a new patron';
    case 'ignore':
      return 'ignore it until its data changes';
    case 'none':
      return 'nothing yet';
  }
}

/** Why an item that is not open cannot be resolved: who did what, or why it closed. */
function notOpen(item: ConflictRecord): string {
  if (item.state === 'closed') return `Conflict ${item.id} is closed, nothing to resolve: ${item.note || 'the sync no longer sees it.'}`;
  // A day, not a raw UTC timestamp: this sentence is shown as it is, in no zone of its own.
  const when = item.resolvedAt ? ` on ${item.resolvedAt.slice(0, 10)}` : '';
  return `Conflict ${item.id} was already resolved by ${item.resolvedBy || 'someone'}${when}: ${resolutionText(item)}.`;
}

/**
 * The patron of a link, refused when it does not exist, "already holds another GUID", is the
 * link of another conflict, or when another patron holds the user's GUID (the next sync would
 * match that one by GUID: "a GUID match is final").
 */
async function linkTarget(
  store: Pick<Store, 'conflicts' | 'patrons'>,
  libraryId: number,
  item: ConflictRecord,
  request: { patronId?: number; barcode?: string },
): Promise<number> {
  let id = request.patronId;
  if (id === undefined) {
    const barcode = (request.barcode ?? '').trim();
    if (barcode === '') throw new RollcallError('usage', 'Name the patron to link: its Barcode (--link-barcode B) or its id.');
    const holders = await store.patrons.idsHolding(libraryId, 'barcode', barcode);
    if (holders.length === 0) throw new RollcallError('not_found', `No patron has the Barcode ${barcode}.`);
    if (holders.length > 1)
      throw new RollcallError(
        'invalid_input',
        `${holders.length} patrons have the Barcode ${barcode} (#${holders.join(', #')}): link by patron on the Conflicts page.`,
      );
    id = holders[0]!;
  }
  const patron = Number.isSafeInteger(id) && id > 0 ? await store.patrons.get(libraryId, id) : undefined;
  if (!patron) throw new RollcallError('not_found', `There is no patron #${id} in this library (deleted?).`);
  const guid = patron.guid.trim();
  if (guid !== '' && guid !== item.sourcedId) {
    throw new RollcallError(
      'conflict',
      `Patron #${patron.id} already holds another GUID (${guid}): linking would take it from that user. An admin may clear it on the patron's page first, or create a new patron.`,
    );
  }
  const others = (await store.patrons.idsHolding(libraryId, 'guid', item.sourcedId)).filter((p) => p !== patron.id);
  if (others.length > 0) {
    throw new RollcallError(
      'conflict',
      `Patron #${others.join(', #')} holds this user's GUID: the next sync would match it, not #${patron.id}.`,
    );
  }
  const taken = await store.conflicts.linksTo(libraryId, patron.id, item.id);
  if (taken.length > 0) {
    throw new RollcallError(
      'conflict',
      `Patron #${patron.id} is already the link of conflict ${taken[0]!.id} (user ${taken[0]!.sourcedId}).`,
    );
  }
  return patron.id;
}

/**
 * A new patron is refused when a patron already holds the user's GUID (it is the user's record),
 * and never duplicates a barcode: when the user's mapped Barcode is another patron's, "create"
 * is refused (link to that patron instead, or fix the barcode on one side).
 */
async function mayCreate(store: Pick<Store, 'patrons'>, libraryId: number, item: ConflictRecord): Promise<void> {
  // A patron holding the user's GUID is its own ("a GUID match is final"): a new one would be a second record.
  const own = await store.patrons.idsHolding(libraryId, 'guid', item.sourcedId);
  if (own.length > 0) {
    throw new RollcallError(
      'conflict',
      `Patron #${own.join(', #')} already hold${own.length === 1 ? 's' : ''} this user's GUID: a new patron would be another record of the same person. An admin may clear the GUID on all but one.`,
    );
  }
  const barcode = (item.detail as StoredSides | null)?.keys?.barcode ?? '';
  const holders = await store.patrons.idsHolding(libraryId, 'barcode', barcode);
  if (holders.length > 0) {
    throw new RollcallError(
      'conflict',
      `The user's Barcode ${barcode} is patron #${holders.join(', #')}'s: a new patron would duplicate it. Link the user to that patron, or correct the barcode on one side.`,
    );
  }
}
