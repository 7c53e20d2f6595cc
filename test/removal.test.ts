/**
 * End-of-year removal (SPEC §3.10) on SQLite and PostgreSQL: the preview, the archive and the
 * removal select exactly the same patrons for every part of the rule; nothing outside the rule is
 * touched; the archive re-imports to the same records field for field; the refusals (nothing
 * matches, Active without the explicit yes, a stale count, an archive that cannot be written, a
 * running sync) remove nothing; a removal is journaled one `*` row per patron; a deleted patron's
 * sessions end and conflict items close; `status_changed_at` follows every Status write.
 */
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { parseRemovalRule, type RemovalRule } from '../src/domain/removal.ts';
import { exportPatrons, type ExportedPatron } from '../src/services/patrons/export-patrons.ts';
import { importPatrons } from '../src/services/patrons/import-patrons.ts';
import { applyUndo } from '../src/services/operations/undo-operation.ts';
import { deletePatron, previewRemoval, removalArchive, removePatrons } from '../src/services/patrons/remove-patrons.ts';
import { openDatabase } from '../src/store/db.ts';
import { backfillStatusChangedAt } from '../src/store/migrations/0011-removal.ts';
import type { PatronWrite, Store } from '../src/store/store.ts';
import { refusal } from './support/caught.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, usersAt } from './support/sync-fixture.ts';

async function exported(store: Store, libraryId: number): Promise<ExportedPatron[]> {
  let text = '';
  await exportPatrons(store, libraryId, { format: 'json' }, (chunk) => {
    text += chunk;
  });
  return JSON.parse(text) as ExportedPatron[];
}

function patron(n: number, values: Partial<PatronWrite>): PatronWrite {
  return {
    ...emptyPatronValues(),
    guid: `g-${n}`,
    barcode: `B${n}`,
    firstName: `First${n}`,
    lastName: `Last${n}`,
    email: `p${n}@example.org`,
    birthdate: `2010-05-0${(n % 9) + 1}`,
    sex: n % 2 === 0 ? 'Female' : 'Male',
    level: '07',
    site: 'MAIN',
    status: 1,
    policy: 'Student',
    guidSource: null,
    matchedBy: null,
    ...values,
  };
}

