/**
 * The sync engine against the emulator, through the store on SQLite and PostgreSQL: who becomes
 * a patron (SPEC §3.1), what a new patron holds (§1.2, §3.3), that a second sync changes
 * nothing (§3.6), and that a dry run writes nothing but keeps its plan (§3).
 */
import { describe, expect, it } from 'vitest';
import { POLICY_BY_ROLE } from '../src/domain/fields.ts';
import { syncRoleOf } from '../src/domain/roster.ts';
import { OPERATION_TYPES } from '../src/domain/operation.ts';
import { describeEachDatabase } from './support/db.ts';
import { expectedValues, syncFixtures, usersAt } from './support/sync-fixture.ts';

describeEachDatabase('sync: scope and creation', (db) => {
  const setUp = syncFixtures(db);

  describe('scope (SPEC §3.1)', () => {
    it('makes patrons of exactly the selected roles whose first org is a matched site', async () => {
      const f = await setUp();
      const { operation } = await f.sync('full');
      expect(operation.state).toMatch(/^succeeded/);

      const expected = f.expectedInScope(['student', 'teacher']);
      const patrons = await f.patrons();
      expect(patrons.map((p) => p.guid).sort()).toEqual(expected.map((u) => u.sourcedId).sort());
      expect(operation.counts.created).toBe(expected.length);
      // The district has people of every kind the rule leaves out; make sure the test sees them.
      const unmatchedSchool = f.schoolIds[2]!;
      expect(usersAt(f, 'student', unmatchedSchool).length).toBeGreaterThan(0);
      expect(f.district.users.some((u) => u.role === 'parent')).toBe(true);
      expect(f.district.users.some((u) => u.role === 'administrator')).toBe(true);
      for (const p of patrons) {
        const role = f.user(p.guid).role;
        expect(['student', 'teacher']).toContain(role);
      }
    });

    it('never makes a patron of a parent or guardian, even though they are read as agents', async () => {
      const f = await setUp({ settings: (s) => void (s.roles = ['student', 'teacher', 'admin']) });
      await f.sync('full');
      const guids = new Set((await f.patrons()).map((p) => p.guid));
      const agents = f.district.users.filter((u) => u.role === 'parent' || u.role === 'guardian');
      expect(agents.length).toBeGreaterThan(0);
      for (const a of agents) expect(guids.has(a.sourcedId)).toBe(false);
    });

    it('skips a user whose first org is unmatched though a later org is matched', async () => {
      const f = await setUp();
      const dual = f.district.users.find(
        (u) => u.role === 'student' && !f.siteByOrg.has(u.orgSourcedIds[0]!) && u.orgSourcedIds.slice(1).some((o) => f.siteByOrg.has(o)),
      );
      expect(dual, 'the generated district has a student listed at two schools').toBeDefined();
      const { operation } = await f.sync('full');
      expect(await f.patronByGuid(dual!.sourcedId)).toBeUndefined();
      expect(operation.counts.skipped).toBeGreaterThanOrEqual(1);
    });

    it('respects the roles option: students only; then administrators of matched schools as Staff', async () => {
      const f = await setUp({ settings: (s) => void (s.roles = ['student']) });
      await f.sync('full');
      let patrons = await f.patrons();
      expect(patrons.map((p) => p.guid).sort()).toEqual(
        f
          .expectedInScope(['student'])
          .map((u) => u.sourcedId)
          .sort(),
      );
      expect(patrons.every((p) => p.policy === POLICY_BY_ROLE.student)).toBe(true);

      await f.configure((s) => void (s.roles = ['student', 'admin']));
      const { operation } = await f.sync('full');
      patrons = await f.patrons();
      const admins = f.expectedInScope(['admin']);
      expect(admins.length).toBeGreaterThan(0);
      // District-level administrators (first org: the district) are in no matched school.
      expect(f.district.users.some((u) => u.role === 'administrator' && !admins.includes(u))).toBe(true);
      expect(operation.counts.created).toBe(admins.length);
      for (const a of admins) expect((await f.patronByGuid(a.sourcedId))?.policy).toBe(POLICY_BY_ROLE.admin);
      expect(patrons).toHaveLength(f.expectedInScope(['student', 'admin']).length);
    });
  });

  describe('administrators selected but none shared (SPEC §2 step 3)', () => {
    it('says so once', async () => {
      const f = await setUp({ settings: (s) => void (s.roles = ['student', 'teacher', 'admin']) });
      for (const u of f.district.users) if (u.role === 'administrator') f.emulator.mutate.removeUser(u.sourcedId);
      const { operation } = await f.sync('full');
      const lines = (await f.log(operation.id)).filter((l) => /Unenrolled Users/.test(l.message));
      expect(lines).toHaveLength(1);
      expect(lines[0]!.level).toBe('warning');
      expect(operation.counts.warnings).toBe(1);
    });
  });

  describe('creation (SPEC §1.2, §3.3)', () => {
    it('creates each in-scope user with Policy from the role, Status 1, the site code and every mapped field', async () => {
      const f = await setUp();
      await f.sync('full');
      const patrons = new Map((await f.patrons()).map((p) => [p.guid, p]));
      const users = f.expectedInScope();
      for (const u of users) {
        const p = patrons.get(u.sourcedId);
        expect(p, u.sourcedId).toBeDefined();
        expect(p).toMatchObject({
          ...expectedValues(f, u),
          policy: POLICY_BY_ROLE[syncRoleOf(u.role)!],
          guidSource: 'classlink',
          matchedBy: 'created',
        });
        // Unmapped by default: never written.
        expect(p).toMatchObject({ barcode: '', communityId: '', location: '', nickname: '' });
      }
      // The district exercises each format: a birthdate, every kind of contact, several emails.
      expect([...patrons.values()].some((p) => /^\d{4}-\d{2}-\d{2}$/.test(p.birthdate))).toBe(true);
      expect([...patrons.values()].some((p) => /^.+ \(\d{3}-555-01\d\d\)$/.test(p.additionalContact))).toBe(true);
      expect([...patrons.values()].some((p) => p.otherEmails.includes(', '))).toBe(true);
      expect(new Set([...patrons.values()].map((p) => p.site))).toEqual(new Set(['ES', 'MS']));
    });
  });

  describe('idempotence (SPEC §3.3, §3.6)', () => {
    it('a second full sync changes nothing and writes no patron', async () => {
      const f = await setUp();
      const first = await f.sync('full');
      const before = await f.patrons();
      const revision = await f.revision();
      const stamps = await f.stamps();

      const second = await f.sync('full');
      expect(second.operation.state).toMatch(/^succeeded/);
      expect(second.operation.counts).toMatchObject({
        created: 0,
        updated: 0,
        transferred: 0,
        reactivated: 0,
        conflicts: 0,
        unchanged: before.length,
      });
      expect(await f.patrons()).toEqual(before);
      expect(await f.revision()).toBe(revision);
      // Not one row rewritten: every row still carries the first sync's stamp.
      const after = await f.stamps();
      expect(after).toEqual(stamps);
      for (const s of after.values()) expect(s.lastSyncOperationId).toBe(first.operation.id);
    });
  });

  describe('dry run (SPEC §3)', () => {
    it('writes nothing and stores the plan as changes', async () => {
      const f = await setUp();
      const { operation } = await f.sync('full', { dryRun: true });
      expect(operation.type).toBe(OPERATION_TYPES.dryRun);
      expect(operation.state).toMatch(/^succeeded/);
      expect(await f.patrons()).toEqual([]);
      expect(await f.revision()).toBe(0);

      const expected = f.expectedInScope();
      expect(operation.counts.created).toBe(expected.length);
      const creates = await f.store.operations.changes(f.libraryId, operation.id, { kind: 'create' });
      expect(creates.items.map((c) => c.sourcedId).sort()).toEqual(expected.map((u) => u.sourcedId).sort());
      // A dry run does not move the delta watermark either: the next delta falls back to a full read.
      const delta = await f.sync('delta');
      expect(delta.operation.type).toBe(OPERATION_TYPES.delta);
      expect(delta.operation.counts.created).toBe(expected.length);
    });
  });
});
