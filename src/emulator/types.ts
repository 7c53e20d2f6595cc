/**
 * The ClassLink emulator's public shape (SPEC §7): what tests, the benchmark and
 * `rollcall emulator` use. The server behaves like ClassLink over real HTTP on loopback;
 * this file is the contract between it and its users.
 */
import type { DistrictData } from '../domain/district.ts';
import type { RosterEnrollment, RosterUser } from '../domain/roster.ts';

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
  /** Purges a user's demographics record (the user stays): a district that stopped sending it. */
  removeDemographics(sourcedId: string): void;
  /** Adds an enrollment (status active, school of its class, not primary, no dates unless given). */
  addEnrollment(
    enrollment: Partial<RosterEnrollment> & Pick<RosterEnrollment, 'sourcedId' | 'userSourcedId' | 'classSourcedId' | 'role'>,
  ): void;
  /** Changes fields of an enrollment. */
  changeEnrollment(sourcedId: string, patch: Partial<Omit<RosterEnrollment, 'sourcedId'>>): void;
  /** Marks an enrollment `tobedeleted` (the user left the class; it stays in the feed). */
  markEnrollmentToBeDeleted(sourcedId: string): void;
  /**
   * Moves a student to another homeroom, as a district's SIS does: their active homeroom
   * enrollments are marked `tobedeleted` and a new one is added in `classSourcedId` (default: the
   * next homeroom of the same school, in sourcedId order). Returns the new enrollment's sourcedId.
   * The user record itself does not change.
   */
  moveHomeroom(studentSourcedId: string, classSourcedId?: string): string;
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
  /** ClassLink sign-in (OAuth2 / OpenID Connect): clients, where it is served, faults. */
  sso?: EmulatorSsoOptions;
  /** The OAuth 2 client credentials client of the generic OneRoster side (1.2, and Bearer on 1.1). */
  oauth2?: EmulatorOAuth2Options;
}

/** The OAuth 2 client the emulator's token endpoint knows (every field optional). */
export interface EmulatorOAuth2Options {
  /** client_id (random when missing). */
  clientId?: string;
  /** client_secret (random when missing). */
  clientSecret?: string;
  /** Scopes the district granted the client (default: every 1.1 and 1.2 rostering scope). */
  grantedScopes?: string[];
  /** Lifetime of a token in seconds, on the emulator's clock (default 3600). */
  tokenTtlSeconds?: number;
}

/** The generic OneRoster REST side of a running emulator: 1.2 and OAuth 2 client credentials. */
export interface RunningOAuth2 {
  /** client_id. */
  clientId: string;
  /** client_secret (client_secret_basic or client_secret_post). */
  clientSecret: string;
  /** The token endpoint (`<url>/oauth/token`). */
  tokenUrl: string;
  /** The scopes the client is granted. */
  grantedScopes: string[];
  /** The OneRoster 1.2 rostering base (`<url>/ims/oneroster/rostering/v1p2`); its tokens also open the 1.1 direct path. */
  v1p2Url: string;
  /** Ends every token issued so far (a server that revoked them early). */
  revokeTokens(): void;
  /** Token requests answered so far (refused ones included). */
  tokenRequests(): number;
  /** OneRoster 1.2 requests served so far (refused ones included; faulted ones not). */
  v1p2Requests(): number;
}

/** An OAuth2 client registered with the emulated ClassLink sign-in (an app in the Partner Portal). */
export interface SsoClient {
  /** `client_id`. */
  clientId: string;
  /** `client_secret` (client_secret_post or client_secret_basic). */
  clientSecret: string;
  /** Registered redirect URIs; `redirect_uri` must equal one of them exactly. */
  redirectUris: string[];
}

/**
 * Faults of the sign-in side, for negative tests. They stay until replaced (an empty object
 * clears them).
 */
export interface SsoFaults {
  /** The TenantId users report (`/v2/my/info` and the id_token), instead of the emulator's: a user of another district. */
  tenantId?: number;
  /** The id_token is wrong in this one way: another audience, another issuer, signed with a key not in the JWKS, or already expired. */
  idToken?: 'wrongAudience' | 'wrongIssuer' | 'badSignature' | 'expired';
  /** `/v2/my/info` answers with this status (e.g. 500) and an error body. */
  myInfoStatus?: number;
  /** Authorization codes live this many seconds instead of ClassLink's 300 (0: expired at once). */
  codeTtlSeconds?: number;
}

/** How the emulated ClassLink sign-in is set up (every field optional). */
export interface EmulatorSsoOptions {
  /**
   * Registered clients (missing fields made up). Default: one client with a random id and
   * secret whose redirect URI is Rollcall's default callback (`DEFAULT_SSO_REDIRECT_URI`).
   */
  clients?: Partial<SsoClient>[];
  /** Path of the LaunchPad host (issuer, `/oauth2/v2/…`, discovery) under the emulator's URL; default '' (the root). */
  launchpadPath?: string;
  /** Path of the API host (`/v2/my/info`, `/v2/my/profileinfo`) under the emulator's URL; default '' (the root). */
  apiPath?: string;
  /** The base URL people and apps reach the emulator at, when not its listening URL (a proxy, a container). */
  publicUrl?: string;
  /** Faults active from the start. */
  faults?: SsoFaults;
}

/** The emulated ClassLink sign-in of a running emulator: where it is and how to drive it. */
export interface RunningSso {
  /** The issuer: the LaunchPad base (`iss` of id_tokens; discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  /** The LaunchPad base URL (the same as the issuer): `/oauth2/v2/auth`, `/oauth2/v2/token`, `/oauth2/v2/jwks` hang under it. */
  launchpadUrl: string;
  /** The API base URL (ClassLink's nodeapi host): `/v2/my/info` and `/v2/my/profileinfo` hang under it. */
  apiUrl: string;
  /** The first client's id. */
  clientId: string;
  /** The first client's secret. */
  clientSecret: string;
  /** The first client's redirect URIs (a copy, as of now). */
  readonly redirectUris: string[];
  /** The TenantId users report (unless a fault says otherwise): the main tenant's. */
  tenantId: number;
  /** Every registered client (copies, as of now). */
  readonly clients: SsoClient[];
  /** Registers one more redirect URI for a client (default: the first), e.g. once the web app knows its port. */
  addRedirectUri(redirectUri: string, clientId?: string): void;
  /** Replaces the sign-in faults (an empty object clears them). */
  setFaults(faults: SsoFaults): void;
  /** The next `/oauth2/v2/auth` (or launch without a user) signs in as this user, skipping the picker page. */
  signInNextAs(sourcedId: string): void;
  /** A LaunchPad tile's URL for a user: opening it sends the browser to the app with a `code` and no `state`. */
  launchUrl(sourcedId: string, opts?: { clientId?: string; redirectUri?: string }): string;
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
  /** ClassLink sign-in (OAuth2 / OpenID Connect, `/v2/my/info`, LaunchPad launches). */
  sso: RunningSso;
  /** OneRoster 1.2 and the OAuth 2 client credentials client that reads it. */
  oauth2: RunningOAuth2;
  /** Stops listening and frees the port. */
  close(): Promise<void>;
}
