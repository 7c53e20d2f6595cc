/**
 * `npm run bench [-- --users N] [--db sqlite|postgres|both] [--json] [--no-docs] [--profile PHASE] [--location MAPPING] [--delta-only | --first-only | --floor-only]`
 * `npm run bench -- --users 100000 --schools 200 --serve 5` (a library serving 5 of the 200 schools: first and
 *   second full sync reading only its schools, then the same in a second library reading the whole district)
 *
 * How fast and how lean a sync is, against the floor (just reading the roster), for a
 * generated district served by the emulator over loopback in its own process. Each phase runs
 * in a fresh process so its peak memory is its own: floor, first full sync (empty library),
 * second full sync (nothing changed), delta sync after 1% of students changed (plus a few
 * `tobedeleted`, and with `--location` mapped 0.2% moved to another homeroom), dry run of a full sync, and a first full sync of the same district from a
 * OneRoster CSV package (written beforehand, not timed) into a library of its own. Prints a table (or one JSON document) and records the
 * run in docs/benchmarks.md under its size, leaving other sizes and the notes as they are.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { EmulatorCredentials } from '../src/emulator/types.ts';
import { compiledPhase, type PhaseEntry } from './compiled-phase.ts';

const { values: opts } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    db: { type: 'string', default: 'both' },
    json: { type: 'boolean', default: false },
    seed: { type: 'string', default: 'bench' },
    'page-size': { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '4' },
    docs: { type: 'boolean', default: true },
    'no-docs': { type: 'boolean', default: false },
    /** A phase (floor, full, delta, dry, csv) to run under `--cpu-prof`; profiles go to test-output/profiles/. */
    profile: { type: 'string' },
    /**
     * Location's mapping (none, homeroom-code, homeroom-location, homeroom-teacher). Mapped, every
     * full sync also reads the homerooms, and the delta's changes include homeroom moves.
     */
    location: { type: 'string', default: 'none' },
    /** Only what the delta needs: set-up, first full sync, the changes, delta (no floor, second full, dry run or CSV). */
    'delta-only': { type: 'boolean', default: false },
    /** The district's number of schools (default: one per 500 students). */
    schools: { type: 'string' },
    /**
     * Match only this many schools (the first ones): the first and a no-change full sync read
     * per school, then the same library's syncs reading the whole district (ROLLCALL_ROSTER_READ=district).
     */
    serve: { type: 'string' },
    /** Only set-up, the floor and the first full sync: a large district's memory, without the hour the other phases take. */
    'first-only': { type: 'boolean', default: false },
    'floor-only': { type: 'boolean', default: false },
  },
});

