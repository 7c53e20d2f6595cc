/**
 * Measures the patron search of the web admin (store.patrons.search, the /patrons page and
 * GET /api/v1/patrons) on a library of N patrons (default 100,000), on SQLite and PostgreSQL:
 * each query's median over a few runs, the first page (50) and its total count together, as
 * the page asks for them. With --plans it prints each engine's query plan too.
 *
 *     npx tsx bench/patron-search.ts [N] [--plans] [postgres://…]   # PostgreSQL skipped when unreachable
 *
 * PostgreSQL's table is analysed first, as autovacuum does soon after a bulk load (before that,
 * its planner guesses and a deep page can take over a second). SQLite is not analysed: Rollcall
 * never runs ANALYZE, so the queries are written to need no statistics (patron-search.ts).
 *
 * Names come from the emulator's word lists (~70 family names): a name prefix matches far more
 * patrons than in a real district, so the name figures are pessimistic. One patron in 50 has an
 * accented family name instead (ACCENTED), so the accent-free searches have something to find.
 * The time of inserting the N patrons (insertMany, 20,000 per transaction) is printed too: the
 * search's indexes are paid for there.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES } from '../src/emulator/names.ts';
import { mix, pick } from '../src/emulator/seeded.ts';
import { openStore, type PatronSearch, type PatronWrite, type Store } from '../src/store/store.ts';

const args = process.argv.slice(2);
const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
const showPlans = args.includes('--plans');
const pgUrl = args.find((a) => a.startsWith('postgres')) ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUNS = 7;
const SITES = ['MHS', 'ELM', 'OAK'];
/** Family names with accents and combining marks (one patron in 50 has one). */
const ACCENTED = ['Adébáyọ̀', 'Núñez', 'Müller', 'Østergård', 'Łukasiewicz', 'Çelik', 'Nguyễn', 'Großmann'];

function patron(i: number): PatronWrite {
  const first = pick(GIVEN_NAMES, mix(7, i, 1));
  const last = i % 50 === 7 ? pick(ACCENTED, mix(7, i, 4)) : pick(FAMILY_NAMES, mix(7, i, 2));
  return {
    ...emptyPatronValues(),
    guid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    barcode: `B${100000 + i}`,
    communityId: `S${i}`,
    firstName: first,
    middleName: pick(MIDDLE_NAMES, mix(7, i, 3)),
    lastName: last,
    email: `student${i}@district.example.org`,
    level: String((i % 12) + 1).padStart(2, '0'),
    site: SITES[i % SITES.length]!,
    // 1% Transferred, a few with a library's own code.
    status: i % 100 === 0 ? 4 : i % 997 === 0 ? 7 : 1,
    policy: 'Student',
    guidSource: 'classlink',
    matchedBy: 'created',
  };
}

/** The searches the page makes, by what a librarian types. */
const SEARCHES: [string, PatronSearch][] = [
  ['list, first page (no text)', {}],
  ['list, page 1,000 (offset 49,950)', { offset: 49_950 }],
  ['barcode B150000 (exact)', { query: 'B150000' }],
  ['Student # S4242 (exact)', { query: 'S4242' }],
  ['GUID (exact)', { query: '00000000-0000-4000-8000-000000031337' }],
  ['email, other case (exact)', { query: 'Student777@District.Example.org' }],
  ['last name prefix "smi"', { query: 'smi' }],
  ['first name prefix "oli"', { query: 'oli' }],
  ['one letter "m"', { query: 'm' }],
  ['"Smith, Ol" (last, first)', { query: 'Smith, Ol' }],
  ['"Olivia Smith" (first last)', { query: 'Olivia Smith' }],
  ['no match "zzqx"', { query: 'zzqx' }],
  ['"adebayo" (accent-free)', { query: 'adebayo' }],
  ['"Adébáyọ̀" (as written)', { query: 'Adébáyọ̀' }],
  ['"nguyen" (accent-free)', { query: 'nguyen' }],
  ['"smi" at site ELM', { query: 'smi', siteCode: 'ELM' }],
  ['status 4, no text', { status: 4 }],
  ['status 7, no text (rare)', { status: 7 }],
];

