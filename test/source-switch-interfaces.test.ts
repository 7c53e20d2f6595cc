/**
 * One switch, three interfaces (SPEC §1.3, §3): for each source (ClassLink, OneRoster REST,
 * OneRoster CSV) the web page (form POSTs with CSRF), the JSON API and the CLI give the same
 * answers, each in its own words — not configured: refused to turn ON; configured: the preview
 * counts what turning it ON clears; turning it ON turns the other OFF and clears its identifiers;
 * turning it OFF; and whether it may sync now (refused while OFF or while another is ON; the
 * dry-run rule).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATUS_ACTIVE } from '../src/domain/fields.ts';
import { emptyPatronValues, type IntegrationKind } from '../src/domain/patron.ts';
import { saveClassLink } from '../src/sources/classlink/state.ts';
import { SOURCE_NAMES } from '../src/sources/kinds.ts';
import { saveOneRoster } from '../src/sources/oneroster/state.ts';
import { enabledIntegration, maySyncNow } from '../src/sources/registry.ts';
import { turnOn } from '../src/sources/switch.ts';
import { readClassLinkSettings } from '../src/sources/settings.ts';
import type { Store } from '../src/store/store.ts';
import { dbEnv, rollcallHere } from './cli-support.ts';
import { generatedData, tempDirs, writePackage, zipFolder } from './support/csv-fixture.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

const tempDir = tempDirs();
let pkg = '';
let zip: Buffer;

beforeAll(async () => {
  const dir = await tempDir();
  pkg = await writePackage(join(dir, 'pkg'), generatedData(10, 'switch-interfaces'));
  zip = await readFile(await zipFolder(pkg, join(dir, 'roster.zip')));
});

/** A connection that is never called (nothing here reads a REST roster). */
async function configure(store: Store, libraryId: number, kind: IntegrationKind, enabled = false): Promise<void> {
  if (kind === 'classlink') {
    await saveClassLink(store, libraryId, {
      settings: readClassLinkSettings({
        connection: { mode: 'direct', rosterUrl: 'http://127.0.0.1:9/unused', auth: 'oauth1', clientId: 'k' },
      }),
      secrets: { clientSecret: 's' },
      enabled,
    });
  } else if (kind === 'oneroster') {
    const { ONEROSTER_SETTINGS } = await import('../src/sources/oneroster/state.ts');
    await saveOneRoster(store, libraryId, {
      settings: ONEROSTER_SETTINGS.parse({
        connection: { baseUrl: 'http://127.0.0.1:9/unused', version: '1.1', auth: 'oauth1', clientId: 'k' },
      }),
      secrets: { clientSecret: 's' },
      enabled,
    });
  } else {
    await store.integrations.save(libraryId, 'csv', { enabled, settings: {} });
  }
}

/** The page of each source, and the notices its ON / OFF forms land on. */
const CASES: { kind: IntegrationKind; other: IntegrationKind; on: string; off: string }[] = [
  { kind: 'classlink', other: 'oneroster', on: 'classlink-on', off: 'classlink-off' },
  { kind: 'oneroster', other: 'classlink', on: 'source-on', off: 'source-off' },
  { kind: 'csv', other: 'classlink', on: 'source-on', off: 'source-off' },
];

