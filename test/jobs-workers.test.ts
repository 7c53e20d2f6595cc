/**
 * Worker PROCESSES on one PostgreSQL (skipped visibly without one): `rollcall worker`
 * (test/cli-support.ts), as an operator starts them, against a ClassLink emulator.
 *
 * - Two workers, three libraries due, each sync asked for twice and delivered twice more: each
 *   library is synced exactly once.
 * - A worker SIGKILLed while it reads a (slowed) roster: the patrons are unchanged, the
 *   operation is marked failed "worker stopped" by the surviving worker's reaper (a 3-second
 *   stale-after time here), and retried once; the retry succeeds there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { materialize } from '../src/emulator/district-model.ts';
import { generateDistrict } from '../src/emulator/generated-district.ts';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { saveClassLink } from '../src/sources/classlink/state.ts';
import { readClassLinkSettings } from '../src/sources/settings.ts';
import { enqueueSync } from '../src/jobs/enqueue.ts';
import { openQueue } from '../src/jobs/open-queue.ts';
import type { JobQueue } from '../src/jobs/types.ts';
import { testConfig } from '../src/config/load.ts';
import type { Library, Store } from '../src/store/store.ts';
import { BIN, tempDir } from './cli-support.ts';
import { describePostgres, until, type PgTestDatabase } from './jobs-support.ts';

const DISTRICT = { students: 20, seed: 'jobs-workers' };
/** Seconds without a heartbeat before a sync counts as its worker's that stopped. */
const STALE_AFTER_SECONDS = 3;
const FULL = { kind: 'full', dryRun: false, requestedBy: 'test' } as const;

/** A running `rollcall worker` and everything it wrote on stderr. */
interface WorkerProcess {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<void>;
}

