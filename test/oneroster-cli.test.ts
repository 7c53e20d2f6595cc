/**
 * `rollcall oneroster …` against the emulator as a generic OneRoster server, on SQLite and
 * PostgreSQL: configure is validated before anything is saved (one-line refusals, the secret
 * never printed), 1.2 with OAuth 2 and 1.1 with OAuth 1.0a, site mapping and options as
 * ClassLink's (no sign-in option), and enable switching from ClassLink only with --yes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { dbEnv, rollcallHere, type CliRun } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';

describeEachDatabase('rollcall oneroster', (db) => {
  let emulator: RunningEmulator;
  const printed: string[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ district: { students: 30, seed: 'or-cli' } });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  async function cli(args: string[], code: number): Promise<CliRun> {
    const run = await rollcallHere(args, dbEnv(db));
    printed.push(run.stdout, run.stderr);
    expect(run.code, `rollcall ${args.join(' ')}\n${run.stdout}${run.stderr}`).toBe(code);
    return run;
  }
  const configure12 = (extra: string[] = []) => [
    'oneroster',
    'configure',
    '--base-url',
    emulator.url,
    '--version',
    '1.2',
    '--client-id',
    emulator.oauth2.clientId,
    '--client-secret',
    emulator.oauth2.clientSecret,
    '--token-url',
    emulator.oauth2.tokenUrl,
    ...extra,
  ];

  it('refuses a wrong secret in one line and saves nothing; refuses OAuth 1.0a for 1.2 as bad usage', async () => {
    const bad = await cli([...configure12().slice(0, 9), 'wrong-secret', '--token-url', emulator.oauth2.tokenUrl], 1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(
      /^rollcall: The token endpoint at .*\/oauth\/token refused the client credentials \(invalid_client, HTTP 401\); check the client id and secret\.\n$/,
    );
    expect((await cli(['oneroster', 'schools'], 1)).stderr).toMatch(/OneRoster is not configured yet/);
    expect((await cli([...configure12(), '--auth', 'oauth1'], 2)).stderr).toMatch(/OneRoster 1\.2 servers use OAuth 2/);
    expect((await cli(['oneroster', 'configure', '--base-url', emulator.url], 2)).stderr).toMatch(
      /needs --version, --client-id, --client-secret/,
    );
  });

  it('configures 1.2 with OAuth 2 (validated), lists and matches schools, shows options without sign-in', async () => {
    const view = JSON.parse((await cli([...configure12(['--scopes', 'core,demographics', '--json'])], 0)).stdout) as Record<
      string,
      unknown
    >;
    expect(view).toMatchObject({
      baseUrl: emulator.url,
      version: '1.2',
      auth: 'oauth2',
      clientId: emulator.oauth2.clientId,
      tokenUrl: emulator.oauth2.tokenUrl,
      clientAuth: 'basic',
      declaredUsers: expect.any(Number),
    });
    expect(view.scopes).toEqual([
      'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
      'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
    ]);
    expect(JSON.stringify(view)).not.toContain(emulator.oauth2.clientSecret);

    const schools = JSON.parse((await cli(['oneroster', 'schools', '--json'], 0)).stdout) as { sourcedId: string; siteCode: string }[];
    expect(schools.length).toBeGreaterThan(1);
    await cli(['sites', 'add', '--code', 'MAIN', '--name', 'Main'], 0);
    expect((await cli(['oneroster', 'match-site', 'MAIN', schools[0]!.sourcedId], 0)).stdout).toMatch(/^Site MAIN \(Main\) is matched to /);
    expect((await cli(['oneroster', 'match-site', 'MAIN', 'no-such-school'], 1)).stderr).toMatch(/conflict|already matched/);
    expect((await cli(['oneroster', 'unmatch-site', 'MAIN'], 0)).stdout).toMatch(/no longer matched/);
    expect((await cli(['oneroster', 'match-site', 'MAIN', 'no-such-school'], 1)).stderr).toMatch(
      /The OneRoster server lists no school with the sourcedId "no-such-school"; see the schools with `rollcall oneroster schools`/,
    );
    await cli(['oneroster', 'match-site', 'MAIN', schools[0]!.sourcedId], 0);

    const options = JSON.parse((await cli(['oneroster', 'options', '--roles', 'student,admin', '--json'], 0)).stdout) as Record<
      string,
      unknown
    >;
    expect(options).toEqual({
      roles: ['student', 'admin'],
      mapping: { barcode: { kind: 'none' }, communityId: { kind: 'none' }, location: 'none' },
      thresholds: { maxTransferPct: 10, maxUpdatePct: 50 },
    });
    await cli(['oneroster', 'options', '--sso', 'on'], 2);
  });

  it('configures 1.1 with OAuth 1.0a on the same server (keeping the options)', async () => {
    const c = emulator.credentials;
    const text = (
      await cli(
        [
          'oneroster',
          'configure',
          '--base-url',
          `${emulator.url}/ims/oneroster/v1p1`,
          '--version',
          '1.1',
          '--client-id',
          c.clientId,
          '--client-secret',
          c.clientSecret,
        ],
        0,
      )
    ).stdout;
    expect(text).toMatch(/^OneRoster 1\.1 connection validated and saved: OAuth 1\.0a, client id /);
    expect(JSON.parse((await cli(['oneroster', 'options', '--json'], 0)).stdout)).toMatchObject({ roles: ['student', 'admin'] });
    await cli(configure12(), 0);
  });

  it('enable: when ClassLink is on with a school matched, says what it clears and stops without --yes; with --yes switches', async () => {
    const c = emulator.credentials;
    await cli(['classlink', 'configure', '--roster-url', emulator.url, '--client-id', c.clientId, '--client-secret', c.clientSecret], 0);
    await cli(['sites', 'add', '--code', 'EAST', '--name', 'East'], 0);
    const schools = JSON.parse((await cli(['classlink', 'schools', '--json'], 0)).stdout) as { sourcedId: string; siteCode: string }[];
    await cli(['classlink', 'match-site', 'EAST', schools.find((s) => s.siteCode === '')!.sourcedId], 0);
    // ClassLink takes over from OneRoster first: MAIN's OneRoster match is cleared (the --yes of that switch).
    await cli(['classlink', 'enable', '--yes'], 0);
    const sites = () =>
      rollcallHere(['sites', 'list', '--json'], dbEnv(db)).then((r) => JSON.parse(r.stdout) as { code: string; orgSourcedId: string }[]);
    expect((await sites()).find((s) => s.code === 'MAIN')!.orgSourcedId).toBe('');

    const stopped = await cli(['oneroster', 'enable'], 2);
    expect(stopped.stdout).toMatch(/^Enabling OneRoster REST clears 1 site match .* and turns ClassLink off\.\n$/);
    expect(stopped.stderr).toMatch(/enable --yes/);
    expect((await sites()).find((s) => s.code === 'EAST')!.orgSourcedId).not.toBe('');

    const done = await cli(['oneroster', 'enable', '--yes'], 0);
    expect(done.stdout).toMatch(/OneRoster REST is enabled \(0 matched sites\)/);
    expect(done.stdout).toMatch(/Turned off: ClassLink/);
    expect((await sites()).find((s) => s.code === 'EAST')!.orgSourcedId).toBe('');
    expect((await cli(['oneroster', 'enable'], 0)).stdout).toMatch(/already enabled/);
    expect((await cli(['oneroster', 'disable'], 0)).stdout).toMatch(/OneRoster REST is disabled/);
    expect((await cli(['oneroster', 'disable'], 0)).stdout).toMatch(/was not enabled/);
  });

  it('never printed a secret', () => {
    const all = printed.join('\n');
    for (const s of [emulator.oauth2.clientSecret, emulator.credentials.clientSecret]) expect(all).not.toContain(s);
  });
});
