/**
 * A library wired to its own ClassLink emulator, for the sync engine's integration tests:
 *
 *     describeEachDatabase('sync: x', (db) => {
 *       const setUp = syncFixtures(db);           // closes each test's emulator after it
 *       it('…', async () => {
 *         const f = await setUp();                 // 50 students, 3 schools; 2 matched
 *         const outcome = await f.sync('full');
 *         expect(await f.patronByGuid('stu-00000000')).toMatchObject({ status: 1 });
 *       });
 *     });
 *
 * Each fixture is a fresh library (two sites matched to the first two schools, the third left
 * unmatched), ClassLink saved in direct OAuth 1.0a mode against a fresh emulator (one per test,
 * so mutations never leak), and SyncDeps whose reader is built the way the product builds it:
 * from the stored settings and secrets. Expectations come from the generated district
 * (`f.district`), never from hard-coded numbers.
 */
import { afterEach } from 'vitest';
import type { Kysely } from 'kysely';
import { STATUS_ACTIVE } from '../../src/domain/fields.ts';
import { emptyPatronValues, type Patron, type PatronValues } from '../../src/domain/patron.ts';
import { syncRoleOf, type RosterUser, type SyncRole } from '../../src/domain/roster.ts';
import { materialize } from '../../src/emulator/district-model.ts';
import { generateDistrict } from '../../src/emulator/generated-district.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import type { DistrictData } from '../../src/domain/district.ts';
import type { EmulatorSsoOptions, Faults, RunningEmulator } from '../../src/emulator/types.ts';
import { loadClassLink, rosterAuthOf, saveClassLink } from '../../src/sources/classlink/state.ts';
import { readClassLinkSettings, type ClassLinkSettings } from '../../src/sources/settings.ts';
import { loadCreationDefaults, type CreationDefaults } from '../../src/sources/creation-defaults.ts';
import { OneRosterClient } from '../../src/oneroster/client.ts';
import { openDatabase } from '../../src/store/db.ts';
import type { LogEntry, Operation, PatronWrite, Store } from '../../src/store/store.ts';
import type { Tables } from '../../src/store/tables.ts';
import type { SyncDeps } from '../../src/sync/ports.ts';
import { runSync, type SyncOutcome } from '../../src/sync/run.ts';
import type { DatabaseTestContext } from './db.ts';
import { SYNC_SOURCES } from '../../src/app.ts';

/** Students of the generated district: small, but three schools and every role. */
export const FIXTURE_STUDENTS = 50;
/** The district's seed: fixed, so every run sees the same people. */
export const FIXTURE_SEED = 'sync-fixture';
/** Records per page: small, so a pull of ~140 users takes several pages. */
export const FIXTURE_PAGE_SIZE = 25;
/** Site codes of the two matched schools (the first two schools, in sourcedId order). */
export const SITE_CODES = ['ES', 'MS'] as const;
/** One hour, for moving the fixture's clock between syncs. */
export const HOUR_MS = 3_600_000;
/**
 * The fixture's clock runs ahead of the real one (delta tests move it by hours), while the
 * client signs OAuth 1.0a with the real one: the emulator must accept that skew.
 */
const CLOCK_SKEW_ALLOWED_SECONDS = 30 * 24 * 3600;
/** Requests in flight per pull: two cores, and a small district. */
const PULL_CONCURRENCY = 2;
/** Per-request timeout: loopback answers in milliseconds; this only bounds a hung test. */
const PULL_TIMEOUT_MS = 10_000;
/** Attempts per request on 429/5xx: enough to ride out one fault, few enough to fail fast. */
const PULL_RETRY_ATTEMPTS = 3;
/** Backoff between attempts (ms): keeps retries fast in tests. */
const PULL_BASE_DELAY_MS = 1;
const PULL_MAX_DELAY_MS = 20;

/** How to set a fixture up. */
export interface FixtureOptions {
  /** Changes to the default ClassLink settings (roles, mapping, thresholds, defaults). */
  settings?: (s: ClassLinkSettings) => void;
  /** Changes to the library's creation defaults (policy, status, barcode sequence, fixed values). */
  defaults?: (d: CreationDefaults) => void;
  /** Faults active from the start. */
  faults?: Faults;
  /** The district's number of schools (default: as the generator makes it, three). */
  schools?: number;
  /** The emulated ClassLink sign-in (its clients); default: one client. */
  sso?: EmulatorSsoOptions;
}

/** A patron row's write stamps, read straight from the table (the Patron type does not carry them). */
export interface PatronStamp {
  /** updated_at. */
  updatedAt: string;
  /** The operation that last wrote it. */
  lastSyncOperationId: number | null;
}