/** A multipart upload of the package, with the page's CSRF token. */
async function upload(web: TestWeb, c: WebClient, fields: Record<string, string>) {
  const boundary = `----rollcall${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries({ _csrf: c.csrf, ...fields }))
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="package"; filename="roster.zip"\r\ncontent-type: application/zip\r\n\r\n`,
    ),
    zip,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return web.app.inject({
    method: 'POST',
    url: '/preferences/integrations/csv/upload',
    payload: Buffer.concat(parts),
    headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}

/** Waits for an operation to end. */
async function ended(store: Store, libraryId: number, id: number): Promise<void> {
  for (;;) {
    const op = await store.operations.get(libraryId, id);
    if (op && op.state !== 'queued' && op.state !== 'running') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeEachDatabase('one source switch through the page, the API and the CLI', (db) => {
  let web: TestWeb;
  beforeAll(async () => {
    web = await openWeb(db, { ROLLCALL_DATA_DIR: await tempDir() });
  });
  afterAll(async () => web?.close());

  for (const { kind, other, on, off } of CASES) {
    const name = SOURCE_NAMES[kind];
    const otherName = SOURCE_NAMES[other];
    const base = `/preferences/integrations/${kind}`;
    const api = `/api/v1/integrations/${kind}`;

    it(`${name}: configured, previewed, turned ON and OFF, and synced by the same rules everywhere`, async () => {
      const store = web.store;
      const lib = await db.newLibrary();
      await makeStaff(store, lib, 'admin', `admin-${lib.code}`);
      const c = new WebClient(web.app);
      expect((await c.signIn(`admin-${lib.code}`)).statusCode).toBe(303);
      const cli = (...args: string[]) => rollcallHere([...args, '--library', lib.code], dbEnv(db));
      const message = (r: { json(): unknown }) => (r.json() as { error: { message: string } }).error.message;

      // Not configured: refused to turn ON, each interface in its words. CSV needs no connection.
      if (kind !== 'csv') {
        await c.get(`${base}/enable`);
        const page = await c.post(`${base}/enable`);
        expect(page.statusCode).toBe(400);
        expect(page.body).toContain(`${name} cannot be turned ON before it is connected`);
        const viaApi = await c.api('POST', `${api}/enable`);
        expect(viaApi.statusCode).toBe(409);
        expect(message(viaApi)).toBe(
          kind === 'classlink'
            ? 'ClassLink cannot be turned ON before it is connected: save a Tenant ID (step 1, Settings) first.'
            : 'OneRoster REST cannot be turned ON before it is connected: save its settings (step 1, Settings) first.',
        );
        const viaCli = await cli(kind, 'enable', '--yes');
        expect(viaCli.code).toBe(1);
        expect(viaCli.stderr).toBe(
          `rollcall: ${name} cannot be enabled before it is configured: run \`rollcall ${kind} configure\` first.\n`,
        );
        expect((await c.api('GET', `${api}/enable-preview`)).json()).toMatchObject({ configured: false });
        // Sync Now of a source that is not configured is refused too.
        await c.get(`${base}/sync`);
        expect((await c.post(`${base}/sync`, { dryRun: 'true' })).body).toContain(`${name} is not connected yet`);
        await configure(store, lib.id, kind);
      }
      // Configured (CSV always is): the Integrations list says so.
      const listed = (await c.api('GET', '/api/v1/integrations')).json() as { kind: string; configured: boolean }[];
      expect(listed.find((i) => i.kind === kind)?.configured).toBe(true);

      // Another source ON, with an identifier of each kind.
      await configure(store, lib.id, other, true);
      await store.sites.add(lib.id, { code: 'OT', name: 'Other' });
      await store.sites.setOrgGuid(lib.id, 'OT', 'org-other', other);
      await store.patrons.insertMany(lib.id, [
        {
          ...emptyPatronValues(),
          guid: 'g-other',
          lastName: 'Other',
          site: 'OT',
          status: STATUS_ACTIVE,
          guidSource: other,
          matchedBy: 'guid',
        },
      ]);

      // The preview: the same counts on the page, in the API and on the command line.
      const sentence = `Enabling ${name} clears 1 patron GUID of ${otherName} and 1 site match to other integrations' schools and turns ${otherName} off.`;
      const preview = await c.api('GET', `${api}/enable-preview`);
      expect(preview.json()).toEqual({
        kind,
        current: other,
        patronGuids: { [other]: 1 },
        patronGuidTotal: 1,
        siteGuids: 1,
        total: 2,
        alreadyEnabled: false,
        configured: true,
        matchedSites: 0,
        message: sentence,
      });
      expect((await c.get(`${base}/enable`)).body).toContain(`Enabling ${name} clears 1 patron GUID of ${otherName}`);
      const asked = await cli(kind, 'enable');
      expect(asked.code).toBe(2);
      expect(asked.stdout).toBe(`${sentence}\n`);

      // While the other is ON, a sync of this one is refused; a dry run that names it may read it.
      if (kind === 'csv') {
        await c.get(base);
        const refused = await upload(web, c, { purpose: 'sync' });
        expect(refused.statusCode).toBe(400);
        expect(refused.body).toContain(`${otherName} is ON for this library, not ${name}: turn ${name} ON first to sync from it.`);
        const dry = await upload(web, c, { purpose: 'dry-run' });
        expect(dry.statusCode, dry.body).toBe(303);
        await ended(store, lib.id, Number(/^\/operations\/(\d+)/.exec(String(dry.headers.location))?.[1]));
        const refusedCli = await cli('sync', '--from-csv', pkg);
        expect(refusedCli.stderr).toMatch(new RegExp(`^rollcall: ${name} is not enabled for this library; ${otherName} is`));
        // The switch lets the dry run through; what stops it is the next rule (no site matched).
        const dryCli = await cli('sync', '--from-csv', pkg, '--dry-run');
        expect(dryCli.stderr).toBe(
          'rollcall: No site is matched to a OneRoster CSV school yet: match one with `rollcall csv match-site SITE ORG`.\n',
        );
      } else {
        await c.get(`${base}/sync`);
        const refused = await c.post(`${base}/sync`, { dryRun: 'true' });
        expect(refused.statusCode).toBe(400);
        expect(refused.body).toContain(`${otherName} is ON for this library, not ${name}: turn ${name} ON first to sync from it.`);
      }
      expect(await maySyncNow(store, lib.id, kind, true, 'library')).toEqual({ reason: 'other_on', enabled: other });
      expect(await maySyncNow(store, lib.id, kind, true, 'named')).toBeUndefined();

      // ON through the page: the other goes OFF and its identifiers are cleared. The form carries the count it showed.
      expect((await c.get(`${base}/enable`)).body).toContain('<input type="hidden" name="previewedTotal" value="2">');
      const turnedOn = await c.post(`${base}/enable`, { previewedTotal: '2' });
      expect(turnedOn.statusCode).toBe(303);
      expect(turnedOn.headers.location).toBe(`${base}/enable?notice=${on}`);
      expect(await enabledIntegration(store, lib.id)).toBe(kind);
      expect((await store.patrons.loadAll(lib.id)).map((p) => p.guid)).toEqual(['']);
      expect((await store.sites.byCode(lib.id, 'OT'))?.orgGuid).toBe('');

      // OFF through the API, ON again through the API (nothing left to clear), OFF through the CLI.
      expect((await c.api('POST', `${api}/disable`)).json()).toEqual({ enabled: false, unchanged: false });
      expect((await c.api('POST', `${api}/enable`)).json()).toEqual({
        enabled: true,
        unchanged: false,
        disabled: [],
        clearedPatronGuids: 0,
        clearedSiteGuids: 0,
        matchedSites: 0,
        notes: [`No site is matched to a ${name} school yet: a sync needs at least one (step 2, Site Mapping).`],
      });
      expect((await cli(kind, 'disable')).stdout).toBe(
        `${name} is disabled: no sync will run. Patrons, GUIDs and site matches are kept.\n`,
      );
      expect((await cli(kind, 'disable')).stdout).toBe(`${name} was not enabled.\n`);
      expect(await enabledIntegration(store, lib.id)).toBeUndefined();

      // Every source's `unmatch-site` is the one shared command: a match is a match, whoever made it.
      await store.sites.add(lib.id, { code: 'UNM', name: 'Unmatched' });
      await store.sites.setOrgGuid(lib.id, 'UNM', 'org-unm', other);
      expect((await cli(kind, 'unmatch-site', 'UNM')).stdout).toBe(
        'Site UNM is no longer matched (it was org-unm); that school is not synced.\n',
      );
      expect((await cli(kind, 'unmatch-site', 'UNM')).stdout).toBe('Site UNM was not matched to a school; nothing changed.\n');

      // None ON: a sync that writes is refused everywhere.
      const api202 = await c.api('POST', '/api/v1/syncs', {});
      expect(api202.statusCode).toBe(409);
      expect(message(api202)).toBe(
        'No integration is ON for this library: turn one ON first (POST /api/v1/integrations/classlink/enable), or ask for a dry run.',
      );
      if (kind === 'csv') {
        expect((await cli('sync', '--from-csv', pkg)).stderr).toBe(
          'rollcall: OneRoster CSV is not enabled for this library (no integration is): run `rollcall csv enable` first (a dry run works without it).\n',
        );
        await c.get(base);
        expect((await upload(web, c, { purpose: 'sync' })).body).toContain(
          'OneRoster CSV is OFF: turn it ON before Sync Now, or start a dry run, which writes nothing.',
        );
      } else {
        await c.get(`${base}/sync`);
        const page = await c.post(`${base}/sync`);
        expect(page.statusCode).toBe(400);
        expect(page.body).toContain(`${name} is OFF: turn it ON before Sync Now, or start a dry run, which writes nothing.`);
        // The dry-run rule of Sync Now (the same for every source): with none ON, a dry run reads
        // the source a sync would read then — ClassLink when two are configured — so it must be this one.
        const dry = await c.post(`${base}/sync`, { dryRun: 'true' });
        if (kind === 'classlink') {
          expect(dry.statusCode).toBe(303);
          expect(dry.headers.location).toMatch(/^\/operations\/\d+\?notice=sync-started$/);
        } else {
          expect(dry.statusCode).toBe(400);
          expect(dry.body).toContain(
            'Another integration is configured too, so a dry run would not know which to read: turn OneRoster REST ON first.',
          );
        }
        await web.idle();
      }

      // ON through the CLI, OFF through the page.
      const enabled = await cli(kind, 'enable', '--yes');
      expect(enabled.code).toBe(0);
      expect(enabled.stdout).toMatch(new RegExp(`^${name} is enabled \\(0 matched sites\\)`));
      expect(enabled.stderr).toBe(
        `Note: No site is matched to a ${name} school yet: a sync needs at least one (\`rollcall ${kind} match-site\`).\n`,
      );
      expect(await enabledIntegration(store, lib.id)).toBe(kind);
      await c.get(`${base}/enable`);
      const turnedOff = await c.post(`${base}/disable`);
      expect(turnedOff.headers.location).toBe(`${base}/enable?notice=${off}`);
      expect(await enabledIntegration(store, lib.id)).toBeUndefined();
    });
  }

  for (const { kind, other } of CASES) {
    const name = SOURCE_NAMES[kind];
    const otherName = SOURCE_NAMES[other];
    const base = `/preferences/integrations/${kind}`;
    const api = `/api/v1/integrations/${kind}`;

    it(`${name}: a count that changed between the preview and the confirmation is refused with the new one on the page, in the API and on the command line; nothing is cleared`, async () => {
      const store = web.store;
      const lib = await db.newLibrary();
      await makeStaff(store, lib, 'admin', `admin-${lib.code}`);
      const c = new WebClient(web.app);
      expect((await c.signIn(`admin-${lib.code}`)).statusCode).toBe(303);
      const cli = (...args: string[]) => rollcallHere([...args, '--library', lib.code], dbEnv(db));
      await configure(store, lib.id, kind);
      await configure(store, lib.id, other, true);
      await store.sites.add(lib.id, { code: 'OT', name: 'Other' });
      await store.sites.setOrgGuid(lib.id, 'OT', 'org-other', other);
      let synced = 0;
      /** What a sync of the other source does between a preview and its confirmation: one more GUID of it. */
      const aSyncOfTheOther = () =>
        store.patrons.insertMany(lib.id, [
          {
            ...emptyPatronValues(),
            guid: `g-other-${++synced}`,
            lastName: `Other ${synced}`,
            site: 'OT',
            status: STATUS_ACTIVE,
            guidSource: other,
            matchedBy: 'guid',
          },
        ]);
      /** Nothing was cleared: the other source still ON with all its GUIDs and its site match. */
      const untouched = async () => {
        expect(await enabledIntegration(store, lib.id)).toBe(other);
        expect((await store.patrons.loadAll(lib.id)).filter((p) => p.guidSource === other)).toHaveLength(synced);
        expect((await store.sites.byCode(lib.id, 'OT'))?.orgGuid).toBe('org-other');
      };
      await aSyncOfTheOther();

      // The page: the form shows 2; a sync lands; Turn ON is refused and the step shows the new 3.
      expect((await c.get(`${base}/enable`)).body).toContain('<input type="hidden" name="previewedTotal" value="2">');
      await aSyncOfTheOther();
      const page = await c.post(`${base}/enable`, { previewedTotal: '2' });
      expect(page.statusCode).toBe(400);
      expect(page.body).toContain(
        'The count of identifiers to clear changed from 2 to 3 since the preview (a sync or a site match came in between): nothing was changed; check the new counts below, then turn it ON again.',
      );
      expect(page.body).toContain('<input type="hidden" name="previewedTotal" value="3">');
      expect(page.body).toContain(`Enabling ${name} clears 2 patron GUIDs of ${otherName} and 1 site match`);
      await untouched();

      // The API: without a count, and with the old one, 409 and the new preview; nothing cleared.
      const blind = await c.api('POST', `${api}/enable`);
      expect(blind.statusCode).toBe(409);
      expect(blind.json()).toMatchObject({
        error: {
          kind: 'conflict',
          message: `Turning ${name} ON clears 3 identifiers of other integrations, and the request does not say how many it was shown: nothing was changed; the new preview is in "preview"; to clear them, confirm with {"previewedTotal": 3}.`,
        },
        preview: { kind, current: other, total: 3, patronGuids: { [other]: 2 }, siteGuids: 1 },
      });
      await aSyncOfTheOther();
      const stale = await c.api('POST', `${api}/enable`, { previewedTotal: 3 });
      expect(stale.statusCode).toBe(409);
      expect(stale.json()).toEqual({
        error: {
          kind: 'conflict',
          message:
            'The count of identifiers to clear changed from 3 to 4 since the preview (a sync or a site match came in between): nothing was changed; the new preview is in "preview"; to clear them, confirm with {"previewedTotal": 4}.',
        },
        preview: {
          kind,
          current: other,
          patronGuids: { [other]: 3 },
          patronGuidTotal: 3,
          siteGuids: 1,
          total: 4,
          alreadyEnabled: false,
          configured: true,
          matchedSites: 0,
          message: `Enabling ${name} clears 3 patron GUIDs of ${otherName} and 1 site match to other integrations' schools and turns ${otherName} off.`,
        },
      });
      expect((await c.api('POST', `${api}/enable`, { previewedTotal: -1 })).statusCode).toBe(400);
      await untouched();

      // The command line: `enable` shows 4 and how to confirm it; a sync lands; the confirmation of 4 is refused with the new 5.
      const asked = await cli(kind, 'enable');
      expect([asked.code, asked.stderr]).toEqual([
        2,
        `rollcall: nothing was changed; to clear them and enable ${name}, run \`rollcall ${kind} enable --yes --previewed 4\`.\n`,
      ]);
      await aSyncOfTheOther();
      const refused = await cli(kind, 'enable', '--yes', '--previewed', '4');
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe(
        `Enabling ${name} clears 4 patron GUIDs of ${otherName} and 1 site match to other integrations' schools and turns ${otherName} off.\n`,
      );
      expect(refused.stderr).toBe(
        `rollcall: The count of identifiers to clear changed from 4 to 5 since the preview (a sync or a site match came in between): nothing was changed; to clear them and enable ${name}, run \`rollcall ${kind} enable --yes --previewed 5\`.\n`,
      );
      expect((await cli(kind, 'enable', '--previewed', '5')).code).toBe(2); // --previewed goes with --yes
      await untouched();

      // The matching confirmation applies: the API's, then (back to the other) the command line's and the page's.
      expect((await c.api('POST', `${api}/enable`, { previewedTotal: 5 })).json()).toMatchObject({
        enabled: true,
        disabled: [other],
        clearedPatronGuids: 4,
        clearedSiteGuids: 1,
      });
      expect(await enabledIntegration(store, lib.id)).toBe(kind);
      const back = async () => {
        await store.sites.setOrgGuid(lib.id, 'OT', 'org-other', other);
        await turnOn(store, lib.id, other, 'cli', 0);
        await aSyncOfTheOther();
      };
      await back();
      const confirmed = await cli(kind, 'enable', '--yes', '--previewed', '2');
      expect(confirmed.code, confirmed.stderr).toBe(0);
      expect(confirmed.stdout).toContain(`Cleared 1 patron GUID of ${otherName}, 1 site match of other integrations.`);
      await back();
      expect((await c.get(`${base}/enable`)).body).toContain('<input type="hidden" name="previewedTotal" value="2">');
      expect((await c.post(`${base}/enable`, { previewedTotal: '2' })).statusCode).toBe(303);
      expect(await enabledIntegration(store, lib.id)).toBe(kind);
      expect((await store.patrons.loadAll(lib.id)).every((p) => p.guid === '')).toBe(true);
    });
  }

  it('the API refuses at once a dry run of a source that is not configured, instead of queueing one that fails', async () => {
    const lib = await db.newLibrary();
    await makeStaff(web.store, lib, 'admin', `admin-${lib.code}`);
    const c = new WebClient(web.app);
    expect((await c.signIn(`admin-${lib.code}`)).statusCode).toBe(303);
    const r = await c.api('POST', '/api/v1/syncs', { dryRun: true });
    expect(r.statusCode).toBe(409);
    expect((r.json() as { error: { message: string } }).error.message).toBe(
      'ClassLink is not configured yet, so a dry run has nothing to read: configure it first, or turn ON the integration to sync from.',
    );
    expect(await web.store.operations.list(lib.id)).toEqual([]);
  });
});
