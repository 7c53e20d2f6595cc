/**
 * Phase 3 of a sync (SPEC §3): write a plan's patron changes. The caller wraps this in one
 * transaction with whatever else must land with it (the operation's outcome, the barcode
 * sequence, the delta watermark), so a sync that dies before commit leaves patrons exactly as
 * they were. Patrons the plan left unchanged are not written at all.
 */
import type { Patron } from '../domain/patron.ts';
import type { JournalRepository, JournalWrite, PatronRepository } from '../store/store.ts';
import type { PatronUpdate, PatronWrite } from '../store/records.ts';
import type { Change, OwnershipClaim } from './core/types.ts';

/** New rows per insert call: bounds the rows held at once, large enough to cost nothing per call. */
const INSERT_CHUNK_ROWS = 10_000;

/** What apply wrote. */
export interface ApplyResult {
  /** Patrons created. */
  created: number;
  /** Patrons overwritten (updates, transfers, reactivations, ownership claims). */
  written: number;
}

/** The repositories apply writes through: the caller's transaction's. */
export interface ApplyRepositories {
  /** The patrons written. */
  patrons: PatronRepository;
  /** Their journal (SPEC §3.9), written alongside. */
  journal: JournalRepository;
}

/**
 * Writes the patron changes of a plan (creates, updates, transfers, reactivations) and its
 * ownership claims, stamping each row with the operation that wrote it, and journals each
 * changed field (SPEC §3.9: "Each applied change is journaled per patron and field"). A create
 * is journaled as one row (field `*`, the created values as JSON, built by the database from the
 * rows just inserted): see store/journal.ts.
 * Ownership claims change no patron field (only who owns the GUID), so they are not journaled.
 * `patronsById` supplies the full rows that ownership claims keep unchanged but for GUID
 * ownership and match record.
 */
export async function applyChanges(
  repos: ApplyRepositories,
  libraryId: number,
  operationId: number,
  changes: readonly Change[],
  claims: readonly OwnershipClaim[],
  patronsById: ReadonlyMap<number, Patron>,
): Promise<ApplyResult> {
  const { patrons, journal } = repos;
  const by = { operationId };
  let inserts: PatronWrite[] = [];
  let created = 0;
  const insertChunk = async () => {
    const ids = await patrons.insertMany(libraryId, inserts);
    await journal.appendCreated(libraryId, by, ids, 'create');
    created += ids.length;
    inserts = [];
  };
  const updates: PatronUpdate[] = [];
  const journaled: JournalWrite[] = [];
  for (const c of changes) {
    switch (c.kind) {
      case 'create':
        inserts.push({ ...c.values, guidSource: c.guidSource, matchedBy: c.matchedBy, lastSyncOperationId: operationId });
        // Written in chunks, so a first sync of a large district never holds every new row at once.
        if (inserts.length >= INSERT_CHUNK_ROWS) await insertChunk();
        break;
      case 'update':
      case 'transfer':
      case 'reactivate':
        // Only the fields the plan changes: the others stay as they are in the store, even if
        // a librarian edited one after the sync read it.
        updates.push({
          id: c.patronId,
          ...c.values,
          guidSource: c.guidSource,
          matchedBy: c.matchedBy,
          lastSyncOperationId: operationId,
          fields: c.diff.map((d) => d.field),
        });
        for (const d of c.diff) journaled.push({ patronId: c.patronId, field: d.field, oldValue: d.from, newValue: d.to, kind: c.kind });
        break;
      case 'skip':
      case 'conflict':
        break;
    }
  }
  for (const claim of claims) {
    const p = patronsById.get(claim.patronId);
    // A claim on a patron that has gone (cannot happen within one transaction) is not invented.
    if (!p) continue;
    const { id, guidSource: _g, matchedBy: _m, ...values } = p;
    updates.push({ id, ...values, guidSource: claim.guidSource, matchedBy: claim.matchedBy, lastSyncOperationId: operationId, fields: [] });
  }
  if (inserts.length > 0) await insertChunk();
  const written = updates.length > 0 ? await patrons.updateMany(libraryId, updates) : 0;
  await journal.append(libraryId, by, journaled);
  return { created, written };
}
