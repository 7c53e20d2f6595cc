/**
 * What a librarian sees every day, on every page: each page an admin, a librarian, a signed-in
 * patron or a visitor can reach — with a held plan, error pages and forms with errors among them —
 * passes axe-core's WCAG 2.0/2.1 A and AA rules (no serious or critical violation) and never
 * scrolls sideways, at 1280 × 800 and 390 × 844, with long things in it: a 200-character site
 * name, a 150-character patron name and a 40-character word with no break (page-checks.ts).
 *
 * The pages come from the server's own route table: a page route this file neither visits nor
 * excludes with a reason fails the first test, so a new page is never silently skipped.
 * Screenshots of a few pages at phone width go to test-output/screenshots/every-page/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testConfig } from '../../src/config/load.ts';
import { changeSso } from '../../src/sources/classlink/sign-in-settings.ts';
import type { Library } from '../../src/store/store.ts';
import { hashPassword } from '../../src/web/auth/passwords.ts';
import { checkPage } from './page-checks.ts';
import {
  ADMIN_PASSWORD,
  connectClassLink,
  describeInBrowser,
  insertEmailTwins,
  launchBrowser,
  Screenshots,
  setUpFirstAdmin,
  startStack,
  syncFromPage,
  type BrowserStack,
} from './support.ts';

/** A 40-character word with no place to break it (a pasted ID, a German compound). */
const WORD40 = 'Bibliotheksbenutzerausweisverlängerungen';
/** A 200-character site name (with the long word in it). */
const SITE200 =
  `Maple Grove ${WORD40} Consolidated Independent School District Northern Campus Elementary and Middle School Annex for the Performing Arts and Sciences and Technology Magnet Program Annex B`
    .padEnd(200, 'x')
    .slice(0, 200);
/** A 150-character patron name: a first name and a double-barrelled last name. */
const FIRST = 'Maria-Guadalupe Alexandrina Josefina';
const LAST = 'Montgomery-Fitzwilliam de la Cruz-Vanderbilt Oyelaran-Nakamura Abernathy-Wolfeschlegelsteinhausen'.padEnd(
  150 - FIRST.length - 1,
  'e',
);
const LAST_HELD = `${LAST.slice(0, -3)}son`;

/** Who asks for a page: nobody signed in, a staff role, or a patron signed in with ClassLink. */
type Who = 'anyone' | 'librarian' | 'admin' | 'patron';

/** The ids the page addresses need, known once the stack is set up. */
interface Ids {
  firstOp: string;
  heldOp: string;
  patron: number;
  conflict: string;
}

/** A page route and the addresses visited for it (a name for the report, a path). */
interface Visit {
  route: string;
  who: Who;
  pages: (ids: Ids) => [name: string, path: string][];
}

const one = (name: string, path: string) => () => [[name, path]] as [string, string][];

