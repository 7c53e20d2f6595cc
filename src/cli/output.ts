/**
 * Where a command writes: results on stdout (exactly one JSON document with --json), notes and
 * progress on stderr. Writes wait for a slow reader (a pipe into `head` or a file on a busy disk)
 * instead of piling output up in memory.
 */
import type { Writable } from 'node:stream';

/** A command's output streams. */
export class Output {
  constructor(
    /** Results. */
    readonly stdout: Writable & { isTTY?: boolean },
    /** Notes, warnings, progress. */
    readonly stderr: Writable & { isTTY?: boolean },
  ) {}

  /** Whether stderr is a terminal (progress bars are drawn only there). */
  get interactive(): boolean {
    return this.stderr.isTTY === true;
  }

  /** Writes text to stdout, waiting while the reader is behind. */
  async write(text: string): Promise<void> {
    if (text === '' || this.stdout.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stdout.off('drain', done);
        this.stdout.off('close', done);
        resolve();
      };
      this.stdout.once('drain', done);
      this.stdout.once('close', done);
    });
  }

  /** Writes lines to stdout. */
  async lines(...lines: string[]): Promise<void> {
    await this.write(lines.map((l) => `${l}\n`).join(''));
  }

  /** Prints one JSON document on stdout. */
  async json(doc: unknown): Promise<void> {
    await this.write(`${JSON.stringify(doc, null, 2)}\n`);
  }

  /** A line on stderr (a note beside the results). */
  note(line: string): void {
    this.stderr.write(`${line}\n`);
  }
}

/** Output on the process's own streams. */
export function processOutput(): Output {
  return new Output(process.stdout, process.stderr);
}
