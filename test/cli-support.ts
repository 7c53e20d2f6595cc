/**
 * Runs the real `rollcall` as a child process, with an environment of the test's choosing and
 * nothing of the caller's ROLLCALL_* variables. The child runs the sources through tsx
 * (test/rollcall-source.js), as bin/rollcall.js does without a current build: a test never runs
 * a dist/ older than the code it checks (test/compiled-build.test.ts checks the build).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Output } from '../src/cli/output.ts';
import { runCli } from '../src/cli/run-cli.ts';

/** The CLI entry the tests of the real process run: the sources, through tsx. */
export const BIN = fileURLToPath(new URL('./rollcall-source.js', import.meta.url));

/** What a run produced. */
export interface CliRun {
  /** The exit code. */
  code: number;
  /** Everything on stdout. */
  stdout: string;
  /** Everything on stderr. */
  stderr: string;
}

/** A run's inputs. */
export interface CliOptions {
  /** ROLLCALL_* variables (and any others) for the child. */
  env?: Record<string, string>;
  /** Working directory (default: a fresh temporary one, so no `.env` is picked up). */
  cwd?: string;
  /** Kill the child after this many ms (default 100 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 100_000;

/** Runs `rollcall …args` and resolves with its exit code and output (never rejects on a non-zero exit). */
export function rollcall(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ROLLCALL_')) env[k] = v;
  Object.assign(env, options.env ?? {});
  const scratch = options.cwd ? undefined : mkdtempSync(join(tmpdir(), 'rollcall-cli-cwd-'));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env, cwd: options.cwd ?? scratch, timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (scratch) rmSync(scratch, { recursive: true, force: true });
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        if (code === null) reject(new Error(`rollcall ${args.join(' ')} did not exit normally: ${error?.message}\n${stderr}`));
        else resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Runs the same command line in this process (runCli, the function bin/rollcall.js ends in) with
 * captured stdout/stderr and the given environment in place of process.env. A child process
 * costs a second or more of start-up on these machines; the checks of the command-line
 * *contract* (exit codes of the real process, its streams) run in child processes, the many
 * checks of what each command does run here.
 */
export async function rollcallHere(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli(args, new Output(stdout.stream, stderr.stream), { ...env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function capture(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** The environment reaching a test database (see test/support/db.ts). */
export function dbEnv(db: { url(): string; dataDir(): string; secretKey: string }): Record<string, string> {
  return { ROLLCALL_DATABASE_URL: db.url(), ROLLCALL_DATA_DIR: db.dataDir(), ROLLCALL_SECRET_KEY: db.secretKey };
}

/** A temporary folder, removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
