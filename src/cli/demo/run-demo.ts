/**
 * `rollcall demo`: a generated district served by the emulator, a library set up against it
 * through the same services the commands use, a dry run, a full sync, changes in the district,
 * a delta sync — each step told in a few lines, then how to keep exploring.
 */
import { Readable } from 'node:stream';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { App } from '../../app.ts';
import type { RosterUser } from '../../domain/roster.ts';
import { startEmulator } from '../../emulator/server.ts';
import type { RunningEmulator } from '../../emulator/types.ts';
import { loadClassLink, rosterAuthOf, rosterClient } from '../../sources/classlink/state.ts';
import { configureClassLink } from '../../sources/classlink/connect.ts';
import { updateOptions } from '../../sources/options.ts';
import { listSchools, matchSite } from '../../sources/schools.ts';
import { CLASSLINK_OPTIONS, CLASSLINK_SCHOOLS } from '../../sources/classlink/definition.ts';
import { turnOn } from '../../sources/switch.ts';
import { changeDefaults, showDefaults } from '../../services/defaults/creation-defaults.ts';
import { importPatrons } from '../../services/patrons/import-patrons.ts';
import { editPatron } from '../../services/patrons/edit-patron.ts';
import { lockFields } from '../../services/patrons/field-locks.ts';
import { addSite } from '../../services/sites/sites.ts';
import { approveSync, startSync, type SyncResult } from '../../services/syncs/sync-actions.ts';
import { countsLine, stateText } from '../../presenters/format.ts';
import type { Output } from '../output.ts';
import { changeDistrict, demoSites, existingPatronsCsv } from './demo-district.ts';

/** The demo's district is the same on every run. */
export const DEMO_SEED = 'rollcall-demo';

/** What the demo needs. */
export interface DemoRun {
  /** The app opened on the demo's own database. */
  app: App;
  /** Students in the generated district. */
  students: number;
  /** The demo folder (for the CSV it writes and the commands it prints). */
  dir: string;
  /** Where to tell the story. */
  out: Output;
}

/** Runs the demo; returns the emulator, still running (the caller stops it or keeps it up). */
export async function runDemo(run: DemoRun): Promise<RunningEmulator> {
  const { app, out } = run;
  const lib = app.library.id;
  const say = (...lines: string[]) => out.lines(...lines);
  const emulator = await startEmulator({ district: { students: run.students, seed: DEMO_SEED } });
  try {
    const c = emulator.credentials;
    await say(
      `1. A ClassLink emulator serves a generated district of ${run.students.toLocaleString('en-US')} students at ${emulator.url}.`,
    );

    const connection = await configureClassLink({ config: app.config, store: app.store, now: app.syncDeps.now }, lib, {
      mode: 'direct',
      rosterUrl: emulator.url,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
    });
    await say(`2. ClassLink configured in direct OAuth 1.0a mode and validated (${connection.declaredUsers ?? '?'} users listed).`);

    const sites = demoSites(await listSchools(app, lib, CLASSLINK_SCHOOLS));
    for (const s of sites) {
      await addSite(app.store, lib, { code: s.code, name: s.school.name });
      await matchSite(app, lib, s.code, s.school.sourcedId, CLASSLINK_SCHOOLS);
    }
    await say(
      `3. Library sites made and matched: ${sites.map((s) => `${s.code} = ${s.school.name}`).join('; ')}. Other schools are not synced.`,
    );

    // Barcode is not mapped: the library hands out its own from a sequence (step 4b), which is
    // also what a circulation system (Koha, docs/koha.md) matches patrons on.
    await updateOptions(app.store, lib, { communityId: { kind: 'identifier' }, location: 'homeroom-teacher' }, CLASSLINK_OPTIONS);
    await say(
      '4. Options: Student # (Community ID) from the roster identifier, Location from the homeroom teacher; roles student and teacher.',
    );
    // SPEC §3.8: a library's circulation runs on barcodes, so the demo's new patrons get them.
    const { revision } = await showDefaults(app.store, lib);
    const sequence = (prefix: string, width: number) => ({
      barcode: 'sequence',
      barcodePrefix: prefix,
      barcodeNext: 1,
      barcodeWidth: width,
    });
    await changeDefaults(app.store, lib, { revision, roles: { student: sequence('S', 6), teacher: sequence('T', 4) } }, 'demo');
    await say(
      '   New patrons get barcodes: students the next free one of S000001, S000002, …; teachers of T0001, … (rollcall defaults show).',
    );

    const firstSchool = sites[0]!.school.sourcedId;
    const students = await schoolStudents(app, lib, firstSchool);
    const csv = existingPatronsCsv(students, sites[0]!.code);
    const csvPath = join(run.dir, 'existing-patrons.csv');
    await writeFile(csvPath, csv);
    const imported = await importPatrons(app.store, lib, Readable.from([csv]), { requestedBy: 'demo', fileName: 'existing-patrons.csv' });
    await say(
      `5. Import (operation ${imported.operation}): ${imported.imported} patrons the library already had, from ${csvPath} (one known by Student #, one by email, one community reader).`,
    );

    await turnOn(app.store, lib, 'classlink', 'cli');
    const dry = await startSync(app.syncDeps, lib, { kind: 'full', dryRun: true, requestedBy: 'demo' });
    await say(`6. Dry run (operation ${dry.operation}): would make ${countsLine(dry.counts)}. Nothing written.`);

    let full = await startSync(app.syncDeps, lib, { kind: 'full', dryRun: false, requestedBy: 'demo' });
    if (full.state === 'needs_review') {
      await say(
        `7. The full sync (operation ${full.operation}) stopped for review: ${full.summary.replace(/^Stopped for review: /, '')}`,
        '   The library had few patrons, so matching them is a large share of it. A librarian reads the plan',
        `   (rollcall operations show ${full.operation}) and approves it; the demo approves it now.`,
      );
      full = await approveSync(app.syncDeps, lib, full.operation, 'demo');
      await say(`   Approved: ${stateText(full.state)} — ${countsLine(full.counts)}.`);
    } else {
      await say(`7. Full sync (operation ${full.operation}): ${stateText(full.state)} — ${countsLine(full.counts)}.`);
    }

    const preferred = await lockPreferredName(app, lib, students[6]);
    if (preferred) {
      await say(
        `   A librarian gave ${preferred.was} the preferred first name "${PREFERRED_NAME}" and ticked "keep my value": First Name is locked, so no sync writes it.`,
      );
      // The district touches the record (a new dateLastModified), so the delta reads it again.
      emulator.mutate.changeUser(preferred.sourcedId, {});
    }

    const changes = changeDistrict(emulator.mutate, students, sites);
    await say('8. Meanwhile in the district:', ...changes.map((ch) => `   - ${ch.what}`));
    const delta = await startSync(app.syncDeps, lib, { kind: 'delta', dryRun: false, requestedBy: 'demo' });
    await say(`9. Delta sync (operation ${delta.operation}): ${stateText(delta.state)} — ${countsLine(delta.counts)}.`);
    // SPEC §3.8: the plan says what a lock kept.
    const kept = (await app.store.operations.log(lib, delta.operation, { text: 'locked, kept' })).items;
    for (const line of kept) await say(`   Its plan: ${line.message}`);

    await say(
      '',
      'The changed patrons now:',
      ...(await patronLines(
        app,
        changes.map((ch) => ch.sourcedId),
      )),
    );
    await say('', ...exploreLines(run.dir, [dry, full, delta]));
    return emulator;
  } catch (e) {
    await emulator.close().catch(() => {});
    throw e;
  }
}

