/**
 * Leaving and returning (SPEC §3.4) through the store on SQLite and PostgreSQL, against the
 * emulator: tobedeleted, removal from the feed (full vs delta), moves between schools, and a
 * Transferred patron coming back. Patrons are never deleted.
 */
import { describe, expect, it } from 'vitest';
import { STATUS_ACTIVE, STATUS_TRANSFERRED } from '../src/domain/fields.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, usersAt, type SyncFixture } from './support/sync-fixture.ts';

/** A student of the first matched school (ES). */
function studentOfES(f: SyncFixture, k = 0): string {
  return usersAt(f, 'student', f.schoolIds[0]!)[k]!.sourcedId;
}

describeEachDatabase('sync: leaving and returning', (db) => {
  const setUp = syncFixtures(db);

  describe('tobedeleted', () => {
    it('sets a tobedeleted user’s patron to 4 Transferred, in a full sync and in a delta', async () => {
      const f = await setUp();
      await f.sync('full');
      const [a, b] = [studentOfES(f, 0), studentOfES(f, 1)];
      const count = (await f.patrons()).length;

      f.emulator.mutate.markToBeDeleted(a);
      const full = await f.sync('full');
      expect(full.operation.counts.transferred).toBe(1);
      expect((await f.patronByGuid(a))!.status).toBe(STATUS_TRANSFERRED);

      f.emulator.mutate.markToBeDeleted(b);
      const delta = await f.sync('delta');
      expect(delta.operation.counts.transferred).toBe(1);
      expect((await f.patronByGuid(b))!.status).toBe(STATUS_TRANSFERRED);
      // Never deleted.
      expect(await f.patrons()).toHaveLength(count);
    });

    it('skips a tobedeleted user that matches no patron instead of creating one', async () => {
      const f = await setUp();
      f.emulator.mutate.addUser({
        sourcedId: 'stu-leaving-new',
        role: 'student',
        status: 'tobedeleted',
        orgSourcedIds: [f.schoolIds[0]!],
        givenName: 'Gone',
        familyName: 'Already',
      });
      const { operation } = await f.sync('full');
      expect(await f.patronByGuid('stu-leaving-new')).toBeUndefined();
      expect(operation.counts.created).toBe(f.expectedInScope().length);
      expect(operation.counts.skipped).toBeGreaterThanOrEqual(1);
    });
  });

  describe('removal from the feed', () => {
    it('transfers an absent patron only in a complete full sync; a delta leaves it', async () => {
      const f = await setUp();
      await f.sync('full');
      const gone = studentOfES(f, 2);
      f.emulator.mutate.removeUser(gone);

      const delta = await f.sync('delta');
      expect(delta.operation.counts.transferred).toBe(0);
      // The window it read, on a clock it names: no raw ISO timestamp in the log.
      const window = (await f.log(delta.operation.id)).map((l) => l.message).find((m) => m.startsWith('Reading changes since'));
      expect(window).toMatch(/^Reading changes since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(/);
      expect((await f.patronByGuid(gone))!.status).toBe(STATUS_ACTIVE);

      const full = await f.sync('full');
      expect(full.operation.counts.transferred).toBe(1);
      expect(full.complete).toBe(true);
      expect((await f.patronByGuid(gone))!.status).toBe(STATUS_TRANSFERRED);
      const line = (await f.log(full.operation.id)).find((l) => l.sourcedId === gone);
      expect(line?.message).toMatch(/no longer in the roster/i);
      // The stored log line names the Status, with the number librarians know (SPEC §1.2).
      expect(line?.message).toContain('(Status: Active (1) → Transferred (4))');
    });

    it('transfers as absent only patrons whose GUID is this integration’s, of a synced role, at a matched site', async () => {
      // One transfer among the three Active patrons ClassLink owns here is past the default 10% (see sync-review).
      const f = await setUp({ settings: (s) => void (s.thresholds.maxTransferPct = 100) });
      const absent = { firstName: 'Not', lastName: 'Inroster', status: STATUS_ACTIVE };
      const ours = await f.addPatron({
        ...absent,
        guid: 'stu-gone-1',
        guidSource: 'classlink',
        matchedBy: 'guid',
        policy: 'Student',
        site: 'ES',
      });
      const imported = await f.addPatron({ ...absent, guid: 'stu-gone-2', guidSource: null, policy: 'Student', site: 'ES' });
      const otherSource = await f.addPatron({ ...absent, guid: 'stu-gone-3', guidSource: 'csv', policy: 'Student', site: 'ES' });
      const staff = await f.addPatron({ ...absent, guid: 'adm-gone-4', guidSource: 'classlink', policy: 'Staff', site: 'ES' });
      const unmatchedSite = await f.addPatron({ ...absent, guid: 'stu-gone-5', guidSource: 'classlink', policy: 'Student', site: 'HS' });

      const { operation } = await f.sync('full');
      expect(operation.state).toMatch(/^succeeded/);
      expect(operation.counts.transferred).toBe(1);
      expect((await f.store.patrons.get(f.libraryId, ours.id))!.status).toBe(STATUS_TRANSFERRED);
      for (const p of [imported, otherSource, staff, unmatchedSite]) expect(await f.store.patrons.get(f.libraryId, p.id)).toEqual(p);
    });
  });

  describe('moving between schools', () => {
    it('changes the Site of a user whose first org moves to another matched school', async () => {
      const f = await setUp();
      await f.sync('full');
      const mover = studentOfES(f, 3);
      expect((await f.patronByGuid(mover))!.site).toBe('ES');
      f.emulator.mutate.changeUser(mover, { orgSourcedIds: [f.schoolIds[1]!] });
      const { operation } = await f.sync('full');
      expect(operation.counts.updated).toBe(1);
      expect(await f.patronByGuid(mover)).toMatchObject({ site: 'MS', status: STATUS_ACTIVE });
    });

    it('transfers a user whose first org moves to an unmatched school, keeping its Site', async () => {
      const f = await setUp();
      await f.sync('full');
      const mover = studentOfES(f, 4);
      f.emulator.mutate.changeUser(mover, { orgSourcedIds: [f.schoolIds[2]!, f.schoolIds[0]!] });
      const { operation } = await f.sync('full');
      expect(operation.counts.transferred).toBe(1);
      expect(await f.patronByGuid(mover)).toMatchObject({ status: STATUS_TRANSFERRED, site: 'ES' });
      const line = (await f.log(operation.id)).find((l) => l.sourcedId === mover);
      expect(line?.message).toMatch(/not matched/i);
    });
  });

  describe('returning', () => {
    it('sets a Transferred patron back as active to 1 and counts it reactivated', async () => {
      const f = await setUp();
      await f.sync('full');
      const back = studentOfES(f, 5);
      f.emulator.mutate.markToBeDeleted(back);
      await f.sync('full');
      expect((await f.patronByGuid(back))!.status).toBe(STATUS_TRANSFERRED);
      const id = (await f.patronByGuid(back))!.id;

      f.emulator.mutate.changeUser(back, { status: 'active' });
      const { operation } = await f.sync('full');
      expect(operation.counts).toMatchObject({ reactivated: 1, created: 0, updated: 0, transferred: 0 });
      expect(await f.patronByGuid(back)).toMatchObject({ id, status: STATUS_ACTIVE });
    });
  });
});
