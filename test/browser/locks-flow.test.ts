/**
 * Field locks in a real browser (SPEC §3.8): a librarian changes a synced student's First Name
 * on the edit form and ticks "keep my value"; the district's name changes too; a dry run's plan
 * and the next sync's log say "First Name locked, kept 'Bobby' (roster: 'Robert')" and the field
 * is kept; the Locked fields page unlocks it, and the next sync writes the roster's name.
 * Screenshots go to test-output/screenshots/locks-flow/.
 */
import { expect, it } from 'vitest';
import { connectClassLink, describeInBrowser, Screenshots, setUpFirstAdmin, syncFromPage, browserFlow } from './support.ts';

const KEPT = "First Name locked, kept 'Bobby' (roster: 'Robert')";

describeInBrowser('browser: a librarian keeps a hand-fixed first name with a lock', () => {
  const flow = browserFlow({ students: 30, viewport: { width: 1280, height: 900 } });
  const shots = new Screenshots('locks-flow');

  /** Sync Now (or a dry run), then the operation page until it has ended; its path. */
  const sync = (button: '#sync-now' | '#dry-run') => syncFromPage(flow.page, flow.stack.url, button);

  it('walks edit form "keep my value" → dry run and sync keep it, saying so → unlock → the next sync writes it', async () => {
    const { stack, page } = flow;
    const { url, emulator, store } = stack;
    await setUpFirstAdmin(page, url, 'lock.admin', 'Lou Admin');

    // ClassLink in direct mode against the emulator, one site matched (the setup pages have their own browser test).
    const lib = await connectClassLink(stack);
    await sync('#sync-now');
    const student = (await store.patrons.loadAll(lib.id)).find((p) => p.guid.startsWith('stu-'))!;

    // The edit form marks synced fields, says a change lasts only until the next sync, and offers the lock.
    await page.goto(`${url}/patrons/${student.id}/edit`);
    await expect(page.textContent('[data-test=sync-note]')).resolves.toContain('lasts only until then');
    await page.fill('#field-1007', 'Bobby');
    await page.check('#lock-firstName');
    await shots.take(page, 'edit-keep-my-value');
    await Promise.all([page.waitForURL(`${url}/patrons/${student.id}?notice=patron-locks-saved`), page.click('#save-patron')]);
    await expect(page.textContent('[data-test=locks]')).resolves.toContain('1007 First Name');
    await shots.take(page, 'patron-locked');

    // The district sends another first name: a dry run's plan and the sync keep Bobby, and say so.
    emulator.mutate.changeUser(student.guid, { givenName: 'Robert' });
    await sync('#dry-run');
    // The plan is the operation page's own tab (the log comes first).
    await Promise.all([page.waitForURL(/view=plan/), page.click('#tab-plan')]);
    await expect(page.textContent('[data-test=plan-locked]')).resolves.toContain(KEPT);
    await page.locator('[data-test=plan-locked]').scrollIntoViewIfNeeded();
    await shots.take(page, 'dry-run-plan');

    const keptPath = await sync('#sync-now');
    await page.goto(`${url}${keptPath}?q=locked#log`);
    await expect(page.textContent('[data-test=log]')).resolves.toContain(KEPT);
    await shots.take(page, 'sync-log-kept');
    expect((await store.patrons.get(lib.id, student.id))!.firstName).toBe('Bobby');

    // The Locked fields page lists it; Unlock; the next sync writes the roster's name.
    await page.goto(`${url}/patrons/locks`);
    const row = page.locator(`tr[data-patron="${student.id}"][data-field="firstName"]`);
    await expect(row.textContent()).resolves.toContain('1007 First Name');
    await shots.take(page, 'locks-page');
    await Promise.all([page.waitForURL(`${url}/patrons/locks?notice=patron-unlocked`), row.locator('button').click()]);
    await expect(page.locator('[data-test=no-locks]').count()).resolves.toBe(1);

    await sync('#sync-now');
    await page.goto(`${url}/patrons/${student.id}`);
    await expect(page.textContent('[data-test=patron-fields]')).resolves.toContain('Robert');
    await shots.take(page, 'patron-after-unlock');
    expect((await store.patrons.get(lib.id, student.id))!.firstName).toBe('Robert');
  }, 180_000);
});
