/**
 * One integration at a time (SPEC §1.3), on SQLite and PostgreSQL: enabling one turns
 * the others off and clears exactly their identifiers — patron GUIDs whose source is another
 * integration and site matches made for another — in one transaction, after saying how many
 * (the CLI wants `--yes`); GUIDs from a file import (no source) and the enabled integration's own
 * are kept. A sync from an integration that is not the enabled one is refused before an
 * operation exists, and a held plan of an integration switched off since applies nothing.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATUS_ACTIVE } from '../src/domain/fields.ts';
import { isRollcallError } from '../src/domain/errors.ts';
import { emptyPatronValues, type IntegrationKind } from '../src/domain/patron.ts';
import { loadClassLink, saveClassLink } from '../src/sources/classlink/state.ts';
import { loadCsvSource } from '../src/sources/csv/source.ts';
import { readClassLinkSettings } from '../src/sources/settings.ts';
import { enabledIntegration } from '../src/sources/registry.ts';
import { syncCsvPackage } from '../src/services/csv/sync-package.ts';
import { PreviewChanged, previewSentence, turnOn, turnOnPreview } from '../src/sources/switch.ts';
import type { Store } from '../src/store/store.ts';
import { approveOperation } from '../src/sync/review.ts';
import { runSync } from '../src/sync/run.ts';
import { dbEnv, rollcallHere } from './cli-support.ts';
import { csvLibrary, generatedData, schoolIds, tempDirs, writePackage } from './support/csv-fixture.ts';
import { describeEachDatabase } from './support/db.ts';
import { somethingWaitsForALock } from './support/lock-wait.ts';
import { SYNC_SOURCES } from '../src/app.ts';

const tempDir = tempDirs();
const CONNECTION = { mode: 'direct', rosterUrl: 'http://127.0.0.1:9/unused', auth: 'oauth1', clientId: 'key' };

/** Saves ClassLink configured (a connection that is never called) and, if asked, enabled. */
async function configureClassLink(store: Store, libraryId: number, enabled: boolean): Promise<void> {
  await saveClassLink(store, libraryId, {
    settings: readClassLinkSettings({ connection: CONNECTION }),
    secrets: { clientSecret: 'secret' },
    enabled,
  });
}

/**
 * A library with ClassLink enabled and identifiers of every kind: sites matched for ClassLink
 * (CL), for CSV (CV), with no recorded source (OLD), and unmatched (NONE); patrons holding
 * GUIDs of ClassLink (2), OneRoster (1), CSV (1), an imported GUID (no source) and none.
 */
async function mixedLibrary(db: { store(): Store; newLibrary(): Promise<{ id: number; code: string }> }) {
  const store = db.store();
  const lib = await db.newLibrary();
  const sites: [string, string, IntegrationKind | undefined][] = [
    ['CL', 'org-cl', 'classlink'],
    ['CV', 'org-csv', 'csv'],
    ['OLD', 'org-old', undefined],
    ['NONE', '', undefined],
  ];
  for (const [code, org, source] of sites) {
    await store.sites.add(lib.id, { code, name: code });
    if (org) await store.sites.setOrgGuid(lib.id, code, org, source);
  }
  const patrons: [string, IntegrationKind | null][] = [
    ['cl-1', 'classlink'],
    ['cl-2', 'classlink'],
    ['or-1', 'oneroster'],
    ['csv-1', 'csv'],
    ['imported-1', null],
    ['', null],
  ];
  await store.patrons.insertMany(
    lib.id,
    patrons.map(([guid, guidSource], i) => ({
      ...emptyPatronValues(),
      guid,
      lastName: `Patron ${i}`,
      site: 'CL',
      status: STATUS_ACTIVE,
      guidSource,
      matchedBy: guidSource ? 'guid' : null,
    })),
  );
  await configureClassLink(store, lib.id, true);
  return { store, lib };
}

async function guidsBySource(store: Store, libraryId: number): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const p of await store.patrons.loadAll(libraryId)) (out[p.guidSource ?? 'none'] ??= []).push(p.guid);
  return out;
}