async function median(work: () => Promise<unknown>): Promise<number> {
  await work(); // warm the caches and the statement cache
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function run(
  name: string,
  store: Store,
  plan: (s: PatronSearch) => Promise<string>,
  analyze: () => Promise<void> = async () => {},
): Promise<void> {
  process.stdout.write(`${name}: ${count.toLocaleString('en')} patrons\n`);
  const lib = (await store.libraries.byCode('default'))!;
  for (const code of SITES) await store.sites.add(lib.id, { code, name: code });
  const rows = Array.from({ length: count }, (_, i) => patron(i));
  const inserting = performance.now();
  for (let start = 0; start < rows.length; start += 20_000) {
    await store.transaction((tx) => tx.patrons.insertMany(lib.id, rows.slice(start, start + 20_000)));
  }
  process.stdout.write(`  inserted in ${((performance.now() - inserting) / 1000).toFixed(2)} s\n`);
  // PostgreSQL's autovacuum analyses a table soon after a bulk load; the bench does not wait for it.
  if (store.dialect === 'postgres') await analyze();
  process.stdout.write(`  ${'search'.padEnd(36)} ${'median'.padStart(9)}  found\n`);
  for (const [label, search] of SEARCHES) {
    const { total, items } = await store.patrons.search(lib.id, search);
    const ms = await median(() => store.patrons.search(lib.id, search));
    process.stdout.write(
      `  ${label.padEnd(36)} ${ms.toFixed(1).padStart(6)} ms  ${total.toLocaleString('en')}${items.length ? '' : ' (page empty)'}\n`,
    );
    if (showPlans) process.stdout.write(`${(await plan(search)).replace(/^/gm, '      ')}\n`);
  }
}

/** The engine's plan of the page query (not the count), read through a second connection. */
function sqlitePlan(file: string) {
  return async (search: PatronSearch): Promise<string> => {
    const { default: Database } = await import('better-sqlite3');
    const { compiledSearch } = await compiler('sqlite');
    const db = new Database(file, { readonly: true });
    try {
      const q = compiledSearch(search);
      const rows = db.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as { detail: string }[];
      return rows.map((r) => r.detail).join('\n');
    } finally {
      db.close();
    }
  };
}

function postgresPlan(schema: string) {
  return async (search: PatronSearch): Promise<string> => {
    const { compiledSearch } = await compiler('postgres');
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      await client.query(`set search_path to "${schema}"`);
      const q = compiledSearch(search);
      const result = await client.query(`explain ${q.sql}`, q.parameters as unknown[]);
      return result.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    } finally {
      await client.end();
    }
  };
}

/** Compiles the page query of a search the way the store builds it (a store over a dummy context). */
async function compiler(dialect: 'sqlite' | 'postgres') {
  const {
    Kysely,
    SqliteAdapter,
    PostgresAdapter,
    DummyDriver,
    SqliteIntrospector,
    PostgresIntrospector,
    SqliteQueryCompiler,
    PostgresQueryCompiler,
  } = await import('kysely');
  const db = new Kysely<never>({
    dialect: {
      createAdapter: () => (dialect === 'sqlite' ? new SqliteAdapter() : new PostgresAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => (dialect === 'sqlite' ? new SqliteIntrospector(k) : new PostgresIntrospector(k)),
      createQueryCompiler: () => (dialect === 'sqlite' ? new SqliteQueryCompiler() : new PostgresQueryCompiler()),
    },
  });
  const { searchQuery } = await import('../src/store/patron-search.ts');
  return {
    compiledSearch: (s: PatronSearch) => searchQuery(db as never, 1, new Map(SITES.map((c, i) => [c, i + 1])), s)!.page.compile(),
  };
}

process.stdout.write(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores\n`,
);
const folder = mkdtempSync(join(tmpdir(), 'rollcall-bench-'));
try {
  const file = join(folder, 'bench.db');
  const sqlite = await openStore({ url: `sqlite:${file}`, dataDir: folder });
  await run('SQLite', sqlite, sqlitePlan(file));
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
      await run('PostgreSQL', postgres, postgresPlan(schema), async () => {
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        await client.query(`analyze "${schema}".patrons`);
        await client.end();
      });
    } finally {
      await postgres.close();
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  }
  process.stdout.write(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end\n`,
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
