/**
 * A homeroom change reaches the patron the same night (SPEC §3.6): with Location mapped, a
 * delta reads the homeroom enrollments changed since the watermark, reads each student whose
 * homeroom changed like a changed user, and writes the Location a full sync would — on SQLite
 * and PostgreSQL, against the emulator. Its reads stay proportional to what changed, and its
 * completeness rules hold for them.
 */
import { expect, it } from 'vitest';
import type { RosterUser } from '../src/domain/roster.ts';
import type { PullRequest, SyncDeps } from '../src/sync/ports.ts';
import { describeEachDatabase } from './support/db.ts';
import { HOUR_MS, syncFixtures, usersAt, type SyncFixture } from './support/sync-fixture.ts';

/** The name a homeroom's Location shows under `homeroom-teacher`: its primary (else first) teacher, from the district as generated. */
function teacherOf(f: SyncFixture, classId: string): string {
  const teachers = f.district.enrollments
    .filter((e) => e.role === 'teacher' && e.classSourcedId === classId && e.status === 'active')
    .sort((a, b) => (a.sourcedId < b.sourcedId ? -1 : 1));
  const t = teachers.find((e) => e.primary) ?? teachers[0];
  if (!t) return '';
  const u = f.user(t.userSourcedId);
  return `${u.givenName} ${u.familyName}`;
}

/** A student's homeroom class in the district as generated. */
function homeroomOf(f: SyncFixture, studentId: string): string {
  const homerooms = new Set(f.district.classes.filter((c) => c.classType === 'homeroom').map((c) => c.sourcedId));
  return f.district.enrollments.find((e) => e.role === 'student' && e.userSourcedId === studentId && homerooms.has(e.classSourcedId))!
    .classSourcedId;
}

/**
 * Another homeroom whose teacher's name differs from the student's current one: of this school
 * when it has one (the fixture's small schools have a single homeroom each), else of any school.
 */
function otherHomeroom(f: SyncFixture, studentId: string, school: string): string {
  const current = teacherOf(f, homeroomOf(f, studentId));
  const candidates = f.district.classes.filter(
    (c) => c.classType === 'homeroom' && teacherOf(f, c.sourcedId) !== current && teacherOf(f, c.sourcedId) !== '',
  );
  const found = candidates.find((c) => c.schoolSourcedId === school) ?? candidates[0];
  if (!found) throw new Error('the district has no other homeroom');
  return found.sourcedId;
}

/** Students of a matched school with a homeroom teacher, in order. */
function students(f: SyncFixture, school: string): RosterUser[] {
  return usersAt(f, 'student', school).filter((u) => u.orgSourcedIds.length === 1 && teacherOf(f, homeroomOf(f, u.sourcedId)) !== '');
}

/** The fixture's deps, with every pull recorded (collection and filter). */
function recording(f: SyncFixture): { deps: SyncDeps; pulls: { collection: string; filter: string }[] } {
  const pulls: { collection: string; filter: string }[] = [];
  const deps: SyncDeps = {
    ...f.deps,
    openReader: async (lib, ctx) => {
      const reader = await f.deps.openReader(lib, ctx);
      return Object.assign(Object.create(reader) as typeof reader, {
        pull: (collection: string, request: PullRequest, onRecords: (r: never[]) => void) => {
          pulls.push({ collection, filter: request.filter ?? '' });
          return reader.pull(collection as never, request, onRecords);
        },
      });
    },
  };
  return { deps, pulls };
}