/** One test's library, emulator and sync helpers. */
export interface SyncFixture {
  /** The store (the suite's). */
  store: Store;
  /** The library's id. */
  libraryId: number;
  /** The emulator serving this library's district. */
  emulator: RunningEmulator;
  /** The district as generated (before any mutation of this test). */
  district: DistrictData;
  /** The school org sourcedIds, in order; the first two are matched to SITE_CODES. */
  schoolIds: string[];
  /** Org sourcedId → site code of the matched schools. */
  siteByOrg: ReadonlyMap<string, string>;
  /** The sync dependencies (reader from the stored settings, the fixture's clock). */
  deps: SyncDeps;
  /** Moves the fixture's clock (shared by the sync and the emulator's mutations). */
  advance(ms: number): void;
  /** Runs a sync of this library. */
  sync(kind?: 'full' | 'delta', options?: { dryRun?: boolean; deps?: SyncDeps }): Promise<SyncOutcome>;
  /** Changes the stored ClassLink settings. */
  configure(change: (s: ClassLinkSettings) => void): Promise<void>;
  /** Changes the library's creation defaults (as an admin's save would). */
  setDefaults(change: (d: CreationDefaults) => void): Promise<void>;
  /** The library's creation defaults as stored. */
  defaults(): Promise<CreationDefaults>;
  /** Every patron of the library. */
  patrons(): Promise<Patron[]>;
  /** The patron holding this GUID, or undefined. */
  patronByGuid(guid: string): Promise<Patron | undefined>;
  /** Inserts a patron as a file import would (no GUID source unless given); returns it. */
  addPatron(values: Partial<PatronWrite>): Promise<Patron>;
  /** Overwrites fields of a stored patron by hand (as a librarian would). */
  editPatron(id: number, change: Partial<PatronValues>): Promise<void>;
  /** The library's patron revision (bumped by every patron write). */
  revision(): Promise<number>;
  /** updated_at and last writer of every patron, by id. */
  stamps(): Promise<Map<number, PatronStamp>>;
  /** The operation's whole log. */
  log(operationId: number): Promise<LogEntry[]>;
  /** The operation as stored. */
  operation(operationId: number): Promise<Operation>;
  /** A user of the generated district. */
  user(sourcedId: string): RosterUser;
  /** The district's users who should be patrons for these roles: a selected role, first org matched. */
  expectedInScope(roles?: readonly SyncRole[]): RosterUser[];
}

/** Registers clean-up for the suite and returns the set-up function for its tests. */
export function syncFixtures(db: DatabaseTestContext): (options?: FixtureOptions) => Promise<SyncFixture> {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });
  return (options = {}) => setUpFixture(db, options, cleanups);
}

async function setUpFixture(db: DatabaseTestContext, options: FixtureOptions, cleanups: (() => Promise<void>)[]): Promise<SyncFixture> {
  const store = db.store();
  const districtOptions = { students: FIXTURE_STUDENTS, seed: FIXTURE_SEED, ...(options.schools ? { schools: options.schools } : {}) };
  const district = materialize(generateDistrict(districtOptions));
  let offset = 0;
  const now = () => new Date(Date.now() + offset);
  const emulator = await startEmulator({
    district: districtOptions,
    now,
    maxClockSkewSeconds: CLOCK_SKEW_ALLOWED_SECONDS,
    faults: options.faults,
    ...(options.sso ? { sso: options.sso } : {}),
  });
  cleanups.push(() => emulator.close());

  const lib = await db.newLibrary('Sync fixture library');
  const schoolIds = district.orgs.filter((o) => o.type === 'school').map((o) => o.sourcedId);
  const siteByOrg = new Map<string, string>();
  for (const [k, code] of SITE_CODES.entries()) {
    const org = district.orgs.find((o) => o.sourcedId === schoolIds[k])!;
    await store.sites.add(lib.id, { code, name: org.name });
    await store.sites.setOrgGuid(lib.id, code, org.sourcedId);
    siteByOrg.set(org.sourcedId, code);
  }
  // A site of the library that is matched to no school: its patrons are never the sync's.
  await store.sites.add(lib.id, { code: 'HS', name: 'High school library (not matched)' });

  const settings = readClassLinkSettings({
    connection: { mode: 'direct', rosterUrl: emulator.url, auth: 'oauth1', clientId: emulator.credentials.clientId },
  });
  options.settings?.(settings);
  await saveClassLink(store, lib.id, { settings, secrets: { clientSecret: emulator.credentials.clientSecret }, enabled: true });
  const setDefaults = async (change: (d: CreationDefaults) => void) => {
    const stored = await loadCreationDefaults(store, lib.id);
    change(stored.defaults);
    await store.creationDefaults.save(lib.id, stored.defaults, stored.revision, 'test');
  };
  if (options.defaults) await setDefaults(options.defaults);

  const deps: SyncDeps = {
    store,
    sources: SYNC_SOURCES,
    now,
    openReader: async (libraryId) => {
      const connection = rosterAuthOf(await loadClassLink(store, libraryId));
      return new OneRosterClient({
        ...connection,
        pageSize: FIXTURE_PAGE_SIZE,
        concurrency: PULL_CONCURRENCY,
        timeoutMs: PULL_TIMEOUT_MS,
        retryAttempts: PULL_RETRY_ATTEMPTS,
        baseDelayMs: PULL_BASE_DELAY_MS,
        maxDelayMs: PULL_MAX_DELAY_MS,
      });
    },
  };

  let raw: Kysely<Tables> | undefined;
  const rawDb = async () => {
    if (!raw) {
      const opened = (await openDatabase({ url: db.url(), migrate: false })).kysely;
      raw = opened;
      cleanups.push(() => opened.destroy());
    }
    return raw;
  };

  const usersById = new Map(district.users.map((u) => [u.sourcedId, u]));
  const patrons = () => store.patrons.loadAll(lib.id);

  return {
    store,
    libraryId: lib.id,
    emulator,
    district,
    schoolIds,
    siteByOrg,
    deps,
    advance: (ms) => {
      offset += ms;
    },
    sync: (kind = 'full', o = {}) => runSync(o.deps ?? deps, { libraryId: lib.id, kind, dryRun: o.dryRun ?? false, requestedBy: 'test' }),
    async configure(change) {
      const state = await loadClassLink(store, lib.id);
      change(state.settings);
      await saveClassLink(store, lib.id, { settings: state.settings });
    },
    setDefaults,
    defaults: async () => (await loadCreationDefaults(store, lib.id)).defaults,
    patrons,
    patronByGuid: async (guid) => (await patrons()).find((p) => p.guid === guid),
    async addPatron(values) {
      const row: PatronWrite = { ...emptyPatronValues(), status: STATUS_ACTIVE, guidSource: null, matchedBy: null, ...values };
      const [id] = await store.patrons.insertMany(lib.id, [row]);
      return (await store.patrons.get(lib.id, id!))!;
    },
    async editPatron(id, change) {
      const p = (await store.patrons.get(lib.id, id))!;
      await store.patrons.updateMany(lib.id, [{ ...p, ...change }]);
    },
    revision: () => store.libraries.revision(lib.id),
    async stamps() {
      const rows = await (await rawDb())
        .selectFrom('patrons')
        .select(['id', 'updated_at', 'last_sync_operation_id'])
        .where('library_id', '=', lib.id)
        .execute();
      return new Map(rows.map((r) => [r.id, { updatedAt: r.updated_at, lastSyncOperationId: r.last_sync_operation_id }]));
    },
    log: async (operationId) => (await store.operations.log(lib.id, operationId)).items,
    operation: async (operationId) => (await store.operations.get(lib.id, operationId))!,
    user: (sourcedId) => {
      const u = usersById.get(sourcedId);
      if (!u) throw new Error(`the fixture district has no user ${sourcedId}`);
      return u;
    },
    expectedInScope: (roles = ['student', 'teacher']) =>
      district.users.filter((u) => {
        const role = syncRoleOf(u.role);
        return role !== null && roles.includes(role) && siteByOrg.has(u.orgSourcedIds[0] ?? '');
      }),
  };
}

