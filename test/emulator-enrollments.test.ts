/**
 * Enrollment changes in the emulator (SPEC §7, §3.6): a homeroom move, an added, changed or
 * ended enrollment is stamped with the emulator's clock, so a delta finds it with
 * `filter=dateLastModified>'…'` on /enrollments — paged, and under faults, as users are — and
 * the class rosters follow it. The student's own record does not change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { pullAll, q, rosterGet, rosterJson } from './emulator-helpers.ts';

type Obj = Record<string, unknown>;
type Ref = { sourcedId: string };

let emu: RunningEmulator;
let clock = Date.now();

beforeAll(async () => {
  emu = await startEmulator({ district: { students: 200, seed: 'enrollments' }, now: () => new Date(clock) });
});
afterAll(async () => {
  await emu?.close();
});

function tick(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}

const changedSince = (since: string, limit?: number) =>
  pullAll<Obj>(emu, `/enrollments?filter=${q(`dateLastModified>'${since}'`)}`, 'enrollments', limit);

async function homeroomOf(studentId: string): Promise<{ enrollment: string; classId: string }[]> {
  const mine = await pullAll<Obj>(emu, `/enrollments?filter=${q(`user.sourcedId='${studentId}'`)}`, 'enrollments');
  const out: { enrollment: string; classId: string }[] = [];
  for (const e of mine) {
    if (e.status !== 'active') continue;
    const classId = (e.class as Ref).sourcedId;
    const { body } = await rosterJson<{ class: Obj }>(emu, `/classes/${classId}`);
    if (body.class.classType === 'homeroom') out.push({ enrollment: e.sourcedId as string, classId });
  }
  return out;
}

describe('enrollment mutations', () => {
  it('moveHomeroom ends the old homeroom enrollment and adds one in the next homeroom of the school; the user is untouched', async () => {
    const student = 'stu-00000042';
    const userBefore = (await rosterJson<{ user: Obj }>(emu, `/users/${student}`)).body.user;
    const [old] = await homeroomOf(student);
    expect(old).toBeDefined();
    const since = new Date(clock).toISOString();
    const at = tick();

    const added = emu.mutate.moveHomeroom(student);

    const changed = await changedSince(since);
    expect(changed.map((e) => [e.sourcedId, e.status, e.dateLastModified])).toEqual(
      [
        [added, 'active', at],
        [old!.enrollment, 'tobedeleted', at],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    const now = await homeroomOf(student);
    expect(now).toHaveLength(1);
    expect(now[0]!.enrollment).toBe(added);
    expect(now[0]!.classId).not.toBe(old!.classId);
    const oldClass = (await rosterJson<{ class: Obj }>(emu, `/classes/${old!.classId}`)).body.class;
    const newClass = (await rosterJson<{ class: Obj }>(emu, `/classes/${now[0]!.classId}`)).body.class;
    expect(newClass.school).toEqual(oldClass.school);
    expect((changed.find((e) => e.sourcedId === added)!.school as Ref).sourcedId).toBe((newClass.school as Ref).sourcedId);
    // The student's record did not change: a user delta does not see the move.
    expect((await rosterJson<{ user: Obj }>(emu, `/users/${student}`)).body.user).toEqual(userBefore);
    expect((await pullAll<Obj>(emu, `/users?filter=${q(`dateLastModified>'${since}'`)}`, 'users')).map((u) => u.sourcedId)).toEqual([]);
    // The class rosters follow the enrollments.
    expect((await pullAll<Ref>(emu, `/classes/${old!.classId}/students`, 'users')).map((u) => u.sourcedId)).not.toContain(student);
    expect((await pullAll<Ref>(emu, `/classes/${now[0]!.classId}/students`, 'users')).map((u) => u.sourcedId)).toContain(student);
  });

  it('a delta pull of enrollments pages like any collection: X-Total-Count, Link next, and a clamped page size under faults', async () => {
    const since = new Date(clock).toISOString();
    tick();
    emu.mutate.moveHomeroom('stu-00000050');
    emu.mutate.moveHomeroom('stu-00000051');
    const paged = await changedSince(since, 1);
    expect(paged).toHaveLength(4);
    const first = await rosterGet(emu, `/enrollments?filter=${q(`dateLastModified>'${since}'`)}&limit=3`);
    expect(first.headers.get('x-total-count')).toBe('4');
    expect(first.headers.get('link')).toMatch(/rel="next"/);

    emu.setFaults({ clampPageSize: 1 });
    try {
      const clamped = await rosterGet(emu, `/enrollments?filter=${q(`dateLastModified>'${since}'`)}&limit=10`);
      expect(clamped.headers.get('x-count')).toBe('1');
      expect(clamped.headers.get('x-total-count')).toBe('4');
    } finally {
      emu.setFaults({});
    }
  });

  it('addEnrollment, changeEnrollment and markEnrollmentToBeDeleted through the control endpoint; unknown ids are 404', async () => {
    const since = new Date(clock).toISOString();
    tick();
    const { body } = await rosterJson<{ classes: Obj[] }>(emu, `/classes?filter=${q("classType='homeroom'")}&limit=1`);
    const klass = body.classes[0]!;
    const post = (ops: unknown) =>
      fetch(`${emu.url}/_emulator/mutate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${emu.credentials.partnerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(ops),
      });
    const ok = await post([
      {
        op: 'addEnrollment',
        enrollment: { sourcedId: 'enr-x-1', userSourcedId: 'tch-00000001', classSourcedId: klass.sourcedId, role: 'teacher' },
      },
      { op: 'changeEnrollment', sourcedId: 'enr-x-1', patch: { primary: true } },
      { op: 'markEnrollmentToBeDeleted', sourcedId: 'enr-s00000060-1' },
      { op: 'moveHomeroom', studentSourcedId: 'stu-00000061', classSourcedId: klass.sourcedId },
    ]);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, applied: 4 });
    const changed = await changedSince(since);
    expect(changed.find((e) => e.sourcedId === 'enr-x-1')).toMatchObject({ status: 'active', role: 'teacher', primary: 'true' });
    expect(changed.find((e) => e.sourcedId === 'enr-s00000060-1')).toMatchObject({ status: 'tobedeleted' });
    expect(
      changed.some(
        (e) => (e.user as Ref).sourcedId === 'stu-00000061' && (e.class as Ref).sourcedId === klass.sourcedId && e.status === 'active',
      ),
    ).toBe(true);
    expect((await pullAll<Ref>(emu, `/classes/${klass.sourcedId as string}/teachers`, 'users')).map((u) => u.sourcedId)).toContain(
      'tch-00000001',
    );

    const unknownClass = await post({
      op: 'addEnrollment',
      enrollment: { sourcedId: 'enr-x-2', userSourcedId: 'stu-00000001', classSourcedId: 'cls-nope', role: 'student' },
    });
    expect(unknownClass.status).toBe(404);
    expect((await post({ op: 'markEnrollmentToBeDeleted', sourcedId: 'enr-nope' })).status).toBe(404);
    expect((await post({ op: 'moveHomeroom', studentSourcedId: 'stu-nope' })).status).toBe(404);
  });
});
