/**
 * Preferences › New patrons and /api/v1/defaults (SPEC §3.8), on SQLite and PostgreSQL: the
 * page says the Policy is the scope and counts each Policy's patrons at the matched sites; an
 * admin's save (with CSRF, never without); bad input refused with a sentence naming the field,
 * nothing saved; two admins saving at once, the second told; librarians read, never write;
 * another library sees its own; the API in the OpenAPI document.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Library } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, type SyncFixture } from './support/sync-fixture.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

/** The form as the page sends it, every role filled with what is stored, and `change` on top. */
function form(revision: number, change: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> = { revision: String(revision) };
  for (const [role, policy] of [
    ['student', 'Student'],
    ['teacher', 'Teacher'],
    ['admin', 'Staff'],
  ] as const) {
    Object.assign(base, {
      [`${role}_policy`]: policy,
      [`${role}_status`]: '1',
      [`${role}_barcode`]: 'none',
      [`${role}_prefix`]: '',
      [`${role}_next`]: '1',
      [`${role}_width`]: '6',
    });
  }
  return { ...base, ...change };
}

describeEachDatabase('web: new-patron defaults', (db) => {
  const setUp = syncFixtures(db);
  let web: TestWeb;
  let f: SyncFixture;
  let lib: Library;
  let admin: WebClient;
  let admin2: WebClient;
  let librarian: WebClient;

  async function signedIn(library: Library, role: 'admin' | 'librarian', name: string): Promise<WebClient> {
    await makeStaff(web.store, library, role, name);
    const c = new WebClient(web.app);
    expect((await c.signIn(name)).statusCode).toBe(303);
    return c;
  }

  const stored = () => f.defaults();

  beforeAll(async () => {
    web = await openWeb(db);
    f = await setUp();
    lib = (await web.store.libraries.get(f.libraryId))!;
    for (let i = 0; i < 4; i++) await f.addPatron({ firstName: 'Old', lastName: `S${i}`, policy: 'Students', site: 'ES' });
    await f.addPatron({ firstName: 'Old', lastName: 'T', policy: ' faculty ', site: 'MS' });
    // At a site matched to no school: never the sync's, never counted.
    await f.addPatron({ firstName: 'Old', lastName: 'H', policy: 'Students', site: 'HS' });
    admin = await signedIn(lib, 'admin', `adm-${lib.code}`);
    admin2 = await signedIn(lib, 'admin', `adm2-${lib.code}`);
    librarian = await signedIn(lib, 'librarian', `lib-${lib.code}`);
  }, 60_000);

  afterAll(async () => {
    await web?.close();
  });

  it('the page says the Policy is the scope and counts the patrons each Policy matches at the matched sites', async () => {
    const res = await admin.get('/preferences/new-patrons');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-test="scope-sentence"');
    expect(res.body).toContain('The Policy of each role is also which existing patrons a sync is responsible for');
    expect(res.body).toMatch(/data-role="student">[\s\S]*?<td>Student<\/td>\s*<td class="num" data-test="policy-count">0</);
    expect(res.body).toMatch(/data-test="policies-in-use">[^<]*“Students” 4, “faculty” 1\./);
    expect(res.body).toContain('href="/preferences" aria-current="page"');
  });

  it('an admin saves through the form; the page then counts the new Policy', async () => {
    await admin.get('/preferences/new-patrons');
    const res = await admin.post(
      '/preferences/new-patrons',
      form(0, {
        student_policy: 'Students',
        student_barcode: 'sequence',
        student_prefix: 'S',
        student_next: '42',
        student_width: '6',
        student_fixed_nickname: 'Kid',
        teacher_policy: 'Faculty',
      }),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/preferences/new-patrons?notice=defaults-saved');
    const d = await stored();
    expect(d.student).toEqual({
      policy: 'Students',
      status: 1,
      barcode: { kind: 'sequence', prefix: 'S', next: 42, width: 6 },
      fixed: { nickname: 'Kid' },
    });
    expect(d.teacher.policy).toBe('Faculty');
    const page = await admin.get('/preferences/new-patrons?notice=defaults-saved');
    expect(page.body).toMatch(/data-role="student">[\s\S]*?policy-count">4</);
    expect(page.body).toMatch(/data-role="teacher">[\s\S]*?policy-count">1</);
    expect(page.body).toContain('S000042');
  });

  it('bad input is refused with one sentence naming the field, nothing saved, what was typed kept', async () => {
    const before = await stored();
    const cases: [Record<string, string>, RegExp][] = [
      [{ student_policy: '   ' }, /The Policy of new students is blank/],
      [
        { student_barcode: 'sequence', student_prefix: 'S 1', student_next: '1', student_width: '6' },
        /barcode prefix of new students \(&quot;S 1&quot;\) has spaces/,
      ],
      [
        { teacher_barcode: 'sequence', teacher_prefix: 'T', teacher_next: '12345', teacher_width: '4' },
        /barcode width of new teachers \(4\) is too small for the next number 12345/,
      ],
      [{ admin_status: '4' }, /Status of new administrators and staff cannot be 4/],
    ];
    for (const [change, message] of cases) {
      await admin.get('/preferences/new-patrons');
      const rev = (await f.store.creationDefaults.get(f.libraryId)).revision;
      const res = await admin.post(
        '/preferences/new-patrons',
        form(rev, { student_policy: 'Students', teacher_policy: 'Faculty', ...change }),
      );
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(message);
      expect(res.body).toContain('data-test="defaults-error"');
      expect(res.body).toContain('value="Faculty"');
      expect(await stored()).toEqual(before);
    }
  });

  it('two admins saving at once: one wins, the other is told and shown the winner’s values', async () => {
    await admin.get('/preferences/new-patrons');
    await admin2.get('/preferences/new-patrons');
    const rev = (await f.store.creationDefaults.get(f.libraryId)).revision;
    const first = await admin.post('/preferences/new-patrons', form(rev, { student_policy: 'Pupils', teacher_policy: 'Faculty' }));
    expect(first.statusCode).toBe(303);
    const second = await admin2.post('/preferences/new-patrons', form(rev, { student_policy: 'Learners', teacher_policy: 'Faculty' }));
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain(`adm-${lib.code} saved the new-patron defaults after you opened them; nothing of yours was saved.`);
    expect(second.body).toContain('value="Pupils"');
    expect((await stored()).student.policy).toBe('Pupils');
  });

  it('a form without its CSRF token changes nothing; a librarian reads the API but cannot save or see the page', async () => {
    const before = await stored();
    const rev = (await f.store.creationDefaults.get(f.libraryId)).revision;
    const res = await admin.post('/preferences/new-patrons', { ...form(rev, { student_policy: 'Nope' }), _csrf: '' });
    expect(res.statusCode).toBe(403);
    expect((await librarian.get('/preferences/new-patrons')).statusCode).toBe(403);
    const read = await librarian.api('GET', '/api/v1/defaults');
    expect(read.statusCode).toBe(200);
    expect((await librarian.api('PUT', '/api/v1/defaults', { revision: rev, student: { policy: 'Nope' } })).statusCode).toBe(403);
    expect(await stored()).toEqual(before);
  });

  it('the API: read, change one role, refusals with a sentence (400) and a stale revision (409), nothing saved', async () => {
    const got = await admin.api('GET', '/api/v1/defaults');
    expect(got.statusCode).toBe(200);
    const view = got.json() as { revision: number; source: string; matchedSites: string[]; roles: { role: string; matches: number }[] };
    expect(view).toMatchObject({ source: 'ClassLink', matchedSites: ['ES', 'MS'] });
    const put = await admin.api('PUT', '/api/v1/defaults', { revision: view.revision, admin: { status: 3, set: { Location: 'Office' } } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      revision: view.revision + 1,
      roles: [{ role: 'student' }, { role: 'teacher' }, { role: 'admin', status: 3, fixed: { location: 'Office' } }],
    });

    const before = await stored();
    const bad: [unknown, RegExp][] = [
      [{ student: { set: { Email: 'x@y.z' } } }, /^Email cannot have a fixed value for new students: ClassLink maps it/],
      [{ student: { fixed: { Shoe: 'x' } } }, /^There is no patron field "Shoe"/],
      [{ teacher: { policy: '' } }, /^The Policy of new teachers is blank/],
    ];
    for (const [body, message] of bad) {
      const res = await admin.api('PUT', '/api/v1/defaults', { revision: view.revision + 1, ...(body as object) });
      expect(res.statusCode).toBe(400);
      expect((res.json() as { error: { message: string } }).error.message).toMatch(message);
    }
    const stale = await admin.api('PUT', '/api/v1/defaults', { revision: view.revision, student: { policy: 'Late' } });
    expect(stale.statusCode).toBe(409);
    expect(await stored()).toEqual(before);
  });

  it('another library sees its own defaults and counts, never this one’s', async () => {
    const other = await db.newLibrary('Other library');
    const c = await signedIn(other, 'admin', `adm-${other.code}`);
    const res = await c.api('GET', '/api/v1/defaults');
    expect(res.json()).toMatchObject({
      revision: 0,
      source: '',
      policiesInUse: [],
      roles: [{ policy: 'Student', matches: 0 }, { policy: 'Teacher' }, { policy: 'Staff' }],
    });
  });

  it('the OpenAPI document describes GET and PUT /api/v1/defaults', async () => {
    const doc = (await web.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/api/v1/defaults'] ?? {}).sort()).toEqual(['get', 'put']);
  });
});
