/**
 * The compiled build (docs/architecture.md, "The compiled build"). bin/rollcall.js runs dist/
 * when no TypeScript source is newer than it, and otherwise the sources through tsx with one line
 * on stderr; checked on a small package of its own (a dist/ and a src/ that each print which one
 * ran). Then the real build: `tsc -p tsconfig.build.json` into a temporary package beside the
 * source tree, whose bin answers --version and --help and serves pages, static files and the
 * ClassLink guide from compiled JavaScript — templates and files read from src/ and docs/.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './cli-support.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const NOTE = /^rollcall: running the TypeScript sources through tsx \((.+); `npm run build` compiles them\)\n$/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function node(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env: { ...process.env, ...env }, timeout: 200_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

/** A package with the real bin/, a dist/ and a src/ that say which ran, and the real node_modules (tsx). */
function toyPackage(path: string): { bin: string; setTimes: (file: string, secondsAgo: number) => void } {
  mkdirSync(join(path, 'bin'));
  for (const f of ['rollcall.js', 'build-state.js']) copyFileSync(join(ROOT, 'bin', f), join(path, 'bin', f));
  symlinkSync(join(ROOT, 'node_modules'), join(path, 'node_modules'));
  writeFileSync(join(path, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(join(path, 'dist/cli'), { recursive: true });
  writeFileSync(join(path, 'dist/cli/main.js'), "console.log('compiled');\n");
  mkdirSync(join(path, 'src/cli'), { recursive: true });
  // A type annotation: only tsx runs this.
  writeFileSync(join(path, 'src/cli/main.ts'), "const ran: string = 'sources';\nconsole.log(ran);\n");
  writeFileSync(join(path, 'src/cli/main.test.ts'), '');
  const now = Date.now() / 1000;
  const setTimes = (file: string, secondsAgo: number) => utimesSync(join(path, file), now - secondsAgo, now - secondsAgo);
  return { bin: join(path, 'bin/rollcall.js'), setTimes };
}

describe('bin/rollcall.js: the compiled build, or the sources when they are newer', () => {
  let dir: { path: string; remove: () => void };
  let pkg: ReturnType<typeof toyPackage>;
  beforeAll(() => {
    dir = tempDir('rollcall-bin-');
    pkg = toyPackage(dir.path);
  });
  afterAll(() => dir?.remove());

  it('runs dist/ when every source is older than it, and a newer unit test does not count', async () => {
    pkg.setTimes('src/cli/main.ts', 120);
    pkg.setTimes('dist/cli/main.js', 60);
    pkg.setTimes('src/cli/main.test.ts', 0);
    expect(await node([pkg.bin])).toEqual({ code: 0, stdout: 'compiled\n', stderr: '' });
  });

  it('runs the sources through tsx, with one line on stderr naming the newer file', async () => {
    pkg.setTimes('dist/cli/main.js', 60);
    pkg.setTimes('src/cli/main.ts', 0);
    const run = await node([pkg.bin]);
    expect(run.stdout).toBe('sources\n');
    expect(run.stderr).toMatch(NOTE);
    expect(NOTE.exec(run.stderr)![1]).toBe('src/cli/main.ts is newer than the build in dist/');
  });

  it('runs the sources when there is no build', async () => {
    rmSync(join(dir.path, 'dist'), { recursive: true });
    const run = await node([pkg.bin]);
    expect(run.stdout).toBe('sources\n');
    expect(NOTE.exec(run.stderr)?.[1]).toBe('there is no build in dist/');
  });
});

describe('the real build (npm run build): compiled JavaScript that finds its templates and files', () => {
  let dir: { path: string; remove: () => void };
  let bin: string;
  beforeAll(async () => {
    // The package is the repository's, but for dist/: the build goes to a folder of the test's
    // own, so the test neither needs nor disturbs the checkout's dist/.
    dir = tempDir('rollcall-build-');
    for (const f of ['src', 'docs', 'node_modules', 'package.json']) symlinkSync(join(ROOT, f), join(dir.path, f));
    mkdirSync(join(dir.path, 'bin'));
    for (const f of ['rollcall.js', 'build-state.js']) copyFileSync(join(ROOT, 'bin', f), join(dir.path, 'bin', f));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const build = await node([tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir.path, 'dist')]);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    bin = join(dir.path, 'bin/rollcall.js');
  }, 240_000);
  afterAll(() => dir?.remove());

  it('holds compiled JavaScript only, with relative imports rewritten to .js', () => {
    const program = readFileSync(join(dir.path, 'dist/cli/program.js'), 'utf8');
    expect(program).toMatch(/import\("\.\/actions\/sync\.js"\)/);
    expect(program).not.toMatch(/from ["'][^"']+\.ts["']|import\(["'][^"']+\.ts["']\)/);
  });

  it('answers --version and --help from dist/ (no note: the build is current)', async () => {
    expect(await node([bin, '--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    // --help loads a module on demand (import('./help.js')).
    const help = await node([bin, '--help']);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/ROLLCALL_DATABASE_URL/);
  });

  it('serves a page, a static file and the ClassLink guide, read from the source tree', async () => {
    const data = tempDir('rollcall-build-data-');
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: { ...process.env, ROLLCALL_DATABASE_URL: `sqlite:${join(data.path, 'r.db')}`, ROLLCALL_DATA_DIR: data.path, ROLLCALL_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const look = () => {
          const m = /listening on (http:\/\/\S+) /.exec(out);
          if (m) resolve(m[1]!);
        };
        child.stdout.on('data', look);
        child.stderr.on('data', look);
        child.on('exit', () => reject(new Error(`serve exited before listening:\n${out}`)));
      });
      const page = await fetch(`${url}/login`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<form[^>]*method="post"/i);
      const css = await fetch(`${url}/static/style.css`);
      expect(css.status).toBe(200);
      expect(await css.text()).toBe(readFileSync(join(ROOT, 'src/web/public/style.css'), 'utf8'));
      const guide = await fetch(`${url}/help/classlink`);
      expect(guide.status).toBe(200);
    } finally {
      child.kill('SIGINT');
      const code = await exited;
      data.remove();
      expect(code, out).toBe(0);
    }
    expect(out).not.toMatch(/running the TypeScript sources/);
  });
});
