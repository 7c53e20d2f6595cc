/**
 * The setup commands of the scripting contract (SPEC §8), run through the CLI's own entry
 * (in this process: see cli-support.ts) against a ClassLink emulator on loopback, on SQLite and on PostgreSQL: sites, the three
 * `classlink configure` modes and their four plain failures, schools and site matching,
 * options, enable/disable. Secrets given on the command line never appear in any output.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { dbEnv, rollcallHere, type CliRun } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';

let emulator: RunningEmulator;
let closedPort = 0;

beforeAll(async () => {
  emulator = await startEmulator({ district: { students: 120, seed: 'cli-setup' } });
  closedPort = await freePort();
});
afterAll(async () => {
  await emulator?.close();
});

/** A port nothing listens on (taken and released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One line on stderr, `rollcall: …`, with no stack trace. */
function expectOneLineError(run: CliRun, code: number, pattern: RegExp): void {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^rollcall: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describeEachDatabase('cli: sites and ClassLink setup', (db) => {
  const outputs: string[] = [];
  const cli = async (args: string[], env: Record<string, string> = {}): Promise<CliRun> => {
    const run = await rollcallHere(args, { ...dbEnv(db), ...env });
    outputs.push(run.stdout, run.stderr);
    return run;
  };
  const direct = () => [
    'classlink',
    'configure',
    '--roster-url',
    emulator.url,
    '--client-id',
    emulator.credentials.clientId,
    '--client-secret',
    emulator.credentials.clientSecret,
  ];

  it('adds and lists sites, and refuses a duplicate or unusable code', async () => {
    const lib = (await db.newLibrary()).code;
    const added = await cli(['sites', 'add', '--code', 'MHS', '--name', 'Maple High School', '--library', lib]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('Added site MHS');
    expect((await cli(['--library', lib, 'sites', 'add', '--code', 'ELM', '--name', 'Elm Elementary', '--json'])).stdout).toContain(
      '"code": "ELM"',
    );

    expectOneLineError(await cli(['sites', 'add', '--code', 'MHS', '--name', 'Again', '--library', lib]), 1, /already exists/);
    expectOneLineError(await cli(['sites', 'add', '--code', 'M H S', '--name', 'Spaces', '--library', lib]), 1, /site code/);

    const listed = await cli(['sites', 'list', '--json', '--library', lib]);
    expect(JSON.parse(listed.stdout)).toEqual([
      { code: 'ELM', name: 'Elm Elementary', orgSourcedId: '' },
      { code: 'MHS', name: 'Maple High School', orgSourcedId: '' },
    ]);
    const text = await cli(['sites', 'list', '--library', lib]);
    expect(text.stdout).toMatch(/MHS\s+Maple High School\s+\(not matched\)/);
  });

  it('configures direct OAuth 1.0a mode after validating it, and never shows the secret', async () => {
    const lib = (await db.newLibrary()).code;
    const run = await cli([...direct(), '--library', lib]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('validated and saved: direct OAuth 1.0a');
    const json = await cli([...direct(), '--json', '--library', lib]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      mode: 'direct',
      auth: 'oauth1',
      clientId: emulator.credentials.clientId,
      rosterUrl: emulator.url,
    });
    expect(json.stdout).not.toContain(emulator.credentials.clientSecret);
    if (db.dialect === 'sqlite') {
      // Stored encrypted: the database file does not hold the secret in clear.
      const file = readFileSync(db.url().slice('sqlite:'.length));
      expect(file.includes(Buffer.from(emulator.credentials.clientSecret))).toBe(false);
    }
  });

  it('configures proxy (Bearer) mode and partner (Tenant ID) mode', async () => {
    const lib = (await db.newLibrary()).code;
    const c = emulator.credentials;
    const proxy = await cli([
      'classlink',
      'configure',
      '--roster-url',
      `${emulator.url}/${c.appId}`,
      '--bearer',
      c.bearerToken,
      '--json',
      '--library',
      lib,
    ]);
    expect(proxy.code, proxy.stderr).toBe(0);
    expect(JSON.parse(proxy.stdout)).toMatchObject({ mode: 'proxy', auth: 'bearer', clientId: '' });

    const partnerEnv = { ROLLCALL_CLASSLINK_PARTNER_URL: emulator.url, ROLLCALL_CLASSLINK_PARTNER_KEY: c.partnerKey };
    const partner = await cli(['classlink', 'configure', '--tenant-id', String(c.tenantId), '--json', '--library', lib], partnerEnv);
    expect(partner.code, partner.stderr).toBe(0);
    expect(JSON.parse(partner.stdout)).toMatchObject({ mode: 'partner', tenantId: c.tenantId });
    const schools = await cli(['classlink', 'schools', '--json', '--library', lib], partnerEnv);
    expect(schools.code, schools.stderr).toBe(0);
    expect(JSON.parse(schools.stdout).length).toBeGreaterThan(0);
  });

  it('says in one plain sentence why a configuration is refused, and saves nothing', async () => {
    const lib = (await db.newLibrary()).code;
    const c = emulator.credentials;
    const partnerEnv = { ROLLCALL_CLASSLINK_PARTNER_URL: emulator.url, ROLLCALL_CLASSLINK_PARTNER_KEY: c.partnerKey };
    const pending = emulator.tenants.find((t) => !t.approved)!;

    expectOneLineError(
      await cli(['classlink', 'configure', '--tenant-id', '999999', '--library', lib], partnerEnv),
      1,
      /is not among the districts that have approved/,
    );
    expectOneLineError(
      await cli(['classlink', 'configure', '--tenant-id', String(pending.tenantId), '--library', lib], partnerEnv),
      1,
      /has not approved it yet/,
    );
    expectOneLineError(
      await cli([
        'classlink',
        'configure',
        '--roster-url',
        emulator.url,
        '--client-id',
        c.clientId,
        '--client-secret',
        'wrong-secret',
        '--library',
        lib,
      ]),
      1,
      /refused the credentials/,
    );
    expectOneLineError(
      await cli([
        'classlink',
        'configure',
        '--roster-url',
        `http://127.0.0.1:${closedPort}`,
        '--client-id',
        'k',
        '--client-secret',
        's',
        '--library',
        lib,
      ]),
      1,
      /Could not connect to .*check the address/,
    );
    expectOneLineError(await cli(['classlink', 'configure', '--tenant-id', '5', '--library', lib]), 1, /ROLLCALL_CLASSLINK_PARTNER_KEY/);
    // Nothing was saved: schools needs a configuration.
    expectOneLineError(await cli(['classlink', 'schools', '--library', lib]), 1, /not configured yet/);
    expectOneLineError(await cli(['classlink', 'enable', '--library', lib]), 1, /configure/);
  });

  it('treats a configure command line that makes no single mode as bad usage', async () => {
    expect((await cli(['classlink', 'configure'])).code).toBe(2);
    expect((await cli(['classlink', 'configure', '--tenant-id', 'abc'])).code).toBe(2);
    expect((await cli(['classlink', 'configure', '--roster-url', emulator.url, '--client-id', 'k'])).code).toBe(2);
    expect((await cli(['classlink', 'configure', '--tenant-id', '1', '--bearer', 't'])).code).toBe(2);
  });

  it('lists schools, matches and unmatches sites, one school per site and one site per school', async () => {
    const lib = (await db.newLibrary()).code;
    expect((await cli([...direct(), '--library', lib])).code).toBe(0);
    for (const code of ['AAA', 'BBB']) expect((await cli(['sites', 'add', '--code', code, '--name', code, '--library', lib])).code).toBe(0);

    const schools = JSON.parse((await cli(['classlink', 'schools', '--json', '--library', lib])).stdout) as {
      sourcedId: string;
      name: string;
      siteCode: string;
    }[];
    expect(schools.length).toBeGreaterThanOrEqual(2);
    const [first, second] = [...schools].sort((a, b) => a.sourcedId.localeCompare(b.sourcedId));

    const matched = await cli(['classlink', 'match-site', 'AAA', first!.sourcedId, '--library', lib]);
    expect(matched.code, matched.stderr).toBe(0);
    expect(matched.stdout).toContain(first!.name);
    expect((await cli(['classlink', 'match-site', 'AAA', first!.sourcedId, '--library', lib])).code).toBe(0);
    expectOneLineError(await cli(['classlink', 'match-site', 'BBB', first!.sourcedId, '--library', lib]), 1, /already matched to site AAA/);
    expectOneLineError(await cli(['classlink', 'match-site', 'AAA', second!.sourcedId, '--library', lib]), 1, /already matched/);
    expectOneLineError(await cli(['classlink', 'match-site', 'BBB', 'org-nope', '--library', lib]), 1, /lists no school/);
    expectOneLineError(await cli(['classlink', 'match-site', 'ZZZ', first!.sourcedId, '--library', lib]), 1, /no site with code "ZZZ"/);

    const after = JSON.parse((await cli(['classlink', 'schools', '--json', '--library', lib])).stdout) as {
      sourcedId: string;
      siteCode: string;
    }[];
    expect(after.find((s) => s.sourcedId === first!.sourcedId)!.siteCode).toBe('AAA');
    const text = await cli(['classlink', 'schools', '--library', lib]);
    expect(text.stdout).toMatch(new RegExp(`${first!.sourcedId}\\s+.*AAA`));

    const unmatched = await cli(['classlink', 'unmatch-site', 'AAA', '--library', lib]);
    expect(unmatched.code).toBe(0);
    expect(unmatched.stdout).toContain('no longer matched');
    const sites = JSON.parse((await cli(['sites', 'list', '--json', '--library', lib])).stdout) as { code: string; orgSourcedId: string }[];
    expect(sites.every((s) => s.orgSourcedId === '')).toBe(true);
  });

  it('shows and changes the options; an unreadable value is bad usage', async () => {
    const lib = (await db.newLibrary()).code;
    const shown = JSON.parse((await cli(['classlink', 'options', '--json', '--library', lib])).stdout);
    expect(shown).toEqual({
      roles: ['student', 'teacher'],
      mapping: { barcode: { kind: 'none' }, communityId: { kind: 'none' }, location: 'none' },
      sso: false,
      thresholds: { maxTransferPct: 10, maxUpdatePct: 50 },
    });
    const changed = await cli([
      'classlink',
      'options',
      '--roles',
      'student,admin',
      '--map',
      'barcode=userid:FED',
      '--map',
      'community-id=identifier',
      '--map',
      'location=homeroom-teacher',
      '--sso',
      'on',
      '--max-transfer-pct',
      '5',
      '--max-update-pct',
      '75',
      '--json',
      '--library',
      lib,
    ]);
    expect(changed.code, changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout)).toEqual({
      roles: ['student', 'admin'],
      mapping: { barcode: { kind: 'userid', type: 'FED' }, communityId: { kind: 'identifier' }, location: 'homeroom-teacher' },
      sso: true,
      thresholds: { maxTransferPct: 5, maxUpdatePct: 75 },
    });
    const text = await cli(['classlink', 'options', '--library', lib]);
    expect(text.stdout).toMatch(/map barcode:\s+userid:FED/);

    for (const bad of [
      ['--map', 'barcode=bogus'],
      ['--map', 'shoe=size'],
      ['--roles', 'parent'],
      ['--sso', 'maybe'],
      ['--max-transfer-pct', '200'],
    ]) {
      const run = await cli(['classlink', 'options', ...bad, '--library', lib]);
      expect(run.code, bad.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^rollcall: /);
    }
    // Nothing changed by the refused ones.
    expect(JSON.parse((await cli(['classlink', 'options', '--json', '--library', lib])).stdout).mapping.barcode).toEqual({
      kind: 'userid',
      type: 'FED',
    });
  });

  it('enables and disables ClassLink once configured', async () => {
    const lib = (await db.newLibrary()).code;
    expect((await cli([...direct(), '--library', lib])).code).toBe(0);
    const on = await cli(['classlink', 'enable', '--library', lib]);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toContain('ClassLink is enabled');
    expect(on.stderr).toContain('No site is matched');
    expect((await cli(['classlink', 'enable', '--library', lib])).stdout).toContain('already enabled');
    const off = await cli(['classlink', 'disable', '--library', lib]);
    expect(off.code).toBe(0);
    expect(off.stdout).toContain('ClassLink is disabled');
  });

  it('never printed a secret', () => {
    const all = outputs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [emulator.credentials.clientSecret, emulator.credentials.bearerToken, emulator.credentials.partnerKey]) {
      expect(all).not.toContain(secret);
    }
  });
});
