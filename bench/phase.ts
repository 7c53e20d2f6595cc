/**
 * One phase of the benchmark, in a process of its own so its peak memory is its own:
 *
 *   tsx bench/phase.ts '<json: { phase, databaseUrl, dataDir, emulator: { url, credentials }, pageSize, concurrency }>'
 *
 * Phases: `setup` (sites matched to every school, ClassLink configured and enabled), `floor`
 * (fetch only: the same pulls a full sync makes, no database), `full`, `delta`, `dry`;
 * `csv-setup` (the same district written as a OneRoster CSV package, and a second library with
 * OneRoster CSV enabled and every school matched) and `csv` (that library's first full sync
 * from the package). Prints one JSON line: { phase, wallMs, maxRssMb, users, counts?, state? }.
 */
import type { Config } from '../src/config/load.ts';
import { testConfig } from '../src/config/load.ts';
import type { EmulatorCredentials } from '../src/emulator/types.ts';
import { join } from 'node:path';
import { openCsvPackage } from '../src/csv/index.ts';
import { loadClassLink, rosterAuthOf, rosterClient, saveClassLink } from '../src/integrations/classlink.ts';
import { CSV_SETTINGS, saveCsvSettings } from '../src/integrations/csv-source.ts';
import { syncCsvPackage } from '../src/services/csv-sync.ts';
import { enableIntegration } from '../src/services/integration-switch.ts';
import { openStore, type Store } from '../src/store/store.ts';
import { fetchSnapshot } from '../src/sync/fetch.ts';
import { runSync } from '../src/sync/run.ts';
import { writeGeneratedPackage } from './csv-package.ts';

interface PhaseArgs {
  phase: 'setup' | 'floor' | 'full' | 'delta' | 'dry' | 'csv-setup' | 'csv';
  /** The district's size and seed (the CSV phases write it as a package). */
  students: number;
  seed: string;
  databaseUrl: string;
  dataDir: string;
  secretKey: string;
  emulator: { url: string; credentials: EmulatorCredentials };
  pageSize: number;
  concurrency: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as PhaseArgs;
const config: Config = testConfig({
  ROLLCALL_DATABASE_URL: args.databaseUrl,
  ROLLCALL_DATA_DIR: args.dataDir,
  ROLLCALL_SECRET_KEY: args.secretKey,
  ROLLCALL_PAGE_SIZE: String(args.pageSize),
  ROLLCALL_CONCURRENCY: String(args.concurrency),
});

/**
 * ROLLCALL_BENCH_MEMLOG=1: samples this process's memory every 50 ms and prints the timeline to
 * stderr at the end, with the roster collection being read at each sample — where a peak happens.
 */
const memlog = process.env.ROLLCALL_BENCH_MEMLOG === '1' ? startMemlog() : undefined;
let readingNow = '';

function startMemlog(): { stop: () => void } {
  const t0 = performance.now();
  const lines: string[] = [];
  let last = '';
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    const line = `${(m.rss / 2 ** 20).toFixed(0)} rss ${(m.heapUsed / 2 ** 20).toFixed(0)} heap ${(m.arrayBuffers / 2 ** 20).toFixed(0)} buffers ${readingNow}`;
    if (line !== last) lines.push(`${((performance.now() - t0) / 1000).toFixed(2).padStart(7)} s  ${line}`);
    last = line;
  }, 50);
  return { stop: () => (clearInterval(timer), process.stderr.write(`${lines.join('\n')}\n`)) };
}

async function main(): Promise<void> {
  const store = await openStore({ url: config.database.url, dataDir: config.database.dataDir, secretKey: config.secretKey });
  try {
    const lib = (await store.libraries.byCode('default'))!;
    if (args.phase === 'setup') return await setup(store, lib.id);
    if (args.phase === 'csv-setup') return await csvSetup(store);
    if (args.phase === 'csv') return await csvSync(store);
    const state = await loadClassLink(store, lib.id);
    const started = performance.now();
    if (args.phase === 'floor') {
      // The floor: every page a full sync reads, parsed and held as the sync holds it, with the
      // same page size and concurrency, and nothing else — no patrons loaded, no plan, no writes.
      const client = rosterClient(config, rosterAuthOf(state));
      const { mapping } = state.settings;
      const snapshot = await fetchSnapshot(client, {
        kind: 'full',
        roles: state.settings.roles,
        location: mapping.location,
        identifiers: [mapping.barcode, mapping.communityId],
        log: () => {},
      });
      return report({ wallMs: performance.now() - started, users: snapshot.users.length });
    }
    const outcome = await runSync(
      { store, now: () => new Date(), openReader: async () => rosterClient(config, rosterAuthOf(state)) },
      {
        libraryId: lib.id,
        kind: args.phase === 'delta' ? 'delta' : 'full',
        dryRun: args.phase === 'dry',
        requestedBy: 'bench',
        onProgress: (phase) => (readingNow = `reading ${phase}`),
      },
    );
    const op = outcome.operation;
    if (op.state === 'failed') throw new Error(`the ${args.phase} sync failed: ${op.error}`);
    report({ wallMs: performance.now() - started, counts: op.counts, state: op.state, users: op.counts.created + op.counts.updated + op.counts.unchanged });
  } finally {
    await store.close();
  }
}