describePostgres('jobs: worker processes', (db) => {
  let emulator: RunningEmulator | undefined;
  const children: WorkerProcess[] = [];
  const queues: JobQueue[] = [];
  const scratch = tempDir('rollcall-workers-');
  afterEach(async () => {
    for (const w of children.splice(0)) {
      w.child.kill('SIGTERM');
      await w.exited;
    }
    for (const q of queues.splice(0)) await q.stop({ timeoutMs: 2000 });
    await emulator?.close();
    emulator = undefined;
  });

  /** Starts `rollcall worker` on the test's database; resolves once it says it started. */
  async function startWorkerProcess(d: PgTestDatabase, extraEnv: Record<string, string> = {}): Promise<WorkerProcess> {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ROLLCALL_')) env[k] = v;
    Object.assign(env, d.env, { ROLLCALL_STALE_AFTER_SECONDS: String(STALE_AFTER_SECONDS), ROLLCALL_RETRY_ATTEMPTS: '2' }, extraEnv);
    const child = spawn(process.execPath, [BIN, 'worker'], { env, cwd: scratch.path, stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const w: WorkerProcess = { child, stderr: () => text, exited };
    children.push(w);
    await until(`worker ${child.pid} to start`, async () => {
      if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}): ${text}`);
      return text.includes('rollcall worker: started');
    });
    return w;
  }

  /** A library set up against the emulator: two schools matched, ClassLink on. */
  async function readyLibrary(store: Store, em: RunningEmulator, code: string): Promise<Library> {
    const lib = await store.libraries.create({ code, name: `Library ${code}`, timezone: 'UTC' });
    const district = materialize(generateDistrict(DISTRICT));
    const schools = district.orgs.filter((o) => o.type === 'school').map((o) => o.sourcedId);
    for (const [i, org] of schools.slice(0, 2).entries()) {
      await store.sites.add(lib.id, { code: `S${i + 1}`, name: `School ${i + 1}` });
      await store.sites.setOrgGuid(lib.id, `S${i + 1}`, org, 'classlink');
    }
    const settings = readClassLinkSettings({
      connection: { mode: 'direct', rosterUrl: em.url, auth: 'oauth1', clientId: em.credentials.clientId },
    });
    await saveClassLink(store, lib.id, { settings, secrets: { clientSecret: em.credentials.clientSecret }, enabled: true });
    return lib;
  }

  async function queueOf(d: PgTestDatabase): Promise<JobQueue> {
    const queue = await openQueue(testConfig({ ROLLCALL_DATABASE_URL: d.url }), d.store);
    queues.push(queue);
    return queue;
  }

  it('two workers, three libraries due: each library is synced exactly once', async () => {
    const d = db();
    emulator = await startEmulator({ district: DISTRICT });
    const libs: Library[] = [];
    for (const code of ['north', 'south', 'west']) libs.push(await readyLibrary(d.store, emulator, code));
    const workers = await Promise.all([startWorkerProcess(d), startWorkerProcess(d)]);

    const queue = await queueOf(d);
    for (const lib of libs) {
      const first = await enqueueSync(queue, d.store, lib.id, FULL);
      // Asked for again (Daily Operations and Sync Now at once): the same operation.
      expect(await enqueueSync(queue, d.store, lib.id, { ...FULL, requestedBy: 'schedule' })).toMatchObject({
        alreadyActive: true,
        operation: { id: first.operation.id },
      });
      // And its job delivered once more, past the queue's singleton (a queue that misbehaves).
      await queue.send('sync', { ...FULL, libraryId: lib.id, operationId: first.operation.id });
    }

    const finished = async (lib: Library) => (await d.store.operations.list(lib.id)).every((o) => o.state === 'succeeded');
    await until('every library to be synced', async () => (await Promise.all(libs.map(finished))).every(Boolean));
    // Let the duplicate deliveries run out too, then count.
    await until(
      'the queue to be empty',
      async () => !(await Promise.all(libs.map((l) => queue.waiting!('sync', `sync:${l.id}`)))).some(Boolean),
    );
    for (const lib of libs) {
      const ops = await d.store.operations.list(lib.id);
      expect(
        ops.map((o) => o.state),
        lib.code,
      ).toEqual(['succeeded']);
      const log = (await d.store.operations.log(lib.id, ops[0]!.id)).items.map((l) => l.message);
      expect(
        log.filter((m) => m.startsWith('Full sync of')),
        lib.code,
      ).toHaveLength(1);
      const patrons = await d.store.patrons.loadAll(lib.id);
      expect(patrons.length, lib.code).toBeGreaterThan(0);
      expect(ops[0]!.counts.created).toBe(patrons.length);
      expect(new Set(patrons.map((p) => p.guid)).size).toBe(patrons.length);
    }
    expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
  });

  it('a worker killed in mid-sync: patrons unchanged, the operation failed "worker stopped" and retried once on the other worker', async () => {
    const d = db();
    emulator = await startEmulator({ district: DISTRICT });
    const lib = await readyLibrary(d.store, emulator, 'killed');
    const queue = await queueOf(d);
    // Small pages, one at a time: many slow requests, so the kill lands in mid-read.
    const pull = { ROLLCALL_PAGE_SIZE: '10', ROLLCALL_CONCURRENCY: '1' };
    const doomed = await startWorkerProcess(d, pull);

    // A first sync, so there are patrons to leave untouched.
    const baseline = await enqueueSync(queue, d.store, lib.id, FULL);
    await until('the first sync', async () => (await d.store.operations.get(lib.id, baseline.operation.id))!.state === 'succeeded');
    const student = (await d.store.patrons.loadAll(lib.id)).find((p) => p.policy === 'Student')!;
    emulator.mutate.changeUser(student.guid, { familyName: 'Renamed' });
    const before = await d.store.patrons.loadAll(lib.id);

    // A slow roster: the next sync is still reading when its worker is killed.
    emulator.setFaults({ slow: { delayMs: 500 } });
    const victim = await enqueueSync(queue, d.store, lib.id, FULL);
    await until('the sync to be reading', async () => {
      const op = (await d.store.operations.get(lib.id, victim.operation.id))!;
      return op.state === 'running' && op.progress.done > 0;
    });
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    expect(await d.store.patrons.loadAll(lib.id)).toEqual(before);
    expect((await d.store.operations.get(lib.id, victim.operation.id))!.state).toBe('running');

    emulator.setFaults({});
    const survivor = await startWorkerProcess(d, pull);
    await until('the operation to be failed', async () => (await d.store.operations.get(lib.id, victim.operation.id))!.state === 'failed');
    const failed = (await d.store.operations.get(lib.id, victim.operation.id))!;
    expect(failed.error).toMatch(/^worker stopped: no sign of life since /);
    const retryOf = async () => (await d.store.operations.list(lib.id)).filter((o) => o.retryOf === victim.operation.id);
    await until('the retry to succeed', async () => (await retryOf())[0]?.state === 'succeeded');
    expect(await retryOf()).toHaveLength(1);
    expect((await retryOf())[0]!.requestedBy).toBe('retry');
    // The retry did the work the killed sync never wrote.
    expect((await d.store.patrons.get(lib.id, student.id))!.lastName).toBe('Renamed');
    expect(survivor.stderr()).toContain(`operation ${victim.operation.id} (library ${lib.id}) failed: worker stopped`);
  });
});
