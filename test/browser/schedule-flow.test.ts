/**
 * The schedule in a real browser (SPEC §3.7, "asked for when a library is set up (never a silent
 * UTC)"): first-run setup offers the server's time zone and the admin chooses another; an admin
 * of a library nobody chose a zone for sees the notice on the home page and confirms UTC; then
 * changes the time zone, time and full-sync day on Preferences › Schedule and sees the next run
 * move onto the new clock. A screenshot of each page goes to test-output/screenshots/schedule-flow/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../src/web/auth/passwords.ts';
import { describeInBrowser, launchBrowser, Screenshots, startStack, type BrowserStack } from './support.ts';

const PASSWORD = 'a long staff password';

describeInBrowser('browser: the schedule and the time zone', () => {
  let stack: BrowserStack;
  let browser: Browser;
  let first: Page;
  let other: Page;
  const shots = new Screenshots('schedule-flow');

  beforeAll(async () => {
    stack = await startStack(10);
    browser = await launchBrowser();
    const viewport = { viewport: { width: 1280, height: 900 } };
    first = await (await browser.newContext(viewport)).newPage();
    other = await (await browser.newContext(viewport)).newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('first-run setup asks for the time zone, offering the server’s', async () => {
    await first.goto(`${stack.url}/`);
    await first.waitForURL(`${stack.url}/setup`);
    const server = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    await expect(first.inputValue('#timezone')).resolves.toBe(server);
    await expect(first.textContent('#timezone-help')).resolves.toContain(`The server's own time zone is ${server}`);
    await first.fill('#username', 'ada');
    await first.fill('#password', PASSWORD);
    await first.fill('#confirm', PASSWORD);
    await first.selectOption('#timezone', 'America/New_York');
    await shots.take(first, 'setup-time-zone');
    await Promise.all([first.waitForURL(/notice=setup-done/), first.click('button[type=submit]')]);
    // The zone was chosen: no notice.
    await expect(first.locator('[data-test=zone-notice]').count()).resolves.toBe(0);
    await expect(stack.store.libraries.byCode('default')).resolves.toMatchObject({ timezone: 'America/New_York', timezoneConfirmed: true });
  });

  it('a library on UTC that nobody chose gets the home-page notice until its admin confirms; then the schedule page changes zone and time', async () => {
    // A library made without being asked (as every library before this rule was): UTC, unconfirmed.
    const lib = await stack.store.libraries.ensure('north', 'North District');
    await stack.store.staff.create(lib.id, {
      username: 'noor',
      role: 'admin',
      passwordHash: await hashPassword(PASSWORD),
      displayName: 'Noor',
    });
    await other.goto(`${stack.url}/login`);
    await other.fill('#username', 'noor');
    await other.fill('#password', PASSWORD);
    await Promise.all([other.waitForURL(`${stack.url}/`), other.click('button[type=submit]')]);

    await expect(other.textContent('#zone-notice-current')).resolves.toBe('UTC');
    await expect(other.inputValue('#notice-timezone')).resolves.toBe('UTC');
    await shots.take(other, 'home-utc-notice');
    await Promise.all([other.waitForURL(/notice=timezone-confirmed/), other.click('#confirm-timezone')]);
    await expect(other.locator('[data-test=zone-notice]').count()).resolves.toBe(0);
    await expect(other.textContent('.notice')).resolves.toBe("The library's time zone is confirmed.");
    await shots.take(other, 'home-confirmed');

    // Preferences › Schedule from the navigation.
    await Promise.all([other.waitForURL(`${stack.url}/preferences`), other.click('nav[aria-label=Main] >> text=Preferences')]);
    await Promise.all([other.waitForURL(`${stack.url}/preferences/schedule`), other.click('ul.preferences >> text=Schedule')]);
    await expect(other.textContent('#schedule-summary')).resolves.toBe('on: daily at 02:00 UTC, full sync on Sunday');
    await expect(other.textContent('#next-run')).resolves.toMatch(/^\d{4}-\d\d-\d\d 02:00 \(UTC\), (delta|full) sync$/);
    await shots.take(other, 'schedule-before');

    await other.selectOption('#timezone', 'America/Los_Angeles');
    await other.fill('#run-time', '06:30');
    await other.selectOption('#full-day', 'fri');
    await Promise.all([other.waitForURL(/notice=schedule-saved/), other.click('#save-schedule')]);
    await expect(other.textContent('#schedule-summary')).resolves.toBe('on: daily at 06:30 America/Los_Angeles, full sync on Friday');
    await expect(other.textContent('#next-run')).resolves.toMatch(/^\d{4}-\d\d-\d\d 06:30 \(America\/Los_Angeles\), (delta|full) sync$/);
    const nextFull = (await other.textContent('#next-full'))!;
    expect(nextFull).toMatch(/^\d{4}-\d\d-\d\d 06:30 \(America\/Los_Angeles\)$/);
    expect(new Date(`${nextFull.slice(0, 10)}T12:00:00Z`).getUTCDay()).toBe(5);
    await shots.take(other, 'schedule-after');

    // A bad time typed past the browser's own check is refused, naming the field; nothing saved.
    // (The page's type="time" input would stop it; a typed-in or scripted form need not.)
    await other.$eval('#run-time', (input) => {
      input.setAttribute('type', 'text');
      (input as unknown as { value: string }).value = '25:00';
    });
    await other.click('#save-schedule');
    await expect(other.textContent('[data-test=form-error]')).resolves.toBe(
      'A run time is HH:MM on a 24-hour clock (e.g. 02:00), not "25:00".',
    );
    await shots.take(other, 'schedule-bad-time');
    await expect(stack.store.schedules.get(lib.id)).resolves.toMatchObject({
      time: '06:30',
      timezone: 'America/Los_Angeles',
      fullSyncDay: 5,
    });
    // The ClassLink steps link to the district's guide at their part.
    await other.goto(`${stack.url}/preferences/integrations/classlink/sign-in`);
    await Promise.all([other.waitForURL(/\/help\/classlink#register-the-sign-in-app$/), other.click('[data-test=guide-link] a')]);
    await expect(other.isVisible('#register-the-sign-in-app')).resolves.toBe(true);
    await expect(other.textContent('h1')).resolves.toContain('Getting ClassLink ready for Rollcall');
    await shots.take(other, 'classlink-guide');

    // The first library's schedule is its own.
    await expect(stack.store.schedules.get((await stack.store.libraries.byCode('default'))!.id)).resolves.toMatchObject({
      time: '02:00',
      timezone: 'America/New_York',
    });
  });
});
