/**
 * What the web layer works with: its dependencies (WebDeps), who is asking (Principal), and the
 * request/reply decorations every route can rely on. Route modules get a `WebDeps` and read
 * `request.principal` / `request.library`, never cookies or headers themselves.
 */
import type { Config } from '../config/load.ts';
import type { Library, StaffRole, StaffUser, Store, TokenScope } from '../store/store.ts';
import type { SyncDeps } from '../sync/ports.ts';

/** Starts a sync for Sync Now: through the job queue when there is one, else in this process. */
export type SyncStarter = (
  libraryId: number,
  ask: { kind: 'full' | 'delta'; dryRun: boolean; requestedBy: string },
) => Promise<{ operationId: number | null; alreadyRunning: boolean }>;

/** The web server's dependencies. */
export interface WebDeps {
  /** The configuration. */
  config: Config;
  /** The open store (shared with the worker when they run in one process). */
  store: Store;
  /** What a sync needs (approve/reject run the apply in the web process). */
  syncDeps: SyncDeps;
  /** The clock. */
  now: () => Date;
  /** Starts Sync Now (default: in this process, in the background). */
  startSync: SyncStarter;
  /** Fastify's logger: false in tests, pino options in `serve`. */
  logger?: boolean | Record<string, unknown>;
}

/** Someone signed in. */
export type Principal =
  | {
      kind: 'staff';
      user: StaffUser;
      /** The role in force: the account's, or the API token's (never more than the account's). */
      role: StaffRole;
      /** How they proved it: a session cookie (forms need CSRF) or an API token (no cookies, no CSRF). */
      via: 'session' | 'token';
      /** A token's scope (`feed`: the change feed only); a session's is `all`. */
      scope: TokenScope;
    }
  | { kind: 'patron'; patronId: number };

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking, or null (anonymous). */
    principal: Principal | null;
    /** The library of whoever is signed in, or null. */
    library: Library | null;
    /** The session's token hash, when the request came with a live session cookie. */
    sessionHash: string | null;
    /** Open conflicts of the library, counted for the navigation of staff pages (0 otherwise). */
    openConflicts: number;
    /** Syncs of the library held for review, counted for the navigation of staff pages (0 otherwise). */
    heldSyncs: number;
  }
  interface FastifyReply {
    /** Renders a page (views/<view>.eta inside the layout) as the response. */
    page(view: string, data?: Record<string, unknown>, status?: number): FastifyReply;
  }
}

/** The staff principal of a request that passed a staff guard. */
export function staffOf(principal: Principal | null): Extract<Principal, { kind: 'staff' }> {
  if (principal?.kind !== 'staff') throw new Error('staffOf called on a route without a staff guard');
  return principal;
}
