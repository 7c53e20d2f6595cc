/**
 * Sign in with ClassLink in a real browser (SPEC §4): a student from the sign-in page (through
 * the emulator's LaunchPad picker) and from a LaunchPad tile, each landing on their own record;
 * a teacher whose patron is linked to a staff account reaching the staff pages. Screenshots go
 * to test-output/screenshots/sso-flow/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { configureClassLink } from '../../src/sources/classlink/connect.ts';
import { listSchools, matchSite } from '../../src/sources/schools.ts';
import { CLASSLINK_SCHOOLS } from '../../src/sources/classlink/definition.ts';
import { turnOn } from '../../src/sources/switch.ts';
import { changeSso } from '../../src/sources/classlink/sign-in-settings.ts';
import { startSync } from '../../src/services/syncs/sync-actions.ts';
import { syncDepsOf } from '../../src/app.ts';
import { testConfig } from '../../src/config/load.ts';
import type { Library, StaffUser } from '../../src/store/store.ts';
import { hashPassword } from '../../src/web/auth/passwords.ts';
import { describeInBrowser, launchBrowser, Screenshots, startStack, type BrowserStack } from './support.ts';

describeInBrowser('browser: sign in with ClassLink', () => {
  let stack: BrowserStack;
  let browser: Browser;
  let lib: Library;
  const shots = new Screenshots('sso-flow');

  beforeAll(async () => {
    stack = await startStack(40);
    browser = await launchBrowser();
    const { store, emulator } = stack;
    lib = (await store.libraries.byCode('default'))!;
    // A library synced from the emulator, sign-in allowed (set up through the services the pages use).
    const config = testConfig({
      ROLLCALL_CLASSLINK_PARTNER_URL: emulator.url,
      ROLLCALL_CLASSLINK_PARTNER_KEY: emulator.credentials.partnerKey,
    });
    const deps = { config, store, now: () => new Date() };
    await configureClassLink(deps, lib.id, { mode: 'partner', tenantId: emulator.credentials.tenantId });
    const schools = await listSchools(deps, lib.id, CLASSLINK_SCHOOLS);
    for (const [i, code] of ['ES', 'MS'].entries()) {
      await store.sites.add(lib.id, { code, name: schools[i]!.name });
      await matchSite(deps, lib.id, code, schools[i]!.sourcedId, CLASSLINK_SCHOOLS);
    }
    await turnOn(store, lib.id, 'classlink', 'cli');
    await changeSso(config, store, lib.id, lib.code, { enabled: true });
    const result = await startSync(
      syncDepsOf(config, store, () => new Date()),
      lib.id,
      { kind: 'full', dryRun: false, requestedBy: 'test' },
    );
    expect(result.state).toMatch(/^succeeded/);
    await store.staff.create(lib.id, { username: 'sso-admin', role: 'admin', passwordHash: await hashPassword('a long admin password') });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function fresh(): Promise<Page> {
    return (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
  }

  async function patronsOf(prefix: string) {
    return (await stack.store.patrons.loadAll(lib.id)).filter((p) => p.guid.startsWith(prefix) && p.status === 1);
  }

  it('a student signs in from the sign-in page and sees their own record', async () => {
    const page = await fresh();
    const student = (await patronsOf('stu-'))[0]!;
    await page.goto(`${stack.url}/login`);
    await shots.take(page, 'login-with-classlink');
    await Promise.all([page.waitForURL(/oauth2\/v2\/auth/), page.click('#sign-in-classlink')]);
    await shots.take(page, 'classlink-picker');
    await Promise.all([page.waitForURL(`${stack.url}/me`), page.click(`a[data-sourced-id="${student.guid}"]`)]);
    await expect(page.textContent('#my-name')).resolves.toContain(student.firstName);
    await expect(page.textContent('#my-status')).resolves.toBe('Active');
    await shots.take(page, 'student-record');
    // Nothing of anyone else.
    const other = (await patronsOf('stu-'))[1]!;
    const res = await page.goto(`${stack.url}/patrons/${other.id}`);
    expect(res?.status()).toBe(403);
    await Promise.all([page.waitForURL(/\/login/), page.goto(`${stack.url}/me`).then(() => page.click('#sign-out'))]);
    await page.context().close();
  }, 60_000);

  it('a student signs in from a LaunchPad tile', async () => {
    const page = await fresh();
    const student = (await patronsOf('stu-'))[2]!;
    await page.goto(stack.emulator.sso.launchUrl(student.guid));
    await page.waitForURL(`${stack.url}/me`);
    await expect(page.textContent('#my-name')).resolves.toContain(student.firstName);
    await shots.take(page, 'launchpad-record');
    await page.context().close();
  }, 60_000);

  it('a teacher linked to a staff account reaches the staff pages', async () => {
    const teacher = (await patronsOf('tch-'))[0]!;
    const account: StaffUser = await stack.store.staff.create(lib.id, {
      username: 'teacher.librarian',
      displayName: `${teacher.firstName} ${teacher.lastName}`,
      role: 'librarian',
      passwordHash: '',
      patronId: teacher.id,
    });
    expect(account.patronId).toBe(teacher.id);
    const page = await fresh();
    await page.goto(`${stack.url}/login`);
    await Promise.all([page.waitForURL(/oauth2\/v2\/auth/), page.click('#sign-in-classlink')]);
    await Promise.all([page.waitForURL(`${stack.url}/`), page.click(`a[data-sourced-id="${teacher.guid}"]`)]);
    await expect(page.textContent('.who')).resolves.toContain('(librarian)');
    await page.goto(`${stack.url}/operations`);
    await expect(page.$$eval('a[data-test=operation-link]', (els) => els.length)).resolves.toBeGreaterThan(0);
    await shots.take(page, 'teacher-staff-pages');
    await page.context().close();
  }, 60_000);
});
