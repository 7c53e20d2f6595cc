/**
 * The benchmark's ClassLink: an emulator in a process of its own (so its memory and CPU are not
 * charged to the sync being measured). Prints one JSON line — { url, credentials, students,
 * generateMs } — once listening, and runs until its stdin closes or it is signalled.
 *
 *   tsx bench/emulator-process.ts STUDENTS SEED [enrollment-indexes] [schools=N]
 *
 * With `enrollment-indexes` (the benchmark passes it when Location is mapped), the emulator
 * builds its indexes of enrollments by user, by class and by date before it says it is ready: a
 * real roster server has those already, and building them in the first request that needs one
 * — a delta's — would charge the server's one-off set-up to the sync being measured.
 */
import { startEmulator } from '../src/emulator/server.ts';

const students = Number(process.argv[2] ?? 100_000);
const seed = process.argv[3] ?? 'bench';
const started = performance.now();
const schoolsArg = process.argv.find((a) => a.startsWith('schools='));
const schools = schoolsArg ? Number(schoolsArg.slice('schools='.length)) : undefined;
const emulator = await startEmulator({ district: { students, seed, ...(schools ? { schools } : {}) } });
if (process.argv.includes('enrollment-indexes')) {
  const base = `${emulator.url}/${emulator.credentials.appId}/ims/oneroster/v1p1/enrollments?limit=1&filter=`;
  for (const filter of ["user.sourcedId='-'", "class.sourcedId='-'", "dateLastModified>'2100-01-01T00:00:00Z'"]) {
    const res = await fetch(base + encodeURIComponent(filter), {
      headers: { authorization: `Bearer ${emulator.credentials.bearerToken}` },
    });
    if (res.status !== 200) throw new Error(`warming the emulator's enrollment indexes: ${res.status}`);
    await res.arrayBuffer();
  }
}
const generateMs = Math.round(performance.now() - started);
process.stdout.write(`${JSON.stringify({ url: emulator.url, credentials: emulator.credentials, students, generateMs })}\n`);

const stop = (): void => {
  void emulator.close().finally(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
