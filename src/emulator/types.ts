/**
 * The ClassLink emulator's public shape (SPEC §7): what tests, the benchmark and
 * `rollcall emulator` use. The server behaves like ClassLink over real HTTP on loopback;
 * this file is the contract between it and its users.
 */
import type { RosterUser } from '../domain/roster.ts';

/** How to generate a synthetic district (deterministic from the seed). */
export interface DistrictOptions {
  /** Number of students (other roles scale from it: ~1 teacher per 20, parents 1–2 each). */
  students: number;
  /** Seed: the same seed and size always give the same district. */
  seed: string | number;
  /** Number of schools (default: from the size, at least 2). */
  schools?: number;
}

/**
 * Switchable faults (SPEC §7). Each applies to OneRoster requests only (not the partner API
 * or control endpoints) and counts requests from when the faults were set. `every: n` means
 * requests n, 2n, 3n, … get the fault.
 */
export interface Faults {
  /** 429 Too Many Requests with a Retry-After header (seconds). */
  rateLimit?: { every: number; retryAfterSeconds: number };
  /** A 502 or 503 with an HTML body, as a gateway would send. */
  serverError?: { every: number; status: 502 | 503 };
  /** Responses delayed by delayMs (every request unless `every` is given). */
  slow?: { delayMs: number; every?: number };
  /** 200 with the body cut off half-way (invalid JSON). */
  truncated?: { every: number };
  /** 200 with the wrong envelope (an error payload or a missing collection key). */
  wrongEnvelope?: { every: number };
  /** Page size silently clamped to this, whatever `limit` asks (headers stay truthful). */
  clampPageSize?: number;
  /** From the n-th request on, X-Total-Count is off by `by` (totals that drift mid-pull). */
  driftTotals?: { afterRequests: number; by: number };
  /** From the n-th request on, every request fails with this status (a pull that dies half-way). */
  failAfter?: { requests: number; status: number };
  /** Connections reset (socket destroyed without a response). */
  reset?: { every: number };
}

/** Changes to the district between syncs; each bumps the record's dateLastModified. */
export interface DistrictMutations {
  /** Changes fields of a user. */
  changeUser(sourcedId: string, patch: Partial<Omit<RosterUser, 'sourcedId'>>): void;
  /** Adds a user (sourcedId, role, orgs and names required; the rest defaulted). */
  addUser(user: Partial<RosterUser> & Pick<RosterUser, 'sourcedId' | 'role' | 'orgSourcedIds' | 'givenName' | 'familyName'>): void;
  /** Marks a user `tobedeleted` (it stays in the feed with that status). */
  markToBeDeleted(sourcedId: string): void;
  /** Removes a user from the feed altogether (a purge). */
  removeUser(sourcedId: string): void;
  /** Sets a user's demographics (birthDate, sex). */
  changeDemographics(sourcedId: string, patch: { birthDate?: string; sex?: string }): void;
}

/** Credentials the emulator accepts for its one tenant (or the first of several). */
export interface EmulatorCredentials {
  /** ClassLink Tenant ID (a small integer). */
  tenantId: number;
  /** The vendor's partner API key (Bearer on /applications). */
  partnerKey: string;
  /** `oneroster_application_id`, already percent-encoded as ClassLink sends it. */
  appId: string;
  /** OAuth 1.0a consumer key of the direct Roster Server connection. */
  clientId: string;
  /** OAuth 1.0a consumer secret. */
  clientSecret: string;
  /** Static Bearer token of the OneRoster proxy (`/{appId}/ims/oneroster/v1p1/…`). */
  bearerToken: string;
}
