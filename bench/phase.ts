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
import { Worker } from 'node:worker_threads';
import { openCsvPackage } from '../src/csv/index.ts';
import { loadClassLink, rosterAuthOf, rosterClient, saveClassLink } from '../src/sources/classlink/state.ts';
import { CSV_SETTINGS, saveCsvSettings } from '../src/sources/csv/source.ts';
import { syncCsvPackage } from '../src/services/csv/sync-package.ts';
import { turnOn } from '../src/sources/switch.ts';
import { openStore, type Store } from '../src/store/store.ts';
import { fetchSnapshot } from '../src/sync/fetch.ts';
import type { RosterReader } from '../src/sync/ports.ts';
import { runSync } from '../src/sync/run.ts';
import type { LocationMapping } from '../src/sync/core/types.ts';
import { writeGeneratedPackage } from './csv-package.ts';
import { SYNC_SOURCES } from '../src/app.ts';

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
  /** Location's mapping, set up by `setup` (none by default). */
  location?: LocationMapping;
  /** `setup` matches only this many schools (the first ones); default every one. */
  serve?: number;
  /** The library's code (default `default`; `setup` creates another when needed). */
  library?: string;
  /** How full syncs read the roster (SyncDeps.rosterRead). */
  rosterRead?: 'auto' | 'district';
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
 * ROLLCALL_BENCH_MEMLOG=1: where a peak happens. A worker thread samples the process's RSS every
 * 20 ms — the main thread cannot, it is busy planning and writing for seconds at a time — and at
 * the end the samples are printed to stderr between the sync's own log lines (stored with their
 * times), so each stretch of memory sits under the step that made it.
 * The floor, which logs no steps, prints instead what its memory is made of at its end and the
 * peaks seen between pages (and, run with NODE_OPTIONS=--expose-gc, its heap after a full GC).
 */
const memlog = process.env.ROLLCALL_BENCH_MEMLOG === '1' ? startMemlog() : undefined;

