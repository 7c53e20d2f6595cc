/**
 * Secrets never appear in a page, an API response or the server's log: with the
 * server logging at its most talkative level, an admin saves a direct-mode ClassLink connection
 * (OAuth secret), the sign-in secret, signs in with a password and creates an API token; then
 * every page and API answer read afterwards, and the whole log, are searched for each secret.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syncDepsOf } from '../src/app.ts';
import { testConfig } from '../src/config/load.ts';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { buildWebServer } from '../src/web/server.ts';
import { inProcessSyncStarter } from '../src/web/sync-starter.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, TEST_PASSWORD, WebClient } from './support/web.ts';

describeEachDatabase('web: secrets stay secret', (db) => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ district: { students: 20, seed: 'secrets' } });
  });
  afterAll(async () => emulator?.close());

  it('no secret in any page, API answer or log line', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const config = testConfig({ ROLLCALL_DATABASE_URL: db.url() });
    const store = db.store();
    const now = () => new Date();
    const syncDeps = syncDepsOf(config, store, now);
    const app = await buildWebServer({
      config,
      store,
      syncDeps,
      now,
      startSync: inProcessSyncStarter(syncDeps),
      logger: { level: 'trace', stream },
    });
    await app.ready();
    try {
      const lib = await db.newLibrary();
      await makeStaff(store, lib, 'admin', `secret-admin-${lib.code}`);
      const c = new WebClient(app);
      await c.signIn(`secret-admin-${lib.code}`);
      const bodies: string[] = [];
      const keep = <T extends { body: string }>(r: T): T => {
        bodies.push(r.body);
        return r;
      };

      const oauthSecret = emulator.credentials.clientSecret;
      const saved = keep(
        await c.api('PUT', '/api/v1/integrations/classlink/connection', {
          mode: 'direct',
          rosterUrl: emulator.url,
          clientId: emulator.credentials.clientId,
          clientSecret: oauthSecret,
        }),
      );
      expect(saved.statusCode, saved.body).toBe(200);
      const ssoSecret = 'sso-client-secret-never-shown';
      keep(await c.api('PATCH', '/api/v1/integrations/classlink/sso', { clientId: 'own-client', clientSecret: ssoSecret }));
      const made = await c.api('POST', '/api/v1/tokens', { name: 'script' });
      const apiToken = (made.json() as { token: string }).token;

      for (const path of [
        '/',
        '/preferences/integrations/classlink',
        '/preferences/integrations/classlink/sign-in',
        '/preferences/integrations/classlink/sites',
        '/admin/tokens',
        '/admin/users',
        '/operations',
      ]) {
        const res = keep(await c.get(path));
        expect(res.statusCode, path).toBe(200);
      }
      for (const path of [
        '/api/v1/integrations/classlink',
        '/api/v1/integrations/classlink/sso',
        '/api/v1/tokens',
        '/api/v1/staff',
        '/api/v1/me',
      ]) {
        const res = keep(await c.api('GET', path));
        expect(res.statusCode, path).toBe(200);
      }
      // The token works (so it was used, and could have been logged).
      const script = new WebClient(app);
      script.bearer = apiToken;
      expect((await script.api('GET', '/api/v1/me')).statusCode).toBe(200);

      const log = lines.join('');
      expect(log.length).toBeGreaterThan(0);
      for (const secret of [oauthSecret, ssoSecret, apiToken, TEST_PASSWORD]) {
        expect(bodies.join('\n'), 'a page or API answer').not.toContain(secret);
        expect(log, 'the log').not.toContain(secret);
      }
      // Nor the session cookie.
      expect(log).not.toContain(c.cookies.get('rollcall_session')!);
    } finally {
      await app.close();
    }
  });
});
