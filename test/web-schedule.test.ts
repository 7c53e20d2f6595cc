/**
 * Preferences › Schedule and `GET|PUT /api/v1/schedule` (SPEC §3.7), on SQLite and PostgreSQL:
 * the page shows and changes on/off, time, full-sync day and time zone with the next runs; bad
 * values are refused with a sentence naming the field and nothing saved; of two admins saving
 * what they were both shown, one wins and the other is told; the home page asks about a time
 * zone nobody chose until an admin confirms it; first-run setup asks for the zone.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Library } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, TEST_PASSWORD, WebClient, type TestWeb } from './support/web.ts';

interface ScheduleJson {
  enabled: boolean;
  time: string;
  timezone: string;
  timezoneConfirmed: boolean;
  revision: number;
  fullSyncDay: string;
  next: { at: string; local: string; kind: string } | null;
  nextFull: { local: string } | null;
}

describeEachDatabase('web: the schedule', (db) => {
  let web: TestWeb;
  beforeAll(async () => {
    web = await openWeb(db);
  });
  afterAll(async () => web?.close());

  async function signedIn(library: Library, role: 'admin' | 'librarian', name: string): Promise<WebClient> {
    await makeStaff(web.store, library, role, name);
    const c = new WebClient(web.app);
    expect((await c.signIn(name)).statusCode).toBe(303);
    return c;
  }
  const schedule = async (c: WebClient) => (await c.api('GET', '/api/v1/schedule')).json() as ScheduleJson;

  it('the page shows the schedule and its next runs, and saves a new time, day and time zone for this library only', async () => {
    const lib = await db.newLibrary('Maple');
    const other = await db.newLibrary('Birch');
    const admin = await signedIn(lib, 'admin', `admin-page-${lib.code}`);

    const page = await admin.get('/preferences/schedule');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<a href="/preferences" aria-current="page">Preferences</a>');
    expect(page.body).toContain('on: daily at 02:00 UTC, full sync on Sunday');
    expect(page.body).toMatch(/id="next-run">\d{4}-\d\d-\d\d 02:00 \(UTC\), (delta|full) sync/);
    expect(page.body).toContain('<option value="America/Chicago">America/Chicago</option>');
    expect(page.body).toContain('data-test="zone-unconfirmed"');

    const saved = await admin.post('/preferences/schedule', {
      enabled: 'on',
      time: '03:15',
      fullSyncDay: 'wed',
      timezone: 'America/Chicago',
      revision: 0,
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/preferences/schedule?notice=schedule-saved');
    const after = await admin.get('/preferences/schedule?notice=schedule-saved');
    expect(after.body).toContain('The schedule is saved.');
    expect(after.body).toContain('on: daily at 03:15 America/Chicago, full sync on Wednesday');
    expect(after.body).toMatch(/id="next-run">\d{4}-\d\d-\d\d 03:15 \(America\/Chicago\)/);
    expect(after.body).not.toContain('data-test="zone-unconfirmed"');
    const json = await schedule(admin);
    expect(json).toMatchObject({
      enabled: true,
      time: '03:15',
      fullSyncDay: 'wed',
      timezone: 'America/Chicago',
      timezoneConfirmed: true,
      revision: 1,
    });
    // The next full sync is on a Wednesday of Chicago.
    expect(new Date(`${json.nextFull!.local.slice(0, 10)}T12:00:00Z`).getUTCDay()).toBe(3);

    const off = await admin.post('/preferences/schedule', {
      enabled: 'off',
      time: '03:15',
      fullSyncDay: 'wed',
      timezone: 'America/Chicago',
      revision: 1,
    });
    expect(off.statusCode).toBe(303);
    expect((await admin.get('/preferences/schedule')).body).toContain('none: Daily Operations is off');

    // Another library is untouched.
    expect(await web.store.schedules.get(other.id)).toMatchObject({ enabled: true, time: '02:00', timezone: 'UTC', revision: 0 });
  });

  it('refuses a bad time, day, zone or on/off on the page and in the API with a sentence naming the field, saving nothing', async () => {
    const lib = await db.newLibrary();
    const admin = await signedIn(lib, 'admin', `admin-bad-${lib.code}`);
    const before = await schedule(admin);
    await admin.get('/preferences/schedule');
    const good = { enabled: 'on', time: '04:00', fullSyncDay: 'mon', timezone: 'Europe/London', revision: before.revision };
    for (const [field, value, sentence] of [
      ['time', '25:00', 'A run time is HH:MM on a 24-hour clock (e.g. 02:00), not &quot;25:00&quot;.'],
      ['timezone', 'Mars/Olympus', '&quot;Mars/Olympus&quot; is not a time zone'],
      ['fullSyncDay', 'someday', 'A full-sync day is one of sun, mon'],
      ['enabled', 'maybe', 'Daily Operations is either on or off, not &quot;maybe&quot;.'],
    ] as const) {
      const res = await admin.post('/preferences/schedule', { ...good, [field]: value });
      expect(res.statusCode, field).toBe(400);
      expect(res.body).toContain(sentence);
      // The form keeps what the admin typed where it can.
      if (field === 'time') expect(res.body).toContain('value="25:00"');
    }
    for (const [body, sentence] of [
      [{ time: '7pm' }, 'A run time is HH:MM'],
      [{ timezone: 'Mars/Olympus', time: '05:00' }, '"Mars/Olympus" is not a time zone'],
      [{ fullSyncDay: 'someday' }, 'A full-sync day is one of'],
      [{ timezone: '' }, 'The time zone is empty'],
    ] as const) {
      const res = await admin.api('PUT', '/api/v1/schedule', body);
      expect(res.statusCode).toBe(400);
      expect((res.json() as { error: { message: string } }).error.message).toContain(sentence);
    }
    const notBoolean = await admin.api('PUT', '/api/v1/schedule', { enabled: 'maybe' });
    expect(notBoolean.statusCode).toBe(400);
    expect((notBoolean.json() as { error: { message: string } }).error.message).toContain('enabled');
    // Nothing of any of them was saved.
    expect(await schedule(admin)).toEqual(before);
  });

  it('two admins saving what they were both shown: one wins, the other is told and nothing of theirs is written', async () => {
    const lib = await db.newLibrary();
    const ann = await signedIn(lib, 'admin', `ann-${lib.code}`);
    const bob = await signedIn(lib, 'admin', `bob-${lib.code}`);
    const shown = /name="revision" value="(\d+)"/;
    const annRevision = shown.exec((await ann.get('/preferences/schedule')).body)![1]!;
    const bobRevision = shown.exec((await bob.get('/preferences/schedule')).body)![1]!;
    expect(annRevision).toBe(bobRevision);

    const annSaves = await ann.post('/preferences/schedule', {
      enabled: 'on',
      time: '01:30',
      fullSyncDay: 'sat',
      timezone: 'America/Denver',
      revision: annRevision,
    });
    expect(annSaves.statusCode).toBe(303);
    const bobSaves = await bob.post('/preferences/schedule', {
      enabled: 'on',
      time: '05:45',
      fullSyncDay: 'sun',
      timezone: 'UTC',
      revision: bobRevision,
    });
    expect(bobSaves.statusCode).toBe(409);
    expect(bobSaves.body).toContain(
      'Another admin changed the schedule after this form was shown, so nothing was saved; it is now on: daily at 01:30 America/Denver, full sync on Saturday. Check it and save again.',
    );
    // Bob's form now shows the schedule as it is, with the new revision: saving again goes through.
    expect(bobSaves.body).toContain('value="01:30"');
    const fresh = shown.exec(bobSaves.body)![1]!;
    expect(Number(fresh)).toBe(Number(annRevision) + 1);
    expect(await schedule(ann)).toMatchObject({ time: '01:30', timezone: 'America/Denver', fullSyncDay: 'sat' });

    // The API: the same revision sent twice at once — exactly one succeeds (on PostgreSQL the two
    // requests' transactions really overlap; the conditional update lets one through).
    const [a, b] = await Promise.all([
      ann.api('PUT', '/api/v1/schedule', { time: '06:00', revision: Number(fresh) }),
      bob.api('PUT', '/api/v1/schedule', { time: '07:00', revision: Number(fresh) }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const loser = a.statusCode === 409 ? a : b;
    const winner = a.statusCode === 200 ? a : b;
    expect((loser.json() as { error: { kind: string } }).error.kind).toBe('conflict');
    expect(await schedule(ann)).toMatchObject({ time: (winner.json() as ScheduleJson).time, revision: Number(fresh) + 1 });
    // Without a revision the API simply saves (a script that does not care).
    expect((await bob.api('PUT', '/api/v1/schedule', { time: '08:00' })).statusCode).toBe(200);
  });

  it('the home page asks about a time zone nobody chose until an admin confirms it; librarians see it without the form', async () => {
    const lib = await db.newLibrary();
    expect(lib.timezoneConfirmed).toBe(false);
    const admin = await signedIn(lib, 'admin', `admin-home-${lib.code}`);
    const librarian = await signedIn(lib, 'librarian', `lib-home-${lib.code}`);

    const asked = await librarian.get('/');
    expect(asked.body).toContain('data-test="zone-notice"');
    expect(asked.body).toContain('An admin confirms it');
    expect(asked.body).not.toContain('zone-confirm-form');
    const home = await admin.get('/');
    expect(home.body).toContain('data-test="zone-confirm-form"');
    expect(home.body).toMatch(/<option value="UTC" selected>UTC<\/option>/);

    // A bad zone is refused and changes nothing.
    const bad = await admin.post('/preferences/schedule/timezone', { timezone: 'Atlantis/Capital', revision: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('&quot;Atlantis/Capital&quot; is not a time zone');
    expect((await web.store.libraries.get(lib.id))!.timezoneConfirmed).toBe(false);

    await admin.get('/');
    const confirmed = await admin.post('/preferences/schedule/timezone', { timezone: 'UTC', revision: 0 });
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe('/?notice=timezone-confirmed');
    expect((await admin.get('/?notice=timezone-confirmed')).body).toContain('The library&#39;s time zone is confirmed.');
    expect((await admin.get('/')).body).not.toContain('data-test="zone-notice"');
    expect((await librarian.get('/')).body).not.toContain('data-test="zone-notice"');
    expect(await web.store.libraries.get(lib.id)).toMatchObject({ timezone: 'UTC', timezoneConfirmed: true });
  });

  it('librarians read the schedule in the API but neither change it nor open the page; OpenAPI describes it', async () => {
    const lib = await db.newLibrary();
    const librarian = await signedIn(lib, 'librarian', `lib-api-${lib.code}`);
    expect((await librarian.api('GET', '/api/v1/schedule')).statusCode).toBe(200);
    expect((await librarian.api('PUT', '/api/v1/schedule', { time: '09:00' })).statusCode).toBe(403);
    expect((await librarian.get('/preferences/schedule')).statusCode).toBe(403);
    expect((await librarian.post('/preferences/schedule/timezone', { timezone: 'UTC' })).statusCode).toBe(403);
    expect(await web.store.schedules.get(lib.id)).toMatchObject({ time: '02:00', revision: 0 });
    const doc = (await librarian.get('/api/v1/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/schedule']!).sort()).toEqual(['get', 'put']);
  });
});

describeEachDatabase(
  'web: first-run setup asks for the time zone',
  (db) => {
    it("offers the server's zone, refuses an unknown one with nothing created, and saves the chosen one as confirmed", async () => {
      const web = await openWeb(db);
      try {
        await db.store().libraries.ensure('default', 'Default library');
        const c = new WebClient(web.app);
        const page = await c.get('/setup');
        expect(page.body).toMatch(/<select id="timezone" name="timezone"/);
        const server = new Intl.DateTimeFormat().resolvedOptions().timeZone;
        expect(page.body).toContain(`The server's own time zone is ${server}`);
        expect(page.body).toContain(`<option value="${server}" selected>`);

        const form = { username: 'ada', password: TEST_PASSWORD, confirm: TEST_PASSWORD };
        const bad = await c.post('/setup', { ...form, timezone: 'Mars/Olympus' });
        expect(bad.statusCode).toBe(400);
        expect(bad.body).toContain('&quot;Mars/Olympus&quot; is not a time zone');
        expect(await web.store.staff.countAll()).toBe(0);

        const ok = await c.post('/setup', { ...form, timezone: 'America/Chicago' });
        expect(ok.statusCode).toBe(303);
        expect(await web.store.libraries.byCode('default')).toMatchObject({ timezone: 'America/Chicago', timezoneConfirmed: true });
        expect((await c.get('/')).body).not.toContain('data-test="zone-notice"');
      } finally {
        await web.close();
      }
    });
  },
  { isolation: 'test' },
);
