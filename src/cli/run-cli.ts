/**
 * Runs one command line: parses it, runs the command, and returns the contract's exit code
 * (src/cli/exit.ts): 0 ok, 1 failure (one line on stderr, a stack only with --verbose), 2 bad
 * usage, 3 a sync stopped in "needs review".
 */
import { CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE, errorLine, exitCodeOf } from './exit.ts';
import { processOutput, type Output } from './output.ts';
import type { CommandContext } from './context.ts';
import { buildProgram, type Dispatch } from './program.ts';

/**
 * Runs the CLI on `argv` (without the node and script paths); resolves with the exit code.
 * `env` replaces process.env (and `.env`) as the source of configuration (tests pass their own).
 */
export async function runCli(argv: readonly string[], out: Output = processOutput(), env?: NodeJS.ProcessEnv): Promise<number> {
  let code = EXIT_OK;
  const verbose = argv.includes('--verbose');
  const dispatch: Dispatch = async (load, args, opts) => {
    const ctx: CommandContext = { out, library: String(opts.library ?? 'default'), verbose: opts.verbose === true, env };
    const handler = await load();
    code = await handler(ctx, args, opts);
  };
  // The environment list needs the config schema (and zod): loaded only when help is shown.
  const wantsHelp = argv.length === 0 || argv.some((a) => a === '--help' || a === '-h' || a === 'help');
  const after = wantsHelp ? await helpText() : '';
  const program = buildProgram(dispatch, out, after);
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_USAGE;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return commanderExit(e);
    out.stderr.write(`${errorLine(e, verbose)}\n`);
    return exitCodeOf(e);
  }
}

/** Commander's own exits: help and version are success; everything else it reports is usage. */
function commanderExit(e: CommanderError): number {
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT_OK;
  if (e.code === 'commander.help' && e.exitCode === 0) return EXIT_OK;
  return EXIT_USAGE;
}

async function helpText(): Promise<string> {
  const { environmentHelp, USAGE_NOTES } = await import('./help.ts');
  return `${environmentHelp()}\n\n${USAGE_NOTES}`;
}
