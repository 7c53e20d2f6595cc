/**
 * Undo in a real browser (SPEC §3.9): a sync brings bad data (the emulator renames a student),
 * the admin opens the sync's operation page, previews the undo, applies it, lands on the undo's
 * own operation page, and the patron's page shows the name put back and, in its history, both
 * changes (the sync's and the undo's), each linked to its operation. Screenshots go to
 * test-output/screenshots/undo-flow/.
 */
import { expect, it } from 'vitest';
import { connectClassLink, describeInBrowser, Screenshots, setUpFirstAdmin, syncFromPage, browserFlow } from './support.ts';

describeInBrowser('browser: an admin undoes a sync with bad data', () => {
  // The confirmation the Undo form asks for (data-confirm) is accepted, as a person would.
  const flow = browserFlow({ students: 30, viewport: { width: 1280, height: 900 }, acceptDialogs: true });
  const shots = new Screenshots('undo-flow');

  /** Sync Now, then the operation page until the sync has ended; its path. */
  const syncNow = () => syncFromPage(flow.page, flow.stack.url);

  it('walks sync → operation page → Undo preview → Undo → the patron put back', async () => {
    const { stack, page } = flow;
    const { url, emulator, store } = stack;
    await setUpFirstAdmin(page, url, 'undo.admin', 'Una Admin');

    // ClassLink in direct mode against the emulator, one site matched (the setup pages have their own browser test).
    const lib = await connectClassLink(stack);

    await syncNow();
    const student = (await store.patrons.loadAll(lib.id)).find((p) => p.guid.startsWith('stu-'))!;

    // The district sends bad names for one student: the next sync writes them.
    emulator.mutate.changeUser(student.guid, { givenName: 'Xxbad', familyName: 'Yybad' });
    const badPath = await syncNow();
    await expect(page.textContent('[data-test=count-updated]')).resolves.toBe('1');
    await shots.take(page, 'bad-sync');
    expect((await store.patrons.get(lib.id, student.id))!.lastName).toBe('Yybad');

    // The operation page's Undo button leads to the preview: what would be put back.
    await Promise.all([page.waitForURL(`${url}${badPath}/undo`), page.click('#undo')]);
    await expect(page.textContent('#undo-reverted')).resolves.toBe('2');
    await expect(page.textContent('#undo-kept')).resolves.toBe('0');
    await expect(page.textContent('[data-test=undo-reverts]')).resolves.toContain('Yybad');
    await shots.take(page, 'undo-preview');

    // Undo: the page of the undo, an operation of its own.
    await Promise.all([page.waitForURL(/\/operations\/\d+\?notice=undo-applied/), page.click('#undo-apply')]);
    await expect(page.textContent('h1')).resolves.toContain(`Undo of ClassLink Full Sync ${badPath.split('/').pop()}`);
    await expect(page.textContent('[data-test=operation-state]')).resolves.toMatch(/succeeded/i);
    await shots.take(page, 'undo-operation');

    const undoId = Number(/\/operations\/(\d+)/.exec(page.url())![1]);

    // The patron's page: the name as it was before the bad sync, and its history shows both
    // changes — the sync's, then the undo's — each linked to its operation.
    await page.goto(`${url}/patrons/${student.id}`);
    await expect(page.textContent('[data-test=patron-fields]')).resolves.toContain(student.lastName);
    await expect(page.textContent('[data-test=patron-fields]')).resolves.not.toContain('Yybad');
    const history = page.locator('[data-test=patron-history] tbody tr');
    const rows = await history.evaluateAll((trs) =>
      trs.map((tr) => ({
        kind: tr.getAttribute('data-kind'),
        text: tr.textContent ?? '',
        op: tr.querySelector('a')?.getAttribute('href') ?? '',
      })),
    );
    const lastName = (kind: string) => rows.find((r) => r.kind === kind && r.text.includes('Last Name'));
    expect(lastName('undo')).toMatchObject({ op: `/operations/${undoId}` });
    expect(lastName('undo')!.text).toMatch(new RegExp(`Yybad[\\s\\S]*${student.lastName}`));
    expect(lastName('update')).toMatchObject({ op: badPath });
    expect(lastName('update')!.text).toMatch(new RegExp(`${student.lastName}[\\s\\S]*Yybad`));
    // Newest first: the undo above the sync.
    expect(rows.indexOf(lastName('undo')!)).toBeLessThan(rows.indexOf(lastName('update')!));
    await shots.take(page, 'patron-after-undo');
    expect(await store.patrons.get(lib.id, student.id)).toMatchObject({ firstName: student.firstName, lastName: student.lastName });

    // The bad sync's page says it was undone, and offers no second undo.
    await page.goto(`${url}${badPath}`);
    await expect(page.textContent('[data-test=undone-by]')).resolves.toMatch(/Undone by operation \d+/);
    expect(await page.locator('#undo').count()).toBe(0);
    await shots.take(page, 'bad-sync-undone');
  }, 180_000);
});
