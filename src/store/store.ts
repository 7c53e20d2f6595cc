/**
 * The store: `openStore(…)` opens (creating and migrating as needed) the SQLite file or the
 * PostgreSQL database and hands out the repositories. Nothing outside src/store sees Kysely.
 *
 *     const store = await openStore({ url: config.database.url, dataDir: config.database.dataDir,
 *                                     secretKey: config.secretKey });
 *     const lib = await store.libraries.byCode('default');
 *     await store.transaction(async (tx) => { await tx.patrons.insertMany(lib.id, rows); });
 *     await store.close();
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import type { RepoContext } from './context.ts';
import { openDatabase, type Database } from './db.ts';
import type { StoreDialect } from './dialect.ts';
import { integrationRepository, type IntegrationRepository } from './integrations.ts';
import { libraryRepository, type LibraryRepository } from './libraries.ts';
import { operationRepository, type OperationRepository } from './operations.ts';
import { patronRepository, type PatronRepository } from './patrons.ts';
import type { SecretBox } from './secret-box.ts';
import { lazySecretBox } from './secret-key.ts';
import { siteRepository, type SiteRepository } from './sites.ts';
import { scheduleRepository, type ScheduleRepository } from './schedules.ts';
import { creationDefaultsRepository, type CreationDefaultsRepository } from './creation-defaults.ts';
import { alertRepository, type AlertRepository } from './alerts.ts';
import { staffRepository, type StaffRepository } from './staff.ts';
import { csvPackageRepository, type CsvPackageRepository } from './csv-packages.ts';
import { conflictRepository, type ConflictRepository } from './conflicts.ts';
import { journalRepository, type JournalRepository } from './journal.ts';
import { kohaCodesRepository, type KohaCodesRepository } from './koha-codes.ts';
import { fieldLockRepository, type FieldLockRepository } from './locks.ts';
import { removalRepository, type RemovalRepository } from './removals.ts';
import { webhookRepository, type WebhookRepository } from './webhooks.ts';

export type { StoreDialect } from './dialect.ts';
export type * from './records.ts';
export { FINAL_STATES, zeroCounts } from './records.ts';
export { DEFAULT_LIBRARY_CODE } from './migrations/0001-initial.ts';
export type { IntegrationRepository, IntegrationSave } from './integrations.ts';
export type { LibraryRepository } from './libraries.ts';
export type { NewOperation, OperationOutcome, OperationQuery, OperationRepository } from './operations.ts';
export type { LogQuery } from './operation-log.ts';
export type { ChangeQuery } from './operation-changes.ts';
export type { ExportFilter, PatronFilter, PatronRepository } from './patrons.ts';
export type { EditOptions, NamePrefix, PatronChanges, PatronDetail, PatronSearch, SearchTerms } from './patron-search.ts';
export type { SiteRepository } from './sites.ts';
export type { KohaBranchRow, KohaCategoryRow, KohaCodesRepository } from './koha-codes.ts';
export type { ScheduleChange, ScheduleRecord, ScheduleRepository, ScheduleRun, StaleSchedule } from './schedules.ts';
export type { FieldLockRecord, FieldLockRepository } from './locks.ts';
export type { CreationDefaultsRecord, CreationDefaultsRepository } from './creation-defaults.ts';
export type { AlertDelivery, AlertKind, AlertRecord, AlertRepository, NewAlert } from './alerts.ts';
export type { ApiToken, NewStaffUser, StaffRepository, StaffRole, StaffUser, TokenScope, WebSession } from './staff.ts';
export type { CsvPackageIdentity, CsvPackageRecord, CsvPackageRepository } from './csv-packages.ts';
export type {
  ConflictActionName,
  ConflictJournalEntry,
  ConflictQuery,
  ConflictRecord,
  ConflictRepository,
  ConflictResolution,
  ConflictState,
  ConflictSyncWrite,
  ResolveOutcome,
} from './conflicts.ts';
export type {
  HistoryEntry,
  HistoryPage,
  HistoryQuery,
  JournalBy,
  JournalEntry,
  JournalField,
  JournalKind,
  JournalRepository,
  JournalWrite,
} from './journal.ts';
export { CREATED_FIELD, JOURNAL_KINDS, createdValuesJson } from './journal.ts';
export type { NewRemoval, RemovalPage, RemovalRecord, RemovalRepository } from './removals.ts';
export type { DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookRepository } from './webhooks.ts';

/** How to open the store. */
export interface OpenStoreOptions {
  /** `sqlite:<path>` or `postgres://…` (ROLLCALL_DATABASE_URL). */
  url: string;
  /** Folder for the generated `secret.key` (default `./data`). */
  dataDir?: string;
  /** The key for secrets at rest (64 hex or base64 of 32 bytes); else `<dataDir>/secret.key`. */
  secretKey?: string | undefined;
  /** PostgreSQL only: keep the tables in this schema (created when missing). */
  pgSchema?: string;
  /** The clock (tests); defaults to the system clock. */
  now?: () => Date;
}