/** Sites for every school of the emulated district, matched; ClassLink direct; enabled. */
async function setup(store: Store, libraryId: number): Promise<void> {
  const { url, credentials } = args.emulator;
  const client = rosterClient(config, { baseUrl: url, auth: { kind: 'oauth1', clientId: credentials.clientId, clientSecret: credentials.clientSecret } });
  const schools: { sourcedId: string; name: string }[] = [];
  await client.pull('orgs', {}, (orgs) => {
    for (const o of orgs) if (o.type === 'school') schools.push({ sourcedId: o.sourcedId, name: o.name });
  });
  for (const [i, s] of schools.entries()) {
    const code = `S${String(i + 1).padStart(3, '0')}`;
    await store.sites.add(libraryId, { code, name: s.name });
    await store.sites.setOrgGuid(libraryId, code, s.sourcedId);
  }
  const state = await loadClassLink(store, libraryId);
  await saveClassLink(store, libraryId, {
    settings: {
      ...state.settings,
      roles: ['student', 'teacher', 'admin'],
      connection: { mode: 'direct', tenantId: null, rosterUrl: url, auth: 'oauth1', clientId: credentials.clientId, validatedAt: new Date().toISOString() },
    },
    secrets: { clientSecret: credentials.clientSecret },
    enabled: true,
  });
  report({ wallMs: 0, users: 0 });
}

/** Where the CSV phases keep the package, and the code of their library. */
const CSV_PACKAGE = join(args.dataDir, 'csv-package');
const CSV_LIBRARY = 'csv';

/** The district as a package (not timed as a sync), and a library of its own for CSV. */
async function csvSetup(store: Store): Promise<void> {
  const written = await writeGeneratedPackage(CSV_PACKAGE, args.students, args.seed);
  const lib = await store.libraries.create({ code: CSV_LIBRARY, name: 'CSV benchmark', timezone: 'UTC' });
  const pkg = await openCsvPackage(CSV_PACKAGE);
  let i = 0;
  await pkg.records('orgs', async (orgs) => {
    for (const o of orgs) {
      if (o.type !== 'school') continue;
      const code = `S${String(++i).padStart(3, '0')}`;
      await store.sites.add(lib.id, { code, name: o.name });
      await store.sites.setOrgGuid(lib.id, code, o.sourcedId, 'csv');
    }
  });
  await saveCsvSettings(store, lib.id, { ...CSV_SETTINGS.parse({}), roles: ['student', 'teacher', 'admin'] });
  await enableIntegration(store, lib.id, 'csv');
  report({ wallMs: written.writeMs, users: written.users });
}

/** The CSV library's first full sync from the package. */
async function csvSync(store: Store): Promise<void> {
  const lib = (await store.libraries.byCode(CSV_LIBRARY))!;
  const started = performance.now();
  const deps = { store, now: () => new Date(), openReader: () => Promise.reject(new Error('the package is given')) };
  const r = await syncCsvPackage(deps, lib.id, { path: CSV_PACKAGE, dryRun: false, requestedBy: 'bench' });
  if (r.state === 'failed') throw new Error(`the csv sync failed: ${r.error}`);
  report({ wallMs: performance.now() - started, counts: r.counts, state: r.state, users: r.counts.created + r.counts.updated + r.counts.unchanged });
}

function report(r: { wallMs: number; users: number; counts?: unknown; state?: string }): void {
  memlog?.stop();
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ phase: args.phase, ...r, wallMs: Math.round(r.wallMs), maxRssMb: Math.round(maxRssMb) })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench phase ${args.phase}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