function startMemlog(): { stop: (events: { at: number; text: string }[]) => Promise<void> } {
  const sampler = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const samples = [];
     const timer = setInterval(() => samples.push([Date.now(), process.memoryUsage.rss()]), 20);
     parentPort.on('message', () => { clearInterval(timer); parentPort.postMessage(samples); });`,
    { eval: true },
  );
  // Phases that print no timeline (setup, floor) must still exit.
  sampler.unref();
  return {
    stop: async (events) => {
      const samples = await new Promise<[number, number][]>((resolve) => {
        sampler.once('message', resolve);
        sampler.postMessage('stop');
      });
      await sampler.terminate();
      const lines: string[] = [];
      let e = 0;
      let max = 0;
      // One line per 250 ms stretch (its highest sample), with the log lines that fell in it.
      for (let i = 0; i < samples.length; ) {
        const start = samples[i]![0];
        let high = 0;
        for (; i < samples.length && samples[i]![0] < start + 250; i++) high = Math.max(high, samples[i]![1]);
        for (; e < events.length && events[e]!.at < start + 250; e++) lines.push(`           ${events[e]!.text.slice(0, 110)}`);
        max = Math.max(max, high);
        lines.push(
          `${new Date(start).toISOString().slice(11, 23)}  ${(high / 2 ** 20).toFixed(0).padStart(5)} MB RSS${high === max ? ' (highest so far)' : ''}`,
        );
      }
      process.stderr.write(`${lines.join('\n')}\n`);
    },
  };
}

async function main(): Promise<void> {
  const store = await openStore({ url: config.database.url, dataDir: config.database.dataDir, secretKey: config.secretKey });
  try {
    const code = args.library ?? 'default';
    const lib =
      (await store.libraries.byCode(code)) ?? (await store.libraries.create({ code, name: `Benchmark ${code}`, timezone: 'UTC' }));
    if (args.phase === 'setup') return await setup(store, lib.id);
    if (args.phase === 'csv-setup') return await csvSetup(store);
    if (args.phase === 'csv') return await csvSync(store);
    const state = await loadClassLink(store, lib.id);
    const started = performance.now();
    if (args.phase === 'floor') {
      // The floor: the cheapest complete read of the roster a full sync needs. Every page the sync
      // reads, through the same client (page size, concurrency, retries) and the same record
      // reader (each record cut from the streamed body, parsed and checked), driven by the sync's
      // own fetchSnapshot so it reads what the sync reads; but every record is counted and
      // dropped, so the floor holds nothing and its memory stays flat in the district's size.
      // (It used to hold the slimmed snapshot as a sync does: that grows with the district and
      // is the sync's cost, not the read's.)
      const client = rosterClient(config, rosterAuthOf(state));
      let users = 0;
      const peaks = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0 };
      const dropping: RosterReader = {
        concurrentPulls: client.concurrentPulls,
        servesSchools: client.servesSchools,
        pull: (collection, request, _onRecords) =>
          client.pull(collection, request, (records) => {
            if (collection === 'users') users += records.length;
            if (memlog) {
              const m = process.memoryUsage();
              peaks.rss = Math.max(peaks.rss, m.rss);
              peaks.heapTotal = Math.max(peaks.heapTotal, m.heapTotal);
              peaks.heapUsed = Math.max(peaks.heapUsed, m.heapUsed);
              peaks.external = Math.max(peaks.external, m.external);
            }
          }),
      };
      const { mapping } = state.settings;
      await fetchSnapshot(dropping, {
        kind: 'full',
        roles: state.settings.roles,
        location: mapping.location,
        identifiers: [mapping.barcode, mapping.communityId],
        log: () => {},
      });
      if (memlog) {
        // What the floor's memory is made of at its end: V8's heap (used and reserved), memory
        // outside it (Buffers), and what the process holds beyond both (allocator, code, stacks).
        const m = process.memoryUsage();
        const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
        process.stderr.write(
          `floor end: rss ${mb(m.rss)}, heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)})\n`,
        );
        process.stderr.write(
          `floor peaks between pages: rss ${mb(peaks.rss)}, heap used ${mb(peaks.heapUsed)} of ${mb(peaks.heapTotal)}, external ${mb(peaks.external)}\n`,
        );
        // With NODE_OPTIONS=--expose-gc: what of the heap is live (the rest was garbage not yet collected).
        const gc = (globalThis as { gc?: () => void }).gc;
        if (gc) {
          gc();
          process.stderr.write(`floor end, after a full GC: heap used ${mb(process.memoryUsage().heapUsed)}\n`);
        }
        await memlog.stop([]);
      }
      return report({ wallMs: performance.now() - started, users });
    }
    const outcome = await runSync(
      {
        store,
        sources: SYNC_SOURCES,
        now: () => new Date(),
        openReader: async () => rosterClient(config, rosterAuthOf(state)),
        ...(args.rosterRead ? { rosterRead: args.rosterRead } : {}),
      },
      {
        libraryId: lib.id,
        kind: args.phase === 'delta' ? 'delta' : 'full',
        dryRun: args.phase === 'dry',
        requestedBy: 'bench',
      },
    );
    const op = outcome.operation;
    if (op.state === 'failed') throw new Error(`the ${args.phase} sync failed: ${op.error}`);
    const wallMs = performance.now() - started;
    if (memlog) {
      const log = await store.operations.log(lib.id, op.id);
      // The per-patron lines (100,000 "Created: …") would bury the steps.
      await memlog.stop(
        log.items
          .filter((l) => !/^(Created|Updated|Matched|Transferred|Skipped)/.test(l.message))
          .map((l) => ({ at: Date.parse(l.at), text: l.message })),
      );
    }
    report({ wallMs, counts: op.counts, state: op.state, users: op.counts.created + op.counts.updated + op.counts.unchanged });
  } finally {
    await store.close();
  }
}

/** Sites for every school of the emulated district, matched; ClassLink direct; enabled. */
async function setup(store: Store, libraryId: number): Promise<void> {
  const { url, credentials } = args.emulator;
  const client = rosterClient(config, {
    baseUrl: url,
    auth: { kind: 'oauth1', clientId: credentials.clientId, clientSecret: credentials.clientSecret },
  });
  const schools: { sourcedId: string; name: string }[] = [];
  await client.pull('orgs', {}, (orgs) => {
    for (const o of orgs) if (o.type === 'school') schools.push({ sourcedId: o.sourcedId, name: o.name });
  });
  for (const [i, s] of schools.slice(0, args.serve ?? schools.length).entries()) {
    const code = `S${String(i + 1).padStart(3, '0')}`;
    await store.sites.add(libraryId, { code, name: s.name });
    await store.sites.setOrgGuid(libraryId, code, s.sourcedId);
  }
  const state = await loadClassLink(store, libraryId);
  await saveClassLink(store, libraryId, {
    settings: {
      ...state.settings,
      roles: ['student', 'teacher', 'admin'],
      mapping: { ...state.settings.mapping, location: args.location ?? 'none' },
      connection: {
        mode: 'direct',
        tenantId: null,
        rosterUrl: url,
        auth: 'oauth1',
        clientId: credentials.clientId,
        validatedAt: new Date().toISOString(),
      },
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
  await turnOn(store, lib.id, 'csv', 'cli');
  report({ wallMs: written.writeMs, users: written.users });
}

/** The CSV library's first full sync from the package. */
async function csvSync(store: Store): Promise<void> {
  const lib = (await store.libraries.byCode(CSV_LIBRARY))!;
  const started = performance.now();
  const deps = { store, sources: SYNC_SOURCES, now: () => new Date(), openReader: () => Promise.reject(new Error('the package is given')) };
  const r = await syncCsvPackage(deps, lib.id, { path: CSV_PACKAGE, dryRun: false, requestedBy: 'bench' });
  if (r.state === 'failed') throw new Error(`the csv sync failed: ${r.error}`);
  report({
    wallMs: performance.now() - started,
    counts: r.counts,
    state: r.state,
    users: r.counts.created + r.counts.updated + r.counts.unchanged,
  });
}

function report(r: { wallMs: number; users: number; counts?: unknown; state?: string }): void {
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ phase: args.phase, ...r, wallMs: Math.round(r.wallMs), maxRssMb: Math.round(maxRssMb) })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench phase ${args.phase}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
