/**
 * End of year in a real browser (SPEC §3.10): from Patrons, the admin opens the removal rule page,
 * previews a rule (the count, the rule in words, the list of who would go), downloads the archive,
 * confirms by typing the number of patrons, and lands on the Patron Removal's operation page, where
 * the archive is downloadable again. Screenshots go to test-output/screenshots/removal-flow/.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { emptyPatronValues } from '../../src/domain/patron.ts';
import type { PatronWrite } from '../../src/store/store.ts';
import { browserFlow, describeInBrowser, Screenshots } from './support.ts';

const PASSWORD = 'a long admin password';

function row(n: number, status: number, site: string): PatronWrite {
  return {
    ...emptyPatronValues(),
    guid: `leaver-${n}`,
    barcode: `L${n}`,
    firstName: `Leah${n}`,
    lastName: `Gone${n}`,
    site,
    status,
    policy: 'Student',
    guidSource: null,
    matchedBy: null,
  };
}

describeInBrowser('browser: an admin removes Transferred patrons at the end of the year', () => {
  const shots = new Screenshots('removal-flow');
  const flow = browserFlow({ students: 10, viewport: { width: 1280, height: 900 }, acceptDownloads: true });

  it('walks the rule page → preview → archive download → typed confirmation → the operation page', async () => {
    const { stack, page } = flow;
    const { url, store } = stack;
    await page.goto(url);
    await page.fill('#username', 'year.end');
    await page.fill('#displayName', 'Yara End');
    await page.fill('#password', PASSWORD);
    await page.fill('#confirm', PASSWORD);
    await Promise.all([page.waitForURL(`${url}/?notice=setup-done`), page.click('button[type=submit]')]);
    const lib = (await store.libraries.byCode('default'))!;
    await store.sites.add(lib.id, { code: 'ES', name: 'Elementary' });
    await store.sites.add(lib.id, { code: 'MS', name: 'Middle' });
    const rows: PatronWrite[] = [];
    for (let n = 1; n <= 12; n++) rows.push(row(n, n <= 8 ? 4 : 1, n % 2 === 0 ? 'ES' : 'MS'));
    await store.patrons.insertMany(lib.id, rows);

    await page.goto(`${url}/patrons`);
    await Promise.all([page.waitForURL(`${url}/patrons/removal`), page.click('#removal-link')]);
    await shots.take(page, 'rule');

    await page.selectOption('#rule-site', 'ES');
    await Promise.all([page.waitForURL(/\/patrons\/removal\?preview=1/), page.click('#removal-preview')]);
    await expect(page.textContent('#removal-count')).resolves.toBe('4');
    await expect(page.textContent('[data-test=removal-rule-words]')).resolves.toBe(
      'Rule: patrons with Status Transferred (4), of site ES.',
    );
    const listed = await page
      .locator('[data-test=removal-patrons] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.children[1]!.textContent));
    expect(listed).toEqual(['L2', 'L4', 'L6', 'L8']);
    await shots.take(page, 'preview');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#removal-archive')]);
    const archive = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(archive[0]).toBe('1200,1000,1001,1007,1008,1006,1045,1032,1017,1019,1049,1054,1004,1010,1050,1026,1028');
    expect(archive.slice(1).map((l) => l.split(',')[1])).toEqual(['L2', 'L4', 'L6', 'L8']);

    // A wrong number removes nothing and shows the preview again with why.
    await page.fill('#removal-typed', '5');
    await Promise.all([page.waitForLoadState('load'), page.click('#removal-apply')]);
    await expect(page.textContent('[data-test=removal-error]')).resolves.toContain('not the 5 previewed');
    expect(await store.patrons.count(lib.id)).toBe(12);
    await shots.take(page, 'wrong-count');

    await page.fill('#removal-typed', '4');
    await shots.take(page, 'confirm');
    await Promise.all([page.waitForURL(/\/operations\/\d+\?notice=removal-applied/), page.click('#removal-apply')]);
    await expect(page.textContent('h1')).resolves.toContain('Patron Removal');
    await expect(page.textContent('[data-test=removal-count]')).resolves.toBe('4');
    await expect(page.textContent('[data-test=removal-rule]')).resolves.toBe('patrons with Status Transferred (4), of site ES');
    await shots.take(page, 'operation');
    expect(await store.patrons.count(lib.id)).toBe(8);

    const [again] = await Promise.all([page.waitForEvent('download'), page.click('#removal-archive-download')]);
    expect(
      readFileSync((await again.path())!, 'utf8')
        .trim()
        .split('\n'),
    ).toEqual(archive);
  });
});
