/**
 * The conflict queue in a real browser (SPEC §3.9): an admin's Sync Now finds a roster user whose
 * email two imported patrons share; the operation's log line links to the conflict; a librarian
 * sees the count in the navigation and both sides side by side, and links the user to one of
 * the patrons; the admin's next Sync Now matches it and the item is closed. A screenshot of each
 * page goes to test-output/screenshots/conflicts-flow/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { saveClassLink } from '../../src/sources/classlink/state.ts';
import { readClassLinkSettings } from '../../src/sources/settings.ts';
import type { Library } from '../../src/store/store.ts';
import { hashPassword } from '../../src/web/auth/passwords.ts';
import { describeInBrowser, insertEmailTwins, launchBrowser, Screenshots, startStack, type BrowserStack } from './support.ts';

const PASSWORD = 'a long staff password';

describeInBrowser('browser: a conflict resolved from the queue', () => {
  let stack: BrowserStack;
  let browser: Browser;
  let admin: Page;
  let librarian: Page;
  let lib: Library;
  const shots = new Screenshots('conflicts-flow');

  beforeAll(async () => {
    stack = await startStack(40);
    browser = await launchBrowser();
    const viewport = { viewport: { width: 1280, height: 900 } };
    admin = await (await browser.newContext(viewport)).newPage();
    librarian = await (await browser.newContext(viewport)).newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** ClassLink set up as an admin would have (the admin flow walks those pages): one school matched, students synced. */
  async function configured(): Promise<{ sourcedId: string; twins: number[] }> {
    const { store, emulator } = stack;
    lib = (await store.libraries.byCode('default'))!;
    for (const [role, username] of [
      ['admin', 'ada'],
      ['librarian', 'lena'],
    ] as const) {
      await store.staff.create(lib.id, { username, role, passwordHash: await hashPassword(PASSWORD), displayName: username });
    }
    const res = await fetch(`${emulator.url}/${emulator.credentials.appId}/ims/oneroster/v1p1/schools?limit=100`, {
      headers: { authorization: `Bearer ${emulator.credentials.bearerToken}` },
    });
    const school = ((await res.json()) as { orgs: { sourcedId: string; name: string }[] }).orgs[0]!;
    await store.sites.add(lib.id, { code: 'ES', name: school.name });
    await store.sites.setOrgGuid(lib.id, 'ES', school.sourcedId);
    const settings = readClassLinkSettings({
      connection: { mode: 'direct', rosterUrl: emulator.url, auth: 'oauth1', clientId: emulator.credentials.clientId },
    });
    settings.roles = ['student'];
    await saveClassLink(store, lib.id, { settings, secrets: { clientSecret: emulator.credentials.clientSecret }, enabled: true });

    const users = await fetch(
      `${emulator.url}/${emulator.credentials.appId}/ims/oneroster/v1p1/schools/${school.sourcedId}/students?limit=100`,
      {
        headers: { authorization: `Bearer ${emulator.credentials.bearerToken}` },
      },
    );
    const student = ((await users.json()) as { users: { sourcedId: string; email: string }[] }).users.find((u) => u.email !== '')!;
    const twins = await insertEmailTwins(store, lib.id, student.email);
    return { sourcedId: student.sourcedId, twins };
  }

  async function signIn(page: Page, username: string): Promise<void> {
    await page.goto(`${stack.url}/login`);
    await page.fill('#username', username);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${stack.url}/`), page.click('button[type=submit]')]);
  }

  /** Sync Now, watched to its end on the operation's page. */
  async function syncNow(name: string): Promise<string> {
    await admin.goto(`${stack.url}/preferences/integrations/classlink/sync`);
    await Promise.all([admin.waitForURL(/\/operations\/\d+/), admin.click('#sync-now')]);
    await admin
      .locator('[data-test=operation-state]')
      .filter({ hasText: /succeeded/ })
      .waitFor({ timeout: 60_000 });
    await shots.take(admin, name);
    return new URL(admin.url()).pathname;
  }

  it('walks from the sync to the queue, a link, the next sync and the item closed', async () => {
    const { sourcedId, twins } = await configured();
    await signIn(admin, 'ada');
    await signIn(librarian, 'lena');

    // The first sync finds the conflict; its log line links to the item.
    const first = await syncNow('sync-with-conflict');
    await expect(admin.textContent('[data-test=count-conflicts]')).resolves.toBe('1');
    await admin.goto(`${stack.url}${first}?level=warning#log`);
    await shots.take(admin, 'log-conflict-line');
    await Promise.all([admin.waitForURL(/\/conflicts\/\d+$/), admin.click('a[data-test=conflict-link]')]);
    const itemPath = new URL(admin.url()).pathname;
    await expect(admin.textContent('[data-test=conflict-state]')).resolves.toBe('open');

    // The librarian sees the count in the navigation and both sides side by side.
    await librarian.goto(`${stack.url}/conflicts`);
    await expect(librarian.textContent('[data-test=nav-count]')).resolves.toBe('1');
    await expect(librarian.textContent('[data-test=roster-side]')).resolves.toContain(sourcedId);
    await expect(librarian.$$eval('[data-test=patron-side]', (els) => els.map((e) => e.getAttribute('data-patron-id')))).resolves.toEqual(
      twins.map(String),
    );
    await shots.take(librarian, 'conflicts-queue');

    // Link the user to the second twin.
    await librarian.goto(`${stack.url}${itemPath}`);
    await librarian.selectOption('select[name=patron]', String(twins[1]));
    await Promise.all([librarian.waitForURL(/notice=conflict-resolved/), librarian.click('[data-test=resolve-link]')]);
    await expect(librarian.textContent('[data-test=conflict-state]')).resolves.toBe('resolved');
    await expect(librarian.textContent('[data-test=conflict-resolution]')).resolves.toContain(`patron #${twins[1]}`);
    await expect(librarian.locator('[data-test=nav-count]').count()).resolves.toBe(0);
    await shots.take(librarian, 'conflict-resolved');

    // The next sync matches it; the item is closed.
    await syncNow('sync-after-link');
    await expect(admin.textContent('[data-test=count-conflicts]')).resolves.toBe('0');
    await librarian.goto(`${stack.url}${itemPath}`);
    await expect(librarian.textContent('[data-test=conflict-state]')).resolves.toBe('closed');
    await expect(librarian.textContent('[data-test=conflict-journal]')).resolves.toMatch(/lena: link patron #\d+[\s\S]*sync #\d+: closed/);
    await shots.take(librarian, 'conflict-closed');
    expect(await stack.store.patrons.get(lib.id, twins[1]!)).toMatchObject({ guid: sourcedId, matchedBy: 'linked' });
  }, 180_000);
});
