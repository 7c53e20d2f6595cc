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

/**
 * A district (tenant) as the partner API lists it. The emulator serves one district; every
 * approved tenant's credentials reach it, a not-approved tenant's are refused (401).
 */
export interface EmulatorTenant {
  /** ClassLink Tenant ID. */
  tenantId: number;
  /** `tenant_name`. */
  tenantName: string;
  /** `oneroster_application_id`, percent-encoded as ClassLink sends it. */
  appId: string;
  /** The proxy Bearer token (`bearer` in the record). */
  bearerToken: string;
  /** OAuth 1.0a consumer key of the direct connection (from `/applications/{id}/server`). */
  clientId: string;
  /** OAuth 1.0a consumer secret. */
  clientSecret: string;
  /** Whether the district approved the app: `enabled:"true"`, `tenant_status:"Active"` (else "false"/"Inactive"). */
  approved: boolean;
}

/** A district given record by record (e.g. loaded from a OneRoster CSV package). */
export interface DistrictData {
  /** Orgs: the district and its schools (and any other org types). */
  orgs: import('../domain/roster.ts').RosterOrg[];
  /** Every user: students, teachers, administrators, parents/guardians. */
  users: RosterUser[];
  /** Classes, homeroom and scheduled. */
  classes: import('../domain/roster.ts').RosterClass[];
  /** Enrollments of users in classes. */
  enrollments: import('../domain/roster.ts').RosterEnrollment[];
  /** Demographics, one per user that has them. */
  demographics: import('../domain/roster.ts').RosterDemographics[];
  /** Academic sessions (school year, terms). */
  academicSessions: import('../domain/roster.ts').RosterAcademicSession[];
}

/** How to start an emulator (every field optional). */
export interface EmulatorOptions {
  /** The district: generated from options (default `{ students: 100, seed: 1 }`) or given. */
  district?: DistrictOptions | DistrictData;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Address to listen on; default 127.0.0.1 (tests reach only loopback). */
  host?: string;
  /** `classlink` (default): booleans as strings, as ClassLink sends them; `strict`: OneRoster 1.1 JSON as the spec says. */
  mode?: 'classlink' | 'strict';
  /** Faults active from the start. */
  faults?: Faults;
  /** Credentials to accept (random ones are made for missing fields). */
  credentials?: Partial<EmulatorCredentials>;
  /** OAuth 1.0a timestamps further than this from the emulator's clock are refused (default 300 s). */
  maxClockSkewSeconds?: number;
  /** The emulator's clock (default: the real one); dateLastModified of mutations comes from it. */
  now?: () => Date;
  /**
   * Tenants listed after the main one (whose credentials are `credentials`). Default: one
   * tenant that has not approved the app (Tenant ID = main + 1), for "not yet approved" tests.
   * Missing fields are made up; `approved` defaults to false.
   */
  tenants?: Partial<EmulatorTenant>[];
}

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`: the Roster Server (direct) base, before `/ims/oneroster/v1p1`; also the partner API and proxy host. */
  url: string;
  /** The credentials it accepts. */
  credentials: EmulatorCredentials;
  /** Every tenant the partner API lists, the main one (of `credentials`) first. */
  tenants: EmulatorTenant[];
  /** Changes to the district between syncs. */
  mutate: DistrictMutations;
  /** Replaces the active faults (an empty object clears them) and restarts the fault request count. */
  setFaults(faults: Faults): void;
  /** OneRoster requests served so far (including refused ones). */
  requestCount(): number;
  /** Stops listening and frees the port. */
  close(): Promise<void>;
}
