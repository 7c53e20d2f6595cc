/**
 * Operations Management in the web admin and the API (SPEC §3.5, §3.7), with
 * operations made by real syncs against the emulator: a full sync, a dry run and two syncs
 * held in "needs review". The list and its filters, an operation's page (counts, live
 * progress, log filtered and paged, downloads), the stored plan with old → new values, and
 * Approve / Reject — for admins only, within their own library, and never without CSRF.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNT_KEYS } from '../src/domain/counts.ts';
import type { Library, Operation } from '../src/store/store.ts';
import { LOG_CSV_HEADER, logTextLine } from '../src/presenters/operations-view.ts';
import { describeEachDatabase } from './support/db.ts';
import { addLocalPatrons, syncFixtures, type SyncFixture } from './support/sync-fixture.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

/** The operations the suite's syncs made, oldest first. */
interface Scenario {
  f: SyncFixture;
  lib: Library;
  full: Operation;
  dry: Operation;
  held: Operation;
  heldAgain: Operation;
  renamed: string[];
  admin: WebClient;
  librarian: WebClient;
}

/** Ids of the operation links of a list page, in page order. */
function listedIds(html: string): number[] {
  return [...html.matchAll(/data-test="operation-link" href="\/operations\/(\d+)"/g)].map((m) => Number(m[1]));
}

/** The levels of the log lines a page shows. */
function shownLevels(html: string): string[] {
  return [...html.matchAll(/data-test="log-line" data-level="(\w+)"/g)].map((m) => m[1]!);
}

