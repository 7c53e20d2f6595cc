/**
 * What every command's action gets and returns: the context (output, `--library`, …) and the
 * Handler type. Actions import these from here; program.ts imports the actions.
 */
import type { Output } from './output.ts';

/** What every action gets. */
export interface CommandContext {
  /** Where to write. */
  out: Output;
  /** `--library CODE`. */
  library: string;
  /** `--verbose`. */
  verbose: boolean;
  /** The environment to configure from instead of process.env and `.env` (tests), or undefined. */
  env: NodeJS.ProcessEnv | undefined;
}

/** An action: positional arguments and options in, exit code out. */
export type Handler = (ctx: CommandContext, args: string[], opts: Record<string, unknown>) => Promise<number>;
