/**
 * Secrets for the command line come on standard input, never as arguments (an argument sits in
 * `ps` and the shell's history): `--password-stdin`, `--client-secret-stdin`.
 */

/** The first line of standard input (without its line break). */
export async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}
