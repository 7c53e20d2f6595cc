/**
 * The librarian's path in a real browser (SPEC §2, §5): first-run admin setup, sign-in, two sites,
 * the Tenant ID validated against the emulator's partner API, two sites mapped, roles chosen,
 * ClassLink turned ON, Sync Now watched to the end, the operation's log filtered and
 * downloaded, a patron found and one field edited, sign-out. A screenshot of each page goes to
 * test-output/screenshots/admin-flow/.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { browserFlow, describeInBrowser, Screenshots, type BrowserStack } from './support.ts';

const PASSWORD = 'a long admin password';

describeInBrowser('browser: an admin sets up ClassLink and syncs', () => {
  const shots = new Screenshots('admin-flow');
  const flow = browserFlow({ students: 60, viewport: { width: 1280, height: 900 }, acceptDownloads: true });

  it('walks the whole path', async () => {
    const { stack, page } = flow;
    const { url, emulator } = stack;

    // First run: the setup page asks for the first admin.
    await page.goto(url);
    expect(new URL(page.url()).pathname).toBe('/setup');
    await shots.take(page, 'setup');
    await page.fill('#username', 'librarian.admin');
    await page.fill('#displayName', 'Ada Admin');
    await page.fill('#password', PASSWORD);
    await page.fill('#confirm', PASSWORD);
    await Promise.all([page.waitForURL(`${url}/?notice=setup-done`), page.click('button[type=submit]')]);
    await expect(page.textContent('.notice')).resolves.toContain('Your admin account is ready');
    await shots.take(page, 'home');

    // Sign out and back in.
    await Promise.all([page.waitForURL(/\/login/), page.click('#sign-out')]);
    await page.fill('#username', 'librarian.admin');
    await page.fill('#password', 'not the password');
    await page.click('button[type=submit]');
    await expect(page.textContent('.error')).resolves.toContain('wrong');
    await shots.take(page, 'login-refused');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${url}/`), page.click('button[type=submit]')]);

    // Two library sites named like two of the district's schools.
    await page.goto(`${url}/sites`);
    const names = await schoolNames(stack);
    for (const [code, name] of [
      ['ES', names[0]!],
      ['MS', names[1]!],
    ] as const) {
      await page.fill('#site-code', code);
      await page.fill('#site-name', name);
      await Promise.all([page.waitForLoadState('load'), page.click('#add-site')]);
    }
    await expect(page.content()).resolves.toContain(names[1]!);
    await shots.take(page, 'sites');

    // Settings: a wrong Tenant ID gets a sentence; the right one is validated and saved.
    await page.goto(`${url}/preferences/integrations/classlink`);
    await page.fill('#tenant-id', '987654');
    await page.click('#save-tenant');
    await expect(page.textContent('[role=alert]')).resolves.toMatch(/tenant/i);
    await shots.take(page, 'classlink-tenant-refused');
    await page.fill('#tenant-id', String(emulator.credentials.tenantId));
    await Promise.all([page.waitForURL(/notice=/), page.click('#save-tenant')]);
    await expect(page.textContent('.notice')).resolves.toMatch(/validated and saved/);
    await shots.take(page, 'classlink-settings');

    // Site Mapping: select a site and a school, Match; twice; Save.
    await page.goto(`${url}/preferences/integrations/classlink/sites`);
    const schoolIds = await page.$$eval('input[name=school]', (els) =>
      els.map((e) => ({ id: e.getAttribute('value') ?? '', label: e.closest('tr')?.textContent ?? '' })),
    );
    for (const [code, name] of [
      ['ES', names[0]!],
      ['MS', names[1]!],
    ] as const) {
      const school = schoolIds.find((s) => s.label.includes(name))!;
      await page.check(`input[name=site][value=${code}]`);
      await page.check(`input[name=school][value="${school.id}"]`);
      await Promise.all([page.waitForLoadState('load'), page.click('#match')]);
    }
    await Promise.all([page.waitForLoadState('load'), page.click('#save-mapping')]);
    await expect(page.$$eval('[data-test=matched]', (els) => els.length)).resolves.toBe(2);
    await shots.take(page, 'classlink-sites');

    // Syncing: students and teachers.
    await page.goto(`${url}/preferences/integrations/classlink/syncing`);
    await page.check('#role-student');
    await page.check('#role-teacher');
    await page.uncheck('#role-admin');
    await Promise.all([page.waitForLoadState('load'), page.click('#save-roles')]);
    await shots.take(page, 'classlink-syncing');

    // Field Mapping shown with its defaults.
    await page.goto(`${url}/preferences/integrations/classlink/fields`);
    await expect(page.content()).resolves.toContain('1007');
    await shots.take(page, 'classlink-fields');

    // Turn ClassLink ON (the page says first what it will clear).
    await page.goto(`${url}/preferences/integrations/classlink/enable`);
    await shots.take(page, 'classlink-enable');
    await Promise.all([page.waitForLoadState('load'), page.click('#enable')]);
    await expect(page.textContent('#classlink-state')).resolves.toBe('ON');

    // Sync Now lands on the operation, which updates itself until it has finished.
    await page.goto(`${url}/preferences/integrations/classlink/sync`);
    await shots.take(page, 'classlink-sync');
    await Promise.all([page.waitForURL(/\/operations\/\d+/), page.click('#sync-now')]);
    const operationPath = new URL(page.url()).pathname;
    await page
      .locator('[data-test=operation-state]')
      .filter({ hasText: /succeeded/ })
      .waitFor({ timeout: 60_000 });
    await shots.take(page, 'operation');
    const created = Number(await page.textContent('[data-test=count-created]').catch(() => '0'));
    expect(created).toBeGreaterThan(0);

    // The operations list has it.
    await page.goto(`${url}/operations`);
    await expect(page.$$eval('a[data-test=operation-link]', (els) => els.length)).resolves.toBeGreaterThan(0);
    await shots.take(page, 'operations');

    // Filter its log by a student's sourcedId, then download it.
    await page.goto(`${url}${operationPath}`);
    const student = (await stack.store.patrons.loadAll((await stack.store.libraries.byCode('default'))!.id)).find((p) =>
      p.guid.startsWith('stu-'),
    )!;
    await page.fill('#log-search', student.guid);
    await Promise.all([page.waitForLoadState('load'), page.click('#log-filter')]);
    const lines = await page.$$eval('[data-test=log-line]', (els) => els.map((e) => e.textContent ?? ''));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.includes(student.guid))).toBe(true);
    await shots.take(page, 'operation-log-filtered');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-text')]);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text).toContain(student.guid);

    // Find the patron, open them, edit one field.
    await page.goto(`${url}/patrons`);
    await page.fill('#patron-search', student.lastName);
    await Promise.all([page.waitForLoadState('load'), page.press('#patron-search', 'Enter')]);
    await shots.take(page, 'patrons-search');
    await Promise.all([page.waitForLoadState('load'), page.click(`a[data-test=patron-link][href="/patrons/${student.id}"]`)]);
    await expect(page.content()).resolves.toContain(student.guid);
    await shots.take(page, 'patron');
    await Promise.all([page.waitForLoadState('load'), page.click('#edit-patron')]);
    await page.fill('#field-1017', '555-0100');
    await shots.take(page, 'patron-edit');
    await Promise.all([page.waitForLoadState('load'), page.click('#save-patron')]);
    await expect(page.content()).resolves.toContain('555-0100');
    const lib = (await stack.store.libraries.byCode('default'))!;
    expect((await stack.store.patrons.get(lib.id, student.id))?.phone).toBe('555-0100');

    // Sign out.
    await Promise.all([page.waitForURL(/\/login/), page.click('#sign-out')]);
    await shots.take(page, 'signed-out');
    await page.goto(`${url}/operations`);
    expect(new URL(page.url()).pathname).toBe('/login');
  }, 180_000);
});

/** The district's school names, as ClassLink lists them (through the emulator's roster). */
async function schoolNames(stack: BrowserStack): Promise<string[]> {
  const c = stack.emulator.credentials;
  const res = await fetch(`${stack.emulator.url}/${c.appId}/ims/oneroster/v1p1/schools?limit=100`, {
    headers: { authorization: `Bearer ${c.bearerToken}` },
  });
  const body = (await res.json()) as { orgs: { name: string }[] };
  return body.orgs.map((o) => o.name).sort();
}
