/**
 * The progress bar of long commands: drawn on stderr, and only on a terminal (never in a pipe or
 * with --json, SPEC §5), so scripts see nothing but their results.
 */
import cliProgress from 'cli-progress';
import type { Output } from './output.ts';

/** Redraws per second: enough to look alive, few enough to cost nothing. */
const FPS = 5;

/** Reports progress: a phase (`users`, `demographics`, …), work done, and the total when known. */
export interface Progress {
  /** Moves the bar. */
  update(phase: string, done: number, total: number | null): void;
  /** Removes the bar; later updates draw nothing. */
  stop(): void;
}

/** A bar on stderr when it is a terminal and `enabled`; otherwise a progress that shows nothing. */
export function progressBar(out: Output, enabled: boolean): Progress {
  if (!enabled || !out.interactive) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: out.stderr, format: '  reading {phase} [{bar}] {value}/{total}', fps: FPS, clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(phase, done, total) {
      if (stopped) return;
      // Without a declared total the bar shows the count so far as full.
      const t = Math.max(total ?? done, done, 1);
      if (!started) {
        bar.start(t, done, { phase });
        started = true;
      } else {
        bar.setTotal(t);
        bar.update(done, { phase });
      }
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
