/**
 * The OneRoster CSV source end to end (SPEC §1.3), on SQLite and PostgreSQL: packages written from
 * a generated district are synced by the engine as the CSV integration. A bulk package is a
 * complete snapshot (absence → Transferred, with the thresholds); a delta package never
 * transfers by absence; malformed rows are warnings naming file and line; a package with a fatal
 * defect is refused with one sentence before anything is written; approving a held plan reads
 * the same package again, and refuses one that changed since.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATUS_ACTIVE, STATUS_TRANSFERRED } from '../src/domain/fields.ts';
import { isRollcallError } from '../src/domain/errors.ts';
import type { RosterUser } from '../src/domain/roster.ts';
import type { DistrictData } from '../src/domain/district.ts';
import { syncCsvPackage, type CsvSyncResult } from '../src/services/csv/sync-package.ts';
import { approveOperation } from '../src/sync/review.ts';
import {
  csvLibrary,
  generatedData,
  inScope,
  schoolIds,
  tempDirs,
  writePackage,
  zipFolder,
  type CsvLibrary,
} from './support/csv-fixture.ts';
import { describeEachDatabase } from './support/db.ts';

const STUDENTS = 60;
const data = generatedData(STUDENTS, 'csv-source-sync');
const ORGS = schoolIds(data).slice(0, 2);
const expected = inScope(data, ORGS);
const students = expected.filter((u) => u.role === 'student');
const tempDir = tempDirs();

/** The district with some users changed (a function of each user) and some left out. */
function variant(change: (u: RosterUser) => RosterUser | undefined): DistrictData {
  return { ...data, users: data.users.flatMap((u) => change(u) ?? []) };
}

async function sync(lib: CsvLibrary, path: string, dryRun = false): Promise<CsvSyncResult> {
  return syncCsvPackage(lib.deps, lib.libraryId, { path, dryRun, requestedBy: 'test' });
}

async function patronMap(lib: CsvLibrary) {
  return new Map((await lib.store.patrons.loadAll(lib.libraryId)).map((p) => [p.guid, p]));
}

async function logText(lib: CsvLibrary, op: number): Promise<string[]> {
  return (await lib.store.operations.log(lib.libraryId, op, { limit: 10_000 })).items.map((e) => `${e.level} ${e.message}`);
}

