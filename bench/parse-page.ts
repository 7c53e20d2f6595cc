/**
 * Measures reading users pages from their bodies' bytes, three ways: `stream`, what the client
 * does — the body's chunks (64 KiB, as a socket delivers them) cut into records by
 * src/oneroster/record-splitter.ts and each read at once by the fast 1.1 readers
 * (src/oneroster/fast-read.ts); `fast`, what it did before streaming — the body decoded to one
 * string, JSON.parsed whole, then parsePage; `zod`, that with the zod schemas alone (what
 * parsePage did before the fast path). The users are the emulator's generated district,
 * serialised page by page as it serves them.
 *
 *   node --expose-gc --import tsx bench/parse-page.ts [USERS=100000] [classlink|strict] [PAGE=10000] [REPEATS=5]
 *
 * Prints, per reader: the median and best wall time of reading every page (CPU time too: the
 * machine is shared), the heap retained by the records, the heap's peak above the inputs while
 * reading (garbage included), the garbage collections during a read, and the bytes allocated
 * during one read (V8's sampling heap profiler, counting objects already collected: statistical).
 */
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import type { MalformedRecord, RosterUser } from '../src/domain/roster.ts';
import { generateDistrict } from '../src/emulator/generated-district.ts';
import { toWire, type WireMode } from '../src/emulator/wire.ts';
import { collectionOf, parseJsonBody } from '../src/oneroster/envelope.ts';
import { PageReader, parsePage, parseRecordWithSchema, type ParsedPage } from '../src/oneroster/parse.ts';
import { RecordSplitter } from '../src/oneroster/record-splitter.ts';

const count = Number(process.argv[2] ?? 100_000);
const mode = (process.argv[3] ?? 'classlink') as WireMode;
const pageSize = Number(process.argv[4] ?? 10_000);
const repeats = Number(process.argv[5] ?? 5);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx bench/parse-page.ts');

/** parsePage as it was before the fast path: every record through the zod schema. */
function parsePageWithSchema(raws: readonly unknown[], offset: number): ParsedPage<'users'> {
  const records: RosterUser[] = [];
  const malformed: MalformedRecord[] = [];
  raws.forEach((raw, i) => {
    const reading = parseRecordWithSchema('users', raw);
    if (reading.ok) records.push(reading.record);
    else
      malformed.push({
        collection: 'users',
        sourcedId: reading.sourcedId,
        where: `page offset ${offset}, record ${i + 1}`,
        message: reading.message,
      });
  });
  return { records, malformed };
}

/** What a socket hands on at a time. */
const CHUNK_BYTES = 64 * 1024;

/** A body read whole, as the client read it before streaming. */
const rawsOf = (body: Buffer) => collectionOf(parseJsonBody(body.toString('utf8')), 'users');

const READERS = {
  zod: (body: Buffer, offset: number) => parsePageWithSchema(rawsOf(body), offset),
  fast: (body: Buffer, offset: number) => parsePage('users', rawsOf(body), offset),
  stream: (body: Buffer, offset: number) => {
    const page = new PageReader('users', { offset, limit: pageSize });
    const splitter = new RecordSplitter('users', page.add);
    for (let at = 0; at < body.length; at += CHUNK_BYTES) splitter.push(body.subarray(at, at + CHUNK_BYTES));
    splitter.end();
    return page.result();
  },
};
type ReaderName = keyof typeof READERS;

/** `count` users spread over the whole generated table (so every role is there), as page bodies. */
function buildPages(): Buffer[] {
  // A district's users are ~2.6 × its students (parents, teachers, administrators).
  const district = generateDistrict({ students: Math.ceil(count / 2.5), seed: 'parse-page' });
  const users = district.tables.users;
  const rows = users.order();
  if (rows.length < count) throw new Error(`the district has only ${rows.length} users`);
  const ctx = { hrefBase: 'http://127.0.0.1:4000/ims/oneroster/v1p1', mode, children: () => [] };
  const pages: Buffer[] = [];
  for (let start = 0; start < count; start += pageSize) {
    const page: unknown[] = [];
    for (let k = start; k < Math.min(count, start + pageSize); k++) {
      page.push(toWire('users', users.record(rows.at(Math.floor((k * rows.length) / count))), ctx));
    }
    pages.push(Buffer.from(JSON.stringify({ users: page })));
  }
  return pages;
}

let gcs = 0;
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcs++;
    gcMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

interface Run {
  wallMs: number;
  cpuMs: number;
  retainedMb: number;
  peakMb: number;
  gcs: number;
  gcMs: number;
  records: number;
}

/** GC entries reach the observer asynchronously: let them in. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

async function readAll(name: ReaderName, pages: Buffer[]): Promise<Run> {
  const read = READERS[name];
  gc!();
  await settle();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const [gcs0, gcMs0] = [gcs, gcMs];
  const out: ParsedPage<'users'>[] = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let p = 0; p < pages.length; p++) {
    out.push(read(pages[p]!, p * pageSize));
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  await settle();
  const [gcs1, gcMs1] = [gcs, gcMs];
  gc!();
  const retained = process.memoryUsage().heapUsed - base;
  const records = out.reduce((n, page) => n + page.records.length, 0);
  if (out.some((page) => page.malformed.length > 0)) throw new Error(`${name}: malformed records`);
  return {
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    retainedMb: retained / 2 ** 20,
    peakMb: (peak - base) / 2 ** 20,
    gcs: gcs1 - gcs0,
    gcMs: gcMs1 - gcMs0,
    records,
  };
}

/** Bytes allocated during one read, garbage included (sampled every 32 KiB). */
async function allocatedMb(name: ReaderName, pages: Buffer[]): Promise<number> {
  const session = new Session();
  session.connect();
  gc!();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 32 * 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const kept: unknown[] = [];
  for (let p = 0; p < pages.length; p++) kept.push(READERS[name](pages[p]!, p * pageSize));
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  let bytes = 0;
  const walk = (node: { selfSize: number; children: (typeof node)[] }) => {
    bytes += node.selfSize;
    node.children.forEach(walk);
  };
  walk(profile.head as unknown as { selfSize: number; children: never[] });
  return bytes / 2 ** 20;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f = (x: number, d = 0) => x.toFixed(d).padStart(7);

const pages = buildPages();
process.stdout.write(
  `${count.toLocaleString('en')} users (${mode}), pages of ${pageSize.toLocaleString('en')}, ${repeats} reads each; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`,
);
const NAMES = ['zod', 'fast', 'stream'] as const;
// One warm-up read each, so none is timed cold.
for (const name of NAMES) await readAll(name, pages);
const runs: Record<ReaderName, Run[]> = { zod: [], fast: [], stream: [] };
for (let i = 0; i < repeats; i++) for (const name of NAMES) runs[name].push(await readAll(name, pages));
process.stdout.write('reader   median ms  best ms   CPU ms  retained MB  peak MB  GCs  GC ms  allocated MB\n');
for (const name of NAMES) {
  const rs = runs[name];
  const alloc = await allocatedMb(name, pages);
  process.stdout.write(
    `${name.padEnd(6)} ${f(median(rs.map((r) => r.wallMs)))}    ${f(Math.min(...rs.map((r) => r.wallMs)))} ${f(median(rs.map((r) => r.cpuMs)))}` +
      `  ${f(median(rs.map((r) => r.retainedMb)), 1)}     ${f(median(rs.map((r) => r.peakMb)), 1)}  ${String(median(rs.map((r) => r.gcs))).padStart(3)} ${f(median(rs.map((r) => r.gcMs)))}  ${f(alloc, 1)}\n`,
  );
}
process.stdout.write(
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`,
);
