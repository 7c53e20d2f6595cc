/**
 * Missing demographics and parents (SPEC §3.3 "a blank roster value blanks the field", §3.6),
 * through the store on SQLite and PostgreSQL against the emulator: a complete full read that
 * holds no demographics record for a student blanks its Birthdate and Sex, and one that holds
 * none of its parents blanks Additional Contact and Other Emails, each with a warning line; a
 * delta (absence there means unchanged) and a district that does not share demographics leave
 * them as they are.
 */
import { describe, expect, it } from 'vitest';
import type { RosterUser } from '../src/domain/roster.ts';
import { ONEROSTER_SCOPES } from '../src/oneroster/oauth2.ts';
import { OneRosterClient } from '../src/oneroster/client.ts';
import { describeEachDatabase } from './support/db.ts';
import { expectedValues, HOUR_MS, syncFixtures, type SyncFixture } from './support/sync-fixture.ts';

/** Students of a matched school with a Birthdate, a Sex and a parent with a phone and an e-mail. */
function studentsWithEverything(f: SyncFixture): RosterUser[] {
  return f.expectedInScope(['student']).filter((u) => {
    const v = expectedValues(f, u);
    return v.birthdate !== '' && v.sex !== '' && v.additionalContact !== '' && v.otherEmails !== '';
  });
}

const BLANKED = {
  demographics: 'No demographics record in the roster; Birthdate and Sex blanked.',
  agents: 'None of its parents or guardians (agents) is in the roster; Additional Contact and Other Emails blanked.',
};

describeEachDatabase('sync: missing demographics and parents', (db) => {
  const setUp = syncFixtures(db);

  describe('a complete full read blanks; a delta does not (SPEC §3.3, §3.6)', () => {
    it('blanks Birthdate and Sex of a student whose demographics record is gone, and the contacts of one whose parents are gone, with a line each', async () => {
      const f = await setUp();
      await f.sync('full');
      const [noDemographics, noParents] = studentsWithEverything(f);
      const [x, y] = [noDemographics!, noParents!];
      const before = { x: (await f.patronByGuid(x.sourcedId))!, y: (await f.patronByGuid(y.sourcedId))! };
      expect(before.x).toMatchObject(expectedValues(f, x));

      f.advance(HOUR_MS);
      f.emulator.mutate.removeDemographics(x.sourcedId);
      for (const parent of y.agentSourcedIds) f.emulator.mutate.removeUser(parent);
      // Both change otherwise, so the delta reads them: their missing records must not count there.
      f.emulator.mutate.changeUser(x.sourcedId, { phone: '555-0101' });
      f.emulator.mutate.changeUser(y.sourcedId, { phone: '555-0102' });
      f.advance(HOUR_MS);

      const delta = await f.sync('delta');
      expect(delta.operation.counts).toMatchObject({ updated: 2, warnings: 0 });
      expect(await f.patronByGuid(x.sourcedId)).toMatchObject({ ...before.x, phone: '555-0101', id: before.x.id });
      expect(await f.patronByGuid(y.sourcedId)).toMatchObject({ ...before.y, phone: '555-0102', id: before.y.id });

      f.advance(HOUR_MS);
      const full = await f.sync('full');
      expect(full.operation.counts).toMatchObject({ updated: 2, transferred: 0, conflicts: 0, warnings: 2 });
      expect(await f.patronByGuid(x.sourcedId)).toMatchObject({
        birthdate: '',
        sex: '',
        additionalContact: before.x.additionalContact,
        otherEmails: before.x.otherEmails,
      });
      expect(await f.patronByGuid(y.sourcedId)).toMatchObject({
        birthdate: before.y.birthdate,
        sex: before.y.sex,
        additionalContact: '',
        otherEmails: '',
      });
      const warnings = (await f.log(full.operation.id)).filter((l) => l.level === 'warning').map((l) => [l.sourcedId, l.message]);
      expect(warnings).toEqual(
        expect.arrayContaining([
          [x.sourcedId, `${x.sourcedId}: ${BLANKED.demographics}`],
          [y.sourcedId, `${y.sourcedId}: ${BLANKED.agents}`],
        ]),
      );

      // Running the same sync again changes nothing and says nothing (SPEC §3.6).
      const again = await f.sync('full');
      expect(again.operation.counts).toMatchObject({ updated: 0, warnings: 0 });
    });
  });

  describe('a district that does not share demographics (403) keeps Birthdate and Sex', () => {
    it('leaves every Birthdate and Sex as it was, and says why once', async () => {
      const f = await setUp();
      await f.sync('full');
      const [x] = studentsWithEverything(f);
      const before = (await f.patronByGuid(x!.sourcedId))!;
      f.emulator.mutate.removeDemographics(x!.sourcedId);

      // The same emulator over OAuth 2, granted the core scope only: /demographics answers 403.
      const { oauth2 } = f.emulator;
      const coreOnly = {
        ...f.deps,
        openReader: async () =>
          new OneRosterClient({
            baseUrl: f.emulator.url,
            version: '1.1',
            auth: {
              kind: 'oauth2',
              clientId: oauth2.clientId,
              clientSecret: oauth2.clientSecret,
              tokenUrl: oauth2.tokenUrl,
              scopes: [ONEROSTER_SCOPES['1.1'].core],
            },
            pageSize: 25,
            retryAttempts: 1,
          }),
      };
      const full = await f.sync('full', { deps: coreOnly });
      expect(full.operation.counts).toMatchObject({ updated: 0, warnings: 1 });
      const warnings = (await f.log(full.operation.id)).filter((l) => l.level === 'warning').map((l) => l.message);
      expect(warnings).toEqual([
        expect.stringMatching(/does not share demographics with this app .*; Birthdate and Sex are left as they are\.$/),
      ]);
      expect(await f.patronByGuid(x!.sourcedId)).toEqual(before);
      expect((await f.patrons()).filter((p) => p.birthdate !== '').length).toBeGreaterThan(0);
    });
  });
});
