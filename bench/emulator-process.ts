/**
 * The benchmark's ClassLink: an emulator in a process of its own (so its memory and CPU are not
 * charged to the sync being measured). Prints one JSON line — { url, credentials, students,
 * generateMs } — once listening, and runs until its stdin closes or it is signalled.
 *
 *   tsx bench/emulator-process.ts STUDENTS SEED
 */
import { startEmulator } from '../src/emulator/server.ts';

const students = Number(process.argv[2] ?? 100_000);
const seed = process.argv[3] ?? 'bench';
const started = performance.now();
const emulator = await startEmulator({ district: { students, seed } });
const generateMs = Math.round(performance.now() - started);
process.stdout.write(`${JSON.stringify({ url: emulator.url, credentials: emulator.credentials, students, generateMs })}\n`);

const stop = (): void => {
  void emulator.close().finally(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