const STUDENTS = Number(opts.users);
const SCHOOLS = opts.schools === undefined ? undefined : Number(opts.schools);
const SERVE = opts.serve === undefined ? undefined : Number(opts.serve);
const PG_URL = process.env.ROLLCALL_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Share of students changed before the delta sync (the issue's "1%"). */
const DELTA_SHARE = 0.01;
/** Students marked tobedeleted before the delta sync ("a few"). */
const DELTA_TOBEDELETED = 10;
/**
 * Share of students moved to another homeroom before the delta sync, when Location is mapped:
 * their user records do not change, so the delta must find them through their enrollments.
 */
const DELTA_HOMEROOM_SHARE = 0.002;
const LOCATIONS = ['none', 'homeroom-code', 'homeroom-location', 'homeroom-teacher'];
const ROOT = new URL('..', import.meta.url).pathname;
const TSX = join(ROOT, 'node_modules/.bin/tsx');

/** One phase's figures. */
interface PhaseResult {
  phase: string;
  wallMs: number;
  maxRssMb: number;
  users: number;
  counts?: Record<string, number>;
  state?: string;
}

/** A database's run. */
interface DbRun {
  db: 'sqlite' | 'postgres';
  skipped?: string;
  phases: PhaseResult[];
}

interface EmulatorInfo {
  url: string;
  credentials: EmulatorCredentials;
  students: number;
  generateMs: number;
}

function log(line: string): void {
  if (!opts.json) process.stderr.write(`${line}\n`);
}

async function main(): Promise<void> {
  if (!Number.isInteger(STUDENTS) || STUDENTS < 10) throw new Error('--users must be a whole number of at least 10');
  const dbs: ('sqlite' | 'postgres')[] = opts.db === 'both' ? ['sqlite', 'postgres'] : [opts.db as 'sqlite' | 'postgres'];
  if (!dbs.every((d) => d === 'sqlite' || d === 'postgres')) throw new Error('--db must be sqlite, postgres or both');
  if (!LOCATIONS.includes(opts.location!)) throw new Error(`--location must be one of ${LOCATIONS.join(', ')}`);
  if (SCHOOLS !== undefined && !(Number.isInteger(SCHOOLS) && SCHOOLS >= 1))
    throw new Error('--schools must be a whole number of at least 1');
  if (SERVE !== undefined && !(Number.isInteger(SERVE) && SERVE >= 1)) throw new Error('--serve must be a whole number of at least 1');
  PHASE = compiledPhase(ROOT);
  log(
    'script' in PHASE
      ? 'phases run the compiled build (dist/)'
      : `phases run the TypeScript through tsx: ${PHASE.stale} (\`npm run build\` compiles it; users run dist/)`,
  );

  // The machine is shared: wall times scale with its load, so the run records it.
  const loadBefore = loadavg()[0]!;
  const runs: DbRun[] = [];
  for (const db of dbs) {
    if (db === 'postgres') {
      const why = await postgresUnavailable();
      if (why) {
        log(`PostgreSQL part SKIPPED: ${why}`);
        runs.push({ db, skipped: why, phases: [] });
        continue;
      }
    }
    // A fresh emulator per database, so both start from the same unmutated district.
    const emulator = await startEmulatorProcess();
    try {
      log(`[${db}] emulator: ${STUDENTS.toLocaleString('en-US')} students generated in ${(emulator.info.generateMs / 1000).toFixed(1)} s`);
      runs.push({ db, phases: await runPhases(db, emulator.info) });
    } finally {
      emulator.stop();
    }
  }

  const result = {
    date: new Date().toISOString(),
    machine: { ...machine(), loadBefore: Number(loadBefore.toFixed(1)), loadAfter: Number(loadavg()[0]!.toFixed(1)) },
    students: STUDENTS,
    db: opts.db,
    seed: opts.seed,
    pageSize: Number(opts['page-size']),
    concurrency: Number(opts.concurrency),
    location: opts.location!,
    schools: SCHOOLS,
    serve: SERVE,
    runs,
  };
  if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${table(result.runs)}\n`);
  if (opts.docs && !opts['no-docs']) writeDocs(result);
}

async function runPhases(db: 'sqlite' | 'postgres', emulator: EmulatorInfo): Promise<PhaseResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rollcall-bench-'));
  const schema = `bench_${process.pid}_${Date.now()}`;
  const databaseUrl =
    db === 'sqlite' ? `sqlite:${join(dataDir, 'bench.db')}` : `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const base = {
    databaseUrl,
    dataDir,
    secretKey: randomBytes(32).toString('hex'),
    emulator: { url: emulator.url, credentials: emulator.credentials },
    pageSize: Number(opts['page-size']),
    concurrency: Number(opts.concurrency),
    students: STUDENTS,
    seed: opts.seed,
    location: opts.location,
    serve: SERVE,
  };
  const phases: PhaseResult[] = [];
  const run = async (phase: string, label = phase): Promise<void> => {
    const r = await runPhase({ ...base, phase });
    if (!phase.endsWith('setup')) {
      phases.push({ ...r, phase: label });
      log(
        `[${db}] ${label.padEnd(12)} ${(r.wallMs / 1000).toFixed(2).padStart(7)} s  ${String(r.maxRssMb).padStart(5)} MB${r.counts ? `  ${JSON.stringify(r.counts)}` : ''}`,
      );
    } else if (phase === 'csv-setup') {
      log(
        `[${db}] csv package of ${r.users.toLocaleString('en-US')} users written in ${(r.wallMs / 1000).toFixed(2)} s (not timed as a sync)`,
      );
    }
  };
  const all = !opts['delta-only'] && !opts['first-only'] && !opts['floor-only'];
  try {
    if (SERVE !== undefined) {
      // The same library twice over (two libraries of one database, the same schools matched):
      // reading only its schools, then the whole district.
      for (const [library, rosterRead, label] of [
        ['default', 'auto', 'per school'],
        ['whole', 'district', 'whole district'],
      ] as const) {
        const r = async (phase: string, l: string) => {
          const out = await runPhase({ ...base, phase, library, rosterRead });
          if (phase === 'setup') return;
          phases.push({ ...out, phase: l });
          log(`[${db}] ${l.padEnd(28)} ${(out.wallMs / 1000).toFixed(2).padStart(7)} s  ${String(out.maxRssMb).padStart(5)} MB`);
        };
        await r('setup', '');
        await r('full', `first full (${label})`);
        await r('full', `second full (${label})`);
      }
      return phases;
    }
    await run('setup');
    if (all || opts['first-only'] || opts['floor-only']) await run('floor');
    if (opts['floor-only']) return phases;
    await run('full', 'first full');
    if (opts['first-only']) return phases;
    if (all) await run('full', 'second full');
    await mutate(emulator);
    await run('delta');
    if (all) {
      await run('dry', 'dry run');
      // The same district as a OneRoster CSV package, into a library of its own (its first sync).
      await run('csv-setup');
      await run('csv', 'csv first full');
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    if (db === 'postgres') await dropSchema(schema);
  }
  return phases;
}

/**
 * Changes 1% of the students (name and e-mail) and marks a few tobedeleted, via the control API;
 * with Location mapped, also moves 0.2% of the students (others) to the next homeroom of their school.
 */
async function mutate(emulator: EmulatorInfo): Promise<void> {
  const changed = Math.max(1, Math.round(STUDENTS * DELTA_SHARE));
  const step = Math.max(1, Math.floor(STUDENTS / changed));
  const ops: unknown[] = [];
  for (let i = 0; i < changed; i++) {
    const id = `stu-${String((i * step) % STUDENTS).padStart(8, '0')}`;
    ops.push({ op: 'changeUser', sourcedId: id, patch: { familyName: `Changed${i}`, email: `changed${i}@example.org` } });
  }
  for (let i = 0; i < DELTA_TOBEDELETED; i++) {
    ops.push({ op: 'markToBeDeleted', sourcedId: `stu-${String((i * step + 1) % STUDENTS).padStart(8, '0')}` });
  }
  if (opts.location !== 'none') {
    const moved = Math.max(1, Math.round(STUDENTS * DELTA_HOMEROOM_SHARE));
    const every = Math.max(1, Math.floor(STUDENTS / moved));
    for (let i = 0; i < moved; i++) {
      ops.push({ op: 'moveHomeroom', studentSourcedId: `stu-${String((i * every + 2) % STUDENTS).padStart(8, '0')}` });
    }
  }
  for (let i = 0; i < ops.length; i += 1000) {
    const res = await fetch(`${emulator.url}/_emulator/mutate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.credentials.partnerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(ops.slice(i, i + 1000)),
    });
    if (!res.ok) throw new Error(`mutating the emulator failed: ${res.status} ${await res.text()}`);
  }
}

/** How phases start: the compiled phase with node when dist/ is current, else through tsx (bench/compiled-phase.ts). */
let PHASE: PhaseEntry = { stale: 'not prepared yet' };

function runPhase(args: Record<string, unknown>): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    // Node's default heap, as `rollcall sync` gets it: a district of 1,000,000 students must
    // complete without raising it (a raised ceiling also lets V8 pile up more garbage).
    const env = { ...process.env };
    const entry = PHASE;
    const compiled = 'script' in entry;
    const script = ['script' in entry ? entry.script : join(ROOT, 'bench/phase.ts'), JSON.stringify(args)];
    // --cpu-prof is refused in NODE_OPTIONS: a profiled phase runs node itself (with tsx as a loader
    // when the phases run the TypeScript).
    const profile =
      opts.profile === args.phase ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'test-output/profiles', String(args.phase))}`] : [];
    const child =
      compiled || profile.length > 0
        ? spawn(process.execPath, [...profile, ...(compiled ? [] : ['--import', 'tsx']), ...script], {
            stdio: ['ignore', 'pipe', 'pipe'],
            env,
          })
        : spawn(TSX, script, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(err.trim() || `phase ${String(args.phase)} exited ${code}`));
      // ROLLCALL_BENCH_MEMLOG=1: each phase's memory timeline (bench/phase.ts), kept beside the profiles.
      if (process.env.ROLLCALL_BENCH_MEMLOG === '1' && err.trim() !== '') {
        mkdirSync(join(ROOT, 'test-output/memlog'), { recursive: true });
        writeFileSync(join(ROOT, 'test-output/memlog', `${String(args.phase)}-${Date.now()}.txt`), err);
      }
      resolve(JSON.parse(out.trim().split('\n').pop()!) as PhaseResult);
    });
  });
}

