/**
 * What a librarian sees every day, in a real browser: a sync held for review shows on the home
 * page (the dashboard) and as a badge in the menu of every page; its operation page opens on the
 * log — above the fold, each line naming its patron with a link — with the plan on its own tab;
 * a rejected plan reads as a decision (its own state, "planned" counts), not as a failure.
 * Screenshots go to test-output/screenshots/daily-view/.
 */
import { expect, it } from 'vitest';
import { connectClassLink, describeInBrowser, Screenshots, setUpFirstAdmin, syncFromPage, browserFlow } from './support.ts';

describeInBrowser('browser: the dashboard, an operation page, a rejected plan', () => {
  const flow = browserFlow({ students: 30, viewport: { width: 1280, height: 800 }, acceptDialogs: true });
  const shots = new Screenshots('daily-view');

  /** Sync Now, then the operation page until the sync has stopped; its path. */
  const syncNow = (until: RegExp) => syncFromPage(flow.page, flow.stack.url, '#sync-now', until);

  it('a held sync on the dashboard and in the menu → its log first, names linked → rejected', async () => {
    const { stack, page } = flow;
    const { url, emulator, store } = stack;
    await setUpFirstAdmin(page, url, 'day.admin', 'Dee Admin');

    const lib = await connectClassLink(stack, { thresholds: { maxTransferPct: 10, maxUpdatePct: 10 } });
    const first = await syncNow(/succeeded/);

    // The district renames a third of the students: the next sync stops for review.
    const students = (await store.patrons.loadAll(lib.id)).filter((p) => p.guid.startsWith('stu-'));
    const renamed = students.slice(0, Math.ceil(students.length / 3));
    for (const s of renamed) emulator.mutate.changeUser(s.guid, { familyName: `Renamed${s.lastName}` });
    const heldPath = await syncNow(/needs review/);

    // The home page says so first, and the menu carries the count on every page.
    await page.goto(url);
    await expect(page.textContent('[data-test=dash-held]')).resolves.toContain(`#${heldPath.split('/').pop()}`);
    await expect(page.textContent('[data-test=nav-held]')).resolves.toBe('1');
    await expect(page.textContent('[data-test=dash-last]')).resolves.toContain(`#${first.split('/').pop()}`);
    await shots.take(page, 'dashboard-held');

    // A sync's page opens on its log, above the fold, each line naming its patron, linked.
    await page.goto(`${url}${first}`);
    expect((await page.locator('[data-test=log]').boundingBox())!.y).toBeLessThan(800);
    const named = page.locator('[data-test=log-patron]').first();
    expect(await named.getAttribute('href')).toMatch(/^\/patrons\/\d+$/);
    expect((await named.boundingBox())!.y).toBeLessThan(800);
    await shots.take(page, 'operation-log-first');

    // The held sync's page: the log too; the plan waits on its own tab.
    await page.goto(`${url}${heldPath}`);
    expect((await page.locator('[data-test=log]').boundingBox())!.y).toBeLessThan(800);
    await expect(page.locator('[data-test=plan-update]').count()).resolves.toBe(0);
    // The plan tab holds the plan.
    await Promise.all([page.waitForURL(/view=plan/), page.click('#tab-plan')]);
    await expect(page.textContent('[data-test=plan-update]')).resolves.toContain(`Renamed${renamed[0]!.lastName}`);

    // Rejected: a state of its own, counts read as planned, no error box, the badge gone.
    await Promise.all([page.waitForURL(/notice=operation-rejected/), page.click('#reject')]);
    await expect(page.textContent('[data-test=operation-state]')).resolves.toBe('rejected');
    await expect(page.textContent('[data-test=counts-planned]')).resolves.toContain('nothing was written');
    await expect(page.locator('[data-test=operation-error]').count()).resolves.toBe(0);
    await expect(page.locator('[data-test=nav-held]').count()).resolves.toBe(0);
    await shots.take(page, 'rejected-plan');
  });
});
