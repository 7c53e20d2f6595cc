/**
 * The library's creation defaults in real syncs (SPEC §3.3, §3.8), on SQLite and PostgreSQL:
 * the Policy names are the scope (changing one re-scopes the next sync, and the thresholds hold
 * it when that would transfer many); a barcode sequence never gives a barcode a patron holds,
 * also with two libraries syncing at once and after an admin sets the next number back; the
 * dry run shows what a new patron gets.
 */
import { describe, expect, it } from 'vitest';
import { changeLine } from '../src/presenters/plan-lines.ts';
import { changeDefaults, showDefaults } from '../src/services/defaults/creation-defaults.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, type SyncFixture } from './support/sync-fixture.ts';

const SEQUENCE = { kind: 'sequence', prefix: 'S', next: 1, width: 5 } as const;

describeEachDatabase('sync: creation defaults', (db) => {
  const setUp = syncFixtures(db);

  async function barcodesOf(f: SyncFixture, guids: readonly string[]): Promise<string[]> {
    const byGuid = new Map((await f.patrons()).map((p) => [p.guid, p.barcode]));
    return guids.map((g) => byGuid.get(g) ?? '');
  }

  describe('the Policy names are the scope (SPEC §3.8)', () => {
    it('a patron whose Policy is not the role’s is not the sync’s; naming that Policy re-scopes the next sync, and the threshold holds it', async () => {
      const f = await setUp();
      // Students who left, from before Rollcall: synced by ClassLink once, their Policy "Students".
      const leavers = [];
      for (let i = 0; i < 12; i++) {
        leavers.push(
          await f.addPatron({
            guid: `left-${i}`,
            guidSource: 'classlink',
            firstName: 'Left',
            lastName: `N${i}`,
            policy: 'Students',
            site: 'ES',
          }),
        );
      }
      const first = await f.sync('full');
      expect(first.operation.state).toMatch(/^succeeded/);
      expect(first.operation.counts.transferred).toBe(0);
      for (const p of await f.patrons()) if (p.guid.startsWith('left-')) expect(p.status).toBe(1);

      // The page's count: "Student" matches the sync's own creations, "Students" the 12.
      const view = await showDefaults(f.store, f.libraryId);
      const created = f.expectedInScope(['student']).length;
      expect(view.roles.find((r) => r.role === 'student')).toMatchObject({ policy: 'Student', matches: created });
      expect(view.policiesInUse).toContainEqual({ policy: 'Students', count: 12 });

      await changeDefaults(f.store, f.libraryId, { revision: view.revision, roles: { student: { policy: 'Students' } } }, 'admin');
      const second = await f.sync('full');
      // 12 of the owned Active patrons would leave: past the 10% transfer threshold.
      expect(second.operation.state).toBe('needs_review');
      expect(second.operation.counts.transferred).toBe(12);
      const transfers = await f.store.operations.changes(f.libraryId, second.operation.id, { kind: 'transfer' });
      expect(transfers.items.map((c) => c.sourcedId).sort()).toEqual(leavers.map((p) => p.guid).sort());
      expect((await showDefaults(f.store, f.libraryId)).roles[0]).toMatchObject({ policy: 'Students', matches: 12 });
    });
  });

  describe('barcode sequences (SPEC §3.3: "next free number")', () => {
    it('two libraries syncing at once each take their own sequence, passing over the barcodes their patrons hold', async () => {
      const a = await setUp({ defaults: (d) => void (d.student.barcode = { ...SEQUENCE }) });
      const b = await setUp({ defaults: (d) => void (d.student.barcode = { ...SEQUENCE }) });
      await a.addPatron({ barcode: 'S00003', firstName: 'Held', lastName: 'A', policy: 'Other', site: 'HS' });
      await b.addPatron({ barcode: 's00001', firstName: 'Held', lastName: 'B', policy: 'Other', site: 'HS' });

      const [ra, rb] = await Promise.all([a.sync('full'), b.sync('full')]);
      expect(ra.operation.state).toMatch(/^succeeded/);
      expect(rb.operation.state).toMatch(/^succeeded/);

      const students = a.expectedInScope(['student']).map((u) => u.sourcedId);
      const n = students.length;
      const seq = (skip: string) =>
        Array.from({ length: n + 1 }, (_, k) => `S${String(k + 1).padStart(5, '0')}`)
          .filter((x) => x !== skip)
          .sort();
      expect((await barcodesOf(a, students)).sort()).toEqual(seq('S00003'));
      expect((await barcodesOf(b, students)).sort()).toEqual(seq('S00001'));
      for (const f of [a, b]) {
        const held = (await f.patrons()).map((p) => p.barcode.toLowerCase()).filter((x) => x !== '');
        expect(new Set(held).size).toBe(held.length);
        expect((await f.defaults()).student.barcode).toMatchObject({ kind: 'sequence', next: n + 2 });
      }
    });

    it('an admin setting the next number back never makes a sync reuse a held barcode', async () => {
      const f = await setUp({ defaults: (d) => void (d.student.barcode = { ...SEQUENCE }) });
      await f.sync('full');
      const n = f.expectedInScope(['student']).length;
      const view = await showDefaults(f.store, f.libraryId);
      await changeDefaults(f.store, f.libraryId, { revision: view.revision, roles: { student: { barcodeNext: 1 } } }, 'admin');
      f.emulator.mutate.addUser({
        sourcedId: 'stu-late',
        role: 'student',
        orgSourcedIds: [f.schoolIds[0]!],
        givenName: 'Late',
        familyName: 'Comer',
      });
      await f.sync('full');
      expect((await f.patronByGuid('stu-late'))!.barcode).toBe(`S${String(n + 1).padStart(5, '0')}`);
      const held = (await f.patrons()).map((p) => p.barcode).filter((x) => x !== '');
      expect(new Set(held).size).toBe(held.length);
    });
  });

  it('the dry run shows what a new patron will get: Policy, Status, Barcode and fixed values', async () => {
    const f = await setUp({
      defaults: (d) => {
        d.student = { policy: 'Students', status: 2, barcode: { ...SEQUENCE, prefix: 'P' }, fixed: { nickname: 'Newcomer' } };
      },
    });
    const { operation } = await f.sync('full', { dryRun: true });
    expect(await f.patrons()).toEqual([]);
    const creates = await f.store.operations.changes(f.libraryId, operation.id, { kind: 'create' });
    const lines = creates.items.map((c) => changeLine(c.detail));
    expect(lines.some((l) => /\(Policy: Students; Status: 2; Barcode: P00001; Nickname: Newcomer\)$/.test(l))).toBe(true);
    expect(lines.some((l) => /\(Policy: Teacher; Status: Active \(1\)\)$/.test(l))).toBe(true);
  });
});
