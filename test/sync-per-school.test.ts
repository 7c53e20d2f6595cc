/**
 * A full sync of a library that serves few of the district's schools reads only those schools
 * (src/sync/fetch-schools.ts), on SQLite and PostgreSQL, and plans exactly what the
 * whole-district read of the same library plans: the same patrons, the same counts and the same
 * per-user log lines — first sync, moves between a matched and an unmatched school, a user two
 * matched schools list, a school unmatched between two syncs. A per-school page that finally
 * fails fails the sync with nothing written.
 */
import { describe, expect, it } from 'vitest';
import type { Patron } from '../src/domain/patron.ts';
import type { SyncDeps } from '../src/sync/ports.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, usersAt, type SyncFixture } from './support/sync-fixture.ts';

/** Six schools, two matched (the fixture's): a third of them, so `auto` reads per school. */
const SCHOOLS = 6;

/** The patrons without their store ids, by GUID (barcodes come from the plan's order, so they must agree too). */
function comparable(patrons: readonly Patron[]): Omit<Patron, 'id'>[] {
  return patrons
    .map(({ id: _id, ...rest }) => rest)
    .sort((a, b) => (a.guid < b.guid ? -1 : a.guid > b.guid ? 1 : a.barcode < b.barcode ? -1 : 1));
}

/** The operation's lines about one user each (creates, updates, transfers, skips, conflicts, warnings), in a stable order. */
async function userLines(f: SyncFixture, operationId: number): Promise<string[]> {
  return (await f.log(operationId))
    .filter((l) => (l.sourcedId ?? '') !== '')
    .map((l) => `${l.sourcedId} ${l.level} ${l.message}`)
    .sort();
}

/** Sync of each fixture; the second reads the whole district whatever it serves. */
async function syncBoth(
  perSchool: SyncFixture,
  whole: SyncFixture,
): Promise<{ a: Awaited<ReturnType<SyncFixture['sync']>>; b: Awaited<ReturnType<SyncFixture['sync']>> }> {
  const wholeDeps: SyncDeps = { ...whole.deps, rosterRead: 'district' };
  const a = await perSchool.sync('full');
  const b = await whole.sync('full', { deps: wholeDeps });
  return { a, b };
}

async function expectSamePlan(perSchool: SyncFixture, whole: SyncFixture, served = 2): Promise<void> {
  const { a, b } = await syncBoth(perSchool, whole);
  expect(a.operation.state).toBe(b.operation.state);
  expect(a.operation.counts).toEqual(b.operation.counts);
  expect(a.complete).toBe(true);
  expect(await userLines(perSchool, a.operation.id)).toEqual(await userLines(whole, b.operation.id));
  expect(comparable(await perSchool.patrons())).toEqual(comparable(await whole.patrons()));
  const readLine = (f: SyncFixture, id: number) => f.log(id).then((l) => l.map((x) => x.message).filter((m) => m.startsWith('Reading ')));
  expect(await readLine(perSchool, a.operation.id)).toEqual([
    `Reading only the ${served} matched school(s): the library serves ${served} of the district's ${SCHOOLS} schools.`,
  ]);
  expect(await readLine(whole, b.operation.id)).toEqual(['Reading the whole district: the whole-district read is set.']);
}