describeEachDatabase('csv source: syncing packages', (db) => {
  it('a bulk 1.1 package makes a full CSV sync: every user in scope created with name, site and status; again, nothing changes', async () => {
    const lib = await csvLibrary(db, ORGS);
    const pkg = await writePackage(join(await tempDir(), 'bulk'), data);
    const first = await sync(lib, pkg);
    expect(first).toMatchObject({ state: 'succeeded', type: 'csv_full_sync', packageKind: 'full', version: '1.1', complete: true });
    expect(first.counts).toMatchObject({ created: expected.length, updated: 0, transferred: 0, conflicts: 0, warnings: 0 });
    const op = await lib.store.operations.get(lib.libraryId, first.operation);
    expect(op?.source).toBe('csv');

    const patrons = await patronMap(lib);
    expect(patrons.size).toBe(expected.length);
    for (const u of [expected[0]!, students[0]!, students.at(-1)!]) {
      expect(patrons.get(u.sourcedId)).toMatchObject({
        firstName: u.givenName,
        lastName: u.familyName,
        site: lib.siteByOrg.get(u.orgSourcedIds[0]!),
        status: STATUS_ACTIVE,
        guidSource: 'csv',
        policy: u.role === 'student' ? 'Student' : 'Teacher',
      });
    }

    const again = await sync(lib, pkg);
    expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: expected.length, transferred: 0 });
  });

  it('a later bulk package is a complete snapshot: a student left out is transferred, a renamed one updated', async () => {
    const lib = await csvLibrary(db, ORGS);
    const dir = await tempDir();
    await sync(lib, await writePackage(join(dir, 'day1'), data));
    const [gone, renamed] = [students[3]!, students[4]!];
    const day2 = variant((u) =>
      u.sourcedId === gone.sourcedId ? undefined : u.sourcedId === renamed.sourcedId ? { ...u, familyName: 'Renamed' } : u,
    );
    const r = await sync(lib, await writePackage(join(dir, 'day2'), day2));
    expect(r.counts).toMatchObject({ created: 0, updated: 1, transferred: 1, unchanged: expected.length - 2 });
    const patrons = await patronMap(lib);
    expect(patrons.get(gone.sourcedId)?.status).toBe(STATUS_TRANSFERRED);
    expect(patrons.get(renamed.sourcedId)).toMatchObject({ lastName: 'Renamed', status: STATUS_ACTIVE });
  });

  it('a bulk package without demographics.csv does not share them: Birthdate and Sex kept; one whose demographics.csv lacks a student blanks theirs', async () => {
    const lib = await csvLibrary(db, ORGS);
    const dir = await tempDir();
    await sync(lib, await writePackage(join(dir, 'day1'), data));
    const student = students.find((u) => data.demographics.some((d) => d.sourcedId === u.sourcedId && d.birthDate !== ''))!;
    const before = (await patronMap(lib)).get(student.sourcedId)!;
    expect(before.birthdate).not.toBe('');

    const { demographics: _dropped, ...withoutFile } = data;
    const kept = await sync(lib, await writePackage(join(dir, 'day2'), withoutFile));
    expect(kept.counts).toMatchObject({ updated: 0, warnings: 1 });
    expect(await logText(lib, kept.operation)).toContainEqual(
      expect.stringMatching(
        /^warning The district does not share demographics with this app \(day2 has no demographics\.csv\); Birthdate and Sex are left as they are\.$/,
      ),
    );
    expect((await patronMap(lib)).get(student.sourcedId)).toEqual(before);

    const lacking = { ...data, demographics: data.demographics.filter((d) => d.sourcedId !== student.sourcedId) };
    const blanked = await sync(lib, await writePackage(join(dir, 'day3'), lacking));
    expect(blanked.counts).toMatchObject({ updated: 1, warnings: 1 });
    expect((await patronMap(lib)).get(student.sourcedId)).toMatchObject({ birthdate: '', sex: '' });
    expect(await logText(lib, blanked.operation)).toContain(
      `warning ${student.sourcedId}: No demographics record in the roster; Birthdate and Sex blanked.`,
    );
  });

  it('past the transfer threshold it stops for review; approving after a patron edit reads the same package again and applies', async () => {
    const lib = await csvLibrary(db, ORGS);
    const dir = await tempDir();
    await sync(lib, await writePackage(join(dir, 'day1'), data));
    const leaving = new Set(students.slice(0, Math.ceil(students.length / 4)).map((u) => u.sourcedId));
    const zip = await zipFolder(
      await writePackage(
        join(dir, 'day2'),
        variant((u) => (leaving.has(u.sourcedId) ? undefined : u)),
      ),
      join(dir, 'day2.zip'),
    );
    const held = await sync(lib, zip);
    expect(held.state).toBe('needs_review');
    expect(held.counts.transferred).toBe(leaving.size);
    expect((await lib.store.csvPackages.byOperation(lib.libraryId, held.operation))?.name).toBe('day2.zip');

    // A patron written meanwhile makes the stored plan stale: approval re-plans from the package.
    const someone = (await patronMap(lib)).get(students.at(-1)!.sourcedId)!;
    await lib.store.patrons.updateMany(lib.libraryId, [{ ...someone, nickname: 'Edited by hand' }]);
    const approved = await approveOperation(lib.deps, lib.libraryId, held.operation, 'librarian');
    expect(approved.state).toBe('succeeded');
    expect(approved.counts.transferred).toBe(leaving.size);
    expect(await logText(lib, held.operation)).toContain(
      'info Patrons changed since this plan was made: reading the roster and planning again.',
    );
    const patrons = await patronMap(lib);
    for (const id of leaving) expect(patrons.get(id)?.status).toBe(STATUS_TRANSFERRED);
  });

  it('approving a held plan whose package has changed since is refused and applies nothing', async () => {
    const lib = await csvLibrary(db, ORGS);
    const dir = await tempDir();
    await sync(lib, await writePackage(join(dir, 'day1'), data));
    const leaving = new Set(students.slice(0, Math.ceil(students.length / 4)).map((u) => u.sourcedId));
    const day2 = await writePackage(
      join(dir, 'day2'),
      variant((u) => (leaving.has(u.sourcedId) ? undefined : u)),
    );
    const held = await sync(lib, day2);
    expect(held.state).toBe('needs_review');
    // The district's next upload lands in the same folder before the admin approves.
    await appendFile(join(day2, 'orgs.csv'), 'org-new,,,New School,school,,\r\n');
    const someone = (await patronMap(lib)).get(students.at(-1)!.sourcedId)!;
    await lib.store.patrons.updateMany(lib.libraryId, [{ ...someone, nickname: 'Edited by hand' }]);
    const approved = await approveOperation(lib.deps, lib.libraryId, held.operation, 'librarian');
    expect(approved.state).toBe('failed');
    expect(approved.error).toMatch(/^The package day2 has changed since operation \d+ read it/);
    for (const id of leaving) expect((await patronMap(lib)).get(id)?.status).toBe(STATUS_ACTIVE);
  });

  it('a delta package with no earlier sync stays a delta: it creates what it holds and nothing else', async () => {
    const lib = await csvLibrary(db, ORGS);
    const fresh = students[5]!;
    const first = await sync(
      lib,
      await writePackage(join(await tempDir(), 'delta0'), { orgs: data.orgs, users: [fresh] }, { mode: 'delta' }),
    );
    expect(first).toMatchObject({ type: 'csv_delta_sync', packageKind: 'delta', state: 'succeeded' });
    expect(first.counts).toMatchObject({ created: 1, transferred: 0 });
    expect([...(await patronMap(lib)).keys()]).toEqual([fresh.sourcedId]);
    expect(await logText(lib, first.operation)).toContain(
      'info The package is a delta: the changes it holds are read whole, and no patron is transferred for being absent from it.',
    );
  });

  it('a delta package never transfers by absence: tobedeleted is Transferred, a change updated, the rest left alone', async () => {
    const lib = await csvLibrary(db, ORGS);
    const dir = await tempDir();
    const [leaving, changed] = [students[1]!, students[2]!];
    await sync(lib, await writePackage(join(dir, 'bulk'), data));
    const delta = await writePackage(
      join(dir, 'delta1'),
      {
        orgs: data.orgs,
        users: [
          { ...leaving, status: 'tobedeleted' },
          { ...changed, givenName: 'Changed' },
        ],
      },
      { mode: 'delta' },
    );
    const r = await sync(lib, delta);
    expect(r.counts).toMatchObject({ created: 0, updated: 1, transferred: 1 });
    const patrons = await patronMap(lib);
    expect(patrons.get(leaving.sourcedId)?.status).toBe(STATUS_TRANSFERRED);
    expect(patrons.get(changed.sourcedId)).toMatchObject({ firstName: 'Changed', status: STATUS_ACTIVE });
    const others = [...patrons.values()].filter((p) => p.guid !== leaving.sourcedId);
    expect(others.every((p) => p.status === STATUS_ACTIVE)).toBe(true);
  });

  it('a 1.2 package (roles in roles.csv) syncs the same people', async () => {
    const lib = await csvLibrary(db, ORGS);
    const r = await sync(lib, await writePackage(join(await tempDir(), 'v12'), data, { version: '1.2' }));
    expect(r).toMatchObject({ state: 'succeeded', version: '1.2' });
    expect(r.counts.created).toBe(expected.length);
  });

  it('malformed rows are warnings naming file and line; the user of a broken row is not transferred as absent', async () => {
    const lib = await csvLibrary(db, ORGS);
    const dir = await tempDir();
    await sync(lib, await writePackage(join(dir, 'day1'), data));
    const broken = students[7]!;
    const r = await sync(
      lib,
      await writePackage(
        join(dir, 'day2'),
        variant((u) => (u.sourcedId === broken.sourcedId ? { ...u, givenName: '' } : u)),
      ),
    );
    expect(r.state).toBe('succeeded_with_warnings');
    expect(r.counts).toMatchObject({ transferred: 0, created: 0, updated: 0 });
    const line = data.users.findIndex((u) => u.sourcedId === broken.sourcedId) + 2;
    expect(await logText(lib, r.operation)).toContain(
      `warning Skipped a malformed users record (users.csv line ${line}): missing givenName`,
    );
    expect((await patronMap(lib)).get(broken.sourcedId)?.status).toBe(STATUS_ACTIVE);
  });

  it('a dry run of a package writes nothing and does not count it as processed', async () => {
    const lib = await csvLibrary(db, ORGS);
    const r = await sync(lib, await writePackage(join(await tempDir(), 'dry'), data), true);
    expect(r).toMatchObject({ type: 'dry_run', state: 'succeeded' });
    expect(r.counts.created).toBe(expected.length);
    expect(await lib.store.patrons.count(lib.libraryId)).toBe(0);
    expect(await lib.store.csvPackages.recent(lib.libraryId, 5)).toEqual([]);
  });

  it('--full on a delta package is a usage error', async () => {
    const lib = await csvLibrary(db, ORGS);
    const delta = await writePackage(join(await tempDir(), 'delta'), { orgs: data.orgs, users: students.slice(0, 2) }, { mode: 'delta' });
    const e = await syncCsvPackage(lib.deps, lib.libraryId, { path: delta, dryRun: false, requestedBy: 'test', kind: 'full' }).catch(
      (x: unknown) => x,
    );
    expect(isRollcallError(e, 'usage')).toBe(true);
    expect((e as Error).message).toBe(
      '--full does not apply: delta is a delta package (changes only), so it makes a delta sync; its manifest decides.',
    );
  });

  describe('a package with a fatal defect is refused with one sentence before anything is written', () => {
    const cases: [string, (dir: string) => Promise<string>, RegExp][] = [
      [
        'no users.csv',
        async (dir) => writePackage(join(dir, 'no-users'), { orgs: data.orgs }),
        /^no-users has no users\.csv \(or its manifest lists it as absent\), so there is nobody to sync/,
      ],
      [
        'not a zip at all',
        async (dir) => {
          await writeFile(join(dir, 'broken.zip'), 'PK\u0003\u0004 this is not really a zip');
          return join(dir, 'broken.zip');
        },
        /^broken\.zip is not a readable zip file/,
      ],
      [
        'an unknown OneRoster version',
        async (dir) => {
          const pkg = await writePackage(join(dir, 'v9'), data);
          await writeFile(
            join(pkg, 'manifest.csv'),
            (await readFile(join(pkg, 'manifest.csv'), 'utf8')).replace('oneroster.version,1.1', 'oneroster.version,9.0'),
          );
          return pkg;
        },
        /^v9 declares OneRoster version "9\.0", which Rollcall does not know/,
      ],
      [
        'users.csv without a required column',
        async (dir) => {
          const pkg = join(dir, 'no-family');
          await mkdir(pkg);
          await writeFile(join(pkg, 'users.csv'), 'sourcedId,role,orgSourcedIds,givenName\r\nu1,student,s1,Ann\r\n');
          return pkg;
        },
        /users\.csv/,
      ],
    ];
    it.each(cases)('%s', async (_name, make, message) => {
      const lib = await csvLibrary(db, ORGS);
      const path = await make(await tempDir());
      const e = await sync(lib, path).catch((x: unknown) => x);
      expect(isRollcallError(e, 'invalid_input'), String(e)).toBe(true);
      expect((e as Error).message).toMatch(message);
      expect((e as Error).message).not.toContain('\n');
      expect(await lib.store.operations.list(lib.libraryId)).toEqual([]);
      expect(await lib.store.patrons.count(lib.libraryId)).toBe(0);
    });
  });
});