async function siteMatches(store: Store, libraryId: number): Promise<Record<string, string>> {
  return Object.fromEntries(
    (await store.sites.list(libraryId)).map((s) => [s.code, `${s.orgGuid}${s.orgGuidSource ? `@${s.orgGuidSource}` : ''}`]),
  );
}

describeEachDatabase('integration switch', (db) => {
  it('tells how many identifiers enabling another integration would clear', async () => {
    const { store, lib } = await mixedLibrary(db);
    const preview = await turnOnPreview(store, lib.id, 'csv');
    expect(preview).toEqual({
      kind: 'csv',
      current: 'classlink',
      patronGuids: { classlink: 2, oneroster: 1 },
      patronGuidTotal: 3,
      siteGuids: 2,
      total: 5,
      alreadyEnabled: false,
      configured: true,
      // CV is matched for CSV; OLD's match records no source, so it serves whichever is ON.
      matchedSites: 2,
    });
    expect(previewSentence(preview)).toBe(
      "Enabling OneRoster CSV clears 2 patron GUIDs of ClassLink, 1 patron GUID of OneRoster REST and 2 site matches to other integrations' schools and turns ClassLink off.",
    );
    // Previewing changes nothing.
    expect(await siteMatches(store, lib.id)).toMatchObject({ CL: 'org-cl@classlink', OLD: 'org-old' });
  });

  it("enabling clears exactly the other integrations' identifiers, in one go, and turns them off", async () => {
    const { store, lib } = await mixedLibrary(db);
    const revision = await store.libraries.revision(lib.id);
    const r = await turnOn(store, lib.id, 'csv', 'cli', (await turnOnPreview(store, lib.id, 'csv')).total);
    expect(r).toMatchObject({
      kind: 'csv',
      unchanged: false,
      disabled: ['classlink'],
      clearedPatronGuids: 3,
      clearedPatronGuidsBySource: { classlink: 2, oneroster: 1 },
      clearedSiteGuids: 2,
      matchedSites: 1,
      notes: [],
    });

    const guids = await guidsBySource(store, lib.id);
    expect(guids).toEqual({ none: ['', '', '', 'imported-1', ''], csv: ['csv-1'] });
    const cleared = (await store.patrons.loadAll(lib.id)).filter((p) => p.lastName === 'Patron 0')[0]!;
    expect(cleared).toMatchObject({ guid: '', guidSource: null, matchedBy: null, status: STATUS_ACTIVE });
    expect(await siteMatches(store, lib.id)).toEqual({ CL: '', CV: 'org-csv@csv', OLD: '', NONE: '' });
    expect(await enabledIntegration(store, lib.id)).toBe('csv');
    expect((await loadClassLink(store, lib.id)).enabled).toBe(false);
    // ClassLink keeps its connection: switching back needs no reconfiguring.
    expect((await loadClassLink(store, lib.id)).settings.connection).toMatchObject({ rosterUrl: CONNECTION.rosterUrl });
    expect(await store.libraries.revision(lib.id)).toBeGreaterThan(revision);

    expect((await turnOnPreview(store, lib.id, 'csv')).total).toBe(0);
    expect(await turnOn(store, lib.id, 'csv', 'cli')).toMatchObject({
      unchanged: true,
      disabled: [],
      clearedPatronGuids: 0,
      clearedPatronGuidsBySource: {},
      clearedSiteGuids: 0,
    });
  });

  it('a confirmation whose count changed since the preview (a sync in between) clears nothing and answers the new preview', async () => {
    const { store, lib } = await mixedLibrary(db);
    const shown = await turnOnPreview(store, lib.id, 'csv');
    expect(shown.total).toBe(5);
    // A ClassLink sync lands between the preview and the confirmation: one more GUID of ClassLink.
    await store.patrons.insertMany(lib.id, [
      {
        ...emptyPatronValues(),
        guid: 'cl-3',
        lastName: 'Synced since',
        site: 'CL',
        status: STATUS_ACTIVE,
        guidSource: 'classlink',
        matchedBy: 'guid',
      },
    ]);
    const before = { guids: await guidsBySource(store, lib.id), sites: await siteMatches(store, lib.id) };
    const e = await turnOn(store, lib.id, 'csv', 'page', shown.total).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PreviewChanged);
    expect(isRollcallError(e, 'conflict')).toBe(true);
    expect((e as PreviewChanged).message).toBe(
      'The count of identifiers to clear changed from 5 to 6 since the preview (a sync or a site match came in between): nothing was changed; check the new counts below, then turn it ON again.',
    );
    expect((e as PreviewChanged).preview).toMatchObject({ total: 6, patronGuids: { classlink: 3, oneroster: 1 }, current: 'classlink' });
    // Nothing was applied: every identifier is where it was, ClassLink still ON.
    expect({ guids: await guidsBySource(store, lib.id), sites: await siteMatches(store, lib.id) }).toEqual(before);
    expect(await enabledIntegration(store, lib.id)).toBe('classlink');
    // A count too high is refused the same way; the new one applies.
    await expect(turnOn(store, lib.id, 'csv', 'cli', 7)).rejects.toBeInstanceOf(PreviewChanged);
    expect(await turnOn(store, lib.id, 'csv', 'cli', 6)).toMatchObject({
      clearedPatronGuids: 4,
      clearedSiteGuids: 2,
      disabled: ['classlink'],
    });
  });

  it('a sync applying while the admin confirms: the switch waits for it, counts what it wrote and refuses; nothing is cleared', async () => {
    const { store, lib } = await mixedLibrary(db);
    const shown = await turnOnPreview(store, lib.id, 'csv');
    // A ClassLink sync's apply (run.ts): holds ClassLink's row, writes a GUID, commits when let go.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    const applying = store.transaction(async (tx) => {
      await tx.integrations.lock(lib.id, 'classlink');
      await tx.patrons.insertMany(lib.id, [
        {
          ...emptyPatronValues(),
          guid: 'cl-9',
          lastName: 'Applied',
          site: 'CL',
          status: STATUS_ACTIVE,
          guidSource: 'classlink',
          matchedBy: 'guid',
        },
      ]);
      wrote();
      await gate;
    });
    await written;
    const confirming = turnOn(store, lib.id, 'csv', 'page', shown.total).catch((e: unknown) => e);
    await somethingWaitsForALock(db);
    release();
    await applying;
    const e = await confirming;
    expect(e).toBeInstanceOf(PreviewChanged);
    expect((e as PreviewChanged).preview.total).toBe(shown.total + 1);
    expect(await enabledIntegration(store, lib.id)).toBe('classlink');
    expect((await guidsBySource(store, lib.id)).classlink).toEqual(['cl-1', 'cl-2', 'cl-9']);
  });

  it('a turn-on that carries no count applies only when it clears nothing', async () => {
    const { store, lib } = await mixedLibrary(db);
    const e = await turnOn(store, lib.id, 'csv', 'api').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PreviewChanged);
    expect((e as PreviewChanged).message).toBe(
      'Turning OneRoster CSV ON clears 5 identifiers of other integrations, and the request does not say how many it was shown: nothing was changed; the new preview is in "preview"; to clear them, confirm with {"previewedTotal": 5}.',
    );
    expect(await enabledIntegration(store, lib.id)).toBe('classlink');
    expect((await guidsBySource(store, lib.id)).classlink).toEqual(['cl-1', 'cl-2']);
  });

  it('an integration enabled afresh starts with a full sync (its delta watermark is reset), its other settings kept', async () => {
    const { store, lib } = await mixedLibrary(db);
    await store.integrations.save(lib.id, 'csv', {
      settings: { watchDir: '/srv/sftp/district', lastSuccessAt: '2026-01-01T00:00:00.000Z' },
    });
    await turnOn(store, lib.id, 'csv', 'cli', 5);
    expect((await loadCsvSource(store, lib.id)).settings).toMatchObject({ watchDir: '/srv/sftp/district', lastSuccessAt: '' });
  });

  it('an integration without a connection cannot be enabled, and nothing is cleared', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    await store.sites.add(lib.id, { code: 'CV', name: 'CV' });
    await store.sites.setOrgGuid(lib.id, 'CV', 'org-csv', 'csv');
    await turnOn(store, lib.id, 'csv', 'cli');
    for (const kind of ['classlink', 'oneroster'] as const) {
      const e = await turnOn(store, lib.id, kind, 'cli').catch((x: unknown) => x);
      expect(isRollcallError(e, 'not_configured')).toBe(true);
      expect((e as Error).message).toMatch(
        /cannot be enabled before it is configured: run `rollcall (classlink|oneroster) configure` first\.$/,
      );
    }
    expect(await siteMatches(store, lib.id)).toEqual({ CV: 'org-csv@csv' });
    expect(await enabledIntegration(store, lib.id)).toBe('csv');
  });

  it('a sync from an integration that is not the enabled one is refused before an operation exists; a dry run may read it', async () => {
    const { store, lib } = await mixedLibrary(db);
    const deps = {
      store,
      sources: SYNC_SOURCES,
      now: () => new Date(),
      openReader: () => Promise.reject(new Error('no reader should be opened')),
    };
    const e = await runSync(deps, { libraryId: lib.id, kind: 'full', dryRun: false, requestedBy: 'test', source: 'csv' }).catch(
      (x: unknown) => x,
    );
    expect(isRollcallError(e, 'not_configured')).toBe(true);
    expect((e as Error).message).toBe(
      "OneRoster CSV is not enabled for this library; ClassLink is, and a library syncs from one integration at a time: to switch, run `rollcall csv enable` (it clears ClassLink's identifiers).",
    );

    const data = generatedData(20, 'switch-refused');
    const pkg = await writePackage(join(await tempDir(), 'pkg'), data);
    const fromCsv = await syncCsvPackage(deps, lib.id, { path: pkg, dryRun: false, requestedBy: 'test' }).catch((x: unknown) => x);
    expect(isRollcallError(fromCsv, 'not_configured')).toBe(true);
    expect(await store.operations.list(lib.id)).toEqual([]);
    expect(await store.csvPackages.recent(lib.id, 5)).toEqual([]);

    // A dry run writes nothing, so it may preview a source before switching to it.
    const preview = await syncCsvPackage(deps, lib.id, { path: pkg, dryRun: true, requestedBy: 'test' });
    expect(preview).toMatchObject({ type: 'dry_run', state: 'succeeded' });
    expect((await store.operations.get(lib.id, preview.operation))?.source).toBe('csv');
    expect((await guidsBySource(store, lib.id)).classlink).toEqual(['cl-1', 'cl-2']);
    await store.operations.deleteChanges(lib.id, preview.operation);

    await store.integrations.save(lib.id, 'classlink', { enabled: false });
    const none = await runSync(deps, { libraryId: lib.id, kind: 'full', dryRun: false, requestedBy: 'test' }).catch((x: unknown) => x);
    expect((none as Error).message).toBe(
      'ClassLink is not enabled for this library (no integration is): run `rollcall classlink enable` first (a dry run works without it).',
    );
    expect((await store.operations.list(lib.id)).map((o) => o.id)).toEqual([preview.operation]);
  });

  it('a held plan of an integration switched off since applies nothing when approved', async () => {
    const data = generatedData(40, 'switch-held');
    const orgs = schoolIds(data).slice(0, 2);
    const lib = await csvLibrary(db, orgs);
    const dir = await tempDir();
    const first = await syncCsvPackage(lib.deps, lib.libraryId, {
      path: await writePackage(join(dir, 'day1'), data),
      dryRun: false,
      requestedBy: 'test',
    });
    const students = new Set(
      data.users
        .filter((u) => u.role === 'student' && orgs.includes(u.orgSourcedIds[0]!))
        .slice(0, 10)
        .map((u) => u.sourcedId),
    );
    const held = await syncCsvPackage(lib.deps, lib.libraryId, {
      path: await writePackage(join(dir, 'day2'), { ...data, users: data.users.filter((u) => !students.has(u.sourcedId)) }),
      dryRun: false,
      requestedBy: 'test',
    });
    expect(held.state).toBe('needs_review');

    await configureClassLink(lib.store, lib.libraryId, false);
    const switched = await turnOn(
      lib.store,
      lib.libraryId,
      'classlink',
      'cli',
      (await turnOnPreview(lib.store, lib.libraryId, 'classlink')).total,
    );
    expect(switched.clearedPatronGuidsBySource).toEqual({ csv: first.counts.created });
    const approved = await approveOperation(lib.deps, lib.libraryId, held.operation, 'librarian');
    expect(approved.state).toBe('failed');
    expect(approved.error).toMatch(/^OneRoster CSV is not enabled for this library; ClassLink is/);
    const patrons = await lib.store.patrons.loadAll(lib.libraryId);
    expect(patrons.every((p) => p.status === STATUS_ACTIVE && p.guid === '')).toBe(true);
  });

  describe('on the command line', () => {
    const cli = (args: string[]) => rollcallHere(args, dbEnv(db));

    it('`enable` prints what it would clear and exits 2 without --yes; with --yes it switches', async () => {
      const { store, lib } = await mixedLibrary(db);
      const at = ['--library', lib.code];
      const asked = await cli(['csv', 'enable', ...at]);
      expect(asked.code).toBe(2);
      expect(asked.stdout).toBe(
        "Enabling OneRoster CSV clears 2 patron GUIDs of ClassLink, 1 patron GUID of OneRoster REST and 2 site matches to other integrations' schools and turns ClassLink off.\n",
      );
      expect(asked.stderr).toBe(
        'rollcall: nothing was changed; to clear them and enable OneRoster CSV, run `rollcall csv enable --yes --previewed 5`.\n',
      );
      expect(await enabledIntegration(store, lib.id)).toBe('classlink');
      expect((await guidsBySource(store, lib.id)).classlink).toEqual(['cl-1', 'cl-2']);

      const done = await cli(['csv', 'enable', '--yes', ...at]);
      expect(done.code).toBe(0);
      expect(done.stdout).toBe(
        [
          'OneRoster CSV is enabled (1 matched site): run `rollcall sync --from-csv FILE` or `rollcall csv watch` to sync now.',
          'Cleared 2 patron GUIDs of ClassLink, 1 patron GUID of OneRoster REST, 2 site matches of other integrations.',
          'Turned off: ClassLink.',
          '',
        ].join('\n'),
      );

      // Back to ClassLink: the CSV GUID and match are now what would be cleared.
      const back = await cli(['classlink', 'enable', ...at]);
      expect(back.code).toBe(2);
      expect(back.stdout).toBe(
        "Enabling ClassLink clears 1 patron GUID of OneRoster CSV and 1 site match to other integrations' schools and turns OneRoster CSV off.\n",
      );
      expect((await cli(['classlink', 'enable', '--yes', ...at])).code).toBe(0);
      expect(await enabledIntegration(store, lib.id)).toBe('classlink');
    });

    it('`sync --from-csv` while ClassLink is enabled is refused in one line (exit 1); `sync` of a CSV library needs a package (exit 2)', async () => {
      const { store, lib } = await mixedLibrary(db);
      const at = ['--library', lib.code];
      const pkg = await writePackage(join(await tempDir(), 'pkg'), generatedData(20, 'switch-cli'));
      const refused = await cli(['sync', '--from-csv', pkg, ...at]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /^rollcall: OneRoster CSV is not enabled for this library; ClassLink is, and a library syncs from one integration at a time/,
      );
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(await store.operations.list(lib.id)).toEqual([]);

      expect((await cli(['csv', 'enable', '--yes', ...at])).code).toBe(0);
      const noPackage = await cli(['sync', ...at]);
      expect(noPackage.code).toBe(2);
      expect(noPackage.stderr).toBe(
        'rollcall: OneRoster CSV syncs from a package: give one with `rollcall sync --from-csv FILE`, or run `rollcall csv watch` for the watched folder.\n',
      );
    });
  });
});
