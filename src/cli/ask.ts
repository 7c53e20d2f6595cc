/**
 * Asking a person on a terminal before something that cannot be taken back (`patrons remove`,
 * `patrons delete`): in a pipe nobody can answer, so those commands refuse without `--yes`
 * (SPEC §8: "without --yes on a terminal it asks, in a pipe it refuses (exit 2)").
 */
import { createInterface } from 'node:readline/promises';

/** Whether a person can answer: standard input is a terminal. */
export function canAsk(): boolean {
  return process.stdin.isTTY === true;
}

/** Asks one question on the terminal (on stderr, so stdout stays the command's result) and returns the answer. */
export async function askLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}
