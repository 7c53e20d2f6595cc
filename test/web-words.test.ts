/**
 * The words a librarian reads, on SQLite and PostgreSQL: the menu and the pages it leads to say
 * the same names (SPEC §2 "Preferences › SIS Integrations", §3.7 "Operations Management").
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
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
});
