/**
 * The patron search in a real browser (SPEC §5): a librarian types a name without its accents
 * ("adebayo") and finds the patron whose name has them ("Adébáyọ̀", combining marks and all),
 * then types an accented start for a name stored without accents. Screenshots go to
 * test-output/screenshots/patron-search/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emptyPatronValues } from '../../src/domain/patron.ts';
import type { PatronWrite } from '../../src/store/store.ts';
import { hashPassword } from '../../src/web/auth/passwords.ts';
import { describeInBrowser, launchBrowser, Screenshots, startStack, type BrowserStack } from './support.ts';

const PASSWORD = 'a long librarian password';

function patron(values: Partial<PatronWrite>): PatronWrite {
  return { ...emptyPatronValues(), guidSource: null, matchedBy: null, ...values };
}

describeInBrowser('browser: accent-free patron search', () => {
  let stack: BrowserStack;
  let browser: Browser;
  let page: Page;
  const shots = new Screenshots('patron-search');

  beforeAll(async () => {
    stack = await startStack(5);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** Types `text` in the search box and submits it; the names of the rows found. */
  async function search(text: string): Promise<string[]> {
    await page.fill('#patron-search', text);
    await Promise.all([page.waitForURL(/\/patrons\?/), page.click('#search-patrons')]);
    return page.locator('[data-test=patron-link]').allTextContents();
  }

  it('finds "Adébáyọ̀" by "adebayo", and "Smith" by "Smíth"', async () => {
    const { url, store } = stack;
    const lib = (await store.libraries.byCode('default'))!;
    await store.staff.createFirst(lib.id, {
      username: 'lena',
      displayName: 'Lena Librarian',
      role: 'librarian',
      passwordHash: await hashPassword(PASSWORD),
    });
    await store.patrons.insertMany(lib.id, [
      patron({ firstName: 'Ọláolúwa', lastName: 'Adébáyọ̀', barcode: 'B2001', level: '07' }),
      patron({ firstName: 'Adebola', lastName: 'Okafor', barcode: 'B2002', level: '07' }),
      patron({ firstName: 'Søren', lastName: 'Østergård', barcode: 'B2003', level: '08' }),
      patron({ firstName: 'Olivia', lastName: 'Smith', barcode: 'B2004', level: '09' }),
    ]);

    await page.goto(`${url}/login`);
    await page.fill('#username', 'lena');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${url}/`), page.click('button[type=submit]')]);
    await page.goto(`${url}/patrons`);

    // "adebayo" finds the last name Adébáyọ̀, and not the first name Adebola (which shares "adeb").
    expect(await search('adebayo')).toEqual(['Adébáyọ̀, Ọláolúwa']);
    await expect(page.locator('[data-test=patron-count]').textContent()).resolves.toBe('1 patron');
    await shots.take(page, 'adebayo-finds-adebayo-accented');

    // The start of a name, accent-free and in capitals.
    expect(await search('OSTER')).toEqual(['Østergård, Søren']);
    // An accent typed where the name has none.
    expect(await search('Smíth')).toEqual(['Smith, Olivia']);
    await shots.take(page, 'accented-text-finds-plain-name');
  });
});
