/**
 * The emulator's OneRoster 1.1 API over HTTP: endpoints and envelopes, singles, nested
 * scopes, paging headers, clamping, sort / fields / filter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { pullAll, q, rosterGet, rosterJson } from './emulator-helpers.ts';

type Obj = Record<string, unknown>;
type Ref = { href: string; sourcedId: string; type: string };

let emu: RunningEmulator;

beforeAll(async () => {
  // 4,000 students make just over 10,000 users, enough to see the 10,000 clamp.
  emu = await startEmulator({ district: { students: 4000, seed: 'server' } });
});
afterAll(async () => {
  await emu?.close();
});

async function list(path: string, key: string): Promise<{ res: Response; items: Obj[] }> {
  const { res, body } = await rosterJson<Record<string, Obj[]>>(emu, path);
  expect(Object.keys(body)).toEqual([key]);
  return { res, items: body[key]! };
}

describe('collections', () => {
  it.each([
    ['/users', 'users'],
    ['/students', 'users'],
    ['/teachers', 'users'],
    ['/orgs', 'orgs'],
    ['/schools', 'orgs'],
    ['/classes', 'classes'],
    ['/enrollments', 'enrollments'],
    ['/demographics', 'demographics'],
    ['/academicSessions', 'academicSessions'],
    ['/terms', 'academicSessions'],
    ['/gradingPeriods', 'academicSessions'],
  ])('%s answers with the %s envelope', async (path, key) => {
    const { items } = await list(path, key);
    expect(items.length).toBeGreaterThan(0);
  });

  it('narrows /students, /teachers, /schools, /terms to their kind', async () => {
    expect((await list('/students?limit=500', 'users')).items.every((u) => u.role === 'student')).toBe(true);
    expect((await list('/teachers?limit=500', 'users')).items.every((u) => u.role === 'teacher')).toBe(true);
    expect((await list('/schools', 'orgs')).items.every((o) => o.type === 'school')).toBe(true);
    expect((await list('/terms', 'academicSessions')).items.every((s) => s.type === 'term')).toBe(true);
  });

  it('sends ClassLink-shaped users: string booleans and GUIDRefs', async () => {
    const { items } = await list('/students?limit=1', 'users');
    const u = items[0]!;
    expect(u.enabledUser).toMatch(/^(true|false)$/);
    expect(u.orgs).toEqual([
      { href: `${emu.url}/ims/oneroster/v1p1/orgs/${(u.orgs as Ref[])[0]!.sourcedId}`, sourcedId: expect.any(String), type: 'org' },
    ]);
    expect((u.agents as Ref[])[0]).toMatchObject({ type: 'user' });
  });
});

describe('single records', () => {
  it.each([
    ['users', 'user'],
    ['orgs', 'org'],
    ['classes', 'class'],
    ['enrollments', 'enrollment'],
    ['demographics', 'demographics'],
    ['academicSessions', 'academicSession'],
  ])('/%s/{id} answers with the %s envelope', async (collection, key) => {
    const { items } = await list(`/${collection}?limit=1&offset=3`, collection);
    const id = items[0]!.sourcedId as string;
    const { body } = await rosterJson<Record<string, Obj>>(emu, `/${collection}/${encodeURIComponent(id)}`);
    expect(Object.keys(body)).toEqual([key]);
    expect(body[key]).toEqual(items[0]);
  });

  it('answers 404 with an imsx body for an unknown id, or a record of another kind', async () => {
    const teacher = (await list('/teachers?limit=1', 'users')).items[0]!;
    for (const path of ['/users/nobody', `/students/${teacher.sourcedId as string}`, '/schools/org-00000000', '/classes/x']) {
      const res = await rosterGet(emu, path);
      expect(res.status, path).toBe(404);
      const body = (await res.json()) as Obj;
      expect(body).toMatchObject({ imsx_codeMajor: 'failure', imsx_severity: 'error' });
      expect(JSON.stringify(body)).toContain('unknownobject');
    }
  });

  it('answers 404 for an unknown endpoint and 405 for a write', async () => {
    expect((await rosterGet(emu, '/widgets')).status).toBe(404);
    const post = await fetch(`${emu.url}/ims/oneroster/v1p1/users`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });
});

describe('nested scopes', () => {
  it('lists the students, teachers, classes and enrollments of a school', async () => {
    const school = 'org-00000002';
    const students = await pullAll(emu, `/schools/${school}/students`, 'users');
    expect(students.length).toBeGreaterThan(100);
    expect(students.every((u) => u.role === 'student' && (u.orgs as Ref[]).some((o) => o.sourcedId === school))).toBe(true);
    expect(students.some((u) => (u.orgs as Ref[])[0]!.sourcedId !== school)).toBe(true);
    const teachers = (await list(`/schools/${school}/teachers?limit=1000`, 'users')).items;
    expect(teachers.every((u) => u.role === 'teacher')).toBe(true);
    const classes = (await list(`/schools/${school}/classes?limit=1000`, 'classes')).items;
    expect(classes.every((c) => (c.school as Ref).sourcedId === school)).toBe(true);
    const enrollments = await pullAll(emu, `/schools/${school}/enrollments`, 'enrollments');
    expect(enrollments.every((e) => (e.school as Ref).sourcedId === school)).toBe(true);
  });

  it('lists the students and teachers of a class, as its enrollments say', async () => {
    const klass = (await list('/classes?limit=1&offset=5', 'classes')).items[0]!.sourcedId as string;
    const enrollments = await pullAll(emu, `/enrollments?filter=${q(`class.sourcedId='${klass}'`)}`, 'enrollments');
    const ofRole = (role: string) =>
      enrollments
        .filter((e) => e.role === role)
        .map((e) => (e.user as Ref).sourcedId)
        .sort();
    const students = (await list(`/classes/${klass}/students`, 'users')).items.map((u) => u.sourcedId);
    const teachers = (await list(`/classes/${klass}/teachers`, 'users')).items.map((u) => u.sourcedId);
    expect(students).toEqual(ofRole('student'));
    expect(teachers).toEqual(ofRole('teacher'));
  });

  it('answers 404 for an unknown school or class', async () => {
    expect((await rosterGet(emu, '/schools/nowhere/students')).status).toBe(404);
    expect((await rosterGet(emu, '/classes/nothing/teachers')).status).toBe(404);
  });
});

describe('paging', () => {
  it('defaults to 100 records and sends X-Total-Count, X-Count and Link', async () => {
    const { res, items } = await list('/users', 'users');
    expect(items).toHaveLength(100);
    const total = Number(res.headers.get('x-total-count'));
    expect(total).toBeGreaterThan(10_000);
    expect(res.headers.get('x-count')).toBe('100');
    const link = res.headers.get('link')!;
    expect(link).toContain(`<${emu.url}/ims/oneroster/v1p1/users?limit=100&offset=0>; rel="first"`);
    expect(link).toContain(`<${emu.url}/ims/oneroster/v1p1/users?limit=100&offset=100>; rel="next"`);
    expect(link).toContain(`offset=${Math.floor((total - 1) / 100) * 100}>; rel="last"`);
    expect(link).not.toContain('rel="prev"');
  });

  it('links to the previous page past the first, and keeps other parameters in links', async () => {
    const { res } = await list(`/users?limit=10&offset=25&filter=${q("role='student'")}`, 'users');
    const link = res.headers.get('link')!;
    expect(link).toMatch(/limit=10&offset=15&[^>]*>; rel="prev"/);
    expect(link).toMatch(/filter=role%3D%27student%27/);
  });

  it('clamps limit at 10,000', async () => {
    const { res, items } = await list('/users?limit=50000', 'users');
    expect(items).toHaveLength(10_000);
    expect(res.headers.get('x-count')).toBe('10000');
    expect(res.headers.get('link')).toContain('limit=10000&offset=10000>; rel="next"');
  });

  it('gives every record exactly once, in sourcedId order, over all pages', async () => {
    const { res } = await list('/users?limit=1', 'users');
    const all = await pullAll(emu, '/users', 'users', 3000);
    const ids = all.map((u) => u.sourcedId as string);
    expect(ids).toHaveLength(Number(res.headers.get('x-total-count')));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('answers an offset past the end with an empty page', async () => {
    const { res, items } = await list('/orgs?offset=100000', 'orgs');
    expect(items).toEqual([]);
    expect(res.headers.get('x-count')).toBe('0');
  });
});

describe('sort, orderBy, fields', () => {
  it('sorts by any top-level field, ascending or descending', async () => {
    const asc = (await list('/teachers?sort=familyName&limit=1000', 'users')).items.map((u) => u.familyName as string);
    expect(asc).toEqual([...asc].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const desc = (await list('/orgs?orderBy=desc', 'orgs')).items.map((o) => o.sourcedId as string);
    expect(desc).toEqual([...desc].sort().reverse());
  });

  it('projects fields on lists and singles', async () => {
    const { items } = await list('/users?fields=sourcedId,email&limit=3', 'users');
    expect(items.every((u) => Object.keys(u).join() === 'sourcedId,email')).toBe(true);
    const { body } = await rosterJson<{ user: Obj }>(emu, `/users/${items[0]!.sourcedId as string}?fields=role`);
    expect(body.user).toEqual({ role: 'administrator' });
  });

  it('refuses an unknown sort or selection field with 400 and an imsx body', async () => {
    for (const [path, minor] of [
      ['/users?sort=shoeSize', 'invalid_sort_field'],
      ['/users?fields=sourcedId,shoeSize', 'invalid_selection_field'],
    ]) {
      const res = await rosterGet(emu, path!);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toContain(minor);
    }
  });
});

describe('filter', () => {
  it('filters on equality, matching what the scoped endpoint gives', async () => {
    const { res } = await list(`/users?filter=${q("role='teacher'")}`, 'users');
    const { res: scoped } = await list('/teachers', 'users');
    expect(res.headers.get('x-total-count')).toBe(scoped.headers.get('x-total-count'));
  });

  it('filters on dotted sub-fields and joins predicates with OR', async () => {
    const items = await pullAll(emu, `/users?filter=${q("orgs.sourcedId='org-00000001' AND role='student'")}`, 'users');
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((u) => u.role === 'student' && (u.orgs as Ref[]).some((o) => o.sourcedId === 'org-00000001'))).toBe(true);
    const either = await pullAll(emu, `/users?filter=${q("role='teacher' OR role='administrator'")}`, 'users');
    expect(new Set(either.map((u) => u.role))).toEqual(new Set(['teacher', 'administrator']));
  });

  it('pulls a delta by dateLastModified, exactly the records modified after the instant', async () => {
    const all = await pullAll(emu, '/users', 'users');
    const since = '2026-07-25T00:00:00Z';
    const expected = all.filter((u) => Date.parse(u.dateLastModified as string) > Date.parse(since)).map((u) => u.sourcedId);
    const delta = await pullAll(emu, `/users?filter=${q(`dateLastModified>'${since}'`)}&sort=dateLastModified`, 'users');
    expect(delta.map((u) => u.sourcedId).sort()).toEqual(expected);
    const stamps = delta.map((u) => Date.parse(u.dateLastModified as string));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  });

  it('refuses a filter on an unknown field with 400 invalid_filter_field', async () => {
    const res = await rosterGet(emu, `/users?filter=${q("shoeSize='9'")}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      imsx_codeMajor: 'failure',
      imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldValue: 'invalid_filter_field' }] },
    });
  });
});

describe('request counting', () => {
  it('counts OneRoster requests, including refused ones', async () => {
    const before = emu.requestCount();
    await rosterGet(emu, '/orgs?limit=1');
    await fetch(`${emu.url}/ims/oneroster/v1p1/orgs`);
    expect(emu.requestCount()).toBe(before + 2);
  });
});