describeEachDatabase('sync: reading only the schools the library serves', (db) => {
  const setUp = syncFixtures(db);
  const options = {
    schools: SCHOOLS,
    settings: (s: Parameters<NonNullable<Parameters<typeof setUp>[0]>['settings'] & object>[0]) => {
      s.roles = ['student', 'teacher', 'admin'];
      s.mapping.location = 'homeroom-teacher';
    },
  };
  const pair = async () => [await setUp(options), await setUp(options)] as const;

  it('plans the first sync as the whole-district read does', async () => {
    const [perSchool, whole] = await pair();
    await expectSamePlan(perSchool, whole);
    const created = (await perSchool.patrons()).length;
    expect(created).toBe(perSchool.expectedInScope(['student', 'teacher', 'admin']).length);
  });

  it('a student moving between a matched and an unmatched school, either way, is planned as the whole-district read plans it', async () => {
    const [perSchool, whole] = await pair();
    await expectSamePlan(perSchool, whole);
    const [matched0, matched1] = perSchool.schoolIds;
    const unmatched = perSchool.schoolIds[3]!;
    const leaving = usersAt(perSchool, 'student', matched0!)[0]!.sourcedId;
    const arriving = usersAt(perSchool, 'student', unmatched)[0]!.sourcedId;
    const gone = usersAt(perSchool, 'student', matched1!)[1]!.sourcedId;
    for (const f of [perSchool, whole]) {
      f.emulator.mutate.changeUser(leaving, { orgSourcedIds: [unmatched] });
      f.emulator.mutate.changeUser(arriving, { orgSourcedIds: [matched1!] });
      f.emulator.mutate.removeUser(gone);
    }
    await expectSamePlan(perSchool, whole);
    expect(await perSchool.patronByGuid(leaving)).toMatchObject({ status: 4 });
    expect(await perSchool.patronByGuid(arriving)).toMatchObject({ status: 1, site: 'MS' });
    expect(await perSchool.patronByGuid(gone)).toMatchObject({ status: 4 });
    // Back again: reactivated at its old school.
    for (const f of [perSchool, whole]) f.emulator.mutate.changeUser(leaving, { orgSourcedIds: [matched0!] });
    await expectSamePlan(perSchool, whole);
    expect(await perSchool.patronByGuid(leaving)).toMatchObject({ status: 1, site: 'ES' });
  });

  it('a user two matched schools list is one patron, with no duplicate warning', async () => {
    const [perSchool, whole] = await pair();
    const [matched0, matched1] = perSchool.schoolIds;
    const both = usersAt(perSchool, 'student', matched0!)[2]!.sourcedId;
    for (const f of [perSchool, whole]) f.emulator.mutate.changeUser(both, { orgSourcedIds: [matched0!, matched1!] });
    await expectSamePlan(perSchool, whole);
    const holding = (await perSchool.patrons()).filter((p) => p.guid === both);
    expect(holding).toHaveLength(1);
    expect(holding[0]).toMatchObject({ site: 'ES', status: 1 });
    const lines = await perSchool.log((await perSchool.store.operations.list(perSchool.libraryId))[0]!.id);
    expect(lines.filter((l) => /more than once/.test(l.message))).toEqual([]);
  });

  it('a school unmatched between two syncs: its patrons fare as in the whole-district read', async () => {
    const [perSchool, whole] = await pair();
    await expectSamePlan(perSchool, whole);
    for (const f of [perSchool, whole]) await f.store.sites.clearOrgGuid(f.libraryId, 'MS');
    await expectSamePlan(perSchool, whole, 1);
    // The MS patrons are out of scope now: left as they were, not transferred.
    const ms = (await perSchool.patrons()).filter((p) => p.site === 'MS');
    expect(ms.length).toBeGreaterThan(0);
    expect(ms.every((p) => p.status === 1)).toBe(true);
  });

  it('a per-school page that finally fails fails the sync and writes nothing', async () => {
    const f = await setUp(options);
    const start = f.emulator.requestCount();
    await f.sync('full');
    const perSync = f.emulator.requestCount() - start;
    const before = comparable(await f.patrons());
    const revision = await f.revision();
    f.emulator.mutate.changeUser(usersAt(f, 'student', f.schoolIds[0]!)[0]!.sourcedId, { familyName: 'Changed' });
    f.emulator.mutate.removeUser(usersAt(f, 'student', f.schoolIds[1]!)[0]!.sourcedId);
    // The first request is the list of schools, the next ones the schools' own lists.
    f.emulator.setFaults({ failAfter: { requests: 3, status: 503 } });
    expect(perSync).toBeGreaterThan(3);
    const outcome = await f.sync('full');
    expect(outcome.operation.state).toBe('failed');
    // The schools' own lists are what failed (not a later read that would fail the sync anyway).
    expect(outcome.operation.error).toMatch(/\/schools\/org-[0-9]+\/(students|teachers)/);
    expect(outcome.operation.error).toMatch(/503/);
    expect(comparable(await f.patrons())).toEqual(before);
    expect(await f.revision()).toBe(revision);
  });

  describe('the choice by school count', () => {
    it('a library serving two of three schools (more than half) reads the whole district', async () => {
      const f = await setUp();
      const outcome = await f.sync('full');
      const lines = (await f.log(outcome.operation.id)).map((l) => l.message);
      expect(lines).toContain("Reading the whole district: the library serves 2 of the district's 3 schools (more than half).");
    });

    it('a delta stays district-wide: no per-school read', async () => {
      const f = await setUp(options);
      await f.sync('full');
      f.advance(3_600_000);
      const outcome = await f.sync('delta');
      const lines = (await f.log(outcome.operation.id)).map((l) => l.message);
      expect(lines.some((m) => m.startsWith('Reading only'))).toBe(false);
    });
  });
});
