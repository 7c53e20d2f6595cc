/**
 * The conflict queue as the plan sees it (SPEC §3.9): "Conflicts are a queue, not only log
 * lines: each open conflict shows both sides and offers the resolutions (link this user to
 * that patron; create a new patron; ignore until the data changes). A resolution takes effect
 * on the next sync."
 *
 * The queue is INPUT to the pure plan (the items not closed, with what a person decided) and the
 * plan says back what the queue records when it is applied (`QueueEvent`s). The rules, each
 * quoted where plan.ts applies it:
 * - link: the next sync matches the user to that patron as by GUID (final; the secondary keys
 *   are not consulted and another user's keys pass the patron over). Not applied — and the
 *   item is open again if the conflict is still seen — when the patron was deleted, holds
 *   another GUID, is linked to another user, or another patron holds the user's GUID.
 * - create: the next sync creates a new patron for the user despite its secondary keys (only a
 *   patron holding its GUID is still its own) — unless its mapped Barcode is another patron's:
 *   a new patron never duplicates a barcode, so the conflict stays.
 * - ignore: the conflict is planned as a skip ("stays quiet": no warning, no conflict count)
 *   while the fingerprint of both sides' key values is the one it was ignored with; a change
 *   on either side opens it again.
 * - "an item closes by itself when a sync no longer sees the conflict": only a sync that read
 *   the user can say so. A complete full sync read everyone (a user absent from it left the
 *   roster); a delta, or an incomplete full sync, read only the users in its snapshot, so it
 *   closes only their items, and leaves the others as they are.
 */
import type { Patron } from '../../domain/patron.ts';
import type { ConflictCause, QueuedConflict, Snapshot } from './types.ts';

/** The key values a fingerprint covers, normalised as matching compares them. */
export type KeyValues = Partial<Record<'communityId' | 'barcode' | 'email', string>>;

/**
 * "Ignore until the data changes": a fingerprint of both sides — the user's key values, each
 * patron it points at (id, GUID and the values of the keys matching uses) and the rival users.
 * Names, and keys that are not mapped, are not in it: a conflict is about who is who, and a
 * corrected spelling does not make it another one.
 */
export function conflictFingerprint(
  cause: ConflictCause,
  keys: KeyValues,
  patrons: readonly Patron[],
  rivals: readonly string[],
  mapped: (key: 'communityId' | 'barcode') => boolean,
): string {
  const side = (k: KeyValues) =>
    [mapped('communityId') ? (k.communityId ?? '') : '', mapped('barcode') ? (k.barcode ?? '') : '', (k.email ?? '').toLowerCase()].map(
      (v) => v.trim(),
    );
  const canonical = JSON.stringify([
    cause,
    side(keys),
    [...patrons].sort((a, b) => a.id - b.id).map((p) => [p.id, p.guid.trim(), ...side(p)]),
    [...rivals].sort(),
  ]);
  return hash53(canonical);
}

/** A 53-bit string hash (cyrb53) as 14 hex digits: a short stored fingerprint, no crypto needed. */
function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** The queue's items by user, and which of a user's items carries the resolution a plan applies. */
export class QueueView {
  private readonly byUser = new Map<string, QueuedConflict[]>();

  constructor(readonly items: readonly QueuedConflict[]) {
    for (const item of items) {
      const id = item.sourcedId.trim();
      const list = this.byUser.get(id);
      if (list) list.push(item);
      else this.byUser.set(id, [item]);
    }
  }

  /** The user's item of this kind, if the queue holds one. */
  item(sourcedId: string, cause: ConflictCause): QueuedConflict | undefined {
    return this.byUser.get(sourcedId)?.find((i) => i.cause === cause);
  }

  /**
   * The link or create a plan applies for this user: one decision per person (a user conflicts
   * for one reason at a time; should two items carry one, the latest resolved wins).
   */
  resolution(sourcedId: string): QueuedConflict | undefined {
    let found: QueuedConflict | undefined;
    for (const i of this.byUser.get(sourcedId) ?? []) {
      if ((i.action === 'link' || i.action === 'create') && (!found || i.id > found.id)) found = i;
    }
    return found;
  }

  /** Every user with a link, and the patron it names. */
  links(): QueuedConflict[] {
    const out: QueuedConflict[] = [];
    for (const id of this.byUser.keys()) {
      const r = this.resolution(id);
      if (r?.action === 'link' && r.patronId !== null) out.push(r);
    }
    return out.sort((a, b) => a.id - b.id);
  }
}

/** Whether this sync read the user, so it can say the user's conflict is gone (see the header). */
export function syncSaw(snapshot: Pick<Snapshot, 'kind' | 'complete'>, present: ReadonlySet<string>, sourcedId: string): boolean {
  return (snapshot.kind === 'full' && snapshot.complete) || present.has(sourcedId);
}

/** Why an item closes, in one line for the queue. */
export function closingNote(how: 'linked' | 'created' | 'left' | 'gone', patronLabel = ''): string {
  switch (how) {
    case 'linked':
      return `Resolved: linked to patron ${patronLabel} by this sync.`;
    case 'created':
      return 'Resolved: a new patron was created by this sync.';
    case 'left':
      return 'Closed: the user is no longer in the roster.';
    case 'gone':
      return 'Closed: the sync no longer sees this conflict.';
  }
}