/** Every page route, by who reaches it (admins also visit the librarians' pages). */
const VISITS: Visit[] = [
  // Anyone. /setup is visited before the first admin exists (it is closed after).
  { route: '/setup', who: 'anyone', pages: one('setup', '/setup') },
  { route: '/login', who: 'anyone', pages: one('sign-in', '/login') },
  { route: '/help/classlink', who: 'anyone', pages: one('ClassLink guide', '/help/classlink') },
  // The sign-in refusal page (what a cancelled ClassLink sign-in shows).
  { route: '/sso/classlink/callback', who: 'anyone', pages: one('sign-in refused', '/sso/classlink/callback?error=access_denied') },
  // Staff.
  { route: '/', who: 'librarian', pages: one('dashboard', '/') },
  { route: '/operations', who: 'librarian', pages: one('operations', '/operations') },
  {
    route: '/operations/:id',
    who: 'librarian',
    pages: (ids) => [
      ['operation log', `/operations/${ids.firstOp}`],
      ['held operation log', `/operations/${ids.heldOp}`],
      ['held operation plan', `/operations/${ids.heldOp}?view=plan`],
    ],
  },
  {
    route: '/patrons',
    who: 'librarian',
    pages: () => [
      ['patrons', '/patrons'],
      ['patrons search (long word)', `/patrons?q=${encodeURIComponent(WORD40)}`],
      ['patrons search (long name)', `/patrons?q=${encodeURIComponent(LAST.slice(0, 30))}`],
    ],
  },
  { route: '/patrons/:id', who: 'librarian', pages: (ids) => [['patron (long name)', `/patrons/${ids.patron}`]] },
  { route: '/patrons/:id/edit', who: 'librarian', pages: (ids) => [['patron edit', `/patrons/${ids.patron}/edit`]] },
  { route: '/patrons/locks', who: 'librarian', pages: one('locks', '/patrons/locks') },
  { route: '/patrons/export', who: 'librarian', pages: one('export', '/patrons/export') },
  { route: '/patrons/koha-codes', who: 'librarian', pages: one('koha codes', '/patrons/koha-codes') },
  { route: '/sites', who: 'librarian', pages: one('sites', '/sites') },
  { route: '/conflicts', who: 'librarian', pages: one('conflicts', '/conflicts') },
  { route: '/conflicts/:id', who: 'librarian', pages: (ids) => [['conflict', `/conflicts/${ids.conflict}`]] },
  // Admins.
  { route: '/admin/users', who: 'admin', pages: one('staff', '/admin/users') },
  { route: '/admin/tokens', who: 'admin', pages: one('tokens', '/admin/tokens') },
  { route: '/admin/webhooks', who: 'admin', pages: one('webhooks', '/admin/webhooks') },
  { route: '/operations/:id/undo', who: 'admin', pages: (ids) => [['undo preview', `/operations/${ids.firstOp}/undo`]] },
  { route: '/patrons/:id/delete', who: 'admin', pages: (ids) => [['patron delete', `/patrons/${ids.patron}/delete`]] },
  { route: '/patrons/import', who: 'admin', pages: one('import', '/patrons/import') },
  {
    route: '/patrons/removal',
    who: 'admin',
    pages: () => [
      ['removal rule', '/patrons/removal'],
      ['removal preview', '/patrons/removal?preview=1'],
    ],
  },
  { route: '/preferences', who: 'admin', pages: one('preferences', '/preferences') },
  { route: '/preferences/new-patrons', who: 'admin', pages: one('new patrons', '/preferences/new-patrons') },
  { route: '/preferences/schedule', who: 'admin', pages: one('schedule', '/preferences/schedule') },
  { route: '/sites/:code/edit', who: 'admin', pages: one('site edit (long name)', '/sites/LONG/edit') },
  { route: '/preferences/integrations', who: 'admin', pages: one('integrations', '/preferences/integrations') },
  ...['classlink', 'oneroster', 'csv'].flatMap((source): Visit[] => [
    { route: `/preferences/integrations/${source}`, who: 'admin', pages: one(`${source} settings`, `/preferences/integrations/${source}`) },
    ...['sites', 'syncing', 'fields', 'enable'].map(
      (step): Visit => ({
        route: `/preferences/integrations/${source}/${step}`,
        who: 'admin',
        pages: one(`${source} ${step}`, `/preferences/integrations/${source}/${step}`),
      }),
    ),
  ]),
  ...['classlink', 'oneroster'].map(
    (source): Visit => ({
      route: `/preferences/integrations/${source}/sync`,
      who: 'admin',
      pages: one(`${source} sync`, `/preferences/integrations/${source}/sync`),
    }),
  ),
  {
    route: '/preferences/integrations/classlink/sign-in',
    who: 'admin',
    pages: one('classlink sign-in', '/preferences/integrations/classlink/sign-in'),
  },
  // A patron signed in with ClassLink.
  { route: '/me', who: 'patron', pages: one('my record', '/me') },
];

/** GET routes that never render a page of their own, and why. */
const NOT_PAGES: Record<string, string> = {
  '/favicon.ico': 'redirects to the icon',
  '/healthz': 'JSON for load balancers',
  '/operations/:id/log.txt': 'a download',
  '/operations/:id/log.csv': 'a download',
  '/operations/:id/archive.csv': 'a download',
  '/patrons/removal/archive.csv': 'a download',
  '/patrons/export/download': 'a download',
  '/sso/classlink/start': 'redirects to ClassLink',
  '/sso/classlink/launch': 'redirects to ClassLink',
  '/sso/classlink/callback/:library': 'the same handler and pages as /sso/classlink/callback (visited)',
  '/conflicts/for-log-line': 'redirects to /conflicts/:id (visited), or the error page (visited)',
};