async function startEmulatorProcess(): Promise<{ info: EmulatorInfo; stop: () => void }> {
  const args = [join(ROOT, 'bench/emulator-process.ts'), String(STUDENTS), String(opts.seed)];
  if (opts.location !== 'none') args.push('enrollment-indexes');
  if (SCHOOLS !== undefined) args.push(`schools=${SCHOOLS}`);
  const child = spawn(TSX, args, {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=6144' },
  });
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise<EmulatorInfo>((resolve, reject) => {
    lines.once('line', (l) => resolve(JSON.parse(l) as EmulatorInfo));
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before it was ready`)));
  });
  return { info, stop: () => child.stdin.end() };
}

async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (e) {
    return `cannot reach ${PG_URL.replace(/:[^:@/]*@/, ':***@')} (${(e as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
}

function machine(): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    freeMemoryGb: Math.round(freemem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}

/** The phases side by side: wall, users/s, peak RSS, ratio to the floor. */
function table(runs: DbRun[]): string {
  const rows: string[] = ['| database | phase | wall | users/s | peak RSS | × floor | counts |', '|---|---|---|---|---|---|---|'];
  for (const r of runs) {
    if (r.skipped) {
      rows.push(`| ${r.db} | skipped: ${r.skipped} | | | | | |`);
      continue;
    }
    const floor = r.phases.find((p) => p.phase === 'floor')?.wallMs ?? NaN;
    const inScope = r.phases.find((p) => p.phase === 'first full')?.counts?.created ?? 0;
    for (const p of r.phases) {
      const users =
        p.phase === 'delta'
          ? (p.counts?.updated ?? 0) + (p.counts?.transferred ?? 0)
          : p.phase === 'floor' || inScope === 0
            ? p.users
            : inScope;
      const rate = p.wallMs > 0 ? Math.round(users / (p.wallMs / 1000)) : 0;
      const counts = p.counts
        ? Object.entries(p.counts)
            .filter(([, v]) => v > 0)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')
        : '';
      rows.push(
        `| ${r.db} | ${p.phase} | ${(p.wallMs / 1000).toFixed(2)} s | ${rate.toLocaleString('en-US')} | ${p.maxRssMb} MB | ${Number.isNaN(floor) ? '' : (p.wallMs / floor).toFixed(2)} | ${counts} |`,
      );
    }
  }
  return rows.join('\n');
}

function writeDocs(result: {
  date: string;
  machine: Record<string, string | number>;
  students: number;
  db: string;
  runs: DbRun[];
  pageSize: number;
  concurrency: number;
  location: string;
  schools?: number | undefined;
  serve?: number | undefined;
}): void {
  const path = join(ROOT, 'docs/benchmarks.md');
  const key =
    result.serve === undefined ? `${result.students}` : `${result.students}-serve-${result.serve}-of-${result.schools ?? 'default'}`;
  const begin = `<!-- bench:${key} -->`;
  const end = `<!-- /bench:${key} -->`;
  const schoolsFlag = `${result.schools === undefined ? '' : ` --schools ${result.schools}`}${result.serve === undefined ? '' : ` --serve ${result.serve}`}`;
  const m = result.machine;
  const section = [
    begin,
    `### ${result.students.toLocaleString('en-US')} students${result.serve === undefined ? '' : `, a library serving ${result.serve} of ${result.schools ?? 'the'} schools`} — ${result.date.slice(0, 10)}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; ${m.os}; Node ${m.node}. Page size ${result.pageSize}, ${result.concurrency} requests in flight. Load average (1 min) ${m.loadBefore} at the start, ${m.loadAfter} at the end.`,
    `Command: \`npm run bench -- --users ${result.students}${result.db === 'both' ? '' : ` --db ${result.db}`}${result.location === 'none' ? '' : ` --location ${result.location}`}${schoolsFlag}\`.`,
    '',
    table(result.runs),
    end,
  ].join('\n');
  let doc = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n\n## Results\n';
  if (doc.includes(begin)) doc = doc.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), section);
  else doc = `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, doc);
  log(`Recorded in docs/benchmarks.md.`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
