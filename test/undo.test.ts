/**
 * Undo of an operation (SPEC §3.9) through the store on SQLite and PostgreSQL, against the
 * emulator: a sync with bad data is undone field for field (compared as full exports), fields
 * changed since are listed and kept, the undo is undone, and what cannot be undone is refused in
 * one line with nothing changed. Undo and sync share the library's one active-operation slot.
 */
import { expect, it } from 'vitest';
import { STATUS_TRANSFERRED } from '../src/domain/fields.ts';
import { exportPatrons, type ExportedPatron } from '../src/services/patrons/export-patrons.ts';
import { applyUndo, previewUndo, undoJson } from '../src/services/operations/undo-operation.ts';
import { operationTypeName } from '../src/domain/operation.ts';
import { enqueueSync, syncKey } from '../src/jobs/enqueue.ts';
import { LocalQueue } from '../src/jobs/local-queue.ts';
import { reapStale } from '../src/jobs/reap-stale.ts';
import { refusal } from './support/caught.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, usersAt, type SyncFixture } from './support/sync-fixture.ts';

async function exported(f: SyncFixture): Promise<ExportedPatron[]> {
  let text = '';
  await exportPatrons(f.store, f.libraryId, { format: 'json' }, (chunk) => {
    text += chunk;
  });
  return JSON.parse(text) as ExportedPatron[];
}

/** Applies the undo of `id` after its preview, as the pages do; the applied result. */
async function undo(f: SyncFixture, id: number) {
  const preview = await previewUndo(f.store, f.libraryId, id);
  const result = await applyUndo(f.store, f.libraryId, id, { requestedBy: 'test', expect: preview });
  if (result.status !== 'applied') throw new Error('the undo was not applied');
  return { preview, result };
}

/** The reaper's stale-after time in these tests (the fixture's clock is moved past it). */
const STALE_MS = 60_000;

