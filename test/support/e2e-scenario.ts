/**
 * The end-to-end scenario, for any roster source (test/e2e-cli.test.ts runs it against
 * ClassLink, test/e2e-oneroster12.test.ts against a OneRoster 1.2 server with OAuth 2): ONLY
 * the command line, on a temporary database, against the emulator, on SQLite and on
 * PostgreSQL. The story: a library with existing patrons imports them, connects to the source,
 * maps two of three schools, dry-runs and syncs; the district changes (a rename, moves, a
 * leaver, a purge, a returning student); a delta and a full sync follow; a threshold stops a
 * sync for review and it is approved; the export is checked field by field against values
 * computed from the emulator's own roster (test/support/e2e-roster.ts).
 *
 * The steps are one `it` each and build on one another, in order.
 */
import { parse } from 'csv-parse/sync';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/server.ts';
import type { RunningEmulator } from '../../src/emulator/types.ts';
import { dbEnv, rollcall, rollcallHere, tempDir, type CliRun } from '../cli-support.ts';
import type { StoreDialect } from '../../src/store/store.ts';
import { describeEachDatabase } from './db.ts';
import {
  EXPORT_CSV_HEADER,
  EXPORT_KEYS,
  expectedPatron,
  firstOrg,
  inScope,
  listedButNotFirst,
  readHomerooms,
  type ExportedPatron,
  type Roster,
} from './e2e-roster.ts';

/** A roster source the scenario runs against, and how the command line reaches it. */
export interface E2eSource {
  /** The suite's title: `e2e: the command line alone, against <title>`. */
  title: string;
  /** The command group that sets it up: `classlink`, `oneroster`. */
  command: string;
  /** Step 2's title: how it connects. */
  connects: string;
  /** The arguments of `<command> configure` for an emulator. */
  configure(emulator: RunningEmulator): string[];
  /** The roster as the source serves it now: the oracle, read off the wire independently of Rollcall. */
  readRoster(emulator: RunningEmulator): Promise<Roster>;
  /** The display names `operations list` gives this source's operations. */
  typeNames: { full: string; delta: string; dryRun: string };
  /** Secrets that must never be printed. */
  secrets(emulator: RunningEmulator): string[];
  /**
   * `process`: each step is a child process (`rollcall`, the scripting contract);
   * `here`: the same command line run in this process (runCli), much faster — for a second
   * source, once the contract is covered by the first.
   */
  runner: 'process' | 'here';
  /**
   * Requests served on the source's own paths so far (optional): the full sync of step 3 must
   * raise it, so a sync that reached the emulator some other way (1.1 paths) fails.
   */
  sourceRequests?: (emulator: RunningEmulator) => number;
}

/** The district: small, and the same on every run. */
const DISTRICT = { students: 60, seed: 'e2e-cli' };
/** The keys of `sync --json`'s counts (SPEC §8), in order. */
const COUNT_KEYS = ['created', 'updated', 'unchanged', 'transferred', 'reactivated', 'skipped', 'conflicts', 'warnings'] as const;
/** The library's sites: two matched to the source's schools, one (a branch library) never matched. */
const SITE = { main: 'MAIN', east: 'EAST', branch: 'BRANCH' } as const;
/** Status 1026 codes (SPEC §1.2). */
const ACTIVE = 1;
const TRANSFERRED = 4;

/** The counts of an operation (SPEC §3.7). */
type Counts = Record<(typeof COUNT_KEYS)[number], number>;

/** The result `sync --json` prints. */
interface SyncJson {
  operation: number;
  state: string;
  counts: Counts;
  complete: boolean;
}

/** An operation as `operations list --json` prints it. */
interface OperationJson {
  id: number;
  typeName: string;
  state: string;
  counts: Counts;
}

