/**
 * The composition root: configuration → store → the library asked for → what a sync needs.
 * Every CLI command (`serve` and `worker` too: the web server and the job workers) opens one
 * App and passes its parts down; nothing below this file reads the environment or decides
 * which database to open.
 */
import { loadConfig, type Config } from './config/load.ts';
import type { Env } from './config/schema.ts';
import { RollcallError } from './domain/errors.ts';
import {
  SOURCE_COMMANDS,
  SOURCE_NAMES,
  checkSyncSource,
  loadSourceSettings,
  openReaderFor,
  saveSyncProgress,
  sourceSyncSettings,
  syncSourceOf,
} from './sources/registry.ts';
import { loadCreationDefaults } from './sources/creation-defaults.ts';
import { DEFAULT_LIBRARY_CODE, openStore, type Library, type Store } from './store/store.ts';
import type { SyncDeps, SyncSources } from './sync/ports.ts';

/** How to open the app. */
export interface OpenAppOptions {
  /** Configuration values that win over the environment (from flags). */
  overrides?: Partial<Record<keyof Env, string>>;
  /** The environment to read instead of process.env (and `.env`); tests pass their own. */
  env?: NodeJS.ProcessEnv;
  /** The library to work on, by code (default `default`). */
  libraryCode?: string;
  /** The clock (default: the system clock). */
  now?: () => Date;
}

/** An open app: everything a command needs. Call close() when done. */
export interface App {
  /** The configuration, frozen. */
  config: Config;
  /** The open store. */
  store: Store;
  /** The library the command works on. */
  library: Library;
  /** What runSync, approve and reject need. */
  syncDeps: SyncDeps;
  /** Closes the store. */
  close(): Promise<void>;
}

/** Loads the configuration, opens (creating and migrating) the store and resolves the library. */
export async function openApp(options: OpenAppOptions = {}): Promise<App> {
  const config = loadConfig(options.overrides ?? {}, options.env);
  const store = await openStore({ url: config.database.url, dataDir: config.database.dataDir, secretKey: config.secretKey });
  try {
    const code = options.libraryCode ?? DEFAULT_LIBRARY_CODE;
    const library = await store.libraries.byCode(code);
    if (!library)
      throw unknownLibrary(
        code,
        (await store.libraries.list()).map((l) => l.code),
      );
    const now = options.now ?? (() => new Date());
    return { config, store, library, syncDeps: syncDepsOf(config, store, now), close: () => store.close() };
  } catch (e) {
    await store.close().catch(() => {});
    throw e;
  }
}

/**
 * What the sync engine asks of the roster sources, answered by the source registry: the sync
 * engine names no source module, so it reads every source the same way.
 */
export const SYNC_SOURCES: SyncSources = {
  syncSourceOf,
  checkMaySync: checkSyncSource,
  isEnabled: async (repos, libraryId, source) => (await loadSourceSettings(repos, libraryId, source)).enabled,
  syncSettings: async (repos, libraryId, source) => {
    const state = await loadSourceSettings(repos, libraryId, source);
    const sites = await repos.sites.list(libraryId);
    const { defaults } = await loadCreationDefaults(repos, libraryId);
    return { settings: sourceSyncSettings(source, state.settings, sites, defaults), lastSuccessAt: state.settings.lastSuccessAt };
  },
  saveSyncProgress,
  name: (source) => SOURCE_NAMES[source],
  command: (source) => SOURCE_COMMANDS[source],
};

/** The sync engine's dependencies: the store, the sources, the clock, and a roster reader per library. */
export function syncDepsOf(config: Config, store: Store, now: () => Date): SyncDeps {
  return {
    store,
    sources: SYNC_SOURCES,
    now,
    staleAfterMs: config.jobs.staleAfterMs,
    rosterRead: config.pull.rosterRead,
    // A fresh reader per sync, of the source the sync runs for (the settings may have changed
    // since the last). The registry loads each source's client only when its reader is opened.
    openReader: (libraryId, context) => openReaderFor(config, store, libraryId, context),
  };
}

function unknownLibrary(code: string, known: string[]): RollcallError {
  return new RollcallError('not_found', `There is no library with code "${code}"; the libraries here are: ${known.join(', ') || 'none'}.`);
}