describeEachDatabase('sync: a delta brings homeroom changes (SPEC §3.6)', (db) => {
  const setUp = syncFixtures(db);
  const located = () => setUp({ settings: (s) => void (s.mapping.location = 'homeroom-teacher') });

  it('a student who moves homeroom only: the delta reads the changed enrollment, the student by id, and writes the new Location', async () => {
    const f = await located();
    const u = students(f, f.schoolIds[0]!)[0]!;
    await f.sync('full');
    expect((await f.patronByGuid(u.sourcedId))!.location).toBe(teacherOf(f, homeroomOf(f, u.sourcedId)));

    f.advance(HOUR_MS);
    const target = otherHomeroom(f, u.sourcedId, f.schoolIds[0]!);
    f.emulator.mutate.moveHomeroom(u.sourcedId, target);
    f.advance(HOUR_MS);
    const { deps, pulls } = recording(f);
    const delta = await f.sync('delta', { deps });
    expect(delta.operation.counts).toMatchObject({ created: 0, updated: 1, unchanged: 0, transferred: 0 });
    expect(await f.patronByGuid(u.sourcedId)).toMatchObject({ location: teacherOf(f, target), lastName: u.familyName });

    // Proportional: no whole collection read — every enrollment, class and user pull is filtered
    // by the watermark or by ids.
    for (const p of pulls)
      expect(p.filter, `${p.collection} pulled whole`).toMatch(/^(dateLastModified>'|(sourcedId|user\.sourcedId|class\.sourcedId)=')/);
    expect(pulls.some((p) => p.collection === 'users' && p.filter.includes(`sourcedId='${u.sourcedId}'`))).toBe(true);
    // What a full sync would write: it finds nothing left to change.
    const full = await f.sync('full');
    expect(full.operation.counts).toMatchObject({ updated: 0, created: 0, transferred: 0 });
  });

  it('a student who moves school and homeroom on the same day gets the new Site and the new Location in one delta', async () => {
    const f = await located();
    const u = students(f, f.schoolIds[0]!)[1]!;
    await f.sync('full');
    f.advance(HOUR_MS);
    const target = otherHomeroom(f, u.sourcedId, f.schoolIds[1]!);
    f.emulator.mutate.changeUser(u.sourcedId, { orgSourcedIds: [f.schoolIds[1]!] });
    f.emulator.mutate.moveHomeroom(u.sourcedId, target);
    f.advance(HOUR_MS);
    const delta = await f.sync('delta');
    expect(delta.operation.counts).toMatchObject({ updated: 1, transferred: 0 });
    expect(await f.patronByGuid(u.sourcedId)).toMatchObject({ site: f.siteByOrg.get(f.schoolIds[1]!), location: teacherOf(f, target) });
    expect((await f.sync('full')).operation.counts).toMatchObject({ updated: 0 });
  });

  it('a student who leaves their homeroom (enrollment tobedeleted) and joins none gets a blank Location, as a full sync gives', async () => {
    const f = await located();
    const u = students(f, f.schoolIds[1]!)[0]!;
    await f.sync('full');
    expect((await f.patronByGuid(u.sourcedId))!.location).not.toBe('');
    const enrollment = f.district.enrollments.find(
      (e) => e.userSourcedId === u.sourcedId && e.classSourcedId === homeroomOf(f, u.sourcedId),
    )!;
    f.advance(HOUR_MS);
    f.emulator.mutate.markEnrollmentToBeDeleted(enrollment.sourcedId);
    f.advance(HOUR_MS);
    const delta = await f.sync('delta');
    expect(delta.operation.counts).toMatchObject({ updated: 1 });
    expect((await f.patronByGuid(u.sourcedId))!.location).toBe('');
    expect((await f.sync('full')).operation.counts).toMatchObject({ updated: 0 });
  });

  it('a changed student whose homeroom did not change keeps the Location (no homeroom read for them)', async () => {
    const f = await located();
    const u = students(f, f.schoolIds[0]!)[2]!;
    await f.sync('full');
    const before = (await f.patronByGuid(u.sourcedId))!;
    // A librarian's hand-set Location, which only a read homeroom may overwrite.
    await f.editPatron(before.id, { location: 'Library desk' });
    f.advance(HOUR_MS);
    f.emulator.mutate.changeUser(u.sourcedId, { familyName: 'Renamed' });
    f.advance(HOUR_MS);
    await f.sync('delta');
    expect(await f.patronByGuid(u.sourcedId)).toMatchObject({ lastName: 'Renamed', location: 'Library desk' });
  });

  it('a homeroom read that does not add up writes no Location; the next delta reads it again and does', async () => {
    const f = await located();
    const [u, v] = students(f, f.schoolIds[0]!);
    await f.sync('full');
    const before = (await f.patronByGuid(u!.sourcedId))!.location;
    f.advance(HOUR_MS);
    const target = otherHomeroom(f, u!.sourcedId, f.schoolIds[0]!);
    f.emulator.mutate.moveHomeroom(u!.sourcedId, target);
    f.emulator.mutate.changeUser(v!.sourcedId, { familyName: 'Seen' });
    f.advance(HOUR_MS);
    f.emulator.setFaults({ driftTotals: { afterRequests: 2, by: 3 } });
    const incomplete = await f.sync('delta');
    expect(incomplete.complete).toBe(false);
    expect((await f.patronByGuid(u!.sourcedId))!.location).toBe(before);
    expect((await f.log(incomplete.operation.id)).some((l) => /homerooms could not be read whole/.test(l.message))).toBe(true);

    f.emulator.setFaults({});
    f.advance(HOUR_MS);
    const next = await f.sync('delta');
    expect(next.complete).toBe(true);
    expect((await f.patronByGuid(u!.sourcedId))!.location).toBe(teacherOf(f, target));
  });

  it('a homeroom read that finally fails fails the delta: nothing is written, not even the changed user', async () => {
    const f = await located();
    const [u, v] = students(f, f.schoolIds[1]!);
    await f.sync('full');
    const before = await f.patrons();
    f.advance(HOUR_MS);
    f.emulator.mutate.moveHomeroom(u!.sourcedId, otherHomeroom(f, u!.sourcedId, f.schoolIds[1]!));
    f.emulator.mutate.changeUser(v!.sourcedId, { familyName: 'Not-Yet' });
    f.advance(HOUR_MS);
    // The first request (the changed users) is served; the changed enrollments are not.
    f.emulator.setFaults({ failAfter: { requests: 2, status: 500 } });
    const failed = await f.sync('delta');
    expect(failed.operation.state).toBe('failed');
    expect(await f.patrons()).toEqual(before);
  });
});