/** Registers the scenario for a source, on SQLite and PostgreSQL (or `only` one of them: see describeEachDatabase). */
export function e2eScenario(source: E2eSource, only?: StoreDialect): void {
  describeEachDatabase(
    `e2e: the command line alone, against ${source.title}`,
    (db) => {
      let emulator: RunningEmulator;
      let scratch: { path: string; remove: () => void };
      const outputs: string[] = [];

      // What the steps learn and hand on.
      let schoolA: string; // matched to MAIN
      let schoolB: string; // matched to EAST
      let schoolC: string; // never matched
      let before: Roster; // the roster as it was before the district changed
      const people = {} as Record<
        | 'byEmail' // a MAIN student the library knows by email (typed in upper case)
        | 'teacherByEmail' // an EAST teacher the library knows by email
        | 'byStudentNo' // a MAIN student the library knows by Student # (Community ID)
        | 'returningByStudentNo' // an EAST student imported as Transferred (left last year), back now
        | 'ambiguous' // a MAIN student whose email two imported patrons share: a conflict
        | 'renamed' // step 4: new family name and email
        | 'movedEast' // step 4: moves from school A to school B
        | 'movedAway' // step 4: moves to the unmatched school C, then comes back (step 6)
        | 'leaving' // step 4: tobedeleted
        | 'purged' // step 4: removed from the feed
        | 'reviewed', // step 6b: a rename held for review
        string
      >;
      const unrelated: ExportedPatron = {
        guid: '',
        barcode: 'B0777',
        communityId: 'L-77',
        firstName: 'Pat',
        middleName: 'Q',
        lastName: 'Unrelated',
        birthdate: '2015-03-04',
        sex: 'Female',
        phone: '555-0100',
        email: 'pat.unrelated@library.example.org',
        additionalContact: 'Sam Unrelated (555-0101)',
        otherEmails: 'sam@library.example.org',
        location: 'Room 9',
        level: '05',
        site: SITE.main,
        status: ACTIVE,
        policy: 'Student',
      };
      let imported: ExportedPatron[]; // the export right after the import
      const ops: { full?: SyncJson; dry?: SyncJson; delta?: SyncJson; second?: SyncJson; reviewed?: SyncJson } = {};
      const imports: { refused?: number; applied?: number } = {}; // the import operations of step 1

      beforeAll(async () => {
        emulator = await startEmulator({ district: DISTRICT });
        scratch = tempDir('rollcall-e2e-');
      });
      afterAll(async () => {
        await emulator?.close();
        scratch?.remove();
      });

      /** Runs `rollcall …args` as a child process on this suite's database; checks the exit code. */
      async function cli(args: string[], expectedCode = 0): Promise<CliRun> {
        const run = source.runner === 'process' ? await rollcall(args, { env: dbEnv(db) }) : await rollcallHere(args, dbEnv(db));
        outputs.push(run.stdout, run.stderr);
        expect(run.code, `rollcall ${args.join(' ')}\n${run.stderr}`).toBe(expectedCode);
        return run;
      }
      const json = async <T>(args: string[], expectedCode = 0): Promise<T> => JSON.parse((await cli(args, expectedCode)).stdout) as T;
      const exportJson = () => json<ExportedPatron[]>(['patrons', 'export', '--format', 'json']);
      const byGuid = (patrons: ExportedPatron[], guid: string): ExportedPatron => {
        const found = patrons.filter((p) => p.guid === guid);
        expect(found, `patrons holding ${guid}`).toHaveLength(1);
        return found[0]!;
      };
      const siteByOrg = new Map<string, string>();
      const synced = (roster: Roster, sourcedId: string, kept?: Pick<ExportedPatron, 'barcode' | 'location'>) =>
        expectedPatron(roster, sourcedId, siteByOrg, kept);
      const expectSyncJson = (result: SyncJson) => {
        expect(Object.keys(result)).toEqual(['operation', 'state', 'counts', 'complete']);
        expect(Object.keys(result.counts)).toEqual([...COUNT_KEYS]);
        expect(Number.isInteger(result.operation)).toBe(true);
      };

      it('1. adds sites and imports the existing patrons, rejecting a bad row by its line', async () => {
        for (const [code, name] of [
          [SITE.main, 'Main Library'],
          [SITE.east, 'East Library'],
          [SITE.branch, 'Branch Library'],
        ] as const) {
          await cli(['sites', 'add', '--code', code, '--name', name]);
        }
        const sites = await json<{ code: string; orgSourcedId: string }[]>(['sites', 'list', '--json']);
        expect(sites.map((s) => s.code).sort()).toEqual([SITE.branch, SITE.east, SITE.main]);

        // The schools, by sourcedId, from the roster itself; people are picked by rule, not by id.
        before = await source.readRoster(emulator);
        [schoolA, schoolB, schoolC] = [...new Set([...before.users.values()].filter((u) => u.role === 'student').map(firstOrg))].sort() as [
          string,
          string,
          string,
        ];
        const students = (org: string) =>
          [...before.users.values()]
            .filter(
              (u) =>
                u.role === 'student' &&
                u.orgs.length === 1 &&
                firstOrg(u) === org &&
                u.email &&
                u.identifier &&
                (u.agents ?? []).length > 0,
            )
            .map((u) => u.sourcedId)
            .sort();
        const a = students(schoolA);
        const b = students(schoolB);
        const teacherB = [...before.users.values()].find((u) => u.role === 'teacher' && firstOrg(u) === schoolB && u.email)!.sourcedId;
        Object.assign(people, {
          byEmail: a[0],
          byStudentNo: a[1],
          ambiguous: a[2],
          renamed: a[3],
          movedEast: a[4],
          movedAway: a[5],
          leaving: a[6],
          purged: a[7],
          returningByStudentNo: b[0],
          reviewed: b[1],
          teacherByEmail: teacherB,
        });
        for (const id of Object.values(people)) expect(id).toBeTruthy();
        siteByOrg.set(schoolA, SITE.main).set(schoolB, SITE.east);
        const u = (id: string) => before.users.get(id)!;

        const rows = [
          [...EXPORT_CSV_HEADER],
          // Known by email, typed in upper case (the spaces around it the import trims): matched
          // case-insensitively; its own Barcode and Location (not mapped) stay.
          [
            '',
            'B0001',
            '',
            'Old',
            '',
            'Name',
            '',
            '',
            '',
            `  ${u(people.byEmail).email!.toUpperCase()} `,
            '',
            '',
            'Room 1',
            '',
            SITE.main,
            '1',
            'Student',
          ],
          [
            '',
            'B0002',
            '',
            'Teach',
            '',
            'Er',
            '',
            '',
            '',
            u(people.teacherByEmail).email!.replace(/^./, (c) => c.toUpperCase()),
            '',
            '',
            '',
            '',
            SITE.east,
            '',
            'Teacher',
          ],
          // Known by Student #: matched by Community ID.
          [
            '',
            '',
            u(people.byStudentNo).identifier!,
            u(people.byStudentNo).givenName,
            '',
            u(people.byStudentNo).familyName,
            '',
            '',
            '',
            '',
            '',
            '',
            '',
            '',
            SITE.main,
            '1',
            'Student',
          ],
          // Left last year (Transferred), at the wrong site: matched by Student #, set Active again, moved to EAST.
          [
            '',
            '',
            u(people.returningByStudentNo).identifier!,
            'Gone',
            '',
            'Away',
            '',
            '',
            '',
            '',
            '',
            '',
            '',
            '',
            SITE.main,
            '4',
            'Student',
          ],
          // Two patrons with one roster user's email: a conflict, neither touched.
          ['', 'B0005', '', 'Twin', '', 'One', '', '', '', u(people.ambiguous).email!, '', '', '', '', SITE.main, '1', 'Student'],
          [
            '',
            'B0006',
            '',
            'Twin',
            '',
            'Two',
            '',
            '',
            '',
            u(people.ambiguous).email!.toUpperCase(),
            '',
            '',
            '',
            '',
            SITE.main,
            '1',
            'Student',
          ],
          // Nobody in the roster: never touched.
          EXPORT_KEYS.map((k) => String(unrelated[k])),
          // A site the library does not have: rejected, line 9 (the header is line 1).
          ['', '', '', 'Bad', '', 'Site', '', '', '', '', '', '', '', '', 'NOPE', '1', 'Student'],
        ];
        const file = join(scratch.path, 'patrons.csv');
        writeFileSync(
          file,
          `${rows.map((r) => r.map((c) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n')}\r\n`,
        );

        // Any rejected row: the import exits 1 and imports nothing (all or nothing, docs/cli.md)…
        const report = await json<{ imported: number; rejected: { line: number; message: string }[]; operation: number }>(
          ['patrons', 'import', file, '--json'],
          1,
        );
        expect(report.imported).toBe(0);
        expect(report.rejected).toHaveLength(1);
        expect(report.rejected[0]!.line).toBe(9);
        expect(report.rejected[0]!.message).toMatch(/NOPE/);
        imports.refused = report.operation;
        expect(await exportJson()).toEqual([]);
        // …and the fixed file (the bad line dropped) imports whole.
        writeFileSync(
          file,
          `${rows
            .slice(0, -1)
            .map((r) => r.map((c) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','))
            .join('\r\n')}\r\n`,
        );
        const fixed = await json<{ imported: number; rejected: unknown[]; operation: number }>(['patrons', 'import', file, '--json'], 0);
        expect(fixed).toEqual({ imported: 7, rejected: [], operation: expect.any(Number) });
        imports.applied = fixed.operation;

        imported = await exportJson();
        expect(imported).toHaveLength(7);
        expect(imported.find((p) => p.lastName === 'Unrelated')).toEqual(unrelated);
      });

      it(`2. connects ${source.connects}, matches two of the three schools, maps Student # to identifier, enables`, async () => {
        const group = source.command;
        await cli([group, 'configure', ...source.configure(emulator)]);
        const schools = await json<{ sourcedId: string; name: string; siteCode: string }[]>([group, 'schools', '--json']);
        expect(schools.map((s) => s.sourcedId).sort()).toEqual([schoolA, schoolB, schoolC]);
        expect(schools.every((s) => s.siteCode === '')).toBe(true);

        await cli([group, 'match-site', SITE.main, schoolA]);
        await cli([group, 'match-site', SITE.east, schoolB]);
        const matched = await json<{ sourcedId: string; siteCode: string }[]>([group, 'schools', '--json']);
        expect(Object.fromEntries(matched.map((s) => [s.sourcedId, s.siteCode]))).toEqual({
          [schoolA]: SITE.main,
          [schoolB]: SITE.east,
          [schoolC]: '',
        });

        const options = await json<Record<string, unknown>>([
          group,
          'options',
          '--roles',
          'student,teacher',
          '--map',
          'community-id=identifier',
          '--json',
        ]);
        expect(options).toMatchObject({
          roles: ['student', 'teacher'],
          mapping: { communityId: { kind: 'identifier' }, barcode: { kind: 'none' }, location: 'none' },
        });
        await cli([group, 'enable']);
      });

      it('3. dry-runs (nothing written), then syncs in full: imported patrons matched, the ambiguous one a conflict', async () => {
        const dry = await json<SyncJson>(['sync', '--dry-run', '--json']);
        expectSyncJson(dry);
        expect(await exportJson()).toEqual(imported);

        const served = source.sourceRequests?.(emulator);
        const full = await json<SyncJson>(['sync', '--json']);
        if (served !== undefined) expect(source.sourceRequests!(emulator), "requests on the source's own paths").toBeGreaterThan(served);
        expectSyncJson(full);
        ops.dry = dry;
        ops.full = full;
        // 4 imported patrons matched (one of them reactivated), 1 roster user in conflict, the rest created.
        const scope = inScope(before, siteByOrg);
        expect(full.counts).toEqual({
          created: scope.length - 4 - 1,
          updated: 3,
          unchanged: 0,
          transferred: 0,
          reactivated: 1,
          skipped: listedButNotFirst(before, siteByOrg).length,
          conflicts: 1,
          warnings: 0,
        });
        expect(full.complete).toBe(true);
        // A conflict waits for a person: the sync succeeded, with something to look at.
        expect(full.state).toBe('succeeded_with_warnings');
        expect(dry.state).toMatch(/^succeeded/);
        // The dry run planned exactly what the sync did.
        expect(dry.counts).toEqual(full.counts);
        expect(dry.operation).toBeLessThan(full.operation);

        const patrons = await exportJson();
        expect(patrons).toHaveLength(7 + full.counts.created);
        // Matched patrons got their GUIDs (and the roster's values; their own Barcode and Location stay).
        const p = people;
        expect(byGuid(patrons, p.byEmail)).toEqual(synced(before, p.byEmail, { barcode: 'B0001', location: 'Room 1' }));
        expect(byGuid(patrons, p.teacherByEmail)).toEqual(synced(before, p.teacherByEmail, { barcode: 'B0002', location: '' }));
        expect(byGuid(patrons, p.byStudentNo)).toEqual(synced(before, p.byStudentNo));
        expect(byGuid(patrons, p.returningByStudentNo)).toEqual(synced(before, p.returningByStudentNo));
        // The conflict created nothing and changed nothing.
        expect(patrons.filter((x) => x.guid === p.ambiguous)).toEqual([]);
        const twins = patrons.filter((x) => x.firstName === 'Twin');
        expect(twins).toEqual(imported.filter((x) => x.firstName === 'Twin'));
        // Everyone else in scope was created.
        for (const user of scope) {
          if (user.sourcedId === p.ambiguous || user.sourcedId === p.teacherByEmail || user.sourcedId === p.byEmail) continue;
          expect(byGuid(patrons, user.sourcedId)).toEqual(synced(before, user.sourcedId));
        }

        // The conflict report names both sides: the roster user and the two patrons.
        const ambiguous = before.users.get(p.ambiguous)!;
        const log = parse((await cli(['operations', 'log', String(full.operation), '--format', 'csv'])).stdout, {
          bom: true,
        }) as string[][];
        expect(log[0]).toEqual(['time', 'level', 'sourcedId', 'message']);
        const messageOf = (sourcedId: string) =>
          log
            .filter((r) => r[2] === sourcedId)
            .map((r) => r[3])
            .join('\n');
        // Each matched patron says how it was matched.
        expect(messageOf(p.byEmail)).toMatch(/Matched by Email/);
        expect(messageOf(p.teacherByEmail)).toMatch(/Matched by Email/);
        expect(messageOf(p.byStudentNo)).toMatch(/Matched by Student #/);
        expect(messageOf(p.returningByStudentNo)).toMatch(/Matched by Student #.*set Active again/);
        const conflictLines = log.filter((r) => r[2] === p.ambiguous);
        expect(conflictLines).toHaveLength(1);
        expect(conflictLines[0]![3]).toContain(`${ambiguous.givenName} ${ambiguous.familyName}`);
        expect(conflictLines[0]![3]).toContain('Twin One');
        expect(conflictLines[0]![3]).toContain('Twin Two');
        const shown = await json<{ plan: unknown }>(['operations', 'show', String(dry.operation), '--json']);
        const conflicts = (shown.plan as { kind: string; total: number; first: string[] }[]).find((k) => k.kind === 'conflict')!;
        expect(conflicts.total).toBe(1);
        expect(conflicts.first[0]).toMatch(/Twin One.*Twin Two|Twin Two.*Twin One/);
      });

      it('4–5. the district changes; a delta applies the changes and the tobedeleted, but transfers nobody for being absent', async () => {
        const p = people;
        const renamed = before.users.get(p.renamed)!;
        emulator.mutate.changeUser(p.renamed, {
          familyName: `${renamed.familyName}-Okafor`,
          email: `renamed.${renamed.username}@example.org`,
        });
        emulator.mutate.changeUser(p.movedEast, { orgSourcedIds: [schoolB] });
        emulator.mutate.changeUser(p.movedAway, { orgSourcedIds: [schoolC] });
        emulator.mutate.markToBeDeleted(p.leaving);
        emulator.mutate.removeUser(p.purged);
        const now = await source.readRoster(emulator);

        const delta = await json<SyncJson>(['sync', '--delta', '--json']);
        expectSyncJson(delta);
        ops.delta = delta;
        // The conflicting user did not change, so a delta does not see it.
        expect(delta).toMatchObject({ state: 'succeeded', complete: true });
        expect(delta.counts).toEqual({
          created: 0,
          updated: 2,
          unchanged: 0,
          transferred: 2,
          reactivated: 0,
          skipped: 0,
          conflicts: 0,
          warnings: 0,
        });

        const patrons = await exportJson();
        expect(byGuid(patrons, p.renamed)).toEqual(synced(now, p.renamed));
        expect(byGuid(patrons, p.movedEast)).toEqual({ ...synced(now, p.movedEast), site: SITE.east });
        // Moved to an unmatched school, or tobedeleted: Transferred, nothing else changed.
        expect(byGuid(patrons, p.movedAway)).toEqual({ ...synced(before, p.movedAway), status: TRANSFERRED });
        expect(byGuid(patrons, p.leaving)).toEqual({ ...synced(before, p.leaving), status: TRANSFERRED });
        // Purged from the feed: a delta cannot see an absence, so the patron stays Active.
        expect(byGuid(patrons, p.purged)).toEqual(synced(before, p.purged));
      });

      it('6. a full sync transfers the purged student and reactivates the one who came back', async () => {
        const p = people;
        // The student who moved to the unmatched school comes back, to the other matched school.
        emulator.mutate.changeUser(p.movedAway, { orgSourcedIds: [schoolB] });
        const now = await source.readRoster(emulator);

        const second = await json<SyncJson>(['sync', '--full', '--json']);
        expectSyncJson(second);
        ops.second = second;
        // Everyone else in scope is unchanged: all matched, except the conflict and the returning student.
        expect(second.counts).toEqual({
          created: 0,
          updated: 0,
          unchanged: inScope(now, siteByOrg).length - 1 - 1,
          transferred: 1,
          reactivated: 1,
          skipped: listedButNotFirst(now, siteByOrg).length,
          conflicts: 1,
          warnings: 0,
        });
        expect(second).toMatchObject({ state: 'succeeded_with_warnings', complete: true });

        const patrons = await exportJson();
        expect(byGuid(patrons, p.purged)).toEqual({ ...synced(before, p.purged), status: TRANSFERRED });
        expect(byGuid(patrons, p.movedAway)).toEqual({ ...synced(now, p.movedAway), site: SITE.east, status: ACTIVE });
        expect(byGuid(patrons, p.leaving).status).toBe(TRANSFERRED);
      });

      it('6b. past the update threshold a sync stops for review (exit 3); approved, it is applied', async () => {
        await cli([source.command, 'options', '--max-update-pct', '0']);
        emulator.mutate.changeUser(people.reviewed, { givenName: 'Reviewed' });
        const held = await json<SyncJson>(['sync', '--json'], 3);
        expectSyncJson(held);
        expect(held).toMatchObject({ state: 'needs_review', counts: { updated: 1, created: 0, transferred: 0 } });
        expect(byGuid(await exportJson(), people.reviewed).firstName).not.toBe('Reviewed');

        const approved = await json<SyncJson>(['operations', 'approve', String(held.operation), '--json']);
        expect(approved).toMatchObject({ operation: held.operation, state: expect.stringMatching(/^succeeded/), counts: { updated: 1 } });
        ops.reviewed = approved;
      });

      // ---- 6c. The transfer threshold is not diluted by patrons no sync owns (SPEC §3.5) --------------
      // Self-contained: its own library (`--library`) and its own district (a second emulator), so
      // the main library's export, operations and roster in the other steps are untouched. Ten
      // commands (each a process with the ClassLink runner), hence the longer bound.
      it('6c. patrons no sync owns never dilute the transfer threshold: held, and the denominator said in words', async () => {
        const district = await startEmulator({ district: { students: 30, seed: 'e2e-threshold' } });
        const seen = outputs.length;
        try {
          const here = (args: string[], code = 0) => cli([...args, '--library', 'threshold'], code);
          const hereJson = async <T>(args: string[], code = 0): Promise<T> => JSON.parse((await here(args, code)).stdout) as T;
          await cli(['libraries', 'add', '--code', 'threshold', '--name', 'Threshold District']);
          await here(['sites', 'add', '--code', SITE.main, '--name', 'Main Library']);
          const roster = await source.readRoster(district);
          const school = [...new Set([...roster.users.values()].filter((u) => u.role === 'student').map(firstOrg))].sort()[0]!;
          // The default roles (student, teacher) at the one matched school.
          const synced = inScope(roster, new Map([[school, SITE.main]]));

          // Far more local patrons (hand-made or imported: no GUID) than synced ones, of the same Policy and site.
          const LOCAL = 300;
          const local = Array.from({ length: LOCAL }, (_, i) =>
            EXPORT_KEYS.map(
              (k) => ({ firstName: 'Local', lastName: `Patron ${i}`, site: SITE.main, status: '1', policy: 'Student' })[k as string] ?? '',
            ),
          );
          const file = join(scratch.path, 'local-patrons.csv');
          writeFileSync(file, `${[EXPORT_CSV_HEADER, ...local].map((r) => r.join(',')).join('\r\n')}\r\n`);
          expect(await hereJson(['patrons', 'import', file, '--json'])).toEqual({
            imported: LOCAL,
            rejected: [],
            operation: expect.any(Number),
          });

          await here([source.command, 'configure', ...source.configure(district)]);
          await here([source.command, 'match-site', SITE.main, school]);
          await here([source.command, 'enable']);
          const first = await hereJson<SyncJson>(['sync', '--json']);
          expect(first).toMatchObject({ state: 'succeeded', counts: { created: synced.length, transferred: 0 } });

          // One more than 10% of the synced patrons leave the feed: far under 10% of all in-scope patrons.
          const n = Math.floor(synced.length / 10) + 1;
          expect(n * 100).toBeLessThan(10 * (synced.length + LOCAL));
          for (const u of synced.filter((x) => x.role === 'student').slice(0, n)) district.mutate.removeUser(u.sourcedId);
          const held = await hereJson<SyncJson>(['sync', '--json'], 3);
          expect(held).toMatchObject({ state: 'needs_review', counts: { transferred: n } });

          // The denominator in words where the held sync is explained: `operations show` and the log.
          const name = ({ classlink: 'ClassLink', oneroster: 'OneRoster REST' } as Record<string, string>)[source.command]!;
          const pct = (n * 100) / synced.length;
          const sentence = `${n} of ${synced.length} patrons synced from ${name} (${Number.isInteger(pct) ? pct : pct.toFixed(1)}%) would be transferred; the limit is 10%.`;
          expect((await here(['operations', 'show', String(held.operation)])).stdout).toContain(`Stopped for review: ${sentence}`);
          const log = parse((await here(['operations', 'log', String(held.operation), '--format', 'csv'])).stdout, {
            bom: true,
          }) as string[][];
          expect(log.filter((r) => r[1] === 'warning' && r[3] === `Needs review: ${sentence}`)).toHaveLength(1);
        } finally {
          await district.close();
        }
        const printed = outputs.slice(seen).join('\n');
        for (const secret of source.secrets(district)) expect(printed).not.toContain(secret);
      }, 300_000);
      // ---- end of 6c ------------------------------------------------------------------------------------

      it('7. exports JSON and CSV: every patron field by field against the roster; the unrelated and the conflicting untouched', async () => {
        const now = await source.readRoster(emulator);
        const p = people;
        const patrons = await exportJson();
        for (const x of patrons) expect(Object.keys(x)).toEqual([...EXPORT_KEYS]);

        const kept: Record<string, Pick<ExportedPatron, 'barcode' | 'location'>> = {
          [p.byEmail]: { barcode: 'B0001', location: 'Room 1' },
          [p.teacherByEmail]: { barcode: 'B0002', location: '' },
        };
        const expected = new Map<string, ExportedPatron>();
        for (const user of inScope(now, siteByOrg)) {
          if (user.sourcedId === p.ambiguous) continue;
          const values = synced(now, user.sourcedId, kept[user.sourcedId]);
          // A tobedeleted user is Transferred; its other fields stay as the last sync left them.
          expected.set(user.sourcedId, user.status === 'tobedeleted' ? { ...synced(before, user.sourcedId), status: TRANSFERRED } : values);
        }
        expected.set(p.purged, { ...synced(before, p.purged), status: TRANSFERRED });
        expect(now.users.get(p.reviewed)!.givenName).toBe('Reviewed');

        const withGuid = patrons.filter((x) => x.guid !== '');
        expect(withGuid.map((x) => x.guid).sort()).toEqual([...expected.keys()].sort());
        for (const x of withGuid) expect(x, x.guid).toEqual(expected.get(x.guid));
        // Without a GUID: the unrelated patron and the two in conflict, exactly as imported.
        const withoutGuid = patrons.filter((x) => x.guid === '');
        expect(withoutGuid).toEqual(imported.filter((x) => x.lastName === 'Unrelated' || x.firstName === 'Twin'));
        expect(withoutGuid.find((x) => x.lastName === 'Unrelated')).toEqual(unrelated);

        const csv = parse((await cli(['patrons', 'export', '--format', 'csv'])).stdout, { bom: true }) as string[][];
        expect(csv[0]).toEqual(EXPORT_CSV_HEADER);
        expect(csv.slice(1)).toEqual(patrons.map((x) => EXPORT_KEYS.map((k) => String(x[k]))));
      });

      it('8. lists every operation newest first, with the counts each sync printed; a log parses as CSV', async () => {
        const list = await json<OperationJson[]>(['operations', 'list', '--json']);
        const { dry, full, delta, second, reviewed } = ops;
        // Step 1's imports are operations too (SPEC §3.9: an import can be undone): the refused file failed, writing nothing.
        expect(list.map((o) => o.id)).toEqual([
          reviewed!.operation,
          second!.operation,
          delta!.operation,
          full!.operation,
          dry!.operation,
          imports.applied,
          imports.refused,
        ]);
        const t = source.typeNames;
        expect(list.map((o) => o.typeName)).toEqual([t.full, t.full, t.delta, t.full, t.dryRun, 'Patron Import', 'Patron Import']);
        expect(list.slice(-2).map((o) => [o.state, o.counts.created, o.counts.skipped])).toEqual([
          ['succeeded', 7, 0],
          ['failed', 0, 1],
        ]);
        for (const [op, result] of [
          [list[1]!, second!],
          [list[2]!, delta!],
          [list[3]!, full!],
        ] as const) {
          expect(op.state).toBe(result.state);
          expect(op.counts).toEqual(result.counts);
        }
        // The delta's log, as CSV: the two transfers, each on the line of its roster user.
        const rows = parse((await cli(['operations', 'log', String(delta!.operation), '--format', 'csv'])).stdout, {
          bom: true,
        }) as string[][];
        expect(rows[0]).toEqual(['time', 'level', 'sourcedId', 'message']);
        expect(rows.every((r) => r.length === 4)).toBe(true);
        expect(rows.find((r) => r[2] === people.movedAway)?.[3]).toMatch(/not matched to a library site; set Transferred/);
        expect(rows.find((r) => r[2] === people.leaving)?.[3]).toMatch(/tobedeleted.*set Transferred/);
        expect(rows.some((r) => r[2] === people.purged)).toBe(false);
      });

      // Self-contained: it maps Location only now, so the steps before it are as they were.
      it('9. with Location mapped to the homeroom teacher, a delta brings homeroom changes the same night, as a full sync would', async () => {
        const group = source.command;
        await cli([group, 'options', '--map', 'location=homeroom-teacher', '--max-update-pct', '100']);
        const full = await json<SyncJson>(['sync', '--full', '--json']);
        expect(full.counts.updated).toBeGreaterThan(0);
        let roster = await source.readRoster(emulator);
        let homerooms = await readHomerooms(emulator);
        const activeStudents = () =>
          inScope(roster, siteByOrg).filter((u) => u.role === 'student' && u.status === 'active' && u.sourcedId !== people.ambiguous);
        const expectLocations = async () => {
          const patrons = await exportJson();
          for (const u of activeStudents())
            expect(byGuid(patrons, u.sourcedId).location, u.sourcedId).toBe(homerooms.get(u.sourcedId)?.teacher ?? '');
        };
        await expectLocations();

        // Three students nobody else's step touches: one moves homeroom only (their record does not
        // change), one moves school and homeroom the same day, one leaves their homeroom.
        const named = new Set(Object.values(people));
        const pick = (org: string) =>
          activeStudents().filter(
            (u) => firstOrg(u) === org && u.orgs.length === 1 && !named.has(u.sourcedId) && homerooms.get(u.sourcedId)?.teacher,
          );
        const [moves, leaves] = pick(schoolA);
        const [movesSchool] = pick(schoolB);
        expect([moves, leaves, movesSchool].every(Boolean)).toBe(true);
        const homeroomWithOtherTeacher = (studentId: string, school: string) => {
          const own = homerooms.get(studentId)!;
          const other = [...homerooms.values()].find((h) => h.teacher !== own.teacher && h.teacher !== '' && h.classId !== own.classId);
          const sameSchool = [...homerooms.entries()].find(([id, h]) => {
            const u = roster.users.get(id);
            return u !== undefined && firstOrg(u) === school && h.teacher !== own.teacher && h.teacher !== '';
          })?.[1];
          return (sameSchool ?? other)!.classId;
        };
        emulator.mutate.moveHomeroom(moves!.sourcedId, homeroomWithOtherTeacher(moves!.sourcedId, schoolA));
        emulator.mutate.changeUser(movesSchool!.sourcedId, { orgSourcedIds: [schoolA] });
        emulator.mutate.moveHomeroom(movesSchool!.sourcedId, homeroomWithOtherTeacher(movesSchool!.sourcedId, schoolA));
        emulator.mutate.markEnrollmentToBeDeleted(homerooms.get(leaves!.sourcedId)!.enrollment);
        const was = new Map([moves!, leaves!, movesSchool!].map((u) => [u.sourcedId, homerooms.get(u.sourcedId)!.teacher]));
        roster = await source.readRoster(emulator);
        homerooms = await readHomerooms(emulator);

        const delta = await json<SyncJson>(['sync', '--delta', '--json']);
        expectSyncJson(delta);
        expect(delta).toMatchObject({ state: 'succeeded', complete: true, counts: { updated: 3, created: 0, transferred: 0 } });
        const patrons = await exportJson();
        expect(byGuid(patrons, moves!.sourcedId).location).toBe(homerooms.get(moves!.sourcedId)!.teacher);
        expect(byGuid(patrons, movesSchool!.sourcedId)).toMatchObject({
          site: SITE.main,
          location: homerooms.get(movesSchool!.sourcedId)!.teacher,
        });
        expect(byGuid(patrons, leaves!.sourcedId).location).toBe('');
        for (const [id, before] of was) expect(byGuid(patrons, id).location, id).not.toBe(before);
        await expectLocations();
        // What a full sync makes of the same roster: nothing left to change.
        const after = await json<SyncJson>(['sync', '--full', '--json']);
        expect(after.counts).toMatchObject({ updated: 0, created: 0, transferred: 0, reactivated: 0 });
      });

      it('10. a student whose demographics record and parents are gone: a delta keeps Birthdate, Sex and contacts; a full sync blanks them, a line each', async () => {
        // Self-contained: its own student (none of the people above), an active one of a matched
        // school whose patron has a Birthdate, a Sex and a contact.
        const now = await source.readRoster(emulator);
        const named = new Set(Object.values(people));
        const patrons = await exportJson();
        const x = inScope(now, siteByOrg).find((u) => {
          if (u.role !== 'student' || u.status !== 'active' || named.has(u.sourcedId) || (u.agents ?? []).length === 0) return false;
          const p = patrons.find((q) => q.guid === u.sourcedId);
          return p !== undefined && p.birthdate !== '' && p.sex !== '' && p.additionalContact !== '' && p.otherEmails !== '';
        })!;
        expect(x, 'a student with demographics and parents').toBeDefined();
        const before = byGuid(patrons, x.sourcedId);
        // Whatever threshold an earlier step left (6b: 0%), these one-patron syncs must apply; restored at the end.
        const options = await json<{ thresholds: { maxUpdatePct: number } }>([source.command, 'options', '--json']);
        await cli([source.command, 'options', '--max-update-pct', '100']);
        emulator.mutate.removeDemographics(x.sourcedId);
        for (const parent of x.agents!) emulator.mutate.removeUser(parent.sourcedId);
        // Changed otherwise too, so the delta reads the student: a missing record there means "unchanged".
        emulator.mutate.changeUser(x.sourcedId, { phone: '555-0199' });
        const linesOf = async (operation: number) =>
          (parse((await cli(['operations', 'log', String(operation), '--format', 'csv'])).stdout, { bom: true }) as string[][])
            .filter((r) => r[2] === x.sourcedId)
            .map((r) => r[3]);

        const delta = await json<SyncJson>(['sync', '--delta', '--json']);
        expect(byGuid(await exportJson(), x.sourcedId)).toEqual({ ...before, phone: '555-0199' });
        expect((await linesOf(delta.operation)).filter((m) => /blanked/.test(m!))).toEqual([]);

        const full = await json<SyncJson>(['sync', '--full', '--json']);
        expect(full).toMatchObject({ complete: true, state: 'succeeded_with_warnings' });
        const after = byGuid(await exportJson(), x.sourcedId);
        expect(after).toEqual({ ...before, phone: '555-0199', birthdate: '', sex: '', additionalContact: '', otherEmails: '' });
        // The oracle, computed from the roster as served now, agrees.
        expect(after).toEqual(
          synced(await source.readRoster(emulator), x.sourcedId, { barcode: before.barcode, location: before.location }),
        );
        expect(await linesOf(full.operation)).toEqual(
          expect.arrayContaining([
            `${x.sourcedId}: No demographics record in the roster; Birthdate and Sex blanked.`,
            `${x.sourcedId}: None of its parents or guardians (agents) is in the roster; Additional Contact and Other Emails blanked.`,
          ]),
        );
        await cli([source.command, 'options', '--max-update-pct', String(options.thresholds.maxUpdatePct)]);
      });

      it('never printed a secret', () => {
        const all = outputs.join('\n');
        for (const secret of source.secrets(emulator)) expect(all).not.toContain(secret);
      });
    },
    only ? { only } : {},
  );
}
