/**
 * Writes the benchmark's district as a OneRoster CSV package folder, streaming each collection
 * from the generator (never materialised), so a 1,000,000-student package is written in bounded
 * memory:
 *
 *   tsx bench/csv-package.ts DIR STUDENTS SEED [1.1|1.2]
 *
 * Prints one JSON line: { dir, students, users, bytes, writeMs }. Also used by bench/phase.ts.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeCsvPackage, type OneRosterVersion } from '../src/csv/index.ts';
import { generateDistrict } from '../src/emulator/generated-district.ts';
import type { Table } from '../src/emulator/table.ts';

/** Every current record of a generated table, in sourcedId order, one at a time. */
function* records<T extends { sourcedId: string }>(table: Table<T>): Generator<T> {
  const rows = table.order();
  for (let k = 0; k < rows.length; k++) yield table.record(rows.at(k));
}

/** Writes the generated district as a package in `dir`; returns its figures. */
export async function writeGeneratedPackage(
  dir: string,
  students: number,
  seed: string,
  version: OneRosterVersion = '1.1',
): Promise<{ dir: string; students: number; users: number; bytes: number; writeMs: number }> {
  const started = performance.now();
  const district = generateDistrict({ students, seed });
  const t = district.tables;
  let users = 0;
  const counted = function* (): Generator<ReturnType<typeof t.users.record>> {
    for (const u of records(t.users)) {
      users++;
      yield u;
    }
  };
  await writeCsvPackage(
    dir,
    {
      orgs: records(t.orgs),
      academicSessions: records(t.academicSessions),
      users: counted(),
      demographics: records(t.demographics),
      classes: records(t.classes),
      enrollments: records(t.enrollments),
    },
    { version },
  );
  let bytes = 0;
  for (const name of await readdir(dir)) bytes += (await stat(join(dir, name))).size;
  return { dir, students, users, bytes, writeMs: Math.round(performance.now() - started) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, students, seed, version] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: tsx bench/csv-package.ts DIR STUDENTS SEED [1.1|1.2]\n');
    process.exit(2);
  }
  const r = await writeGeneratedPackage(dir, Number(students ?? 100_000), seed ?? 'bench', version === '1.2' ? '1.2' : '1.1');
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
