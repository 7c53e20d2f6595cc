/**
 * The district's ClassLink guide (docs/classlink-guide.md) in the web admin: served at
 * /help/classlink to anyone (it holds nothing of a library), and linked from each ClassLink step
 * at its own part, whose anchor must be on the guide's page; the refusal and LaunchPad links too.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

const BASE = '/preferences/integrations/classlink';

describeEachDatabase('web: the ClassLink guide', (db) => {
  let web: TestWeb;
  beforeAll(async () => {
    web = await openWeb(db);
  });
  afterAll(async () => web?.close());

  it('each ClassLink step links to its part of the guide, and the guide has each part', async () => {
    const lib = await db.newLibrary();
    await makeStaff(web.store, lib, 'admin', `guide-${lib.code}`);
    const admin = new WebClient(web.app);
    expect((await admin.signIn(`guide-${lib.code}`)).statusCode).toBe(303);

    const guide = await new WebClient(web.app).get('/help/classlink');
    expect(guide.statusCode).toBe(200);
    expect(guide.body).toContain('<h1>Getting ClassLink ready for Rollcall');
    const ids = new Set([...guide.body.matchAll(/<h[2-4] id="([^"]+)"/g)].map((m) => m[1]!));

    const linked = new Map<string, string>();
    for (const step of ['', '/sites', '/syncing', '/fields', '/enable', '/sync', '/sign-in']) {
      const page = await admin.get(`${BASE}${step}`);
      expect(page.statusCode, step).toBe(200);
      const hrefs = [...page.body.matchAll(/data-test="guide-[a-z-]+"[^>]*>|href="(\/help\/classlink#[^"]+)"/g)]
        .map((m) => m[1])
        .filter(Boolean);
      const stepLink = /data-test="guide-link">[^<]*<a href="\/help\/classlink#([^"]+)"/.exec(page.body)?.[1];
      expect(stepLink, `the step ${step || 'Settings'} links to its part`).toBeDefined();
      linked.set(step, stepLink!);
      for (const href of hrefs) expect(ids, `${step}: ${href}`).toContain(href!.split('#')[1]);
    }
    expect(linked.get('')).toBe('share-the-roster-with-the-app');
    expect(linked.get('/sign-in')).toBe('register-the-sign-in-app');
    expect((await admin.get(BASE)).body).toContain('href="/help/classlink#connecting-settings"');
    const signIn = (await admin.get(`${BASE}/sign-in`)).body;
    expect(signIn).toContain('href="/help/classlink#add-a-launchpad-tile"');
    expect(signIn).toContain('href="/help/classlink#signing-in"');
    for (const part of ['connecting-settings', 'add-a-launchpad-tile', 'signing-in', 'choose-what-the-app-may-read'])
      expect(ids).toContain(part);
  });
});