/** The repositories, bound to the store or to one transaction. */
export interface Repositories {
  /** Libraries. */
  libraries: LibraryRepository;
  /** Sites. */
  sites: SiteRepository;
  /** Patrons. */
  patrons: PatronRepository;
  /** Integration settings and secrets. */
  integrations: IntegrationRepository;
  /** Operations, their logs and stored plans. */
  operations: OperationRepository;
  /** Daily Operations schedules (SPEC §3.7). */
  schedules: ScheduleRepository;
  /** Alerts raised, resolved and sent. */
  alerts: AlertRepository;
  /** Staff accounts, web sessions, API tokens. */
  staff: StaffRepository;
  /** OneRoster CSV packages processed (synced or refused). */
  csvPackages: CsvPackageRepository;
  /** The conflict queue (SPEC §3.9). */
  conflicts: ConflictRepository;
  /** The field-level journal of patron changes (SPEC §3.9). */
  journal: JournalRepository;
  /** The Koha codes of sites and policies (the Koha patron import CSV). */
  kohaCodes: KohaCodesRepository;
  /** Field locks: fields of patrons no sync writes (SPEC §3.8). */
  locks: FieldLockRepository;
  /** End-of-year removals: who a rule selects, deleting patrons, each removal's archive (SPEC §3.10). */
  removals: RemovalRepository;
  /** Webhook endpoints and their deliveries. */
  webhooks: WebhookRepository;
  /** The library's creation defaults (SPEC §3.3, §3.8). */
  creationDefaults: CreationDefaultsRepository;
}

/** An open store. */
export interface Store extends Repositories {
  /** Which engine it runs on. */
  readonly dialect: StoreDialect;
  /**
   * Runs `work` in one transaction with repositories bound to it: all its writes land, or —
   * when it throws — none do. Inside `work` use only `tx` (the store's own repositories throw
   * there). On SQLite it holds the one write lock for its whole duration: keep it short.
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** A key for `purpose` derived from the secret key (web cookie signing); see SecretBox.derive. */
  derivedKey(purpose: string): Buffer;
  /** Closes the connections. */
  close(): Promise<void>;
}

/** Opens the store at `options.url`, creating and migrating the database as needed. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const secrets = lazySecretBox({ secretKey: options.secretKey, dataDir: resolve(options.dataDir ?? 'data') });
  const database = await openDatabase({ url: options.url, pgSchema: options.pgSchema });
  return storeOver(database, { secrets, now: options.now });
}

/** A store over an open database (openStore's second half; tests use it to reach the database). */
export function storeOver(database: Database, options: { secrets: () => SecretBox; now?: (() => Date) | undefined }): Store {
  const clock = options.now ?? (() => new Date());
  const ctx: RepoContext = {
    db: database.kysely,
    dialect: database.dialect,
    where: database.where,
    sqlite: database.sqlite,
    secrets: options.secrets,
    now: () => clock().toISOString(),
  };
  const inTransaction = new AsyncLocalStorage<true>();
  return {
    dialect: database.dialect,
    ...outsideTransactions(repositories(ctx), inTransaction),
    transaction: async (work) => {
      if (inTransaction.getStore()) throw new Error('store.transaction() called inside store.transaction(); nest nothing, use tx.');
      return ctx.db.transaction().execute((trx) => inTransaction.run(true, () => work(repositories({ ...ctx, db: trx }))));
    },
    derivedKey: (purpose) => options.secrets().derive(purpose),
    close: () => database.kysely.destroy(),
  };
}

/**
 * The store's own repositories refuse to run inside one of its transactions: on SQLite they
 * would wait for the one connection the transaction holds (a silent deadlock), on PostgreSQL
 * they would work outside it. Either way the caller meant `tx`, so say so at once.
 */
function outsideTransactions(repos: Repositories, inTransaction: AsyncLocalStorage<true>): Repositories {
  const guarded = {} as Record<string, Record<string, unknown>>;
  for (const [name, repo] of Object.entries(repos) as [string, Record<string, unknown>][]) {
    const wrapped: Record<string, unknown> = {};
    for (const [method, fn] of Object.entries(repo)) {
      wrapped[method] = (...args: unknown[]) => {
        if (inTransaction.getStore()) {
          throw new Error(`store.${name}.${method} called inside store.transaction(); use the transaction's repositories (tx.${name}).`);
        }
        return (fn as (...a: unknown[]) => unknown)(...args);
      };
    }
    guarded[name] = wrapped;
  }
  return guarded as unknown as Repositories;
}

function repositories(ctx: RepoContext): Repositories {
  return {
    libraries: libraryRepository(ctx),
    sites: siteRepository(ctx),
    patrons: patronRepository(ctx),
    integrations: integrationRepository(ctx),
    operations: operationRepository(ctx),
    schedules: scheduleRepository(ctx),
    alerts: alertRepository(ctx),
    staff: staffRepository(ctx),
    csvPackages: csvPackageRepository(ctx),
    conflicts: conflictRepository(ctx),
    journal: journalRepository(ctx),
    kohaCodes: kohaCodesRepository(ctx),
    locks: fieldLockRepository(ctx),
    removals: removalRepository(ctx),
    webhooks: webhookRepository(ctx),
    creationDefaults: creationDefaultsRepository(ctx),
  };
}
