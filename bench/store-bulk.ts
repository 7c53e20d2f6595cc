/**
 * Measures the store's bulk patron paths on SQLite and PostgreSQL: insertMany, loadAll and
 * updateMany of N patrons (default 100,000), each in one transaction as the sync applies them,
 * and a delta's reads (scanKeys, getMany of 1%).
 *
 *     npx tsx bench/store-bulk.ts [N] [postgres://…]      # PostgreSQL skipped when unreachable
 *
 * Prints the load average too: on a shared machine, wall times scale with it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { openStore, type PatronWrite, type Store } from '../src/store/store.ts';

const DEFAULT_COUNT = 100_000;
const count = Number(process.argv[2] ?? DEFAULT_COUNT);
const pgUrl = process.argv[3] ?? 'postgres://postgres@127.0.0.1:5432/test';

function patron(i: number): PatronWrite {
  return {
    ...emptyPatronValues(),
    guid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    barcode: `B${100000 + i}`,
    communityId: `S${i}`,
    firstName: `First${i}`,
    lastName: `Last${i % 5000}`,
    birthdate: '2011-05-17',
    sex: i % 2 ? 'Female' : 'Male',
    email: `student${i}@district.example.org`,
    additionalContact: `Parent ${i} (555-0100)`,
    otherEmails: `parent${i}@example.org`,
    level: String((i % 12) + 1).padStart(2, '0'),
    site: i % 3 ? 'MHS' : 'ELM',
    policy: 'Student',
    guidSource: 'classlink',
    matchedBy: 'created',
  };
}

/** Prints wall time and this process's CPU time (on a shared machine the CPU time is steadier). */
async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(cpu);
  const wall = (performance.now() - start) / 1000;
  const ownCpu = (used.user + used.system) / 1e6;
  process.stdout.write(`  ${label.padEnd(18)} ${wall.toFixed(2)} s wall, ${ownCpu.toFixed(2)} s CPU in this process\n`);
  return result;
}

async function run(name: string, store: Store): Promise<void> {
  process.stdout.write(`${name}: ${count.toLocaleString('en')} patrons\n`);
  const lib = (await store.libraries.byCode('default'))!;
  await store.sites.add(lib.id, { code: 'MHS', name: 'Main High' });
  await store.sites.add(lib.id, { code: 'ELM', name: 'Elm' });
  const rows = Array.from({ length: count }, (_, i) => patron(i));
  await timed('insertMany', () => store.transaction((tx) => tx.patrons.insertMany(lib.id, rows)));
  const loaded = await timed('loadAll', () => store.patrons.loadAll(lib.id));
  const updates = loaded.map((p) => ({ ...p, level: '12', matchedBy: 'guid' as const }));
  await timed('updateMany', () => store.transaction((tx) => tx.patrons.updateMany(lib.id, updates)));
  await timed('loadAll (again)', () => store.patrons.loadAll(lib.id));
  // What a delta reads instead of loadAll (sync/core/delta-patrons.ts): every patron's keys, then ~1% by id.
  const ids: number[] = [];
  await timed('scanKeys', () => store.patrons.scanKeys(lib.id, (k) => k.id % 100 === 0 && ids.push(k.id)));
  await timed('getMany (1%)', () => store.patrons.getMany(lib.id, ids));
}

process.stdout.write(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores\n`,
);
const folder = mkdtempSync(join(tmpdir(), 'rollcall-bench-'));
try {
  const sqlite = await openStore({ url: `sqlite:${join(folder, 'bench.db')}`, dataDir: folder });
  await run('SQLite', sqlite);
  await sqlite.close();

  const schema = `rc_bench_${randomBytes(4).toString('hex')}`;
  let postgres: Store | undefined;
  try {
    postgres = await openStore({ url: pgUrl, pgSchema: schema, dataDir: folder });
  } catch (e) {
    process.stdout.write(`PostgreSQL: skipped (${(e as Error).message})\n`);
  }
  if (postgres) {
    try {
      await run('PostgreSQL', postgres);
    } finally {
      await postgres.close();
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
