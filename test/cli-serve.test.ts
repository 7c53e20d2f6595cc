/**
 * `rollcall serve` as a real process: a worker in the same process by default, the first admin
 * made with `rollcall users add` (password on stdin, never an argument), a Sync Now through the
 * job queue that the in-process worker runs to the end, and Ctrl+C ending it with exit 0.
 * `--no-worker` on SQLite is refused (its queue lives in one process).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { BIN, rollcall, tempDir } from './cli-support.ts';

describe('cli: rollcall serve', () => {
  let dir: { path: string; remove: () => void };
  let emulator: RunningEmulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = tempDir('rollcall-cli-serve-');
    emulator = await startEmulator({ district: { students: 40, seed: 'serve' } });
    env = {
      ROLLCALL_DATABASE_URL: `sqlite:${join(dir.path, 'r.db')}`,
      ROLLCALL_DATA_DIR: dir.path,
      ROLLCALL_PORT: '0',
      ROLLCALL_CLASSLINK_PARTNER_URL: emulator.url,
      ROLLCALL_CLASSLINK_PARTNER_KEY: emulator.credentials.partnerKey,
    };
  });
  afterAll(async () => {
    await emulator?.close();
    dir?.remove();
  });

  it('refuses --no-worker on SQLite', async () => {
    const run = await rollcall(['serve', '--no-worker'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--no-worker needs PostgreSQL/);
  });

  it('serves with a worker: Sync Now is queued and run in the same process', async () => {
    // Set the library up from the command line, and the first admin with the password on stdin.
    const c = emulator.credentials;
    for (const args of [
      ['sites', 'add', '--code', 'ES', '--name', 'Elementary'],
      ['classlink', 'configure', '--tenant-id', String(c.tenantId)],
    ]) {
      const r = await rollcall(args, { env });
      expect(r.code, r.stderr).toBe(0);
    }
    const schools = JSON.parse((await rollcall(['classlink', 'schools', '--json'], { env })).stdout) as { sourcedId: string }[];
    expect((await rollcall(['classlink', 'match-site', 'ES', schools[0]!.sourcedId], { env })).code).toBe(0);
    expect((await rollcall(['classlink', 'enable', '--yes'], { env })).code).toBe(0);
    const add = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'users', 'add', '--username', 'it-admin', '--password-stdin'], {
        env: { ...process.env, ...env },
      });
      child.stdin.end('a long enough password\n');
      child.on('exit', resolve);
    });
    expect(add).toBe(0);

    const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const deadline = Date.now() + 30_000;
      let m: RegExpExecArray | null = null;
      while (!(m = /listening on (http:\/\/\S+) .*with a worker/.exec(out)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(m, out).not.toBeNull();
      const url = m![1]!;
      // Sign in through the form, then Sync Now through the API with the session's CSRF token.
      const login = await fetch(`${url}/login`);
      const cookies = new Map(login.headers.getSetCookie().map((k) => k.split(';')[0]!.split('=') as [string, string]));
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
      const jar = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const signIn = await fetch(`${url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: jar(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, username: 'it-admin', password: 'a long enough password' }).toString(),
      });
      expect(signIn.status).toBe(303);
      for (const k of signIn.headers.getSetCookie()) {
        const [name, value] = k.split(';')[0]!.split('=') as [string, string];
        cookies.set(name, value);
      }
      const page = await fetch(`${url}/`, { headers: { cookie: jar() } });
      const token = /name="csrf-token" content="([^"]+)"/.exec(await page.text())![1]!;
      const sync = await fetch(`${url}/api/v1/syncs`, {
        method: 'POST',
        headers: { cookie: jar(), 'content-type': 'application/json', 'x-csrf-token': token, accept: 'application/json' },
        body: JSON.stringify({ kind: 'full', dryRun: false }),
      });
      expect(sync.status, await sync.clone().text()).toBe(202);
      const { operationId } = (await sync.json()) as { operationId: number };
      let state = '';
      for (let i = 0; i < 150 && !/^(succeeded|failed|needs_review)/.test(state); i++) {
        await new Promise((r) => setTimeout(r, 200));
        state = (
          (await (
            await fetch(`${url}/api/v1/operations/${operationId}`, { headers: { cookie: jar(), accept: 'application/json' } })
          ).json()) as { state: string }
        ).state;
      }
      expect(state).toMatch(/^succeeded/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 120_000);
});
