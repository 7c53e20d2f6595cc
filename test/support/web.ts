/**
 * Web tests: a Rollcall web app on a test database (`openWeb`), driven through Fastify's
 * inject with a cookie jar and the CSRF token of the last page (`WebClient`), plus staff
 * accounts made straight in the store. Browser tests (test/browser) listen on a real port.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { syncDepsOf } from '../../src/app.ts';
import { testConfig } from '../../src/config/load.ts';
import type { Env } from '../../src/config/schema.ts';
import type { Library, StaffRole, StaffUser, Store } from '../../src/store/store.ts';
import { hashPassword } from '../../src/web/auth/passwords.ts';
import { buildWebServer } from '../../src/web/server.ts';
import { inProcessSyncStarter } from '../../src/web/sync-starter.ts';
import type { DatabaseTestContext } from './db.ts';

/** A web app over the suite's store. */
export interface TestWeb {
  app: FastifyInstance;
  store: Store;
  /** Waits for the syncs Sync Now started in the background. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the web app on the suite's database (call inside a test or hook). */
export async function openWeb(
  db: DatabaseTestContext,
  env: Partial<Record<keyof Env, string>> = {},
  now: () => Date = () => new Date(),
): Promise<TestWeb> {
  const config = testConfig({ ROLLCALL_DATABASE_URL: db.url(), ...env });
  const store = db.store();
  const syncDeps = syncDepsOf(config, store, now);
  const starter = inProcessSyncStarter(syncDeps);
  const app = await buildWebServer({ config, store, syncDeps, now, startSync: starter });
  await app.ready();
  return {
    app,
    store,
    idle: () => starter.idle(),
    close: async () => {
      await starter.idle();
      await app.close();
    },
  };
}

/** A password every test account uses. */
export const TEST_PASSWORD = 'correct horse battery';

/** Makes a staff account in the library (directly in the store). */
export async function makeStaff(store: Store, library: Library, role: StaffRole, username = `${role}-${library.code}`): Promise<StaffUser> {
  return store.staff.create(library.id, {
    username,
    role,
    passwordHash: await hashPassword(TEST_PASSWORD),
    displayName: `${role} of ${library.code}`,
  });
}

/** Form fields or JSON. */
type Body = Record<string, string | number | boolean | undefined>;

/** A browser-like client over inject: keeps cookies, sends the last page's CSRF token. */
export class WebClient {
  readonly cookies = new Map<string, string>();
  csrf = '';
  bearer = '';

  /** `remoteAddress`: the client's address as the server sees it (default 127.0.0.1). */
  constructor(
    readonly app: FastifyInstance,
    readonly remoteAddress?: string,
  ) {}

  /** GET a page (or JSON); remembers the page's CSRF token. */
  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.send('GET', url, undefined, headers);
  }

  /** POST a form, with the CSRF token unless `_csrf` is given (use '' to send none). */
  async post(url: string, form: Body = {}, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const fields: Body = { _csrf: this.csrf, ...form };
    const body = new URLSearchParams(
      Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)] as [string, string]),
    ).toString();
    return this.send('POST', url, body, { 'content-type': 'application/x-www-form-urlencoded', ...headers });
  }

  /** A JSON API call (cookie session: the CSRF token goes in x-csrf-token; token: Bearer). */
  async api(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrf && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    return this.send(method, url, body === undefined ? undefined : JSON.stringify(body), h);
  }

  /** Signs in with the form (first loading it for the CSRF token). */
  async signIn(username: string, password = TEST_PASSWORD): Promise<LightMyRequestResponse> {
    await this.get('/login');
    return this.post('/login', { username, password });
  }

  private async send(
    method: string,
    url: string,
    payload: string | undefined,
    headers: Record<string, string>,
  ): Promise<LightMyRequestResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(cookie ? { cookie } : {}), ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {}), ...headers },
      ...(payload !== undefined ? { payload } : {}),
      ...(this.remoteAddress ? { remoteAddress: this.remoteAddress } : {}),
    });
    for (const c of res.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /name="csrf-token" content="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1]!;
    return res;
  }
}
