/**
 * `rollcall demo [--dir DIR] [--students N] [--no-serve] [--keep-running]`. After its story the
 * demo serves the web admin on its database (with a demo admin) until Ctrl+C; `--no-serve` ends
 * after the story instead (scripts, tests). The demo always works in a
 * database of its own (SQLite in DIR, default ./data/demo), whatever ROLLCALL_DATABASE_URL says,
 * so it can never touch a real library. DIR is emptied first — but only when it is empty or an
 * earlier demo's folder (it holds the marker file), so a mistyped --dir deletes nothing else.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openApp, type App } from '../../app.ts';
import type { RunningEmulator } from '../../emulator/types.ts';
import { hashPassword } from '../../web/auth/passwords.ts';
import { startWebServer, type RunningWeb } from '../../web/start.ts';
import { RollcallError } from '../../domain/errors.ts';
import { runDemo } from '../demo/run-demo.ts';
import { EXIT_OK } from '../exit.ts';
import { parseWholeNumber } from '../option-values.ts';
import type { Handler } from '../context.ts';
import { untilStopped } from './signals.ts';

/** The file that marks a folder as the demo's own (safe to empty). */
const MARKER = '.rollcall-demo';
/** Bounds of --students: the demo should finish in a minute on a small machine. */
const MIN_STUDENTS = 20;
const MAX_STUDENTS = 100_000;

/** `demo …` */
export const demo: Handler = async (ctx, _args, opts) => {
  const students = parseWholeNumber('--students', String(opts.students), MIN_STUDENTS, MAX_STUDENTS);
  const dir = resolve(String(opts.dir));
  await freshFolder(dir);
  const app = await openApp({
    libraryCode: ctx.library,
    ...(ctx.env ? { env: ctx.env } : {}),
    overrides: { ROLLCALL_DATABASE_URL: `sqlite:${join(dir, 'rollcall.db')}`, ROLLCALL_DATA_DIR: dir },
  });
  let emulator: Awaited<ReturnType<typeof runDemo>> | undefined;
  try {
    emulator = await runDemo({ app, students, dir, out: ctx.out });
  } finally {
    await app.close();
  }
  try {
    if (opts.serve !== false) {
      await serveDemo(ctx, dir, emulator);
    } else if (opts.keepRunning) {
      const c = emulator.credentials;
      await ctx.out.lines(
        '',
        `The emulator keeps running at ${emulator.url} (Ctrl+C stops it):`,
        `  rollcall classlink configure --roster-url ${emulator.url} --client-id ${c.clientId} --client-secret ${c.clientSecret}`,
        `  Partner API key ${c.partnerKey}, Tenant ID ${c.tenantId}; changes: POST ${emulator.url}/_emulator/mutate`,
      );
      await untilStopped();
    }
    return EXIT_OK;
  } finally {
    await emulator.close();
  }
};

/**
 * The web admin on the demo's database, with a demo admin account (a fresh random password,
 * printed) and the emulator standing in for ClassLink's partner API, until Ctrl+C.
 */
async function serveDemo(ctx: Parameters<Handler>[0], dir: string, emulator: RunningEmulator): Promise<void> {
  const c = emulator.credentials;
  const app = await openApp({
    libraryCode: ctx.library,
    ...(ctx.env ? { env: ctx.env } : {}),
    overrides: {
      ROLLCALL_DATABASE_URL: `sqlite:${join(dir, 'rollcall.db')}`,
      ROLLCALL_DATA_DIR: dir,
      ROLLCALL_CLASSLINK_PARTNER_URL: emulator.url,
      ROLLCALL_CLASSLINK_PARTNER_KEY: c.partnerKey,
    },
  });
  try {
    const password = randomBytes(9).toString('base64url');
    await app.store.staff.create(app.library.id, {
      username: DEMO_ADMIN,
      displayName: 'Demo admin',
      role: 'admin',
      passwordHash: await hashPassword(password),
    });
    const web = await startWithFallbackPort(app);
    await ctx.out.lines(
      '',
      `10. The web admin runs at ${web.url} — sign in as "${DEMO_ADMIN}" with password ${password}`,
      `    (Preferences › ClassLink accepts Tenant ID ${c.tenantId}: the emulator at ${emulator.url} stands in for ClassLink.)`,
      '    Ctrl+C stops the web admin and the emulator.',
    );
    await untilStopped();
    await web.close();
    ctx.out.note('Demo stopped.');
  } finally {
    await app.close();
  }
}

/** The demo's admin account. */
export const DEMO_ADMIN = 'demo';

/** Listens on ROLLCALL_PORT, or on any free port when that one is taken (a demo should just start). */
async function startWithFallbackPort(app: App): Promise<RunningWeb> {
  try {
    return await startWebServer(app, { log: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    return startWebServer(app, { log: false, port: 0 });
  }
}

/** Empties (or makes) the demo folder, refusing one that is not empty and not an earlier demo's. */
async function freshFolder(dir: string): Promise<void> {
  if (existsSync(dir)) {
    const entries = await readdir(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new RollcallError(
        'invalid_input',
        `${dir} is not empty and was not made by \`rollcall demo\`; choose another folder with --dir.`,
      );
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER), 'Made by `rollcall demo`: emptied on each run.\n');
}