const SEX_LABEL: Readonly<Record<string, string>> = { male: 'Male', female: 'Female', other: 'Other', unspecified: 'Unspecified' };

/**
 * The field values SPEC §1.2/§3.3 say a new patron of this user gets, worked out from the
 * district independently of the engine (names as sent, Sex as a label, the first agent's name
 * and phone, the agents' emails joined with `, `).
 */
export function expectedValues(f: Pick<SyncFixture, 'district' | 'siteByOrg'>, u: RosterUser): Partial<PatronValues> {
  const demo = f.district.demographics.find((d) => d.sourcedId === u.sourcedId);
  const agents = u.agentSourcedIds.map((id) => f.district.users.find((a) => a.sourcedId === id)).filter((a) => a !== undefined);
  const first = agents[0];
  const contactName = first ? [first.givenName, first.familyName].filter(Boolean).join(' ') : '';
  const emails = [...new Set(agents.map((a) => a.email).filter((e) => e !== ''))];
  return {
    guid: u.sourcedId,
    firstName: u.givenName,
    middleName: u.middleName,
    lastName: u.familyName,
    birthdate: demo?.birthDate ?? '',
    sex: demo ? (SEX_LABEL[demo.sex] ?? '') : '',
    phone: u.phone,
    email: u.email,
    additionalContact: first ? (first.phone ? `${contactName} (${first.phone})` : contactName) : '',
    otherEmails: emails.join(', '),
    level: u.grades[0] ?? '',
    site: f.siteByOrg.get(u.orgSourcedIds[0]!) ?? '',
    status: STATUS_ACTIVE,
  };
}

/** The district's users of a role whose first org is this school. */
export function usersAt(f: Pick<SyncFixture, 'district'>, role: string, orgId: string): RosterUser[] {
  return f.district.users.filter((u) => u.role === role && u.orgSourcedIds[0] === orgId);
}

/**
 * Adds `n` patrons of a synced Policy at a matched site that no sync owns (SPEC §3.5: imported
 * or hand-made): half with a GUID from a file import no roster user has, half with none.
 */
export async function addLocalPatrons(f: Pick<SyncFixture, 'store' | 'libraryId'>, n: number): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => ({
    ...emptyPatronValues(),
    guid: i % 2 === 0 ? `imported-${i}` : '',
    firstName: 'Local',
    lastName: `Patron ${i}`,
    policy: 'Student',
    site: SITE_CODES[i % SITE_CODES.length]!,
    status: STATUS_ACTIVE,
    guidSource: null,
    matchedBy: null,
  }));
  await f.store.patrons.insertMany(f.libraryId, rows);
}
