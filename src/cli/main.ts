/**
 * `rollcall`: the process entry. bin/rollcall.js runs it compiled (dist/cli/main.js), or this
 * file through tsx when src/ is newer than the build. Runs the command line and exits with its
 * code once everything written has been taken by stdout and stderr.
 */
import { EXIT_OK } from './exit.ts';
import { runCli } from './run-cli.ts';

/** Ends the process once stdout and stderr have taken everything written to them. */
async function exitWhenFlushed(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
  process.exit(code);
}

// A reader that goes away (`rollcall patrons export | head`) is not a failure of ours.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT_OK);
  throw e;
});

await exitWhenFlushed(await runCli(process.argv.slice(2)));