/** The first name the demo's librarian keeps for one student, locked (SPEC §3.8). */
export const PREFERRED_NAME = 'Sky';

/** A hand edit of a synced student's First Name, locked: the next sync keeps it and says so. */
async function lockPreferredName(
  app: App,
  lib: number,
  student: RosterUser | undefined,
): Promise<{ sourcedId: string; was: string } | undefined> {
  if (!student) return undefined;
  const patron = await app.store.patrons.byGuid(lib, student.sourcedId);
  if (!patron) return undefined;
  await editPatron(app.store, lib, patron.id, { firstName: PREFERRED_NAME }, { username: 'demo', role: 'librarian' });
  await lockFields(app.store, lib, patron.id, ['firstName'], 'demo');
  return { sourcedId: student.sourcedId, was: `${student.givenName} ${student.familyName}` };
}

/** The students of a school, in sourcedId order, read through the configured connection. */
async function schoolStudents(app: App, lib: number, orgSourcedId: string): Promise<RosterUser[]> {
  const client = rosterClient(app.config, rosterAuthOf(await loadClassLink(app.store, lib)));
  const users: RosterUser[] = [];
  try {
    await client.pull('users', { path: `schools/${orgSourcedId}/students` }, (records) => {
      for (const u of records) if (u.orgSourcedIds[0] === orgSourcedId && u.status === 'active') users.push(u);
    });
  } finally {
    await client.close();
  }
  return users.sort((a, b) => a.sourcedId.localeCompare(b.sourcedId));
}

async function patronLines(app: App, sourcedIds: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const id of sourcedIds) {
    const found = (await app.store.patrons.list(app.library.id, { query: id, limit: 1 })).items[0];
    if (!found) continue;
    const status = found.status === 1 ? 'Active' : found.status === 4 ? 'Transferred' : String(found.status);
    lines.push(
      `   ${found.firstName} ${found.lastName} [${found.guid}]: barcode ${found.barcode || '—'}, site ${found.site || '—'}, level ${found.level || '—'}, birthdate ${found.birthdate || '—'}, status ${status}`,
    );
  }
  return lines;
}

function exploreLines(dir: string, ops: readonly SyncResult[]): string[] {
  const env = `ROLLCALL_DATABASE_URL=sqlite:${join(dir, 'rollcall.db')} ROLLCALL_DATA_DIR=${dir}`;
  const last = ops[ops.length - 1]!.operation;
  return [
    'Keep exploring (the demo database stays in place until the next `rollcall demo`):',
    `  export ${env}`,
    '  npx rollcall operations list',
    `  npx rollcall operations show ${ops[0]!.operation}        # the dry run's plan`,
    `  npx rollcall operations log ${last}`,
    '  npx rollcall patrons export --format json | head',
    '  npx rollcall sites list',
  ];
}