describeEachDatabase('web: operations management', (db) => {
  const setUp = syncFixtures(db);
  let web: TestWeb;
  let s: Scenario;

  async function signedIn(lib: Library, role: 'admin' | 'librarian', name: string): Promise<WebClient> {
    await makeStaff(web.store, lib, role, name);
    const c = new WebClient(web.app);
    expect((await c.signIn(name)).statusCode).toBe(303);
    return c;
  }

  beforeAll(async () => {
    web = await openWeb(db);
    const f = await setUp();
    const lib = (await web.store.libraries.get(f.libraryId))!;
    const full = (await f.sync('full')).operation;
    // Every patron renamed in the roster: past the update threshold (50%), and more than a page.
    const renamed = f.expectedInScope().map((u) => u.sourcedId);
    for (const id of renamed) f.emulator.mutate.changeUser(id, { familyName: `Renamed-${id}` });
    const dry = (await f.sync('full', { dryRun: true })).operation;
    const held = (await f.sync('full')).operation;
    const heldAgain = (await f.sync('full')).operation;
    expect([full.state, dry.state, held.state, heldAgain.state]).toEqual(['succeeded', 'succeeded', 'needs_review', 'needs_review']);
    s = {
      f,
      lib,
      full,
      dry,
      held,
      heldAgain,
      renamed,
      admin: await signedIn(lib, 'admin', `adm-${lib.code}`),
      librarian: await signedIn(lib, 'librarian', `lib-${lib.code}`),
    };
  });
  afterAll(async () => web?.close());

  describe('the home page', () => {
    it('is a dashboard: what waits for review first, the last sync with its counts, Daily Operations; the menu counts held syncs', async () => {
      const res = await s.librarian.get('/');
      expect(res.statusCode).toBe(200);
      const held = res.body.slice(res.body.indexOf('data-test="dash-held"'));
      expect(held).toContain(`href="/operations/${s.held.id}"`);
      expect(held).toContain(`href="/operations/${s.heldAgain.id}"`);
      expect(held).toMatch(/would be updated; the limit is 50%/);
      expect(res.body).toMatch(/<span class="badge" data-test="nav-held" aria-label="2 waiting for review">2<\/span>/);
      expect(res.body).toMatch(new RegExp(`data-test="dash-last">Last sync: <a href="/operations/${s.full.id}">`));
      expect(res.body).toContain(`${s.full.counts.created} created`);
      expect(res.body).toContain('data-test="dash-schedule"');
      // Every staff page carries the badge, not only the home page.
      expect((await s.librarian.get('/patrons')).body).toContain('data-test="nav-held"');
    });
  });

  describe('the list', () => {
    it('shows every operation newest first, with its type, state and counts, linked to its page', async () => {
      const res = await s.librarian.get('/operations');
      expect(res.statusCode).toBe(200);
      expect(listedIds(res.body)).toEqual([s.heldAgain.id, s.held.id, s.dry.id, s.full.id]);
      expect(res.body).toContain('ClassLink Full Sync');
      expect(res.body).toContain('Dry Run');
      expect(res.body).toContain('state-needs_review');
      const fullRow = res.body.slice(res.body.indexOf(`data-operation="${s.full.id}"`));
      expect(fullRow).toContain(`<td data-test="operation-changes">${s.full.counts.created} created`);
      const heldRow = res.body.slice(res.body.indexOf(`data-operation="${s.held.id}"`));
      expect(heldRow).toMatch(/data-test="operation-changes">planned: \d+ updated/);
      expect(fullRow).toContain('<td>test</td>');
      expect(res.body).not.toContain('data-test="alerts"');
    });

    it("shows the library's open alerts at the top", async () => {
      await web.store.alerts.reconcile(s.lib.id, [{ kind: 'needs_review', operationId: s.held.id, message: 'A sync waits for review.' }]);
      const res = await s.librarian.get('/operations');
      expect(res.body).toContain('data-test="alerts"');
      expect(res.body).toMatch(new RegExp(`A sync waits for review\\. — <a href="/operations/${s.held.id}">`));
      await web.store.alerts.reconcile(s.lib.id, []);
      expect((await s.librarian.get('/operations')).body).not.toContain('data-test="alerts"');
    });

    it('filters by type and by state (a GET form), and the API pages', async () => {
      expect(listedIds((await s.librarian.get('/operations?type=dry_run')).body)).toEqual([s.dry.id]);
      const held = await s.librarian.get('/operations?state=needs_review&type=');
      expect(listedIds(held.body)).toEqual([s.heldAgain.id, s.held.id]);
      expect(held.body).toMatch(/<option value="needs_review" selected>/);
      expect((await s.librarian.get('/operations?state=failed')).body).toContain('No operation matches these filters.');
      expect((await s.librarian.get('/operations?state=bogus')).statusCode).toBe(400);

      const api = await s.librarian.api('GET', '/api/v1/operations?perPage=2&page=2');
      expect(api.statusCode).toBe(200);
      const body = api.json() as {
        items: { id: number; typeName: string; counts: Record<string, number> }[];
        total: number;
        pages: number;
      };
      expect(body.items.map((o) => o.id)).toEqual([s.dry.id, s.full.id]);
      expect(body).toMatchObject({ total: 4, pages: 2 });
      expect(Object.keys(body.items[1]!.counts)).toEqual(COUNT_KEYS);
      const filtered = (await s.librarian.api('GET', '/api/v1/operations?state=needs_review')).json() as { items: { id: number }[] };
      expect(filtered.items.map((o) => o.id)).toEqual([s.heldAgain.id, s.held.id]);
      expect((await s.librarian.api('GET', '/api/v1/operations?state=bogus')).statusCode).toBe(400);
    });
  });

  describe('an operation', () => {
    it("names the patron of each log line, linked to their page, and shows times in the library's zone", async () => {
      const lines = (await web.store.operations.log(s.lib.id, s.full.id, { limit: 100 })).items.filter((e) => e.sourcedId);
      expect(lines.length).toBeGreaterThan(0);
      const patron = (await s.f.patrons()).find((p) => p.guid === lines[0]!.sourcedId)!;
      const res = await s.librarian.get(`/operations/${s.full.id}`);
      expect(res.body).toContain(
        `<a href="/patrons/${patron.id}" data-test="log-patron">${patron.firstName} ${patron.lastName}</a><br><code class="id">${patron.guid}</code>`,
      );
      // The library's zone (UTC unless set): the column says which, every time is one line.
      const zone = (await web.store.libraries.get(s.lib.id))?.timezone ?? 'UTC';
      expect(res.body).toContain(`Time (${zone === '' ? 'UTC' : zone})</th>`);
      expect(res.body).toMatch(/<td class="when">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d<\/td>/);
    });

    it('shows counts, state, times, who, completeness; no live section once it ended', async () => {
      const res = await s.librarian.get(`/operations/${s.full.id}`);
      expect(res.statusCode).toBe(200);
      for (const k of COUNT_KEYS) expect(res.body).toContain(`data-test="count-${k}">${s.full.counts[k]}</td>`);
      expect(res.body).toMatch(/data-test="operation-state">succeeded</);
      expect(res.body).toMatch(/data-test="operation-complete">complete</);
      expect(res.body).toContain('<dt>Requested by</dt><dd>test</dd>');
      expect(res.body).not.toContain('data-poll=');
      // A plain sync keeps no plan; a librarian sees no buttons.
      expect(res.body).not.toContain('data-test="plan"');
      expect(res.body).not.toContain('id="approve"');

      const api = (await s.librarian.api('GET', `/api/v1/operations/${s.full.id}`)).json() as Record<string, unknown>;
      expect(api).toMatchObject({
        id: s.full.id,
        type: 'classlink_full_sync',
        typeName: 'ClassLink Full Sync',
        state: 'succeeded',
        complete: true,
        requestedBy: 'test',
        plan: null,
      });
      expect(api.counts).toEqual(Object.fromEntries(COUNT_KEYS.map((k) => [k, s.full.counts[k]])));
      expect(Object.keys(api)).toEqual(
        expect.arrayContaining(['progress', 'startedAt', 'finishedAt', 'createdAt', 'summary', 'error', 'source']),
      );
    });

    it('follows a queued or running operation live: progress bar, polled counts, the JSON it polls', async () => {
      const lib = await db.newLibrary();
      const c = await signedIn(lib, 'librarian', `live-${lib.code}`);
      const { operation } = await web.store.operations.create(lib.id, {
        type: 'classlink_full_sync',
        source: 'classlink',
        requestedBy: 'ada',
      });
      const queued = await c.get(`/operations/${operation.id}`);
      expect(queued.body).toContain(`data-poll="/api/v1/operations/${operation.id}"`);
      expect(queued.body).toContain('<progress id="operation-progress" data-progress');
      expect(queued.body).toContain('data-field="counts.created"');
      expect(queued.body).toMatch(/data-test="operation-complete">not known yet</);

      await web.store.operations.start(lib.id, operation.id);
      await web.store.operations.progress(lib.id, operation.id, 3, 10);
      const running = await c.api('GET', `/api/v1/operations/${operation.id}`);
      expect(running.json()).toMatchObject({ state: 'running', progress: { done: 3, total: 10 }, counts: { created: 0, warnings: 0 } });
      expect((await c.get(`/operations/${operation.id}`)).body).toContain('value="3"');
      await web.store.operations.finish(lib.id, operation.id, { state: 'failed', error: 'Stopped by the test.' });
      const ended = await c.get(`/operations/${operation.id}`);
      expect(ended.body).not.toContain('data-poll=');
      expect(ended.body).toContain('Stopped by the test.');
    });

    it('its log: filtered by level, searched by sourcedId, paged', async () => {
      const all = await web.store.operations.log(s.lib.id, s.held.id);
      const warnings = all.items.filter((l) => l.level === 'warning');
      expect(warnings.length).toBeGreaterThan(0);
      const page = await s.librarian.get(`/operations/${s.held.id}?level=warning`);
      expect(shownLevels(page.body)).toEqual(warnings.map(() => 'warning'));
      expect(page.body).toMatch(/<option value="warning" selected>/);
      expect(shownLevels((await s.librarian.get(`/operations/${s.held.id}?level=info`)).body)).not.toContain('warning');

      const someone = s.f.expectedInScope()[0]!.sourcedId;
      const fullLog = await web.store.operations.log(s.lib.id, s.full.id);
      const about = fullLog.items.filter((l) => l.sourcedId === someone || l.message.includes(someone));
      expect(about.length).toBeGreaterThan(0);
      const searched = await s.librarian.get(`/operations/${s.full.id}?q=${encodeURIComponent(someone.toUpperCase())}`);
      expect(shownLevels(searched.body)).toHaveLength(about.length);
      expect(searched.body).toContain(`value="${someone.toUpperCase()}"`);
      expect((await s.librarian.get(`/operations/${s.full.id}?q=no-such-text-anywhere`)).body).toContain('No line matches.');

      // Paged in the store: page 2 of 5-line pages is lines 6–10.
      const api = (await s.librarian.api('GET', `/api/v1/operations/${s.full.id}/log?perPage=5&page=2`)).json() as {
        items: { id: number }[];
        total: number;
      };
      expect(api.total).toBe(fullLog.total);
      expect(api.items.map((l) => l.id)).toEqual(fullLog.items.slice(5, 10).map((l) => l.id));
      const apiWarnings = (await s.librarian.api('GET', `/api/v1/operations/${s.held.id}/log?level=warning,error`)).json() as {
        total: number;
      };
      expect(apiWarnings.total).toBe(all.items.filter((l) => l.level !== 'info').length);
      expect((await s.librarian.api('GET', `/api/v1/operations/${s.held.id}/log?level=debug`)).statusCode).toBe(400);
    });

    it('downloads its log as text and CSV, as attachments, whole or filtered', async () => {
      const log = (await web.store.operations.log(s.lib.id, s.full.id)).items;
      const page = await s.librarian.get(`/operations/${s.full.id}`);
      expect(page.body).toContain(`id="download-text" href="/operations/${s.full.id}/log.txt"`);
      expect(page.body).toContain(`id="download-csv" href="/operations/${s.full.id}/log.csv"`);

      const text = await s.librarian.get(`/operations/${s.full.id}/log.txt`);
      expect(text.statusCode).toBe(200);
      expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(text.headers['content-disposition']).toBe(`attachment; filename="operation-${s.full.id}-log.txt"`);
      expect(text.body.split('\n').slice(0, -1)).toEqual(log.map(logTextLine));

      const csv = await s.librarian.get(`/operations/${s.full.id}/log.csv`);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.headers['content-disposition']).toBe(`attachment; filename="operation-${s.full.id}-log.csv"`);
      const rows = csv.body.trimEnd().split('\n');
      // A byte-order mark first, so a spreadsheet reads the file as UTF-8 (src/csv/csv-write.ts).
      expect(rows[0]).toBe(`\uFEFF${LOG_CSV_HEADER}`);
      expect(rows).toHaveLength(log.length + 1);
      expect(rows[1]).toContain(`${log[0]!.at},${log[0]!.level},`);

      // The filter in force goes with the download.
      const filteredPage = await s.librarian.get(`/operations/${s.held.id}?level=warning`);
      expect(filteredPage.body).toContain(`href="/operations/${s.held.id}/log.csv?level=warning"`);
      const warningsCsv = await s.librarian.get(`/operations/${s.held.id}/log.csv?level=warning`);
      const lines = warningsCsv.body.trimEnd().split('\n').slice(1);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((l) => l.split(',')[1] === 'warning')).toBe(true);

      const apiCsv = await s.librarian.api('GET', `/api/v1/operations/${s.full.id}/log.csv`);
      expect(apiCsv.statusCode).toBe(200);
      expect(apiCsv.body).toBe(csv.body);
    });
  });

  describe('the stored plan', () => {
    it('shows a held sync’s updates with field names, numbers and old → new values, paged per kind', async () => {
      // The log is the page's first tab; the plan has its own (read only when shown).
      const logTab = await s.admin.get(`/operations/${s.held.id}`);
      expect(logTab.body).toContain('data-test="log"');
      expect(logTab.body).not.toContain('data-test="plan-update"');
      expect(logTab.body).toContain(`href="/operations/${s.held.id}?view=plan#plan" data-test="read-plan"`);
      expect(logTab.body).toMatch(/id="tab-plan">Plan \(\d+ changes?\)/);
      const res = await s.admin.get(`/operations/${s.held.id}?view=plan`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('data-test="plan-update"');
      expect(res.body).not.toContain('data-test="log"');
      expect(res.body).toContain(`Updates (${s.renamed.length})`);
      const first = s.renamed.slice().sort()[0]!;
      const user = s.f.user(first);
      expect(res.body).toContain(`Last Name (1006): <del>${user.familyName}</del> → <ins>Renamed-${first}</ins>`);
      // 20 a page: the rest are on the next page of updates.
      expect(s.renamed.length).toBeGreaterThan(20);
      expect(res.body).toContain(`href="/operations/${s.held.id}?view=plan&amp;update-page=2#plan-update"`);
      const second = await s.admin.get(`/operations/${s.held.id}?view=plan&update-page=2`);
      const last = s.renamed.slice().sort().at(-1)!;
      expect(second.body).toContain(`<ins>Renamed-${last}</ins>`);
      expect(second.body).not.toContain(`<ins>Renamed-${first}</ins>`);

      const api = await s.librarian.api('GET', `/api/v1/operations/${s.held.id}/plan?kind=update&perPage=1`);
      const body = api.json() as {
        kind: string;
        kinds: { kind: string; total: number }[];
        total: number;
        items: { sourcedId: string; fields: unknown[] }[];
      };
      expect(body.kind).toBe('update');
      expect(body.total).toBe(s.renamed.length);
      expect(body.kinds).toContainEqual({ kind: 'update', total: s.renamed.length });
      expect(body.items[0]).toMatchObject({
        sourcedId: first,
        fields: [{ number: 1006, label: 'Last Name', from: user.familyName, to: `Renamed-${first}` }],
      });
      expect((await s.librarian.api('GET', `/api/v1/operations/${s.full.id}/plan`)).statusCode).toBe(404);
    });

    it('shows what a dry run would do, with no buttons', async () => {
      const res = await s.admin.get(`/operations/${s.dry.id}?view=plan`);
      expect(res.body).toContain('What this dry run would do');
      expect(res.body).toContain(`<ins>Renamed-${s.renamed[0]}</ins>`);
      expect(res.body).not.toContain('id="approve"');
      expect((await s.admin.api('GET', `/api/v1/operations/${s.dry.id}`)).json()).toMatchObject({
        plan: expect.arrayContaining([{ kind: 'update', total: s.renamed.length }]),
      });
    });
  });

  describe('approve and reject', () => {
    it('a librarian sees no buttons and is refused; another library’s operation is not found', async () => {
      const page = await s.librarian.get(`/operations/${s.held.id}`);
      expect(page.body).not.toContain('id="approve"');
      expect(page.body).toContain('a Rollcall admin approves or rejects');
      expect((await s.librarian.post(`/operations/${s.held.id}/approve`)).statusCode).toBe(403);
      expect((await s.librarian.api('POST', `/api/v1/operations/${s.held.id}/reject`)).statusCode).toBe(403);

      const other = await db.newLibrary();
      const stranger = await signedIn(other, 'admin', `adm-${other.code}`);
      for (const url of [`/operations/${s.held.id}`, `/operations/${s.held.id}/log.csv`, `/operations/${s.held.id}/log.txt`]) {
        expect((await stranger.get(url)).statusCode, url).toBe(404);
      }
      for (const url of ['', '/log', '/log.csv', '/plan']) {
        const res = await stranger.api('GET', `/api/v1/operations/${s.held.id}${url}`);
        expect(res.statusCode, url).toBe(404);
        expect(res.json()).toMatchObject({ error: { kind: 'not_found' } });
      }
      await stranger.get('/operations');
      expect((await stranger.post(`/operations/${s.held.id}/approve`)).statusCode).toBe(404);
      expect((await stranger.api('POST', `/api/v1/operations/${s.held.id}/approve`)).statusCode).toBe(404);
      expect((await stranger.get('/operations/abc')).statusCode).toBe(404);
      expect((await stranger.get('/operations/99999999999')).statusCode).toBe(404);
      expect((await web.store.operations.get(s.lib.id, s.held.id))!.state).toBe('needs_review');
    });

    it('refuses a form or API call without its CSRF token', async () => {
      await s.admin.get(`/operations/${s.held.id}`);
      expect((await s.admin.post(`/operations/${s.held.id}/approve`, { _csrf: '' })).statusCode).toBe(403);
      expect((await s.admin.post(`/operations/${s.held.id}/reject`, { _csrf: 'forged' })).statusCode).toBe(403);
      expect((await s.admin.api('POST', `/api/v1/operations/${s.held.id}/approve`, undefined, { 'x-csrf-token': '' })).statusCode).toBe(
        403,
      );
      expect((await web.store.operations.get(s.lib.id, s.held.id))!.state).toBe('needs_review');
    });

    it('an admin approves from the page: the plan applies and the page says so', async () => {
      const page = await s.admin.get(`/operations/${s.held.id}`);
      expect(page.body).toContain('id="approve"');
      expect(page.body).toMatch(/action="\/operations\/\d+\/approve" class="inline" data-confirm="/);
      const res = await s.admin.post(`/operations/${s.held.id}/approve`);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/operations/${s.held.id}?notice=operation-approved`);
      const after = await s.admin.get(res.headers.location as string);
      expect(after.body).toContain('The plan was approved and applied.');
      expect(after.body).toMatch(/data-test="operation-state">succeeded/);
      expect(after.body).toContain('id="tab-plan"');
      expect((await s.admin.get(`/operations/${s.held.id}?view=plan`)).body).toContain('The plan as it was approved');
      expect(after.body).not.toContain('id="approve"');
      expect((await s.f.patronByGuid(s.renamed[0]!))!.lastName).toBe(`Renamed-${s.renamed[0]}`);
      const log = (await web.store.operations.log(s.lib.id, s.held.id)).items;
      expect(log.some((l) => l.message === `Approved by adm-${s.lib.code}.`)).toBe(true);
      // Decided once: a second approval is refused with a sentence, on the page.
      const again = await s.admin.post(`/operations/${s.held.id}/approve`);
      expect(again.statusCode).toBe(400);
      expect(again.body).toContain('is not waiting for review');
    });

    it('an admin rejects through the API: SPEC §8 JSON, nothing written', async () => {
      const before = await s.f.patrons();
      await s.admin.get('/operations');
      const res = await s.admin.api('POST', `/api/v1/operations/${s.heldAgain.id}/reject`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['operation', 'state', 'counts', 'complete']);
      expect(body).toMatchObject({ operation: s.heldAgain.id, state: 'rejected' });
      expect(await s.f.patrons()).toEqual(before);
      const page = await s.admin.get(`/operations/${s.heldAgain.id}`);
      expect(page.body).toContain(`Rejected by adm-${s.lib.code}: the plan was discarded and nothing was written.`);
      // A decision, not a failure: its own state, no error box, no approve/reject hint, and the
      // counts read as what was planned, not as written.
      expect(page.body).toContain('state-rejected');
      expect(page.body).not.toContain('data-test="operation-error"');
      expect(page.body).not.toMatch(/approve|rollcall operations/i);
      expect(page.body).toContain('data-test="counts-planned"');
      expect((await s.admin.api('POST', `/api/v1/operations/${s.heldAgain.id}/reject`)).json()).toMatchObject({
        error: { kind: 'conflict' },
      });
    });
  });

  describe('why a sync waits (SPEC §3.5)', () => {
    it('a transfer held among many local patrons names its denominator in words: page, API and log', async () => {
      const f = await setUp();
      await f.sync('full');
      const synced = f.expectedInScope().length;
      await addLocalPatrons(f, 20 * synced);
      const n = Math.floor(synced / 10) + 1;
      for (const u of f.expectedInScope(['student']).slice(0, n)) f.emulator.mutate.removeUser(u.sourcedId);
      const held = (await f.sync('full')).operation;
      expect(held.state).toBe('needs_review');
      const pct = ((n * 100) / synced).toFixed(1).replace(/\.0$/, '');
      const sentence = `${n} of ${synced} patrons synced from ClassLink (${pct}%) would be transferred; the limit is 10%.`;

      const admin = await signedIn((await web.store.libraries.get(f.libraryId))!, 'admin', `adm-why-${f.libraryId}`);
      const page = await admin.get(`/operations/${held.id}`);
      expect(page.body).toContain(`<p data-test="operation-summary">Stopped for review: ${sentence}`);
      expect(page.body).toContain('id="approve"');
      const api = (await admin.api('GET', `/api/v1/operations/${held.id}`)).json() as { summary: string };
      expect(api.summary).toContain(`Stopped for review: ${sentence}`);
      const log = (await admin.api('GET', `/api/v1/operations/${held.id}/log?level=warning`)).json() as { items: { message: string }[] };
      expect(log.items.map((l) => l.message)).toContain(`Needs review: ${sentence}`);
    });
  });
});
