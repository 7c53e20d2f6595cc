/**
 * `rollcall demo` runs to exit 0 as a real process (small district), tells each step, and keeps
 * to its own folder: re-run, it starts afresh; given a folder that is not its own, it refuses.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KOHA_COLUMNS } from '../src/domain/koha.ts';
import { BIN, rollcall, rollcallHere, tempDir } from './cli-support.ts';

describe('cli: rollcall demo', () => {
  let dir: { path: string; remove: () => void };
  beforeAll(() => {
    dir = tempDir('rollcall-cli-demo-');
  });
  afterAll(() => dir.remove());

  it('runs a dry run, a full sync, district changes and a delta, and exits 0', async () => {
    const folder = join(dir.path, 'demo');
    // ROLLCALL_DATABASE_URL points elsewhere on purpose: the demo must not use it.
    const elsewhere = join(dir.path, 'not-for-the-demo.db');
    const run = await rollcall(['demo', '--no-serve', '--students', '60', '--dir', folder], {
      env: { ROLLCALL_DATABASE_URL: `sqlite:${elsewhere}` },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/1\. A ClassLink emulator serves a generated district of 60 students/);
    expect(run.stdout).toMatch(/5\. Import \(operation \d+\): \d+ patrons the library already had/);
    expect(run.stdout).toMatch(/6\. Dry run \(operation \d+\): would make \d+ created/);
    expect(run.stdout).toMatch(/Full sync \(operation \d+\): succeeded|Approved: succeeded/);
    expect(run.stdout).toMatch(/9\. Delta sync \(operation \d+\): succeeded[^\n]* 1 created, 3 updated, \d+ unchanged, 1 transferred/);
    // One patron with a locked field, whose plan line says so (SPEC §3.8).
    expect(run.stdout).toMatch(/First Name is locked, so no sync writes it/);
    expect(run.stdout).toMatch(/Its plan: Patron #\d+ \(Sky [^)]+\): First Name locked, kept 'Sky' \(roster: '[^']+'\)/);
    expect(run.stdout).toContain('status Transferred');
    // The district's new patrons got barcodes from the students' sequence (SPEC §3.8).
    expect(run.stdout).toContain('New patrons get barcodes');
    expect(run.stdout).toMatch(/\]: barcode S\d{6}, site/);
    expect(run.stdout).toContain(`ROLLCALL_DATABASE_URL=sqlite:${join(folder, 'rollcall.db')}`);
    expect(existsSync(join(folder, 'rollcall.db'))).toBe(true);
    expect(existsSync(elsewhere)).toBe(false);

    const explore = await rollcallHere(['operations', 'list', '--json'], {
      ROLLCALL_DATABASE_URL: `sqlite:${join(folder, 'rollcall.db')}`,
      ROLLCALL_DATA_DIR: folder,
    });
    expect(explore.code, explore.stderr).toBe(0);
    expect((JSON.parse(explore.stdout) as unknown[]).length).toBeGreaterThanOrEqual(3);

    // The demo district exported for Koha: its sites and policies mapped, Koha's column names
    // (src/domain/koha.test.ts names where they come from) and the mapped codes on every row.
    const demoEnv = { ROLLCALL_DATABASE_URL: `sqlite:${join(folder, 'rollcall.db')}`, ROLLCALL_DATA_DIR: folder };
    const codes = JSON.parse((await rollcallHere(['koha', 'codes', '--json'], demoEnv)).stdout) as {
      branches: { siteCode: string }[];
      categories: { policy: string }[];
    };
    const branch = (site: string) => `B${codes.branches.findIndex((b) => b.siteCode === site)}`;
    const category = (policy: string) => `C${codes.categories.findIndex((c) => c.policy === policy)}`;
    const mapped = await rollcallHere(
      [
        'koha',
        'codes',
        ...codes.branches.flatMap((b) => ['--site', `${b.siteCode}=${branch(b.siteCode)}`]),
        ...codes.categories.filter((c) => c.policy !== '').flatMap((c) => ['--policy', `${c.policy}=${category(c.policy)}`]),
      ],
      demoEnv,
    );
    expect(mapped.code, mapped.stderr).toBe(0);
    const koha = await rollcallHere(['patrons', 'export', '--format', 'koha'], demoEnv);
    expect(koha.code, koha.stderr).toBe(0);
    const [header, ...rows] = parse(koha.stdout, { bom: true }) as string[][];
    expect(header).toEqual(KOHA_COLUMNS.map((c) => c.name));
    const all = JSON.parse((await rollcallHere(['patrons', 'export', '--format', 'json'], demoEnv)).stdout) as {
      barcode: string;
      site: string;
      policy: string;
    }[];
    const withCard = all.filter((p) => p.barcode !== '');
    expect(withCard.length).toBeGreaterThan(0);
    expect(rows).toHaveLength(withCard.length);
    for (const row of rows) {
      const p = withCard.find((x) => x.barcode === row[0])!;
      expect(row[header!.indexOf('branchcode')]).toBe(branch(p.site));
      expect(row[header!.indexOf('categorycode')]).toBe(category(p.policy));
    }

    // Run again in the same folder: it starts afresh (operation ids restart).
    const again = await rollcallHere(['demo', '--no-serve', '--students', '40', '--dir', folder]);
    expect(again.code, again.stderr).toBe(0);
    // The import is operation 1 (an import is an operation, SPEC §3.9), the dry run 2.
    expect(again.stdout).toMatch(/5\. Import \(operation 1\)/);
    expect(again.stdout).toMatch(/6\. Dry run \(operation 2\)/);
  });

  it('refuses a folder that is not empty and not its own', async () => {
    const mine = join(dir.path, 'precious');
    mkdirSync(mine);
    writeFileSync(join(mine, 'thesis.txt'), 'do not delete');
    const run = await rollcallHere(['demo', '--dir', mine]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is not empty and was not made by `rollcall demo`/);
    expect(existsSync(join(mine, 'thesis.txt'))).toBe(true);
    expect((await rollcallHere(['demo', '--students', '5', '--dir', mine])).code).toBe(2);
  });

  it('then serves the web admin on the demo database, with a demo admin who can sign in, until Ctrl+C', async () => {
    const folder = join(dir.path, 'served');
    const child = spawn(process.execPath, [BIN, 'demo', '--students', '30', '--dir', folder], {
      env: { ...process.env, ROLLCALL_PORT: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      let m: RegExpExecArray | null = null;
      while (!(m = /runs at (http:\/\/[^\s]+) — sign in as "demo" with password (\S+)/.exec(out)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(m, out).not.toBeNull();
      const [, url, password] = m!;
      const login = await fetch(`${url}/login`);
      const html = await login.text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const signIn = await fetch(`${url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, username: 'demo', password: password! }).toString(),
      });
      expect(signIn.status).toBe(303);
      expect(signIn.headers.getSetCookie().some((c) => c.startsWith('rollcall_session='))).toBe(true);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
