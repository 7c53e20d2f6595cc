/**
 * Loads the configuration once: flags > environment (and `.env`) > defaults. Nothing else in
 * Rollcall reads process.env; the result is passed down frozen. Every problem is reported
 * together in one RollcallError('config_invalid') (the CLI exits 2 on it).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ENV_SCHEMA, type Env } from './schema.ts';
import { parseAllowedHosts, type HostPattern } from './allowed-hosts.ts';
import { RollcallError } from '../domain/errors.ts';

/** Rollcall's configuration, nested by concern. */
export interface Config {
  /** Where data lives. */
  database: {
    /** `sqlite:<path>` or `postgres://…`. */
    url: string;
    /**
     * Folder for the generated secret key (absolute). Unless set, the SQLite file's own folder,
     * so a script that names only the database finds the key that encrypted its credentials
     * from any working directory; with PostgreSQL, ./data (set ROLLCALL_SECRET_KEY there).
     */
    dataDir: string;
  };
  /** The key for secrets at rest, as given (undefined: generate/read <dataDir>/secret.key). */
  secretKey: string | undefined;
  /** ClassLink hosts and partner credentials. */
  classlink: {
    /** Partner API and proxy base URL. */
    partnerUrl: string;
    /** Partner API key (Tenant ID mode). */
    partnerKey: string | undefined;
    /** OAuth2/OIDC host. */
    launchpadUrl: string;
    /** User-info host. */
    apiUrl: string;
    /** SSO client id. */
    ssoClientId: string | undefined;
    /** SSO client secret. */
    ssoClientSecret: string | undefined;
  };
  /** The web server. */
  web: {
    /** Public base URL. */
    publicUrl: string;
    /** Listening port. */
    port: number;
    /** Listening address. */
    host: string;
    /** Proxies whose X-Forwarded-For is believed (Fastify's trustProxy): false, a hop count, or addresses. */
    trustProxy: false | number | string;
  };
  /** Log level. */
  logLevel: Env['ROLLCALL_LOG_LEVEL'];
  /**
   * ROLLCALL_ALLOWED_ROSTER_HOSTS: the hosts roster and token URLs may name (with the partner
   * API's host), or undefined (any).
   */
  allowedRosterHosts: readonly HostPattern[] | undefined;
  /** ROLLCALL_CSV_WATCH_ROOT: where watched CSV folders must lie, or undefined (anywhere). */
  csvWatchRoot: string | undefined;
  /** How roster pulls behave. */
  pull: {
    /** Records per page request. */
    pageSize: number;
    /** Page requests in flight at once. */
    concurrency: number;
    /** Time allowed for one request, in ms. */
    timeoutMs: number;
    /** Attempts per request before failing. */
    retryAttempts: number;
    /** ROLLCALL_ROSTER_READ: per school when few are served (`auto`), or always the whole district. */
    rosterRead: 'auto' | 'district';
  };
  /** The job queue and its workers (SPEC §6). */
  jobs: {
    /** A running operation with no heartbeat for this long (ms) is a stopped worker's. */
    staleAfterMs: number;
    /** PostgreSQL: the schema of pg-boss's tables, when set (else derived from the store's). */
    schema: string | undefined;
    /** Days a journal row is kept (SPEC §3.9); the reaper prunes older ones. */
    journalRetentionDays: number;
    /** Days a removal's archive is kept with its operation (SPEC §3.10); the reaper empties older ones. */
    removalArchiveDays: number;
  };
  /** Alerts: when a library is stale, and where alerts are sent. */
  alerts: {
    /** Hours without a successful sync before a library is stale. */
    staleHours: number;
    /** Webhook to POST alerts to (a secret: it may carry a token), or undefined. */
    webhookUrl: string | undefined;
    /** E-mail delivery, or undefined when not configured. */
    email: { smtpUrl: string; to: string[]; from: string } | undefined;
  };
}

/**
 * Reads the configuration from an environment (process.env by default, after loading `.env`
 * from the working directory when it exists) with overrides (from flags) on top.
 */
export function loadConfig(overrides: Partial<Record<keyof Env, string>> = {}, env: NodeJS.ProcessEnv | undefined = undefined): Config {
  let source = env;
  if (!source) {
    if (existsSync('.env')) process.loadEnvFile('.env');
    source = process.env;
  }
  const raw: Record<string, string | undefined> = {};
  for (const key of Object.keys(ENV_SCHEMA.shape)) {
    const value = overrides[key as keyof Env] ?? source[key];
    raw[key] = value === '' ? undefined : value;
  }
  const parsed = ENV_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new RollcallError('config_invalid', `Configuration is invalid: ${problems}`);
  }
  return fromEnv(parsed.data);
}

