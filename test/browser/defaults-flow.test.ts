/**
 * Preferences › New patrons in a real browser (SPEC §3.8): the admin sees that the roles'
 * Policy "Student" matches none of the library's patrons while "Students" matches them, names
 * "Students" and a barcode sequence, is refused a prefix with spaces (nothing saved), and the
 * next sync gives new students barcodes from the sequence. Screenshots go to
 * test-output/screenshots/defaults-flow/.
 */
import { expect, it } from 'vitest';
import { emptyPatronValues } from '../../src/domain/patron.ts';
import { connectClassLink, describeInBrowser, Screenshots, setUpFirstAdmin, browserFlow } from './support.ts';

const OLD_STUDENTS = 5;

describeInBrowser('browser: an admin sets the new-patron defaults', () => {
  const flow = browserFlow({ students: 30, viewport: { width: 1280, height: 900 } });
  const shots = new Screenshots('defaults-flow');

  it('sees what each Policy matches, names the library’s own, is refused a bad prefix, and the sync gives barcodes', async () => {
    const { stack, page } = flow;
    const { url, store } = stack;
    await setUpFirstAdmin(page, url, 'defaults.admin', 'Dee Admin');

    // ClassLink in direct mode against the emulator, one site matched (the setup pages have their own browser test).
    const lib = await connectClassLink(stack);
    // The library's own patrons from before Rollcall, Policy "Students"; one holds S000001.
    await store.patrons.insertMany(
      lib.id,
      Array.from({ length: OLD_STUDENTS }, (_, i) => ({
        ...emptyPatronValues(),
        firstName: 'Old',
        lastName: `Student ${i}`,
        barcode: i === 0 ? 'S000001' : '',
        policy: 'Students',
        site: 'ES',
        status: 1,
        guidSource: null,
        matchedBy: null,
      })),
    );

    // Preferences in the menu, then New patrons on its page.
    await Promise.all([page.waitForURL(`${url}/preferences`), page.click('nav[aria-label=Main] >> text=Preferences')]);
    await page.click('ul.preferences >> text=New patrons');
    await page.waitForURL(`${url}/preferences/new-patrons`);
    await expect(page.textContent('[data-role=student] [data-test=policy-count]')).resolves.toBe('0');
    await expect(page.textContent('[data-test=policies-in-use]')).resolves.toContain(`“Students” ${OLD_STUDENTS}`);
    await expect(page.textContent('[data-test=scope-sentence]')).resolves.toContain(
      'also which existing patrons a sync is responsible for',
    );
    await shots.take(page, 'policy-matches-none');

    // A prefix with spaces: refused with a sentence, nothing saved, what was typed kept.
    await page.fill('#student-policy', 'Students');
    await page.check('#student-barcode-sequence');
    await page.fill('#student-prefix', 'S 1');
    await page.click('#save-defaults');
    await expect(page.textContent('[data-test=defaults-error]')).resolves.toContain(
      'The barcode prefix of new students ("S 1") has spaces',
    );
    await expect(page.inputValue('#student-policy')).resolves.toBe('Students');
    expect((await store.creationDefaults.get(lib.id)).revision).toBe(0);
    await shots.take(page, 'prefix-refused');

    await page.fill('#student-prefix', 'S');
    await page.fill('#student-width', '6');
    await page.fill('#student-fixed-nickname', 'New reader');
    await Promise.all([page.waitForURL(/notice=defaults-saved/), page.click('#save-defaults')]);
    await expect(page.textContent('[data-role=student] [data-test=policy-count]')).resolves.toBe(String(OLD_STUDENTS));
    await expect(page.textContent('[data-test=barcode-example]')).resolves.toBe('S000001');
    await shots.take(page, 'saved');

    // The next sync: new students get the sequence's numbers, passing over S000001.
    await page.goto(`${url}/preferences/integrations/classlink/sync`);
    await Promise.all([page.waitForURL(/\/operations\/\d+/), page.click('#sync-now')]);
    await page
      .locator('[data-test=operation-state]')
      .filter({ hasText: /succeeded/ })
      .waitFor({ timeout: 60_000 });
    await shots.take(page, 'synced');
    const created = (await store.patrons.loadAll(lib.id)).filter((p) => p.guid.startsWith('stu-'));
    expect(created.length).toBeGreaterThan(0);
    const barcodes = created.map((p) => p.barcode).sort();
    expect(barcodes[0]).toBe('S000002');
    expect(barcodes.every((b) => /^S\d{6}$/.test(b))).toBe(true);
    expect(new Set(barcodes).size).toBe(barcodes.length);
    expect(created.every((p) => p.policy === 'Students' && p.nickname === 'New reader')).toBe(true);
  });
});
