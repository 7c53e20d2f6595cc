/**
 * `rollcall demo [--dir DIR] [--students N] [--keep-running]`. The demo always works in a
 * database of its own (SQLite in DIR, default ./data/demo), whatever ROLLCALL_DATABASE_URL says,
 * so it can never touch a real library. DIR is emptied first — but only when it is empty or an
 * earlier demo's folder (it holds the marker file), so a mistyped --dir deletes nothing else.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openApp } from '../../app.ts';
import { RollcallError } from '../../domain/errors.ts';
import { runDemo } from '../demo/run-demo.ts';
import { EXIT_OK } from '../exit.ts';
import { parseWholeNumber } from '../option-values.ts';
import type { Handler } from '../program.ts';
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
  try {
    const emulator = await runDemo({ app, students, dir, out: ctx.out });
    if (opts.keepRunning) {
      const c = emulator.credentials;
      await ctx.out.lines(
        '',
        `The emulator keeps running at ${emulator.url} (Ctrl+C stops it):`,
        `  rollcall classlink configure --roster-url ${emulator.url} --client-id ${c.clientId} --client-secret ${c.clientSecret}`,
        `  Partner API key ${c.partnerKey}, Tenant ID ${c.tenantId}; changes: POST ${emulator.url}/_emulator/mutate`,
      );
      await untilStopped();
    }
    await emulator.close();
    return EXIT_OK;
  } finally {
    await app.close();
  }
};

/** Empties (or makes) the demo folder, refusing one that is not empty and not an earlier demo's. */
async function freshFolder(dir: string): Promise<void> {
  if (existsSync(dir)) {
    const entries = await readdir(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new RollcallError('invalid_input', `${dir} is not empty and was not made by \`rollcall demo\`; choose another folder with --dir.`);
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER), 'Made by `rollcall demo`: emptied on each run.\n');
}
