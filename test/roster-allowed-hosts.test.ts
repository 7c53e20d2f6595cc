/**
 * ROLLCALL_ALLOWED_ROSTER_HOSTS over real HTTP, on SQLite and PostgreSQL: an address an admin
 * types is refused before it is saved (CLI and API), an address saved before the setting fails
 * the sync that opens it (nothing written), and a redirect to a host not allowed is refused —
 * each in one line naming the setting. Hosts allowed keep working against the emulator.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { dbEnv, rollcallHere, type CliRun } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures } from './support/sync-fixture.ts';
import { makeStaff, openWeb, WebClient } from './support/web.ts';

const REFUSED = (host: string, what = 'Roster URL') =>
  `${what} host ${host} is not allowed by ROLLCALL_ALLOWED_ROSTER_HOSTS; ask whoever runs this server.`;

describeEachDatabase('ROLLCALL_ALLOWED_ROSTER_HOSTS', (db) => {
  const setUp = syncFixtures(db);
  let emulator: RunningEmulator;
  /** A server on loopback that redirects every request to an internal address, counting them. */
  let redirector: Server;
  let redirectorUrl = '';
  let redirected = 0;

  beforeAll(async () => {
    emulator = await startEmulator({ district: { students: 20, seed: 'allowed-hosts' } });
    redirector = createServer((req, res) => {
      redirected++;
      req.resume();
      res.writeHead(302, { location: `http://10.0.0.5${req.url ?? '/'}` }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await emulator?.close();
    await new Promise((resolve) => redirector?.close(resolve));
  });

  async function cli(library: string, allowed: string | undefined, args: string[], code: number): Promise<CliRun> {
    const env = { ...dbEnv(db), ...(allowed === undefined ? {} : { ROLLCALL_ALLOWED_ROSTER_HOSTS: allowed }) };
    const run = await rollcallHere(['--library', library, ...args], env);
    expect(run.code, `rollcall ${args.join(' ')}\n${run.stdout}${run.stderr}`).toBe(code);
    return run;
  }
  const oneroster12 = (baseUrl: string, tokenUrl = `${baseUrl}/oauth/token`) => [
    'oneroster',
    'configure',
    '--base-url',
    baseUrl,
    '--version',
    '1.2',
    '--client-id',
    emulator.oauth2.clientId,
    '--client-secret',
    emulator.oauth2.clientSecret,
    '--token-url',
    tokenUrl,
  ];

  it('refuses a roster, base or token URL on save through the CLI, in one line, and saves nothing; allowed hosts still connect', async () => {
    const lib = (await db.newLibrary('Allow-list CLI')).code;
    const classlink = await cli(
      lib,
      '*.example.org',
      ['classlink', 'configure', '--roster-url', 'http://10.0.0.5', '--client-id', 'k', '--client-secret', 's'],
      1,
    );
    expect(classlink.stderr).toBe(`rollcall: ${REFUSED('10.0.0.5')}\n`);
    expect(classlink.stdout).toBe('');
    const base = await cli(lib, '*.example.org', oneroster12('http://169.254.169.254:8080'), 1);
    expect(base.stderr).toBe(`rollcall: ${REFUSED('169.254.169.254:8080')}\n`);
    const token = await cli(lib, '127.0.0.1', oneroster12(emulator.url, 'http://10.0.0.5/oauth/token'), 1);
    expect(token.stderr).toBe(`rollcall: ${REFUSED('10.0.0.5', 'Token URL')}\n`);
    expect((await cli(lib, undefined, ['classlink', 'schools'], 1)).stderr).toMatch(/ClassLink is not configured yet/);
    expect((await cli(lib, undefined, ['oneroster', 'schools'], 1)).stderr).toMatch(/OneRoster is not configured yet/);
    // The emulator's own host, allowed, connects as before.
    const ok = await cli(lib, '127.0.0.1, *.example.org', oneroster12(emulator.url), 0);
    expect(ok.stdout).toContain(emulator.url);
  });

  it('refuses a roster or base URL on save through the API (400, the same line), and saves nothing', async () => {
    const web = await openWeb(db, { ROLLCALL_ALLOWED_ROSTER_HOSTS: '*.example.org' });
    try {
      const lib = await db.newLibrary('Allow-list API');
      await makeStaff(web.store, lib, 'admin', `allow-admin-${lib.code}`);
      const c = new WebClient(web.app);
      await c.signIn(`allow-admin-${lib.code}`);
      const classlink = await c.api('PUT', '/api/v1/integrations/classlink/connection', {
        mode: 'direct',
        rosterUrl: 'http://10.0.0.5/ims/oneroster/v1p1',
        clientId: 'k',
        clientSecret: 's',
      });
      expect(classlink.statusCode).toBe(400);
      expect(classlink.json()).toEqual({ error: { kind: 'invalid_input', message: REFUSED('10.0.0.5') } });
      const oneroster = await c.api('PUT', '/api/v1/integrations/oneroster/connection', {
        baseUrl: emulator.url,
        version: '1.2',
        clientId: emulator.oauth2.clientId,
        clientSecret: emulator.oauth2.clientSecret,
      });
      expect(oneroster.statusCode).toBe(400);
      expect(oneroster.json().error.message).toBe(REFUSED(new URL(emulator.url).host));
      expect((await c.api('GET', '/api/v1/integrations/classlink')).json()).toMatchObject({ connection: null });
      expect((await c.api('GET', '/api/v1/integrations/oneroster')).json()).toMatchObject({ connection: null });
    } finally {
      await web.close();
    }
  });

  it('fails the sync of an address saved before the setting existed, writing nothing', async () => {
    const f = await setUp();
    const first = await f.sync('full');
    expect(first.operation.state).toMatch(/^succeeded/);
    const revision = await f.revision();
    const code = (await f.store.libraries.get(f.libraryId))!.code;
    const run = await cli(code, '*.example.org', ['sync', '--full', '--json'], 1);
    expect(run.stderr).toBe(`rollcall: ${REFUSED(new URL(f.emulator.url).host)}\n`);
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'failed', counts: { created: 0, updated: 0, transferred: 0 } });
    const [last] = await f.store.operations.list(f.libraryId, { limit: 1 });
    expect(last!.state).toBe('failed');
    expect(last!.error).toBe(REFUSED(new URL(f.emulator.url).host));
    expect(await f.revision()).toBe(revision);
  });

  it('refuses a redirect to a host not allowed, roster and token alike, naming the setting; never follows one', async () => {
    const lib = (await db.newLibrary('Allow-list redirects')).code;
    const from = new URL(redirectorUrl).host;
    redirected = 0;
    const roster = await cli(
      lib,
      '127.0.0.1',
      ['oneroster', 'configure', '--base-url', redirectorUrl, '--version', '1.1', '--client-id', 'k', '--client-secret', 's'],
      1,
    );
    expect(roster.stderr).toBe(
      `rollcall: Roster URL host 10.0.0.5 (a redirect from ${from}) is not allowed by ROLLCALL_ALLOWED_ROSTER_HOSTS; ask whoever runs this server.\n`,
    );
    // Refused at once: not retried, not followed.
    expect(redirected).toBe(1);
    const token = await cli(lib, '127.0.0.1', oneroster12(emulator.url, `${redirectorUrl}/oauth/token`), 1);
    expect(token.stderr).toBe(
      `rollcall: Token URL host 10.0.0.5 (a redirect from ${from}) is not allowed by ROLLCALL_ALLOWED_ROSTER_HOSTS; ask whoever runs this server.\n`,
    );
    // Without the setting a redirect is still not followed: it is an answer the probe rejects.
    const unlisted = await cli(
      lib,
      undefined,
      ['oneroster', 'configure', '--base-url', redirectorUrl, '--version', '1.1', '--client-id', 'k', '--client-secret', 's'],
      1,
    );
    expect(unlisted.stderr).toMatch(/HTTP 302/);
    expect((await cli(lib, undefined, ['oneroster', 'schools'], 1)).stderr).toMatch(/OneRoster is not configured yet/);
  });
});
