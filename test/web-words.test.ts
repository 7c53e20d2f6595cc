/**
 * The words a librarian reads, on SQLite and PostgreSQL: the menu and the pages it leads to say
 * the same names (SPEC §2 "Preferences › SIS Integrations", §3.7 "Operations Management").
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATUS_ACTIVE } from '../src/domain/fields.ts';
import { emptyPatronValues } from '../src/domain/patron.ts';
import type { Library } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

/** The menu's entries of a page: [href, label]. */
function menuOf(html: string): [string, string][] {
  const nav = html.match(/<nav aria-label="Main">([\s\S]*?)<\/nav>/)?.[1] ?? '';
  return [...nav.matchAll(/<a href="([^"]+)"[^>]*>([^<]+?)\s*(?:<span|<\/a>)/g)].map((m) => [m[1]!, m[2]!.trim()]);
}

const h1Of = (html: string) => (html.match(/<h1>([\s\S]*?)<\/h1>/)?.[1] ?? '').replace(/<[^>]+>/g, '').trim();
const titleOf = (html: string) => html.match(/<title>([^<]*)<\/title>/)?.[1] ?? '';
/** A page's breadcrumb trail as text ("Preferences › Schedule"). */
const crumbsOf = (html: string) =>
  (html.match(/<p class="muted crumbs">([\s\S]*?)<\/p>/)?.[1] ?? '')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();

describeEachDatabase('web: the words a librarian reads', (db) => {
  let web: TestWeb;
  beforeAll(async () => {
    web = await openWeb(db);
  });
  afterAll(async () => web?.close());

  async function signedIn(library: Library, role: 'admin' | 'librarian'): Promise<WebClient> {
    const name = `${role}-words-${library.code}`;
    await makeStaff(web.store, library, role, name);
    const c = new WebClient(web.app);
    expect((await c.signIn(name)).statusCode).toBe(303);
    return c;
  }

  it('each menu entry leads to a page of the same name (its title and h1), for admins and librarians', async () => {
    const lib = await db.newLibrary('Words');
    for (const role of ['admin', 'librarian'] as const) {
      const c = await signedIn(lib, role);
      const menu = menuOf((await c.get('/')).body);
      expect(menu.length).toBeGreaterThan(4);
      for (const [href, label] of menu) {
        const page = await c.get(href);
        expect(page.statusCode, href).toBe(200);
        expect(titleOf(page.body), href).toBe(`${label} · Rollcall`);
        // The home page's h1 is the library's name; every other page is headed by its menu name.
        if (href !== '/') expect(h1Of(page.body), href).toBe(label);
      }
      const labels = menu.map(([, l]) => l);
      expect(labels).toContain('Operations Management');
      if (role === 'admin') expect(labels).toContain('Preferences');
      else expect(labels).not.toContain('Preferences');
    }
  });

  it('Preferences lists its pages, each of whose breadcrumbs leads back to it under the same name', async () => {
    const lib = await db.newLibrary('Crumbs');
    const admin = await signedIn(lib, 'admin');
    const prefs = await admin.get('/preferences');
    const entries = [...(prefs.body.match(/<ul class="preferences"[\s\S]*?<\/ul>/)?.[0] ?? '').matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)];
    expect(entries.map((m) => m[2])).toEqual(['SIS Integrations', 'New patrons', 'Schedule']);
    for (const [, href, name] of entries) {
      const page = await admin.get(href!);
      expect(page.statusCode, href).toBe(200);
      expect(h1Of(page.body), href).toBe(name);
      expect(crumbsOf(page.body), href).toBe(`Preferences › ${name}`);
      expect(page.body, href).toContain('<a href="/preferences">Preferences</a>');
      // The menu marks Preferences as where the admin is.
      expect(page.body, href).toContain('<a href="/preferences" aria-current="page">Preferences</a>');
    }
    const librarian = await signedIn(lib, 'librarian');
    expect((await librarian.get('/preferences')).statusCode).toBe(403);
  });

  it('no page shows a raw ISO timestamp: Staff, API tokens, webhooks and the integrations show times on the library’s clock', async () => {
    const lib = await db.newLibrary('Clock');
    const admin = await signedIn(lib, 'admin');
    expect((await admin.post('/admin/tokens', { name: 'nightly', scope: 'all' })).statusCode).toBe(201);
    await web.store.webhooks.addEndpoint(lib.id, {
      url: 'https://hooks.example.org/x',
      description: 'd',
      secret: 'whsec_dGVzdA==',
      createdBy: 'me',
    });
    const pages = [
      '/',
      '/admin/users',
      '/admin/tokens',
      '/admin/webhooks',
      '/preferences/integrations/classlink',
      '/preferences/integrations/csv',
    ];
    for (const href of pages) {
      const page = await admin.get(href);
      expect(page.statusCode, href).toBe(200);
      // What a person reads: the text between tags (hidden inputs and attributes are for the browser).
      const text = page.body.replace(/<[^>]*>/g, ' ');
      expect(text, href).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    }
    const tokens = (await admin.get('/admin/tokens')).body;
    expect(tokens).toMatch(/class="when">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</);
  });

  it('a librarian’s pages name no server setting or command; an admin still sees the command where it helps', async () => {
    const lib = await db.newLibrary('Plain');
    const librarian = await signedIn(lib, 'librarian');
    const hrefs = [...menuOf((await librarian.get('/')).body).map(([href]) => href), '/patrons/locks'];
    for (const href of hrefs) {
      const page = await librarian.get(href);
      expect(page.statusCode, href).toBe(200);
      expect(page.body, href).not.toMatch(/ROLLCALL_[A-Z]|<code>rollcall |npx rollcall/);
    }
    // An empty library's patron list tells a librarian who brings patrons in; an admin, how.
    expect((await librarian.get('/patrons')).body).toContain('or when an admin imports the library’s existing patrons');
    const admin = await signedIn(lib, 'admin');
    const empty = (await admin.get('/patrons')).body;
    expect(empty).toContain('<a href="/patrons/import">import</a>');
    expect(empty).toContain('<code>rollcall patrons import</code>');
  });

  it('counts read as words: "1 patron", and a page of a longer list says which part', async () => {
    const lib = await db.newLibrary('Count');
    const admin = await signedIn(lib, 'admin');
    await web.store.patrons.insertMany(lib.id, [
      { ...emptyPatronValues(), firstName: 'Ann', lastName: 'Lee', status: STATUS_ACTIVE, guidSource: null, matchedBy: null },
    ]);
    const one = (await admin.get('/patrons?q=Lee')).body;
    expect(one).toContain('data-test="patron-count">1 patron<');
    expect(one).not.toMatch(/1–1 of 1|\(s\)/);
    const sites = (await admin.get('/sites')).body;
    expect(sites).toMatch(/1 patron<\/a> has no site/);
  });

  it('the OAuth 2 box of the OneRoster REST page stacks its labels over their fields like the rest of the form', async () => {
    const lib = await db.newLibrary('Box');
    const admin = await signedIn(lib, 'admin');
    const page = (await admin.get('/preferences/integrations/oneroster')).body;
    // form.stack lays out its own labels and fields; a fieldset inside it needs the shared
    // fieldset.grid, else its labels and fields run together on one line (style.css).
    const box = page.match(/<fieldset([^>]*)>\s*<legend>OAuth 2 only<\/legend>/);
    expect(box?.[1]).toBe(' class="grid"');
  });
});
