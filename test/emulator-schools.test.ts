/**
 * A school's lists as a per-school sync reads them (src/sync/fetch-schools.ts):
 * `schools/{id}/students|teachers|classes|enrollments` page like every collection (limit/offset,
 * X-Total-Count, X-Count, Link next/last), take filters, and get the switchable faults; the
 * administrators, whom ClassLink lists per school nowhere, come from `/users` filtered by role.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { pullAll, q, rosterGet, rosterJson } from './emulator-helpers.ts';

let emu: RunningEmulator;
const SCHOOL = 'org-00000002';
type User = { sourcedId: string; role: string; orgs: { sourcedId: string }[] };

beforeAll(async () => {
  emu = await startEmulator({ district: { students: 600, schools: 6, seed: 'schools' } });
});
afterEach(() => emu.setFaults({}));
afterAll(async () => {
  await emu?.close();
});

describe("a school's lists", () => {
  it('page with X-Total-Count, X-Count and Link next/last, and the pages add up to the whole list', async () => {
    const all = await pullAll<User>(emu, `/schools/${SCHOOL}/students`, 'users');
    expect(all.length).toBeGreaterThan(20);
    const { res, body } = await rosterJson<{ users: User[] }>(emu, `/schools/${SCHOOL}/students?limit=7&offset=7`);
    expect(body.users.map((u) => u.sourcedId)).toEqual(all.slice(7, 14).map((u) => u.sourcedId));
    expect(res.headers.get('x-total-count')).toBe(String(all.length));
    expect(res.headers.get('x-count')).toBe('7');
    const link = res.headers.get('link') ?? '';
    expect(link).toMatch(/offset=14[^>]*>;\s*rel="next"/);
    expect(link).toMatch(/rel="last"/);
    const paged: string[] = [];
    for (let offset = 0; offset < all.length; offset += 7) {
      paged.push(
        ...(await rosterJson<{ users: User[] }>(emu, `/schools/${SCHOOL}/students?limit=7&offset=${offset}`)).body.users.map(
          (u) => u.sourcedId,
        ),
      );
    }
    expect(paged).toEqual(all.map((u) => u.sourcedId));
  });

  it('list every user of the role the school names, first org or not', async () => {
    const listed = await pullAll<User>(emu, `/schools/${SCHOOL}/teachers`, 'users');
    const everyone = await pullAll<User>(emu, `/users?filter=${q("role='teacher'")}`, 'users');
    const expected = everyone.filter((u) => u.orgs.some((o) => o.sourcedId === SCHOOL)).map((u) => u.sourcedId);
    expect(listed.map((u) => u.sourcedId)).toEqual(expected);
    const students = await pullAll<User>(emu, `/schools/${SCHOOL}/students`, 'users');
    expect(students.some((u) => u.orgs[0]!.sourcedId !== SCHOOL)).toBe(true);
  });

  it('take filters: the homeroom classes of a school', async () => {
    const homerooms = await pullAll<{ classType: string; school: { sourcedId: string } }>(
      emu,
      `/schools/${SCHOOL}/classes?filter=${q("classType='homeroom'")}`,
      'classes',
    );
    expect(homerooms.length).toBeGreaterThan(0);
    expect(homerooms.every((c) => c.classType === 'homeroom' && c.school.sourcedId === SCHOOL)).toBe(true);
  });

  it('administrators come from /users by role (no school lists them)', async () => {
    const admins = await pullAll<User>(emu, `/users?filter=${q("role='administrator'")}`, 'users');
    expect(admins.some((u) => u.orgs[0]!.sourcedId === SCHOOL)).toBe(true);
    expect((await rosterGet(emu, `/schools/${SCHOOL}/administrators`)).status).toBe(404);
  });

  it('get the faults: 503, clamped pages, drifting totals', async () => {
    emu.setFaults({ serverError: { every: 1, status: 503 } });
    expect((await rosterGet(emu, `/schools/${SCHOOL}/students`)).status).toBe(503);
    emu.setFaults({ clampPageSize: 3 });
    const clamped = await rosterJson<{ users: User[] }>(emu, `/schools/${SCHOOL}/students?limit=50`);
    expect(clamped.body.users).toHaveLength(3);
    emu.setFaults({ driftTotals: { afterRequests: 1, by: 5 } });
    const whole = (await pullAll<User>(emu, `/schools/${SCHOOL}/students`, 'users')).length;
    const drifted = await rosterGet(emu, `/schools/${SCHOOL}/students?limit=5`);
    expect(drifted.headers.get('x-total-count')).toBe(String(whole + 5));
  });

  it('an unknown school is a 404', async () => {
    expect((await rosterGet(emu, '/schools/org-99999999/students')).status).toBe(404);
  });
});