/** Builds the nested config from validated variables. */
function fromEnv(e: Env): Config {
  const config: Config = {
    database: { url: e.ROLLCALL_DATABASE_URL, dataDir: resolve(e.ROLLCALL_DATA_DIR ?? defaultDataDir(e.ROLLCALL_DATABASE_URL)) },
    secretKey: e.ROLLCALL_SECRET_KEY,
    classlink: {
      partnerUrl: stripSlash(e.ROLLCALL_CLASSLINK_PARTNER_URL),
      partnerKey: e.ROLLCALL_CLASSLINK_PARTNER_KEY,
      launchpadUrl: stripSlash(e.ROLLCALL_CLASSLINK_LAUNCHPAD_URL),
      apiUrl: stripSlash(e.ROLLCALL_CLASSLINK_API_URL),
      ssoClientId: e.ROLLCALL_SSO_CLIENT_ID,
      ssoClientSecret: e.ROLLCALL_SSO_CLIENT_SECRET,
    },
    web: {
      publicUrl: stripSlash(e.ROLLCALL_PUBLIC_URL ?? `http://localhost:${e.ROLLCALL_PORT || DEFAULT_PORT}`),
      port: e.ROLLCALL_PORT,
      host: e.ROLLCALL_HOST,
      trustProxy: trustProxyOf(e.ROLLCALL_TRUST_PROXY),
    },
    logLevel: e.ROLLCALL_LOG_LEVEL,
    allowedRosterHosts: allowedRosterHosts(e),
    csvWatchRoot: e.ROLLCALL_CSV_WATCH_ROOT,
    pull: {
      pageSize: e.ROLLCALL_PAGE_SIZE,
      concurrency: e.ROLLCALL_CONCURRENCY,
      timeoutMs: e.ROLLCALL_HTTP_TIMEOUT_MS,
      retryAttempts: e.ROLLCALL_RETRY_ATTEMPTS,
      rosterRead: e.ROLLCALL_ROSTER_READ,
    },
    jobs: {
      staleAfterMs: e.ROLLCALL_STALE_AFTER_SECONDS * 1000,
      schema: e.ROLLCALL_JOBS_SCHEMA,
      journalRetentionDays: e.ROLLCALL_JOURNAL_RETENTION_DAYS,
      removalArchiveDays: e.ROLLCALL_REMOVAL_ARCHIVE_DAYS,
    },
    alerts: { staleHours: e.ROLLCALL_ALERT_STALE_HOURS, webhookUrl: e.ROLLCALL_ALERT_WEBHOOK_URL, email: alertEmail(e) },
  };
  return deepFreeze(config);
}

/** Alert e-mail: both the SMTP server and the recipients, or neither (half of it is a mistake worth stopping for). */
function alertEmail(e: Env): Config['alerts']['email'] {
  const to = (e.ROLLCALL_ALERT_EMAIL_TO ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (!e.ROLLCALL_SMTP_URL && to.length === 0) return undefined;
  if (!e.ROLLCALL_SMTP_URL)
    throw new RollcallError('config_invalid', 'Configuration is invalid: ROLLCALL_ALERT_EMAIL_TO is set but ROLLCALL_SMTP_URL is not');
  if (to.length === 0)
    throw new RollcallError('config_invalid', 'Configuration is invalid: ROLLCALL_SMTP_URL is set but ROLLCALL_ALERT_EMAIL_TO is not');
  return { smtpUrl: e.ROLLCALL_SMTP_URL, to, from: e.ROLLCALL_ALERT_EMAIL_FROM };
}

/**
 * The allowed roster hosts, with the partner API's: the server's operator chose that host, and
 * Tenant ID mode may read the roster through it (ClassLink's OneRoster proxy).
 */
function allowedRosterHosts(e: Env): HostPattern[] | undefined {
  if (e.ROLLCALL_ALLOWED_ROSTER_HOSTS === undefined) return undefined;
  const partner = new URL(e.ROLLCALL_CLASSLINK_PARTNER_URL);
  const port = partner.port !== '' ? Number(partner.port) : partner.protocol === 'https:' ? 443 : 80;
  return [...parseAllowedHosts(e.ROLLCALL_ALLOWED_ROSTER_HOSTS), { host: partner.hostname.replace(/\.$/, ''), wildcard: false, port }];
}

/** A config for tests: defaults, an isolated data dir, and the given overrides. */
export function testConfig(overrides: Partial<Record<keyof Env, string>> = {}): Config {
  return loadConfig(overrides, {});
}

/** The SQLite file's folder (or ./data for PostgreSQL and in-memory SQLite). */
function defaultDataDir(databaseUrl: string): string {
  if (!databaseUrl.startsWith('sqlite:')) return './data';
  const path = databaseUrl
    .slice('sqlite:'.length)
    .replace(/^\/\/(?=\/)/, '')
    .replace(/^\/\//, '');
  return path === '' || path === ':memory:' ? './data' : dirname(path);
}

/** The port the public address names when ROLLCALL_PUBLIC_URL is unset and the port is 0 (any). */
const DEFAULT_PORT = 3000;

/** ROLLCALL_TRUST_PROXY as Fastify's trustProxy. */
function trustProxyOf(value: string): false | number | string {
  const v = value.trim();
  if (v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

function stripSlash(u: string): string {
  return u.replace(/\/+$/, '');
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
