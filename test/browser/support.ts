/**
 * Browser tests: Debian's Chromium driven by playwright-core (never a browser download), a
 * Rollcall web server listening on loopback, and a screenshot of each page visited, saved to
 * test-output/screenshots/<suite>/NN-name.png. Without /usr/bin/chromium the suites are
 * skipped with a title that says so.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';

/** Where Debian puts Chromium. */
export const CHROMIUM = process.env.ROLLCALL_CHROMIUM ?? '/usr/bin/chromium';

/** The flags the project runs Chromium with (no sandbox in containers, no network chatter). */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `describe` when Chromium is here, else a visibly skipped suite. */
export function describeInBrowser(title: string, body: () => void): void {
  if (existsSync(CHROMIUM)) describe(`${title} [chromium]`, body);
  else describe.skip(`${title} (skipped: no ${CHROMIUM}; apt-get install -y chromium)`, body);
}

/** Launches Chromium headless. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** Saves numbered screenshots of a suite's pages. */
export class Screenshots {
  private n = 0;
  readonly dir: string;

  constructor(suite: string) {
    this.dir = join(process.cwd(), 'test-output', 'screenshots', suite);
    mkdirSync(this.dir, { recursive: true });
  }

  /** Saves the whole page as NN-name.png; returns the path. */
  async take(page: Page, name: string): Promise<string> {
    const file = join(this.dir, `${String(++this.n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }
}

// ---- a whole Rollcall (web + store + emulator) on loopback ----

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { syncDepsOf } from '../../src/app.ts';
import { testConfig } from '../../src/config/load.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import type { RunningEmulator } from '../../src/emulator/types.ts';
import { STATUS_ACTIVE } from '../../src/domain/fields.ts';
import { emptyPatronValues } from '../../src/domain/patron.ts';
import { openStore, type Library, type Store } from '../../src/store/store.ts';
import { buildWebServer } from '../../src/web/server.ts';
import { inProcessSyncStarter } from '../../src/web/sync-starter.ts';

/** Rollcall served on a real port, with its own SQLite database and ClassLink emulator. */
export interface BrowserStack {
  /** Rollcall's address (also its public URL). */
  url: string;
  emulator: RunningEmulator;
  store: Store;
  web: FastifyInstance;
  /** Waits for background syncs, closes everything, removes the database. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts the stack: a district of `students`, the emulator as ClassLink (partner API and sign-in). */
export async function startStack(students = 60): Promise<BrowserStack> {
  const folder = mkdtempSync(join(tmpdir(), 'rollcall-browser-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const emulator = await startEmulator({
    district: { students, seed: 'browser' },
    sso: { clients: [{ redirectUris: [`${url}/sso/classlink/callback`] }] },
  });
  const config = testConfig({
    ROLLCALL_DATABASE_URL: `sqlite:${join(folder, 'rollcall.db')}`,
    ROLLCALL_DATA_DIR: folder,
    ROLLCALL_SECRET_KEY: randomBytes(32).toString('hex'),
    ROLLCALL_PUBLIC_URL: url,
    ROLLCALL_CLASSLINK_PARTNER_URL: emulator.url,
    ROLLCALL_CLASSLINK_PARTNER_KEY: emulator.credentials.partnerKey,
    ROLLCALL_CLASSLINK_LAUNCHPAD_URL: emulator.sso.issuer,
    ROLLCALL_CLASSLINK_API_URL: emulator.sso.apiUrl,
    ROLLCALL_SSO_CLIENT_ID: emulator.sso.clientId,
    ROLLCALL_SSO_CLIENT_SECRET: emulator.sso.clientSecret,
  });
  const store = await openStore({ url: config.database.url, dataDir: folder, secretKey: config.secretKey });
  const now = () => new Date();
  const syncDeps = syncDepsOf(config, store, now);
  const starter = inProcessSyncStarter(syncDeps);
  const web = await buildWebServer({ config, store, syncDeps, now, startSync: starter });
  await web.listen({ port, host: '127.0.0.1' });
  return {
    url,
    emulator,
    store,
    web,
    close: async () => {
      await starter.idle();
      await web.close();
      await store.close();
      await emulator.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

// ---- the steps every flow starts with ----

import { saveClassLink } from '../../src/sources/classlink/state.ts';
import { readClassLinkSettings } from '../../src/sources/settings.ts';

/** The password of the first admin every flow sets up. */
export const ADMIN_PASSWORD = 'a long admin password';

/** First-run setup in the browser: the first admin account, signed in, on the home page. */
export async function setUpFirstAdmin(page: Page, url: string, username: string, displayName: string): Promise<void> {
  await page.goto(url);
  await page.fill('#username', username);
  await page.fill('#displayName', displayName);
  await page.fill('#password', ADMIN_PASSWORD);
  await page.fill('#confirm', ADMIN_PASSWORD);
  await Promise.all([page.waitForURL(`${url}/?notice=setup-done`), page.click('button[type=submit]')]);
}

/**
 * ClassLink in direct mode against the stack's emulator, turned on, its first school (by
 * sourcedId) matched to a site ES (the setup pages have their own browser test); the library.
 * `settings` adds to the saved settings (thresholds, …).
 */
export async function connectClassLink(stack: BrowserStack, settings: Record<string, unknown> = {}): Promise<Library> {
  const { emulator, store } = stack;
  const lib = (await store.libraries.byCode('default'))!;
  const c = emulator.credentials;
  const schools = (await (
    await fetch(`${emulator.url}/${c.appId}/ims/oneroster/v1p1/schools?limit=100`, {
      headers: { authorization: `Bearer ${c.bearerToken}` },
    })
  ).json()) as { orgs: { sourcedId: string }[] };
  await store.sites.add(lib.id, { code: 'ES', name: 'Elementary' });
  await store.sites.setOrgGuid(lib.id, 'ES', schools.orgs.map((o) => o.sourcedId).sort()[0]!);
  const saved = readClassLinkSettings({
    connection: { mode: 'direct', rosterUrl: emulator.url, auth: 'oauth1', clientId: c.clientId },
    ...settings,
  });
  await saveClassLink(store, lib.id, { settings: saved, secrets: { clientSecret: c.clientSecret }, enabled: true });
  return lib;
}

/**
 * Sync Now (or Dry Run) on the ClassLink Sync page, then the operation page until its state
 * matches `until` (the page reloads when the sync ends); the operation page's path.
 */
export async function syncFromPage(
  page: Page,
  url: string,
  button: '#sync-now' | '#dry-run' = '#sync-now',
  until = /succeeded/,
): Promise<string> {
  await page.goto(`${url}/preferences/integrations/classlink/sync`);
  await Promise.all([page.waitForURL(/\/operations\/\d+/), page.click(button)]);
  await page.locator('[data-test=operation-state]').filter({ hasText: until }).waitFor({ timeout: 60_000 });
  return new URL(page.url()).pathname;
}

/** A flow's stack and its one page, as `browserFlow` hands them out once its beforeAll has run. */
export interface BrowserFlow {
  /** The running Rollcall, store and emulator. */
  readonly stack: BrowserStack;
  /** The one page the flow drives. */
  readonly page: Page;
}

/**
 * The set-up most flows share, registered as the suite's beforeAll/afterAll: a stack of
 * `students`, a browser, and one page at `viewport`; with `acceptDialogs`, every confirmation a
 * form asks for (data-confirm) is accepted, as a person would; with `acceptDownloads`, the page
 * keeps what it downloads (for flows that open a download). Read `stack` and `page` inside
 * tests (they exist once beforeAll has run).
 */
export function browserFlow(options: {
  students: number;
  viewport: { width: number; height: number };
  acceptDialogs?: boolean;
  acceptDownloads?: boolean;
}): BrowserFlow {
  let stack: BrowserStack | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    stack = await startStack(options.students);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: options.viewport, acceptDownloads: options.acceptDownloads ?? false })).newPage();
    if (options.acceptDialogs) page.on('dialog', (d) => void d.accept());
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  return {
    get stack() {
      if (!stack) throw new Error('browserFlow: the stack is read before beforeAll ran');
      return stack;
    },
    get page() {
      if (!page) throw new Error('browserFlow: the page is read before beforeAll ran');
      return page;
    },
  };
}

/**
 * Two Active patrons, Alex and Sam Twin (barcodes TW-1 and TW-2, site ES), sharing `email`, a
 * roster user's: the sync cannot tell which is that user, so it queues a conflict. Their ids.
 */
export function insertEmailTwins(store: Store, libraryId: number, email: string): Promise<number[]> {
  const twin = (firstName: string, barcode: string) => ({
    ...emptyPatronValues(),
    email,
    firstName,
    lastName: 'Twin',
    barcode,
    site: 'ES',
    policy: 'Student',
    status: STATUS_ACTIVE,
    guidSource: null,
    matchedBy: null,
  });
  return store.patrons.insertMany(libraryId, [twin('Alex', 'TW-1'), twin('Sam', 'TW-2')]);
}
