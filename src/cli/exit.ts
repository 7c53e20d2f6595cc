/**
 * Exit codes of the scripting contract (SPEC §8), and the one place that maps error kinds to
 * them: 0 success; 1 failure (one line on stderr); 2 bad usage; 3 a sync in "needs review".
 */
import { isRollcallError, oneLine } from '../domain/errors.ts';

/** Exit code: success. */
export const EXIT_OK = 0;
/** Exit code: failure (a one-line message on stderr). */
export const EXIT_FAILURE = 1;
/** Exit code: bad usage or configuration. */
export const EXIT_USAGE = 2;
/** Exit code: a sync stopped in "needs review". */
export const EXIT_NEEDS_REVIEW = 3;

/** The exit code for a thrown value. */
export function exitCodeOf(e: unknown): number {
  if (isRollcallError(e, 'usage', 'config_invalid')) return EXIT_USAGE;
  if (isRollcallError(e, 'threshold_exceeded')) return EXIT_NEEDS_REVIEW;
  return EXIT_FAILURE;
}

/**
 * The line printed on stderr for a thrown value: the message of an expected failure, or, for
 * a bug, its message with a hint to re-run with --verbose (which prints the stack).
 */
export function errorLine(e: unknown, verbose: boolean): string {
  if (verbose && e instanceof Error && e.stack) return e.stack;
  if (isRollcallError(e)) return `rollcall: ${oneLine(e)}`;
  return `rollcall: unexpected error: ${oneLine(e)} (run again with --verbose for details)`;
}