describeEachDatabase('end-of-year removal', (db) => {
  /** A library of 40 patrons with a clock: statuses, sites, policies and Status change times vary. */
  async function library() {
    let clock = new Date('2026-01-10T12:00:00.000Z');
    const store = await db.open({ now: () => clock });
    const lib = await db.newLibrary();
    await store.sites.add(lib.id, { code: 'MAIN', name: 'Main' });
    await store.sites.add(lib.id, { code: 'WEST', name: 'West' });
    const rows: PatronWrite[] = [];
    for (let n = 0; n < 40; n++) {
      rows.push(
        patron(n, {
          site: n % 3 === 0 ? 'WEST' : 'MAIN',
          status: n % 4 === 0 ? 4 : n % 7 === 0 ? 2 : 1,
          policy: n % 5 === 0 ? 'Teacher' : 'Student',
          ...(n === 39 ? { guid: '' } : {}),
        }),
      );
    }
    // Inserted on January 10th: the four-multiples are Transferred from then.
    const ids = await store.patrons.insertMany(lib.id, rows);
    // March 1st: a sync sets ten more Transferred (their Status changes then).
    clock = new Date('2026-03-01T02:00:00.000Z');
    const later = ids.filter((_, n) => n % 4 === 1).slice(0, 10);
    const current = await store.patrons.getMany(lib.id, later);
    await store.patrons.updateMany(
      lib.id,
      current.map((p) => ({ ...p, status: 4, guidSource: null, matchedBy: null, fields: ['status'] as const })),
    );
    // A write that leaves Status as it is does not move its time.
    const kept = (await store.patrons.getMany(lib.id, [ids[0]!]))[0]!;
    clock = new Date('2026-04-01T02:00:00.000Z');
    await store.patrons.updateMany(lib.id, [{ ...kept, level: '08', guidSource: null, matchedBy: null }]);
    clock = new Date('2026-07-01T02:00:00.000Z');
    return { store, lib, ids, setClock: (d: string) => (clock = new Date(d)) };
  }

  /** Every id the preview lists, paging through. */
  async function previewIds(store: Store, libraryId: number, rule: RemovalRule): Promise<{ ids: number[]; total: number }> {
    const ids: number[] = [];
    let total = 0;
    for (let offset = 0; ; offset += 7) {
      const page = await previewRemoval(store, libraryId, rule, { limit: 7, offset });
      total = page.total;
      ids.push(...page.items.map((p) => p.id));
      if (page.items.length < 7) break;
    }
    return { ids, total };
  }

  it('keeps when Status last changed through inserts, sync writes and hand edits', async () => {
    const { store, lib, ids, setClock } = await library();
    const at = async (id: number) =>
      (await sql<{ t: string | null }>`select status_changed_at as t from patrons where id = ${id}`.execute(await kysely())).rows[0]!.t;
    expect(await at(ids[0]!)).toBe('2026-01-10T12:00:00.000Z'); // inserted Transferred; a later write of Level did not move it
    expect(await at(ids[1]!)).toBe('2026-03-01T02:00:00.000Z'); // set Transferred by a sync write
    setClock('2026-08-01T00:00:00.000Z');
    await store.patrons.edit(lib.id, ids[2]!, { status: 4 }, { editedBy: 'amy' });
    expect(await at(ids[2]!)).toBe('2026-08-01T00:00:00.000Z');
    await store.patrons.edit(lib.id, ids[3]!, { lastName: 'Other' }, { editedBy: 'amy' });
    expect(await at(ids[3]!)).toBe('2026-01-10T12:00:00.000Z');
  });

  /** The suite's database through Kysely (to read and set what no repository shows). */
  let handle: Awaited<ReturnType<typeof openDatabase>> | undefined;
  async function kysely() {
    handle ??= await openDatabase({ url: db.url() });
    return handle.kysely;
  }

  it('fills an unknown Status change time of Transferred patrons from the journal, else the sync logs, else leaves it unknown', async () => {
    const { store, lib, ids, setClock } = await library();
    const k = await kysely();
    for (const id of [ids[0]!, ids[4]!, ids[8]!, ids[12]!])
      await sql`update patrons set status_changed_at = null where id = ${id}`.execute(k);
    setClock('2025-05-05T05:00:00.000Z');
    await store.journal.append(lib.id, { actor: 'sync' }, [
      { patronId: ids[0]!, field: 'status', oldValue: '1', newValue: '4', kind: 'transfer' },
    ]);
    setClock('2025-06-06T06:00:00.000Z');
    const op = (
      await store.operations.create(lib.id, { type: 'classlink_full_sync', source: 'classlink', requestedBy: 't', running: true })
    ).operation;
    await store.operations.appendLog(lib.id, op.id, [
      { level: 'info', sourcedId: 'g-4', message: 'No longer in the roster; set Transferred.' },
      { level: 'info', sourcedId: 'g-12', message: 'Updated (Last Name: A → B)' },
    ]);
    await store.operations.finish(lib.id, op.id, { state: 'succeeded' });
    await backfillStatusChangedAt(k);
    const at = async (id: number) =>
      (await sql<{ t: string | null }>`select status_changed_at as t from patrons where id = ${id}`.execute(k)).rows[0]!.t;
    expect(await at(ids[0]!)).toBe('2025-05-05T05:00:00.000Z');
    expect(await at(ids[4]!)).toBe('2025-06-06T06:00:00.000Z');
    expect(await at(ids[8]!)).toBeNull();
    expect(await at(ids[12]!)).toBeNull();
    // Known times are never overwritten.
    expect(await at(ids[16]!)).toBe('2026-01-10T12:00:00.000Z');
  });

  it('previews, archives and removes exactly the same patrons, for every part of the rule; nothing else is touched', async () => {
    const { store, lib } = await library();
    const rules: RemovalRule[] = [
      parseRemovalRule({}, new Date()),
      parseRemovalRule({ site: 'WEST' }, new Date()),
      parseRemovalRule({ policy: 'teacher' }, new Date()),
      parseRemovalRule({ changedBefore: '2026-02-01' }, new Date()),
      parseRemovalRule({ status: '2' }, new Date()),
      parseRemovalRule({ notSyncedSince: '2026-06-01' }, new Date()),
    ];
    const counts: number[] = [];
    for (const rule of rules) counts.push((await previewIds(store, lib.id, rule)).total);
    // Transferred: 10 inserted so + 10 set in March; of WEST; Teachers; before February (the 10 of January).
    expect(counts).toEqual([20, 7, 4, 10, 3, 20]);

    // Remove with the date rule, then the site rule: each takes exactly what its preview listed.
    for (const rule of [rules[3]!, rules[1]!]) {
      const before = await exported(store, lib.id);
      const { ids, total } = await previewIds(store, lib.id, rule);
      const archive = await removalArchive(store, lib.id, rule);
      expect(archive.count).toBe(total);
      const result = await removePatrons(store, lib.id, rule, { requestedBy: 'amy', expectCount: total });
      expect(result.removed).toBe(total);
      const journal = await store.journal.ofOperation(lib.id, result.operation.id);
      expect(journal.map((j) => j.patronId)).toEqual(ids);
      expect(new Set(journal.map((j) => `${j.field}/${j.kind}/${j.newValue}`))).toEqual(new Set(['*/removal/null']));
      expect(JSON.parse(journal[0]!.oldValue!)).toMatchObject({
        guid: before.find((p) => p.barcode === JSON.parse(journal[0]!.oldValue!).barcode)!.guid,
      });
      // Nothing outside the rule is touched: every other patron is exported exactly as before.
      const after = await exported(store, lib.id);
      const removedBarcodes = new Set(journal.map((j) => JSON.parse(j.oldValue!).barcode as string));
      expect(after).toEqual(before.filter((p) => !removedBarcodes.has(String(p.barcode))));
      // The stored archive is what the download gave (the same rows, the same CSV).
      expect((await store.removals.archive(lib.id, result.operation.id))!.csv).toBe(archive.csv);
      const op = (await store.operations.get(lib.id, result.operation.id))!;
      expect(op).toMatchObject({ type: 'patron_removal', source: 'rule', requestedBy: 'amy', state: 'succeeded' });
      expect(await store.removals.get(lib.id, op.id)).toMatchObject({ removed: total, archiveKept: true });
    }
  });

  it('re-imports an archive to the same records, field for field', async () => {
    const { store, lib } = await library();
    const rule = parseRemovalRule({}, new Date());
    const before = await exported(store, lib.id);
    const result = await removePatrons(store, lib.id, rule, { requestedBy: 'amy' });
    expect(result.removed).toBe(20);
    const { csv } = (await store.removals.archive(lib.id, result.operation.id))!;
    expect(csv.split('\n')[0]).toBe('1200,1000,1001,1007,1008,1006,1045,1032,1017,1019,1049,1054,1004,1010,1050,1026,1028');
    const report = await importPatrons(store, lib.id, Readable.from([csv]), { requestedBy: 'amy', fileName: result.archiveName });
    expect(report).toMatchObject({ imported: 20, rejected: [] });
    const byBarcode = (xs: ExportedPatron[]) => [...xs].sort((a, b) => String(a.barcode).localeCompare(String(b.barcode)));
    expect(byBarcode(await exported(store, lib.id))).toEqual(byBarcode(before));
  });

  it('refuses, removing nothing: no patron matches, Active without the extra yes, a stale count, an unwritable archive, an undo', async () => {
    const { store, lib } = await library();
    const before = await exported(store, lib.id);
    expect(await refusal(removePatrons(store, lib.id, parseRemovalRule({ policy: 'Janitor' }, new Date()), { requestedBy: 'amy' }))).toBe(
      'No patron matches this rule (patrons with Status Transferred (4), with Policy Janitor): nothing to remove.',
    );
    expect(await refusal(removePatrons(store, lib.id, parseRemovalRule({ status: '1' }, new Date()), { requestedBy: 'amy' }))).toMatch(
      /^This rule removes Active patrons: that needs an explicit extra confirmation/,
    );
    expect(await refusal(removePatrons(store, lib.id, parseRemovalRule({}, new Date()), { requestedBy: 'amy', expectCount: 19 }))).toBe(
      'This rule now selects 20 patrons, not the 19 previewed: nothing was removed. Preview it again.',
    );
    expect(
      await refusal(
        removePatrons(store, lib.id, parseRemovalRule({}, new Date()), {
          requestedBy: 'amy',
          writeArchive: async () => {
            throw new Error('EACCES: permission denied');
          },
        }),
      ),
    ).toBe('The archive could not be written (EACCES: permission denied); nothing was removed.');
    expect(await refusal(previewRemoval(store, lib.id, parseRemovalRule({ site: 'NOPE' }, new Date())))).toMatch(
      /no site with code "NOPE"/,
    );
    expect(await exported(store, lib.id)).toEqual(before);
    // None of these left an operation behind: each was refused inside the removal's transaction.
    expect((await store.operations.list(lib.id)).filter((o) => o.type === 'patron_removal')).toEqual([]);

    // Active patrons go only with the explicit yes.
    const active = await removePatrons(store, lib.id, parseRemovalRule({ status: '1', site: 'WEST', policy: 'teacher' }, new Date()), {
      requestedBy: 'amy',
      allowActive: true,
    });
    expect(active.removed).toBeGreaterThan(0);
    // An undo of a removal is refused: a removal is restored from its archive.
    expect(await refusal(applyUndo(store, lib.id, active.operation.id, { requestedBy: 'amy' }))).toMatch(
      /a removal is restored from its archive \(patrons import\)\.$/,
    );
  });

  it('says how many match but have no known Status change time, and leaves them out of a dated rule', async () => {
    const { store, lib, ids } = await library();
    await sql`update patrons set status_changed_at = null where id = ${ids[4]!}`.execute(await kysely());
    const rule = parseRemovalRule({ changedBefore: '2026-02-01' }, new Date());
    const preview = await previewRemoval(store, lib.id, rule);
    expect(preview).toMatchObject({ total: 9, unknownDates: 1 });
    expect(preview.items.map((p) => p.id)).not.toContain(ids[4]!);
    // "more than N days" is the same as a date: 150 days before July 1st is February 1st.
    const days = parseRemovalRule({ olderThanDays: '150' }, new Date('2026-07-01T12:00:00Z'));
    expect(days.changedBefore).toBe('2026-02-01');
  });

  it('refuses while a sync runs, naming it; a sync asked during a removal waits for it (never interleaved)', async () => {
    const { store, lib } = await library();
    const sync = (
      await store.operations.create(lib.id, { type: 'classlink_full_sync', source: 'classlink', requestedBy: 't', running: true })
    ).operation;
    const revision = await store.libraries.revision(lib.id);
    expect(await refusal(removePatrons(store, lib.id, parseRemovalRule({}, new Date()), { requestedBy: 'amy' }))).toBe(
      `A sync is running: try after operation ${sync.id}.`,
    );
    expect(await store.libraries.revision(lib.id)).toBe(revision);
    await store.operations.finish(lib.id, sync.id, { state: 'succeeded' });

    // A removal holding its transaction (gated while it writes the archive): a sync's operation asked
    // meanwhile is only created once the removal has committed, after it.
    let release!: () => void;
    let reached!: () => void;
    const atArchive = new Promise<void>((r) => (reached = r));
    const gate = new Promise<void>((r) => (release = r));
    const removal = removePatrons(store, lib.id, parseRemovalRule({}, new Date()), {
      requestedBy: 'amy',
      writeArchive: async () => {
        reached();
        await gate;
      },
    });
    await atArchive;
    // The same store, as the web server's sync would: on SQLite it queues behind the removal's
    // connection, on PostgreSQL it waits on the one-active-operation index.
    const asked = store.operations.create(lib.id, { type: 'classlink_full_sync', source: 'classlink', requestedBy: 't' });
    release();
    const removed = await removal;
    const made = await asked;
    expect(made.created).toBe(true);
    expect(made.operation.id).toBeGreaterThan(removed.operation.id);
    expect((await store.operations.get(lib.id, removed.operation.id))!.state).toBe('succeeded');
  });

  it('deletes one patron: confirmed by barcode or name, journaled by the staff account; sessions end, conflicts naming it close', async () => {
    const { store, lib, ids } = await library();
    const target = (await store.patrons.get(lib.id, ids[5]!))!;
    const staff = await store.staff.create(lib.id, { username: `amy-${lib.id}`, role: 'admin', passwordHash: '', patronId: target.id });
    await store.staff.createSession({
      idHash: `h-${lib.id}`,
      libraryId: lib.id,
      staffUserId: null,
      patronId: target.id,
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    await store.staff.createSession({
      idHash: `k-${lib.id}`,
      libraryId: lib.id,
      staffUserId: null,
      patronId: ids[6]!,
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    await store.conflicts.recordSync(lib.id, 'classlink', 1, [
      {
        kind: 'seen',
        sourcedId: 'u-1',
        cause: 'key-shared',
        fingerprint: 'f',
        quiet: false,
        detail: {
          reason: 'r',
          user: { name: 'n', role: 'student' },
          keys: {},
          candidates: [{ patronId: target.id, guid: '', name: 'x', matchedOn: [] }],
          rivals: [],
        },
        item: null,
        note: '',
      },
      {
        kind: 'seen',
        sourcedId: 'u-2',
        cause: 'key-shared',
        fingerprint: 'f',
        quiet: false,
        detail: {
          reason: 'r',
          user: { name: 'n', role: 'student' },
          keys: {},
          candidates: [{ patronId: ids[6]!, guid: '', name: 'y', matchedOn: [] }],
          rivals: [],
        },
        item: null,
        note: '',
      },
    ]);
    expect(await refusal(deletePatron(store, lib.id, target.id, { confirm: 'someone else', staffUserId: staff.id, actor: 'amy' }))).toBe(
      "Type the patron's barcode or name exactly to confirm; nothing was deleted.",
    );
    expect(await store.patrons.get(lib.id, target.id)).toBeDefined();
    await deletePatron(store, lib.id, target.id, { confirm: ' last5,  FIRST5 ', staffUserId: staff.id, actor: 'amy' });
    expect(await store.patrons.get(lib.id, target.id)).toBeUndefined();
    const history = await store.journal.history(lib.id, target.id);
    expect(history.items[0]).toMatchObject({
      field: '*',
      kind: 'removal',
      newValue: null,
      staffUserId: staff.id,
      operationId: null,
      actor: 'amy',
    });
    expect(await store.staff.session(`h-${lib.id}`)).toBeUndefined();
    expect(await store.staff.session(`k-${lib.id}`)).toBeDefined();
    expect(await store.staff.byPatron(lib.id, target.id)).toBeUndefined();
    const items = (await store.conflicts.list(lib.id)).items;
    expect(items.find((i) => i.sourcedId === 'u-1')).toMatchObject({ state: 'closed' });
    expect(items.find((i) => i.sourcedId === 'u-2')).toMatchObject({ state: 'open' });
    expect(await store.removals.removedGuids(lib.id, [target.guid, 'g-6'])).toEqual(new Map([[target.guid, '2026-07-01T02:00:00.000Z']]));
  });

  it('filters patrons export by Status, site and Policy', async () => {
    const { store, lib } = await library();
    let text = '';
    const { count: n } = await exportPatrons(store, lib.id, { format: 'csv', status: '4', siteCode: 'WEST', policy: 'TEACHER' }, (c) => {
      text += c;
    });
    const all = await exported(store, lib.id);
    const expected = all.filter((p) => p.status === 4 && p.site === 'WEST' && p.policy === 'Teacher');
    expect(n).toBe(expected.length);
    expect(text.trim().split('\n').length).toBe(expected.length + 1);
  });
});

describeEachDatabase('a removed roster user who returns', (db) => {
  const setUp = syncFixtures(db);

  it('is created again as a new patron, and the log says a patron with this GUID was removed', async () => {
    const f = await setUp();
    await f.sync('full');
    const u = usersAt(f, 'student', f.schoolIds[0]!)[2]!;
    const first = (await f.patronByGuid(u.sourcedId))!;
    f.emulator.mutate.removeUser(u.sourcedId);
    await f.sync('full');
    expect((await f.patronByGuid(u.sourcedId))!.status).toBe(4);
    const removal = await removePatrons(f.store, f.libraryId, parseRemovalRule({}, new Date()), { requestedBy: 'amy' });
    expect(removal.removed).toBe(1);
    expect(await f.patronByGuid(u.sourcedId)).toBeUndefined();

    f.emulator.mutate.addUser(u);
    const back = (await f.sync('full')).operation;
    expect(back.counts).toMatchObject({ created: 1 });
    const again = (await f.patronByGuid(u.sourcedId))!;
    expect(again.id).not.toBe(first.id);
    expect(again.status).toBe(1);
    const line = (await f.log(back.id)).find((l) => l.sourcedId === u.sourcedId)!;
    // The create line, then what the new patron gets (creation defaults, SPEC §3.8).
    expect(line.message).toMatch(/^Created: .* Created again \(a patron with this GUID was removed on \d{4}-\d{2}-\d{2}\)\.( \(.*\))?$/);
  });
});