describeInBrowser('browser: every page is accessible and fits the screen', () => {
  let stack: BrowserStack;
  let browser: Browser;
  let admin: Page;
  let lib: Library;
  let ids: Ids;
  const shots = new Screenshots('every-page');
  const LIBRARIAN_PASSWORD = 'a long librarian password';

  beforeAll(async () => {
    stack = await startStack(30);
    browser = await launchBrowser();
    admin = await newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function newPage(): Promise<Page> {
    const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // Forms that ask for confirmation are confirmed, as a person would.
    page.on('dialog', (d) => void d.accept());
    return page;
  }

  /** Opens each address and checks it; the problems found. */
  async function visitAll(page: Page, visits: Visit[]): Promise<string[]> {
    const problems: string[] = [];
    for (const visit of visits) {
      for (const [name, path] of visit.pages(ids)) {
        await page.goto(`${stack.url}${path}`);
        problems.push(...(await checkPage(page, `${name} [${visit.who}]`)));
      }
    }
    return problems;
  }

  /** Phone-width screenshot of the page as it is. */
  async function phoneShot(page: Page, name: string): Promise<void> {
    await page.setViewportSize({ width: 390, height: 844 });
    await shots.take(page, name);
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  it('visits every page route the server has, or says why not', async () => {
    const pageRoutes = stack.web.rollcallRoutes
      .filter((r) => r.method === 'GET' && !r.url.startsWith('/api/') && !r.url.startsWith('/static/'))
      .map((r) => r.url);
    const visited = new Set(VISITS.map((v) => v.route));
    const unlisted = pageRoutes.filter((url) => !visited.has(url) && !(url in NOT_PAGES));
    expect(unlisted, 'page routes neither visited here nor listed in NOT_PAGES with a reason').toEqual([]);
    const stale = [...visited, ...Object.keys(NOT_PAGES)].filter((url) => !pageRoutes.includes(url));
    expect(stale, 'routes listed here that the server no longer has').toEqual([]);
  });

  it('first-run setup, its form with errors, then a library with long things in it', async () => {
    const { url, emulator, store } = stack;
    const problems: string[] = [];
    await admin.goto(url);
    await admin.waitForURL(`${url}/setup`);
    problems.push(...(await checkPage(admin, 'setup [anyone]')));
    await admin.fill('#username', 'ada');
    await admin.fill('#password', ADMIN_PASSWORD);
    await admin.fill('#confirm', `${ADMIN_PASSWORD} typo`);
    await Promise.all([admin.waitForLoadState('load'), admin.click('button[type=submit]')]);
    await expect(admin.locator('.error').count()).resolves.toBe(1);
    problems.push(...(await checkPage(admin, 'setup with errors [anyone]')));
    await setUpFirstAdmin(admin, url, 'ada', `Ada ${WORD40}`);

    // ClassLink with the emulator; a second school on a site with a 200-character name.
    lib = await connectClassLink(stack, { thresholds: { maxTransferPct: 10, maxUpdatePct: 10 } });
    const c = emulator.credentials;
    const roster = async <T>(path: string): Promise<T> =>
      (await (
        await fetch(`${emulator.url}/${c.appId}/ims/oneroster/v1p1/${path}`, { headers: { authorization: `Bearer ${c.bearerToken}` } })
      ).json()) as T;
    const schools = (await roster<{ orgs: { sourcedId: string }[] }>('schools?limit=100')).orgs.map((o) => o.sourcedId).sort();
    await store.sites.add(lib.id, { code: 'LONG', name: SITE200 });
    await store.sites.setOrgGuid(lib.id, 'LONG', schools[1]!);
    const students = (await roster<{ users: { sourcedId: string; email: string }[] }>(`schools/${schools[0]}/students?limit=100`)).users;
    // A student with a 150-character name, from the roster (so the logs and plans carry it too).
    const long = students[0]!;
    emulator.mutate.changeUser(long.sourcedId, { givenName: FIRST, familyName: LAST });
    expect(`${FIRST} ${LAST}`).toHaveLength(150);
    expect(SITE200).toHaveLength(200);
    expect(WORD40).toHaveLength(40);
    // Two patrons sharing a roster user's email: a conflict for the queue.
    const shared = students.find((s, i) => i > 0 && s.email !== '')!;
    await insertEmailTwins(store, lib.id, shared.email);
    const firstOp = (await syncFromPage(admin, url)).split('/').pop()!;

    // The district renames a third of the students, the long one among them: held for review.
    const synced = (await store.patrons.loadAll(lib.id)).filter((p) => p.guid.startsWith('stu-'));
    for (const s of synced.slice(0, Math.ceil(synced.length / 3)))
      emulator.mutate.changeUser(s.guid, { familyName: `Renamed${s.lastName}` });
    emulator.mutate.changeUser(long.sourcedId, { givenName: FIRST, familyName: LAST_HELD });
    const heldOp = (await syncFromPage(admin, url, '#sync-now', /needs review/)).split('/').pop()!;

    // A librarian types the long word into the patron's notes and locks a field.
    const patron = (await store.patrons.byGuid(lib.id, long.sourcedId))!;
    await admin.goto(`${url}/patrons/${patron.id}/edit`);
    await admin.fill('textarea[name=notes]', `Card replaced twice; see ${WORD40} in the office binder.`);
    if ((await admin.locator('#lock-firstName').count()) > 0) await admin.check('#lock-firstName');
    await Promise.all([admin.waitForURL(`${url}/patrons/${patron.id}?notice=*`), admin.click('#save-patron')]);

    // A form with errors: a birthdate that is not a date.
    await admin.goto(`${url}/patrons/${patron.id}/edit`);
    await admin.fill('[name=birthdate]', `not a date ${WORD40}`);
    await Promise.all([admin.waitForLoadState('load'), admin.click('#save-patron')]);
    await expect(admin.locator('[data-test=edit-problems]').count()).resolves.toBe(1);
    problems.push(...(await checkPage(admin, 'patron edit with errors [admin]')));
    await phoneShot(admin, 'patron-edit-with-errors');

    await admin.goto(`${url}/conflicts`);
    const conflictHref = await admin.locator('a[href^="/conflicts/"]').first().getAttribute('href');
    ids = { firstOp, heldOp, patron: patron.id, conflict: conflictHref!.split('/').pop()! };

    // A librarian with a long display name; sign-in with ClassLink on.
    await store.staff.create(lib.id, {
      username: 'lena',
      displayName: `Lena ${WORD40}`,
      role: 'librarian',
      passwordHash: await hashPassword(LIBRARIAN_PASSWORD),
    });
    await changeSso(testConfig(), store, lib.id, lib.code, { enabled: true, tenantId: emulator.credentials.tenantId });
    expect(problems).toEqual([]);
  }, 240_000);

  it("an admin's view of the librarians' pages, the held plan among them", async () => {
    const problems = await visitAll(
      admin,
      VISITS.filter((v) => v.who === 'librarian'),
    );
    await admin.goto(`${stack.url}/operations/${ids.heldOp}?view=plan`);
    await phoneShot(admin, 'held-plan');
    await admin.goto(`${stack.url}/patrons/${ids.patron}`);
    await phoneShot(admin, 'patron-long-name');
    await admin.goto(`${stack.url}/sites`);
    await phoneShot(admin, 'sites-long-name');
    expect(problems).toEqual([]);
  }, 900_000);

  it("the admins' own pages, and the error page", async () => {
    const problems = await visitAll(
      admin,
      VISITS.filter((v) => v.who === 'admin'),
    );
    // The error page: an address that is nothing.
    const missing = await admin.goto(`${stack.url}/no-such-page/${WORD40}`);
    expect(missing?.status()).toBe(404);
    problems.push(...(await checkPage(admin, 'not found [admin]')));
    await phoneShot(admin, 'not-found');
    expect(problems).toEqual([]);
  }, 900_000);

  it("a librarian's pages, and an admin page refused", async () => {
    const page = await newPage();
    await page.goto(`${stack.url}/login`);
    await page.fill('#username', 'lena');
    await page.fill('#password', LIBRARIAN_PASSWORD);
    await Promise.all([page.waitForURL(`${stack.url}/`), page.click('button[type=submit]')]);
    const problems = await visitAll(
      page,
      VISITS.filter((v) => v.who === 'librarian'),
    );
    const refused = await page.goto(`${stack.url}/admin/users`);
    expect(refused?.status()).toBe(403);
    problems.push(...(await checkPage(page, 'not allowed [librarian]')));
    await page.goto(`${stack.url}/`);
    await phoneShot(page, 'librarian-dashboard');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 900_000);

  it("a visitor's pages, a sign-in with errors, and a patron signed in with ClassLink", async () => {
    const page = await newPage();
    const problems = await visitAll(
      page,
      VISITS.filter((v) => v.who === 'anyone' && v.route !== '/setup'),
    );
    await page.goto(`${stack.url}/login`);
    await page.fill('#username', 'ada');
    await page.fill('#password', 'not the password');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    await expect(page.locator('.error').count()).resolves.toBe(1);
    problems.push(...(await checkPage(page, 'sign-in with errors [anyone]')));

    // The student with the long name signs in with ClassLink (the emulator's picker).
    const patron = (await stack.store.patrons.get(lib.id, ids.patron))!;
    await page.goto(`${stack.url}/login`);
    await Promise.all([page.waitForURL(/oauth2\/v2\/auth/), page.click('#sign-in-classlink')]);
    await Promise.all([page.waitForURL(`${stack.url}/me`), page.click(`a[data-sourced-id="${patron.guid}"]`)]);
    problems.push(
      ...(await visitAll(
        page,
        VISITS.filter((v) => v.who === 'patron'),
      )),
    );
    await phoneShot(page, 'my-record');
    const refused = await page.goto(`${stack.url}/patrons`);
    expect(refused?.status()).toBe(403);
    problems.push(...(await checkPage(page, 'not allowed [patron]')));
    expect(problems).toEqual([]);
    await page.context().close();
  }, 300_000);
});
