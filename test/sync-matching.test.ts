/**
 * Who is who (SPEC §3.2) and what a match writes (§3.3), through the store on SQLite and
 * PostgreSQL against the emulator: patrons imported beforehand are found by GUID, Email,
 * Community ID and Barcode (the last two only when mapped), conflicts change nothing and are
 * logged with both sides, and a matched patron gets its mapped fields — and only those.
 */
import { describe, expect, it } from 'vitest';
import type { RosterUser } from '../src/domain/roster.ts';
import { describeEachDatabase } from './support/db.ts';
import { expectedValues, HOUR_MS, syncFixtures, type SyncFixture } from './support/sync-fixture.ts';

/** A student of a matched school with an email, an identifier and an LDAP id (most of them). */
function ordinaryStudent(f: SyncFixture, skip = 0): RosterUser {
  const found = f
    .expectedInScope(['student'])
    .filter((u) => u.email !== '' && u.identifier !== '' && u.userIds.some((i) => i.type === 'LDAP') && u.middleName !== '');
  return found[skip]!;
}

describeEachDatabase('sync: matching', (db) => {
  const setUp = syncFixtures(db);

  describe('GUID and Email (always on)', () => {
    it('matches an imported patron by GUID and takes the GUID into the integration', async () => {
      // The only patron in scope is updated: 100% of them, past the default 50% (see sync-review).
      const f = await setUp({ settings: (s) => void (s.thresholds.maxUpdatePct = 100) });
      const u = ordinaryStudent(f);
      const before = await f.addPatron({
        guid: u.sourcedId,
        firstName: 'Old',
        lastName: 'Name',
        site: 'ES',
        policy: 'Student',
        nickname: 'Nick',
      });
      expect(before.guidSource).toBeNull();

      const { operation } = await f.sync('full');
      expect(operation.state).toMatch(/^succeeded/);
      const after = (await f.store.patrons.get(f.libraryId, before.id))!;
      expect(after).toMatchObject({ ...expectedValues(f, u), guidSource: 'classlink', matchedBy: 'guid', nickname: 'Nick' });
      expect(operation.counts.created).toBe(f.expectedInScope().length - 1);
      expect(operation.counts.updated).toBe(1);
      expect(await f.patrons()).toHaveLength(f.expectedInScope().length);
    });

    it('matches by Email compared trimmed and case-insensitively; the patron then belongs to ClassLink', async () => {
      const f = await setUp();
      const u = ordinaryStudent(f);
      const before = await f.addPatron({
        email: `  ${u.email.toUpperCase()} `,
        firstName: u.givenName,
        lastName: u.familyName,
        policy: 'Student',
      });

      await f.sync('full');
      const after = (await f.store.patrons.get(f.libraryId, before.id))!;
      expect(after).toMatchObject({ ...expectedValues(f, u), guid: u.sourcedId, guidSource: 'classlink', matchedBy: 'email' });
      expect((await f.patrons()).filter((p) => p.guid === u.sourcedId)).toHaveLength(1);

      // The next sync finds it by GUID, and keeps the record of how it was first matched.
      const second = await f.sync('full');
      expect(second.operation.counts).toMatchObject({ created: 0, updated: 0, conflicts: 0 });
      expect(await f.store.patrons.get(f.libraryId, before.id)).toMatchObject({ guid: u.sourcedId, matchedBy: 'email' });
    });

    it('finds a Transferred patron by Email and sets it Active again (matching looks at every status)', async () => {
      const f = await setUp();
      const u = ordinaryStudent(f);
      const before = await f.addPatron({ email: u.email, status: 4, site: 'ES', policy: 'Student' });
      const { operation } = await f.sync('full');
      expect(await f.store.patrons.get(f.libraryId, before.id)).toMatchObject({ guid: u.sourcedId, status: 1, matchedBy: 'email' });
      expect(operation.counts.reactivated).toBe(1);
    });
  });

  describe('Community ID and Barcode (only when mapped)', () => {
    it('matches by Community ID when it is mapped', async () => {
      const f = await setUp({ settings: (s) => void (s.mapping.communityId = { kind: 'identifier' }) });
      const u = ordinaryStudent(f);
      const before = await f.addPatron({ communityId: u.identifier, firstName: 'Someone', policy: 'Student' });
      await f.sync('full');
      expect(await f.store.patrons.get(f.libraryId, before.id)).toMatchObject({
        ...expectedValues(f, u),
        communityId: u.identifier,
        guidSource: 'classlink',
        matchedBy: 'communityId',
      });
      expect(await f.patrons()).toHaveLength(f.expectedInScope().length);
    });

    it('does not match on Community ID when it is not mapped: the user is created, the patron left alone', async () => {
      const f = await setUp();
      const u = ordinaryStudent(f);
      const before = await f.addPatron({ communityId: u.identifier, firstName: 'Someone', policy: 'Student' });
      await f.sync('full');
      expect(await f.store.patrons.get(f.libraryId, before.id)).toEqual(before);
      expect(await f.patronByGuid(u.sourcedId)).toMatchObject({ matchedBy: 'created', communityId: '' });
    });

    it('matches by Barcode when it is mapped (userIds of a type), and writes it', async () => {
      const f = await setUp({ settings: (s) => void (s.mapping.barcode = { kind: 'userid', type: 'LDAP' }) });
      const u = ordinaryStudent(f);
      const ldap = u.userIds.find((i) => i.type === 'LDAP')!.identifier;
      const before = await f.addPatron({ barcode: ldap, firstName: 'Someone', policy: 'Student' });
      await f.sync('full');
      expect(await f.store.patrons.get(f.libraryId, before.id)).toMatchObject({ guid: u.sourcedId, barcode: ldap, matchedBy: 'barcode' });
      // Created patrons get their mapped Barcode too.
      const other = ordinaryStudent(f, 1);
      expect(await f.patronByGuid(other.sourcedId)).toMatchObject({ barcode: other.userIds.find((i) => i.type === 'LDAP')!.identifier });
    });

    it('does not match on Barcode when it is not mapped', async () => {
      const f = await setUp();
      const u = ordinaryStudent(f);
      const ldap = u.userIds.find((i) => i.type === 'LDAP')!.identifier;
      const before = await f.addPatron({ barcode: ldap, firstName: 'Someone', policy: 'Student' });
      await f.sync('full');
      expect(await f.store.patrons.get(f.libraryId, before.id)).toEqual(before);
      expect(await f.patronByGuid(u.sourcedId)).toMatchObject({ matchedBy: 'created', barcode: '' });
    });
  });

  describe('conflicts (SPEC §3.2)', () => {
    it('two patrons sharing the user’s email: nothing changes, nothing is created, the log names both sides', async () => {
      const f = await setUp();
      const u = ordinaryStudent(f);
      const a = await f.addPatron({ email: u.email, firstName: 'Twin', lastName: 'One', policy: 'Student', site: 'ES' });
      const b = await f.addPatron({ email: u.email.toUpperCase(), firstName: 'Twin', lastName: 'Two', policy: 'Student', site: 'ES' });

      const { operation } = await f.sync('full');
      expect(operation.counts.conflicts).toBe(1);
      expect(operation.state).toBe('succeeded_with_warnings');
      expect(await f.store.patrons.get(f.libraryId, a.id)).toEqual(a);
      expect(await f.store.patrons.get(f.libraryId, b.id)).toEqual(b);
      expect(await f.patronByGuid(u.sourcedId)).toBeUndefined();
      expect(operation.counts.created).toBe(f.expectedInScope().length - 1);

      const line = (await f.log(operation.id)).find((l) => l.sourcedId === u.sourcedId && /conflict/i.test(l.message));
      expect(line?.level).toBe('warning');
      expect(line?.message).toContain(`${u.givenName} ${u.familyName}`);
      expect(line?.message).toContain(`#${a.id} (Twin One)`);
      expect(line?.message).toContain(`#${b.id} (Twin Two)`);
    });

    it('a patron holding another GUID is never taken over (identity drift), nor transferred as absent: by Student #, or by Email when the GUID is a file import’s', async () => {
      const f = await setUp({ settings: (s) => void (s.mapping.communityId = { kind: 'identifier' }) });
      const [u, v] = [ordinaryStudent(f, 0), ordinaryStudent(f, 1)];
      // This integration's GUID, found by Student #.
      const owned = await f.addPatron({
        guid: 'stu-from-last-year',
        guidSource: 'classlink',
        matchedBy: 'guid',
        communityId: u.identifier,
        firstName: 'Earlier',
        lastName: 'Holder',
        policy: 'Student',
        site: 'ES',
      });
      // A file import's GUID (it belongs to no sync yet), found by Email.
      const imported = await f.addPatron({
        guid: 'imported-guid',
        email: v.email,
        firstName: 'Imported',
        lastName: 'Holder',
        policy: 'Student',
        site: 'ES',
      });

      const { operation } = await f.sync('full');
      expect(operation.counts.conflicts).toBe(2);
      expect(operation.counts.transferred).toBe(0);
      expect(await f.store.patrons.get(f.libraryId, owned.id)).toEqual(owned);
      expect(await f.store.patrons.get(f.libraryId, imported.id)).toEqual(imported);
      expect(await f.patronByGuid(u.sourcedId)).toBeUndefined();
      expect(await f.patronByGuid(v.sourcedId)).toBeUndefined();
      const line = (await f.log(operation.id)).find((l) => l.sourcedId === u.sourcedId && /conflict/i.test(l.message));
      expect(line?.message).toContain(`Student # matches patron #${owned.id} (Earlier Holder)`);
      expect(line?.message).toContain('stu-from-last-year');
    });
  });

  describe('one identity rule for full and delta syncs (SPEC §3.2, §3.6)', () => {
    it('a newcomer sharing a synced sibling’s Email is created, one sharing a synced student’s Barcode is a conflict — alike in a delta and in a full sync', async () => {
      const f = await setUp({ settings: (s) => void (s.mapping.barcode = { kind: 'identifier' }) });
      expect((await f.sync('full')).operation.counts.conflicts).toBe(0);
      const [a, b] = [ordinaryStudent(f, 0), ordinaryStudent(f, 1)];
      const school = a.orgSourcedIds[0]!;
      // A younger sibling (the parent's e-mail on the record), and a newcomer given a barcode already in use.
      f.emulator.mutate.addUser({
        sourcedId: 'stu-sibling',
        role: 'student',
        orgSourcedIds: [school],
        givenName: 'Young',
        familyName: 'Sibling',
        email: a.email,
        identifier: 'SIB-1',
      });
      f.emulator.mutate.addUser({
        sourcedId: 'stu-same-barcode',
        role: 'student',
        orgSourcedIds: [school],
        givenName: 'Same',
        familyName: 'Barcode',
        identifier: b.identifier,
      });
      f.advance(HOUR_MS);
      const before = await f.patrons();

      // Dry runs of both kinds over the same roster and patrons: the same two outcomes.
      for (const kind of ['delta', 'full'] as const) {
        const { operation } = await f.sync(kind, { dryRun: true });
        expect(operation.counts, kind).toMatchObject({ created: 1, conflicts: 1, transferred: 0 });
        const log = await f.log(operation.id);
        expect(log.find((l) => l.sourcedId === 'stu-same-barcode' && /conflict/i.test(l.message))?.message, kind).toContain(
          `Barcode matches patron #${before.find((p) => p.guid === b.sourcedId)!.id}`,
        );
        expect(
          log.some((l) => l.sourcedId === 'stu-sibling' && /conflict/i.test(l.message)),
          kind,
        ).toBe(false);
      }

      const { operation } = await f.sync('delta');
      expect(operation.counts).toMatchObject({ created: 1, conflicts: 1 });
      expect(await f.patronByGuid('stu-sibling')).toMatchObject({ email: a.email, barcode: 'SIB-1' });
      expect(await f.patronByGuid('stu-same-barcode')).toBeUndefined();
      // The sibling's patron is left as it was; no second patron holds b's barcode.
      expect(await f.patronByGuid(a.sourcedId)).toEqual(before.find((p) => p.guid === a.sourcedId));
      expect((await f.patrons()).filter((p) => p.barcode === b.identifier)).toHaveLength(1);
    });
  });

  describe('more conflicts and duplicates (SPEC §3.2)', () => {
    it('two roster users claiming one patron by the same email: both are conflicts, nothing written or created', async () => {
      const f = await setUp();
      const [a, b] = [ordinaryStudent(f, 0), ordinaryStudent(f, 1)];
      f.emulator.mutate.changeUser(b.sourcedId, { email: a.email });
      const shared = await f.addPatron({ email: a.email, firstName: 'Family', lastName: 'Account', policy: 'Student' });

      const { operation } = await f.sync('full');
      expect(operation.counts.conflicts).toBe(2);
      expect(await f.store.patrons.get(f.libraryId, shared.id)).toEqual(shared);
      expect(await f.patronByGuid(a.sourcedId)).toBeUndefined();
      expect(await f.patronByGuid(b.sourcedId)).toBeUndefined();
      const lines = (await f.log(operation.id)).filter((l) => /conflict/i.test(l.message));
      expect(lines.find((l) => l.sourcedId === a.sourcedId)?.message).toContain(b.sourcedId);
      expect(lines.find((l) => l.sourcedId === b.sourcedId)?.message).toContain(a.sourcedId);
    });

    it('Community ID and Email pointing at different patrons: a conflict', async () => {
      const f = await setUp({ settings: (s) => void (s.mapping.communityId = { kind: 'identifier' }) });
      const u = ordinaryStudent(f);
      const byId = await f.addPatron({ communityId: u.identifier, firstName: 'By', lastName: 'Number', policy: 'Student' });
      const byEmail = await f.addPatron({ email: u.email, firstName: 'By', lastName: 'Email', policy: 'Student' });
      const { operation } = await f.sync('full');
      expect(operation.counts.conflicts).toBe(1);
      expect(await f.store.patrons.get(f.libraryId, byId.id)).toEqual(byId);
      expect(await f.store.patrons.get(f.libraryId, byEmail.id)).toEqual(byEmail);
      const line = (await f.log(operation.id)).find((l) => l.sourcedId === u.sourcedId && /conflict/i.test(l.message));
      expect(line?.message).toContain(`#${byId.id}`);
      expect(line?.message).toContain(`#${byEmail.id}`);
    });

    it('a GUID match is final: another patron with the same email is logged as a possible duplicate and left alone', async () => {
      const f = await setUp();
      const u = ordinaryStudent(f);
      await f.sync('full');
      const other = await f.addPatron({ email: u.email, firstName: 'Hand', lastName: 'Made', policy: 'Student', site: 'HS' });
      const { operation } = await f.sync('full');
      expect(operation.counts.conflicts).toBe(0);
      expect(await f.store.patrons.get(f.libraryId, other.id)).toEqual(other);
      expect(await f.patronByGuid(u.sourcedId)).toMatchObject({ matchedBy: 'created', email: u.email });
      const line = (await f.log(operation.id)).find((l) => l.sourcedId === u.sourcedId && /duplicate/i.test(l.message));
      expect(line?.message).toContain(`#${other.id}`);
    });
  });

  describe('library status codes (SPEC §1.2)', () => {
    it('keeps a code other than 1 and 4 while the user is active; tobedeleted still sets 4', async () => {
      const f = await setUp();
      const u = ordinaryStudent(f);
      await f.sync('full');
      const p = (await f.patronByGuid(u.sourcedId))!;
      await f.editPatron(p.id, { status: 2 });
      f.emulator.mutate.changeUser(u.sourcedId, { familyName: 'Still-Blocked' });
      await f.sync('full');
      expect(await f.patronByGuid(u.sourcedId)).toMatchObject({ status: 2, lastName: 'Still-Blocked' });
      f.emulator.mutate.markToBeDeleted(u.sourcedId);
      await f.sync('full');
      expect((await f.patronByGuid(u.sourcedId))!.status).toBe(4);
    });
  });

  describe('writing a matched patron (SPEC §3.3)', () => {
    it('a blank roster value blanks the field', async () => {
      const f = await setUp();
      const u = ordinaryStudent(f);
      await f.sync('full');
      expect((await f.patronByGuid(u.sourcedId))!.middleName).toBe(u.middleName);

      f.emulator.mutate.changeUser(u.sourcedId, { middleName: '   ', email: '' });
      const { operation } = await f.sync('full');
      expect(await f.patronByGuid(u.sourcedId)).toMatchObject({ middleName: '', email: '' });
      expect(operation.counts.updated).toBe(1);
    });

    it('touches nothing unmapped: Nickname, Policy, Barcode, Community ID and Location kept as the librarian set them', async () => {
      const f = await setUp();
      const u = ordinaryStudent(f);
      await f.sync('full');
      const p = (await f.patronByGuid(u.sourcedId))!;
      const byHand = { nickname: 'Sunny', policy: 'Student Aide', barcode: 'B-77', communityId: 'SN-1', location: 'Room 9' };
      await f.editPatron(p.id, byHand);

      f.emulator.mutate.changeUser(u.sourcedId, { familyName: 'Renamed' });
      const { operation } = await f.sync('full');
      expect(operation.counts.updated).toBe(1);
      expect(await f.patronByGuid(u.sourcedId)).toMatchObject({ ...byHand, lastName: 'Renamed', firstName: u.givenName });
    });
  });
});