describeEachDatabase('undo of an operation', (db) => {
  const setUp = syncFixtures(db);

  /** A library after a first sync, then a sync with bad data: renamed students, one tobedeleted, one new, an imported patron linked. */
  async function badSync(f: SyncFixture) {
    const students = usersAt(f, 'student', f.schoolIds[0]!);
    // A patron of the library's own, which the bad sync links by email (GUID set: an update).
    const email = students[5]!.email;
    f.emulator.mutate.removeUser(students[5]!.sourcedId);
    await f.sync('full');
    const imported = await f.addPatron({ firstName: 'Local', lastName: 'Person', email, site: 'ES', policy: 'Student' });
    f.emulator.mutate.addUser({ ...students[5]!, sourcedId: 'stu-relinked' });
    const before = await exported(f);
    for (const k of [0, 1, 2]) f.emulator.mutate.changeUser(students[k]!.sourcedId, { givenName: `BAD${k}`, familyName: `DATA${k}` });
    f.emulator.mutate.markToBeDeleted(students[3]!.sourcedId);
    f.emulator.mutate.addUser({
      sourcedId: 'stu-bogus',
      role: 'student',
      orgSourcedIds: [f.schoolIds[0]!],
      givenName: 'Bo',
      familyName: 'Gus',
    });
    const sync = (await f.sync('full')).operation;
    return { students, imported, before, sync };
  }

  it('restores a library to its state before a sync field for field, keeps and lists fields changed since; undo of the undo restores the sync', async () => {
    const f = await setUp();
    const { students, imported, before, sync } = await badSync(f);
    expect(sync.counts).toMatchObject({ created: 1, transferred: 1 });
    const after = await exported(f);
    // A librarian fixed one bad name by hand since: that field is kept, listed with its reason.
    const fixed = (await f.patronByGuid(students[0]!.sourcedId))!;
    await f.editPatron(fixed.id, { lastName: 'Handfixed' });

    const preview = await previewUndo(f.store, f.libraryId, sync.id);
    expect(preview.name).toBe('ClassLink Full Sync');
    expect(preview.kept).toBe(1);
    expect(preview.keptFields[0]).toMatchObject({ patronId: fixed.id, field: 'lastName', wrote: 'DATA0', now: 'Handfixed' });
    expect(preview.keptFields[0]!.reason).toMatch(/^changed since/);
    // What the sync changed, worked out from the two exports: every field of a patron that
    // existed before, less the one kept, plus the one create.
    const changed = before.map((p, i) =>
      Object.keys(p).filter((k) => p[k as keyof ExportedPatron] !== after[i]![k as keyof ExportedPatron]),
    );
    expect(changed.flat()).toEqual(expect.arrayContaining(['firstName', 'lastName', 'status', 'guid']));
    expect(preview.reverted).toBe(changed.flat().length - 1 + 1);
    expect(preview.patrons).toEqual({ transferred: 1, reactivated: 1, updated: changed.filter((c) => c.length > 0).length - 1 });

    const { result } = await undo(f, sync.id);
    if (result.status !== 'applied') throw new Error('not applied');
    expect(undoJson(result)).toEqual({
      operation: result.operation.id,
      state: 'succeeded_with_warnings',
      reverted: preview.reverted,
      kept: 1,
    });
    expect(result.operation.undoOf).toEqual({ id: sync.id, type: sync.type });
    expect(operationTypeName(result.operation.type, result.operation.source, result.operation.undoOf)).toBe(
      `Undo of ClassLink Full Sync ${sync.id}`,
    );
    expect(result.undone.undoneBy).toBe(result.operation.id);

    const undone = await exported(f);
    // Every patron that existed before the sync is as it was, field for field, but the kept one.
    const expected = before.map((p, i) => (i === before.findIndex((q) => q.guid === fixed.guid) ? { ...p, lastName: 'Handfixed' } : p));
    expect(undone.slice(0, before.length)).toEqual(expected);
    // The patron the sync created is still there (never deleted), set Transferred.
    expect(undone.slice(before.length)).toEqual([{ ...after[before.length]!, status: STATUS_TRANSFERRED }]);
    expect(undone.find((p) => p.email === imported.email)!.guid).toBe('');
    expect((await f.store.patrons.get(f.libraryId, imported.id))!.guidSource).toBeNull();

    // The undo is itself an operation, journaled, and can be undone: the sync's result comes back.
    const again = await undo(f, result.operation.id);
    expect(again.preview.name).toBe(`Undo of ClassLink Full Sync ${sync.id}`);
    expect(again.preview.kept).toBe(0);
    const redone = await exported(f);
    expect(redone).toEqual(after.map((p) => (p.guid === fixed.guid ? { ...p, lastName: 'Handfixed' } : p)));
    expect(operationTypeName(again.result.operation.type, '', again.result.operation.undoOf)).toBe(`Undo of Undo ${result.operation.id}`);
  });

  it('refuses, in one line and changing nothing, an operation running, held, failed, already undone, of another library, or that wrote nothing', async () => {
    const f = await setUp();
    const first = (await f.sync('full')).operation;
    const nothing = (await f.sync('full')).operation; // the same roster again: writes nothing (SPEC §3.6)
    const dry = (await f.sync('full', { dryRun: true })).operation;
    const revision = await f.revision();
    expect(await refusal(previewUndo(f.store, f.libraryId, nothing.id))).toBe(
      `Operation ${nothing.id} (ClassLink Full Sync) wrote nothing: there is nothing to undo.`,
    );
    expect(await refusal(applyUndo(f.store, f.libraryId, dry.id, { requestedBy: 't' }))).toBe(
      `Operation ${dry.id} (Dry Run) is a dry run: it wrote nothing to undo.`,
    );
    const other = await db.newLibrary('Another library');
    expect(await refusal(applyUndo(f.store, other.id, first.id, { requestedBy: 't' }))).toBe(
      `There is no operation ${first.id} in this library.`,
    );

    const held = (await f.store.operations.create(f.libraryId, { type: first.type, source: 'classlink', requestedBy: 't' })).operation;
    expect(await refusal(applyUndo(f.store, f.libraryId, held.id, { requestedBy: 't' }))).toMatch(
      /is still queued: undo it once it has finished\.$/,
    );
    await f.store.operations.finish(f.libraryId, held.id, { state: 'needs_review' });
    expect(await refusal(applyUndo(f.store, f.libraryId, held.id, { requestedBy: 't' }))).toMatch(
      /is held for review and wrote nothing yet/,
    );
    await f.store.operations.finish(f.libraryId, held.id, { state: 'failed', error: 'Rejected' });
    expect(await refusal(applyUndo(f.store, f.libraryId, held.id, { requestedBy: 't' }))).toMatch(
      /failed and wrote nothing: there is nothing to undo\.$/,
    );
    expect(await f.revision()).toBe(revision);

    // Every field it wrote changed since: nothing to put back, so no undo (the preview lists them all as kept).
    const renamed = (await f.patrons()).find((p) => p.policy === 'Student')!;
    f.emulator.mutate.changeUser(renamed.guid, { familyName: 'Once' });
    const once = (await f.sync('full')).operation;
    await f.editPatron(renamed.id, { lastName: 'Fixed by hand' });
    expect(await previewUndo(f.store, f.libraryId, once.id)).toMatchObject({ reverted: 0, kept: 1 });
    expect(await refusal(applyUndo(f.store, f.libraryId, once.id, { requestedBy: 't' }))).toBe(
      `Every field operation ${once.id} wrote was changed since (or its patrons deleted): there is nothing to put back.`,
    );
    const revisionNow = await f.revision();

    const { result } = await undo(f, first.id);
    if (result.status !== 'applied') throw new Error('not applied');
    const after = await f.revision();
    expect(await refusal(applyUndo(f.store, f.libraryId, first.id, { requestedBy: 't' }))).toBe(
      `Operation ${first.id} (ClassLink Full Sync) was already undone by operation ${result.operation.id}.`,
    );
    expect(await f.revision()).toBe(after);
    expect(after).toBeGreaterThan(revisionNow);
    // No failed undo operations were left behind by the refusals.
    const undos = (await f.store.operations.list(f.libraryId)).filter((o) => o.type === 'undo');
    expect(undos.map((o) => o.id)).toEqual([result.operation.id]);
  });

  it('previews again instead of applying when the confirmation carries other counts than are found now', async () => {
    const f = await setUp();
    const { sync } = await badSync(f);
    const preview = await previewUndo(f.store, f.libraryId, sync.id);
    const revision = await f.revision();
    const result = await applyUndo(f.store, f.libraryId, sync.id, {
      requestedBy: 't',
      expect: { reverted: preview.reverted + 1, kept: 0 },
    });
    expect(result).toMatchObject({ status: 'changed', preview: { reverted: preview.reverted, kept: preview.kept } });
    expect(await f.revision()).toBe(revision);
    expect((await f.operation(sync.id)).undoneBy).toBeNull();
    // Seen before the slot is taken: a stale preview leaves no operation behind.
    expect((await f.store.operations.list(f.libraryId)).filter((o) => o.type === 'undo')).toEqual([]);
  });

  it('checks the preview again inside its transaction: a change landing after the first check is seen, and nothing is applied', async () => {
    const f = await setUp();
    const { students, sync } = await badSync(f);
    const preview = await previewUndo(f.store, f.libraryId, sync.id);
    const victim = (await f.patronByGuid(students[1]!.sourcedId))!;
    // A hand edit lands just after the check before the slot is taken (as another process's would).
    const racing = {
      ...f.store,
      operations: {
        ...f.store.operations,
        create: async (...args: Parameters<typeof f.store.operations.create>) => {
          await f.editPatron(victim.id, { firstName: 'Racer' });
          return f.store.operations.create(...args);
        },
      },
    };
    const result = await applyUndo(racing, f.libraryId, sync.id, { requestedBy: 't', expect: preview });
    expect(result).toMatchObject({ status: 'changed', preview: { reverted: preview.reverted - 1, kept: preview.kept + 1 } });
    expect((await f.patronByGuid(students[2]!.sourcedId))!.firstName).toBe('BAD2'); // nothing put back
    expect((await f.operation(sync.id)).undoneBy).toBeNull();
    const undo = (await f.store.operations.list(f.libraryId)).find((o) => o.type === 'undo')!;
    expect(undo).toMatchObject({
      state: 'failed',
      error: 'The patrons changed between the preview and the undo; nothing was applied. Preview it again.',
    });
  });

  it('never interleaves with a sync of the library: each is refused while the other runs', async () => {
    const f = await setUp();
    const first = (await f.sync('full')).operation;
    // A sync running (as a worker holds it): an undo is refused, naming it.
    const running = (await f.store.operations.create(f.libraryId, { type: first.type, source: 'classlink', requestedBy: 't' })).operation;
    await f.store.operations.start(f.libraryId, running.id);
    const revision = await f.revision();
    expect(await refusal(applyUndo(f.store, f.libraryId, first.id, { requestedBy: 't' }))).toBe(
      `A sync is running: try after operation ${running.id}.`,
    );
    expect(await f.revision()).toBe(revision);
    await f.store.operations.finish(f.libraryId, running.id, { state: 'failed', error: 'stopped' });

    // An undo running: a sync asked meanwhile is refused, naming it, and starts nothing.
    const undoing = (
      await f.store.operations.create(f.libraryId, {
        type: 'undo',
        source: 'classlink',
        requestedBy: 't',
        undoOf: { id: first.id, type: first.type },
        running: true,
      })
    ).operation;
    expect(await refusal(f.sync('full'))).toBe(`An undo is running: try after operation ${undoing.id}.`);
    // Queued the way Sync Now and Daily Operations queue it: refused too, and no job is sent.
    const queue = new LocalQueue();
    expect(await refusal(enqueueSync(queue, f.store, f.libraryId, { kind: 'delta', dryRun: false, requestedBy: 'schedule' }))).toBe(
      `An undo is running: try after operation ${undoing.id}.`,
    );
    expect(await queue.waiting('sync', syncKey(f.libraryId))).toBe(false);

    // An undo whose process stopped is failed by the reaper like a sync, but never retried (its
    // apply is one transaction: nothing was applied; a person asks again, after a new preview).
    f.advance(2 * STALE_MS);
    const reaped = await reapStale({ store: f.store, syncDeps: f.deps, queue, staleAfterMs: STALE_MS });
    expect(reaped.ok).toBe(true);
    expect(await f.operation(undoing.id)).toMatchObject({ state: 'failed' });
    expect((await f.store.operations.list(f.libraryId, { limit: 1 }))[0]!.id).toBe(undoing.id);
    expect((await f.log(undoing.id)).map((l) => l.message)).toContain('Not retried: an undo is asked for again, after its preview.');
    expect((await f.store.operations.list(f.libraryId, { limit: 1 }))[0]!.id).toBe(undoing.id);
    expect(await f.revision()).toBe(revision);
  });
});
