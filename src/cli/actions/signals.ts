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
