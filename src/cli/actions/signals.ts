import type { Output } from '../output.ts';
import { progressBar, type Progress } from '../progress.ts';

/**
 * Waiting for Ctrl+C (SIGINT) or SIGTERM, for commands that run until stopped.
 */

/** Resolves on the first SIGINT or SIGTERM (and stops listening for them). */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Exit code of a process stopped by Ctrl+C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/**
 * While it is installed, the first Ctrl+C or SIGTERM (cron, systemd, `kill`) calls `first` (a
 * graceful stop: the operation ends failed with nothing written) and a second one ends the
 * process at once. Returns the function that uninstalls it.
 */
export function onInterrupt(first: () => void): () => void {
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) first();
    else process.exit(EXIT_INTERRUPTED);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * What a command that runs one sync needs around it: a progress bar (on a terminal, not with
 * --json) and a signal that the first Ctrl+C aborts while the sync reads its roster — so the
 * operation ends failed with nothing written rather than staying "running" with no process
 * behind it; past the read, the sync finishes. Call `done()` whatever happens.
 */
export function interruptibleSync(
  out: Output,
  showProgress: boolean,
  reading: string,
): { progress: Progress; signal: AbortSignal; done(): void } {
  const progress = progressBar(out, showProgress);
  const cancel = new AbortController();
  const uninstall = onInterrupt(() => {
    progress.stop();
    out.note('Cancelling: the sync stops before it writes anything, unless it is already writing (Ctrl+C again quits at once).');
    cancel.abort(new Error(`cancelled with Ctrl+C while reading ${reading}; nothing was written`));
  });
  return {
    progress,
    signal: cancel.signal,
    done: () => {
      uninstall();
      progress.stop();
    },
  };
}
