/**
 * What the journal (SPEC §3.9) costs a first sync's apply: inserting N new patrons (default
 * 100,000) in one transaction, as apply does, without a journal; with one `*` row per patron
 * built by the database from the rows just inserted (`in SQL`: what apply writes,
 * journal.appendCreated); with the same rows built in JavaScript and appended one statement
 * run each (`in JS`: what apply wrote before); and with one row per non-blank field (the
 * alternative SPEC §3.9 describes), on SQLite and PostgreSQL. Each variant runs `rounds` times (default 3), interleaved, into a fresh library;
 * the medians are printed. CPU time is this process's (PostgreSQL's server work is not in it).
 *
 *     npx tsx bench/journal.ts [N] [rounds] [postgres://…] [sqlite|postgres|both]   # PostgreSQL skipped when unreachable
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { FIELDS } from '../src/domain/fields.ts';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { createdValuesJson, openStore, type JournalWrite, type PatronWrite, type Store } from '../src/store/store.ts';

const count = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 3);
const pgUrl = process.argv[4] ?? 'postgres://postgres@127.0.0.1:5432/test';
const engines = process.argv[5] ?? 'both';
/** Patrons per insert call, as sync/apply.ts writes them. */
const CHUNK = 10_000;

function patron(i: number): PatronWrite {
  return {
    ...emptyPatronValues(),
    guid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
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

type Variant = 'none' | 'in SQL' | 'in JS' | 'per field';

function jsRows(ids: readonly number[], rows: readonly PatronWrite[]): JournalWrite[] {
  return rows.map((row, i) => ({ patronId: ids[i]!, field: '*', oldValue: null, newValue: createdValuesJson(row), kind: 'create' }));
}

function perFieldRows(ids: readonly number[], rows: readonly PatronWrite[]): JournalWrite[] {
  const out: JournalWrite[] = [];
  rows.forEach((row, i) => {
    for (const { key } of FIELDS) {
      const v = String(row[key]);
      if (v !== '') out.push({ patronId: ids[i]!, field: key, oldValue: null, newValue: v, kind: 'create' });
    }
  });
  return out;
}

async function once(store: Store, variant: Variant, n: number): Promise<{ wall: number; cpu: number; rows: number }> {
  const lib = await store.libraries.ensure(`bench${n}_${randomBytes(3).toString('hex')}`, 'Bench');
  await store.sites.add(lib.id, { code: 'MHS', name: 'Main High' });
  await store.sites.add(lib.id, { code: 'ELM', name: 'Elm' });
  const rows = Array.from({ length: count }, (_, i) => patron(i));
  let journaled = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  await store.transaction(async (tx) => {
    for (let s = 0; s < rows.length; s += CHUNK) {
      const chunk = rows.slice(s, s + CHUNK);
      const ids = await tx.patrons.insertMany(lib.id, chunk);
      if (variant === 'none') continue;
      if (variant === 'in SQL') {
        await tx.journal.appendCreated(lib.id, { operationId: null }, ids, 'create');
        journaled += ids.length;
        continue;
      }
      const journal = variant === 'in JS' ? jsRows(ids, chunk) : perFieldRows(ids, chunk);
      journaled += journal.length;
      await tx.journal.append(lib.id, { operationId: null }, journal);
    }
  });
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6, rows: journaled };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function run(name: string, store: Store): Promise<void> {
  const variants: Variant[] = ['none', 'in SQL', 'in JS', 'per field'];
  const results = new Map<Variant, { wall: number[]; cpu: number[]; rows: number }>(
    variants.map((v) => [v, { wall: [], cpu: [], rows: 0 }]),
  );
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      const x = await once(store, v, ++n);
      const acc = results.get(v)!;
      acc.wall.push(x.wall);
      acc.cpu.push(x.cpu);
      acc.rows = x.rows;
    }
  }
  process.stdout.write(`${name}: ${count.toLocaleString('en')} new patrons in one transaction, median of ${rounds}\n`);
  for (const v of variants) {
    const acc = results.get(v)!;
    process.stdout.write(
      `  ${v.padEnd(10)} ${acc.rows.toLocaleString('en').padStart(9)} journal rows  ${median(acc.wall).toFixed(2)} s wall  ${median(acc.cpu).toFixed(2)} s CPU  (walls ${acc.wall.map((w) => w.toFixed(2)).join(', ')})\n`,
    );
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
process.stdout.write(`load average ${load()} on ${cpus().length} cores\n`);
const folder = mkdtempSync(join(tmpdir(), 'rollcall-bench-'));
try {
  if (engines !== 'postgres') {
    const sqlite = await openStore({ url: `sqlite:${join(folder, 'bench.db')}`, dataDir: folder });
    await run('SQLite', sqlite);
    await sqlite.close();
  }
  const schema = `rc_bench_${randomBytes(4).toString('hex')}`;
  let postgres: Store | undefined;
  try {
    if (engines !== 'sqlite') postgres = await openStore({ url: pgUrl, pgSchema: schema, dataDir: folder });
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
  process.stdout.write(`load average at the end ${load()}\n`);
}
