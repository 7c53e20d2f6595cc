/**
 * The scripting contract (SPEC §8) of the real process — `rollcall` as a child process
 * (test/cli-support.ts) — with a temporary ROLLCALL_DATABASE_URL: help, exit codes 0/1/2/3, one
 * line on stderr without a stack (a stack with --verbose), one JSON document with --json, the
 * path from setup to export on SQLite and PostgreSQL, and `rollcall emulator` until SIGINT.
 * (What each command does in detail is checked in-process by the other cli-*.test.ts files.)
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_SCHEMA } from '../src/config/schema.ts';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { BIN, dbEnv, rollcall, rollcallHere, tempDir } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';

describe('cli process: help, usage and failures', () => {
  let dir: { path: string; remove: () => void };
  let env: Record<string, string>;
  beforeAll(() => {
    dir = tempDir('rollcall-cli-process-');
    env = { ROLLCALL_DATABASE_URL: `sqlite:${join(dir.path, 'rollcall.db')}`, ROLLCALL_DATA_DIR: dir.path };
  });
  afterAll(() => dir.remove());

  it('prints help with every environment variable, the exit codes and examples (exit 0)', async () => {
    const version = await rollcall(['--version']);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const run = await rollcall(['--help']);
    expect(run.code).toBe(0);
    for (const name of Object.keys(ENV_SCHEMA.shape)) expect(run.stdout).toContain(name);
    expect(run.stdout).toContain('Exit codes:');
    expect(run.stdout).toContain('Examples:');
    for (const command of ['sites', 'patrons', 'classlink', 'sync', 'operations', 'serve', 'emulator', 'demo'])
      expect(run.stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
    const sub = await rollcall(['classlink', 'options', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--max-transfer-pct');
  });

  it('exits 2 on bad usage, with a line on stderr', async () => {
    for (const args of [
      ['bogus'],
      ['sites', 'add', '--code', 'X'],
      ['sync', '--full', '--delta'],
      ['classlink', 'options', '--map', 'barcode=bogus'],
      ['sites'],
    ]) {
      const run = await rollcall(args, { env });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.length, args.join(' ')).toBeGreaterThan(0);
    }
    const bad = await rollcall(['bogus'], { env });
    expect(bad.stderr).toMatch(/^rollcall: unknown command 'bogus'/);
    const config = await rollcall(['sites', 'list'], { env: { ...env, ROLLCALL_PAGE_SIZE: 'lots' } });
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/^rollcall: Configuration is invalid: ROLLCALL_PAGE_SIZE/);
  });

  it('exits 1 with one line and no stack; --verbose adds the stack', async () => {
    const run = await rollcall(['--library', 'nowhere', 'sites', 'list'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('rollcall: There is no library with code "nowhere"; the libraries here are: default.\n');
    const verbose = await rollcall(['sites', 'list', '--library', 'nowhere', '--verbose'], { env });
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/There is no library with code "nowhere"/);
    expect(verbose.stderr).toMatch(/\n\s+at /);
    // A port already taken: a usage error in one line, not a stack.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const serve = await rollcall(['serve', '--port', String(port)], { env });
      expect(serve.code).toBe(2);
      expect(serve.stderr).toBe(
        `rollcall: Cannot listen on 127.0.0.1:${port} (the port is already in use): choose another port with --port or ROLLCALL_PORT.\n`,
      );
    } finally {
      taken.close();
    }
  });

  it('runs `rollcall emulator` until SIGINT, then exits 0', async () => {
    const child = spawn(process.execPath, [BIN, 'emulator', '--users', '40', '--seed', 'proc', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => out.includes('Press Ctrl+C') && resolve());
      child.once('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
    });
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    const key = /Partner API key:\s+(\S+)/.exec(out)![1]!;
    const apps = await fetch(`${url}/applications`, { headers: { authorization: `Bearer ${key}` } });
    expect(apps.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

describeEachDatabase('cli process: setup to export', (db) => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ district: { students: 80, seed: `cli-process-${db.dialect}` } });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('configures, matches, syncs (0), stops for review (3), exports and logs through the real process', async () => {
    const lib = (await db.newLibrary()).code;
    const c = emulator.credentials;
    const run = (args: string[]) => rollcall([...args, '--library', lib], { env: dbEnv(db) });
    const everything: string[] = [];
    const ok = async (args: string[], code = 0) => {
      const r = await run(args);
      everything.push(r.stdout, r.stderr);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      return r;
    };

    // The setup runs in this process (cli-setup.test.ts checks it); what a script reads runs as a child.
    const here = async (args: string[]) => {
      const r = await rollcallHere([...args, '--library', lib], dbEnv(db));
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    await here(['sites', 'add', '--code', 'ONE', '--name', 'First school']);
    await here(['classlink', 'configure', '--roster-url', emulator.url, '--client-id', c.clientId, '--client-secret', c.clientSecret]);
    const schools = JSON.parse((await here(['classlink', 'schools', '--json'])).stdout) as { sourcedId: string }[];
    await here(['classlink', 'match-site', 'ONE', schools.map((s) => s.sourcedId).sort()[0]!]);
    await ok(['classlink', 'enable']);

    const synced = await ok(['sync', '--json']);
    const result = JSON.parse(synced.stdout);
    expect(Object.keys(result)).toEqual(['operation', 'state', 'counts', 'complete']);
    expect(result.counts.created).toBeGreaterThan(0);
    expect(synced.stderr).toBe('');

    await here(['classlink', 'options', '--max-transfer-pct', '0']);
    const patrons = JSON.parse((await ok(['patrons', 'export', '--format', 'json'])).stdout) as { guid: string }[];
    emulator.mutate.markToBeDeleted(patrons[0]!.guid);
    const held = await ok(['sync', '--json'], 3);
    expect(JSON.parse(held.stdout)).toMatchObject({ state: 'needs_review', counts: { transferred: 1 } });

    const csv = await ok(['patrons', 'export']);
    expect(csv.stdout.split('\n')[0]).toBe('\uFEFF1200,1000,1001,1007,1008,1006,1045,1032,1017,1019,1049,1054,1004,1010,1050,1026,1028');
    expect(csv.stdout.trimEnd().split('\n')).toHaveLength(patrons.length + 1);
    const log = await ok(['operations', 'log', String(result.operation), '--format', 'csv']);
    // Every CSV starts with a UTF-8 byte-order mark, so a spreadsheet reads it as UTF-8 (docs/web.md).
    expect(log.stdout.startsWith('\uFEFFtime,level,sourcedId,message\n')).toBe(true);

    for (const secret of [c.clientSecret, c.bearerToken, c.partnerKey]) expect(everything.join('\n')).not.toContain(secret);
  });

  it('stops a sync on Ctrl+C while it reads the roster: failed, nothing written, exit 1', async () => {
    const lib = (await db.newLibrary()).code;
    const c = emulator.credentials;
    for (const args of [
      ['sites', 'add', '--code', 'ONE', '--name', 'First school'],
      ['classlink', 'configure', '--roster-url', emulator.url, '--client-id', c.clientId, '--client-secret', c.clientSecret],
      ['classlink', 'match-site', 'ONE', 'org-00000001'],
      ['classlink', 'enable'],
    ]) {
      const r = await rollcallHere([...args, '--library', lib], dbEnv(db));
      expect(r.code, r.stderr).toBe(0);
    }
    // Every roster answer takes a while, so the read is surely still going when Ctrl+C comes.
    emulator.setFaults({ slow: { delayMs: 2000 } });
    try {
      const before = emulator.requestCount();
      const child = spawn(process.execPath, [BIN, 'sync', '--json', '--library', lib], {
        env: { ...process.env, ...dbEnv(db) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      while (emulator.requestCount() === before) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGINT');
      expect(await exited).toBe(1);
      expect(JSON.parse(out)).toMatchObject({ state: 'failed' });
      expect(err).toMatch(/rollcall: cancelled with Ctrl\+C while reading the roster; nothing was written/);
    } finally {
      emulator.setFaults({});
    }
    const exported = await rollcallHere(['patrons', 'export', '--format', 'json', '--library', lib], dbEnv(db));
    expect(exported.stdout.trim()).toBe('[]');
  });
});
