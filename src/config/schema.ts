/**
 * Every configuration key Rollcall reads, with its default and a one-line description.
 * This is the only list: `rollcall --help` prints it and docs/configuration.md mirrors it.
 * Values come from flags > environment (and `.env`) > these defaults (config/load.ts).
 */
import { z } from 'zod';
import { parseAllowedHosts } from './allowed-hosts.ts';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const url = z.url({ protocol: /^https?$/ });

/** The environment variables, each with its description (shown by `rollcall --help`). */
export const ENV_SCHEMA = z.object({
  ROLLCALL_DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:<path> or postgres://…')
    .default('sqlite:./data/rollcall.db')
    .describe('Database: sqlite:<path> (embedded, one file) or postgres://user@host/db'),
  ROLLCALL_DATA_DIR: z
    .string()
    .optional()
    .describe("Folder for the generated secret key (secret.key); default: the SQLite file's folder, or ./data with PostgreSQL"),
  ROLLCALL_SECRET_KEY: z
    .string()
    .optional()
    .describe(
      'Key that encrypts credentials at rest (32 bytes as 64 hex or 44 base64 chars); when unset a key is generated into <data dir>/secret.key (mode 0600)',
    ),
  ROLLCALL_CLASSLINK_PARTNER_URL: url
    .default('https://oneroster-proxy.classlink.io')
    .describe('ClassLink partner API base (GET /applications); also the OneRoster proxy host'),
  ROLLCALL_CLASSLINK_PARTNER_KEY: z.string().optional().describe("The vendor's ClassLink partner API key (Tenant ID mode); never shown"),
  ROLLCALL_CLASSLINK_LAUNCHPAD_URL: url.default('https://launchpad.classlink.com').describe('ClassLink OAuth2/OIDC host (sign-in)'),
  ROLLCALL_CLASSLINK_API_URL: url.default('https://nodeapi.classlink.com').describe('ClassLink user-info host (/v2/my/info)'),
  ROLLCALL_SSO_CLIENT_ID: z.string().optional().describe('ClassLink SSO client id'),
  ROLLCALL_SSO_CLIENT_SECRET: z.string().optional().describe('ClassLink SSO client secret; never shown'),
  ROLLCALL_PUBLIC_URL: url.optional().describe('The address people reach Rollcall at; default http://localhost:<ROLLCALL_PORT>'),
  ROLLCALL_PORT: port.default(3000).describe('Port of `rollcall serve`'),
  ROLLCALL_TRUST_PROXY: z
    .string()
    .regex(/^(|\d{1,2}|loopback|[0-9a-fA-F:.,/ ]+)$/, 'must be a number of proxies, loopback, or addresses/CIDRs separated by commas')
    .default('')
    .describe(
      "Reverse proxies in front of `rollcall serve` whose X-Forwarded-For is believed: a hop count (1), loopback, or addresses/CIDRs; empty (default): none — the client address is the connection's",
    ),
  ROLLCALL_CSV_WATCH_ROOT: z
    .string()
    .optional()
    .describe(
      "When set, every library's OneRoster CSV watched folder must lie inside this folder (a vendor confines each district's SFTP drop)",
    ),
  ROLLCALL_ALLOWED_ROSTER_HOSTS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined) return;
      try {
        parseAllowedHosts(value);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
    })
    .describe(
      "When set, the only hosts a library's roster server, OneRoster base and token URLs may name: host, *.domain or host:port, separated by commas (the partner API host is always allowed); a vendor keeps each district's admin from making the server fetch an internal address. Unset: any host",
    ),
  ROLLCALL_HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe(
      'Address `rollcall serve` listens on; 127.0.0.1 (this machine only) by default, 0.0.0.0 for every interface (put https in front)',
    ),
  ROLLCALL_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Log level of the server and worker'),
  ROLLCALL_PAGE_SIZE: positiveInt.max(10_000).default(10_000).describe('Records per roster page request (ClassLink allows up to 10,000)'),
  ROLLCALL_CONCURRENCY: positiveInt.max(32).default(4).describe('Roster page requests in flight at once'),
  ROLLCALL_HTTP_TIMEOUT_MS: positiveInt.default(60_000).describe('Time allowed for one roster request'),
  ROLLCALL_RETRY_ATTEMPTS: positiveInt.max(20).default(6).describe('Attempts per roster request on 429/5xx/timeouts before the pull fails'),
  ROLLCALL_ROSTER_READ: z
    .enum(['auto', 'district'])
    .default('auto')
    .describe(
      "How a full sync reads the roster: auto reads only the matched schools when the library serves at most half the district's; district always reads the whole district",
    ),
  ROLLCALL_STALE_AFTER_SECONDS: positiveInt
    .default(600)
    .describe(
      'A running sync with no sign of life for this long belongs to a stopped worker: it is marked failed ("worker stopped") and retried once',
    ),
  ROLLCALL_JOURNAL_RETENTION_DAYS: positiveInt
    .default(400)
    .describe('Days a patron change stays in the journal (history and undo); the reaper prunes older changes'),
  ROLLCALL_REMOVAL_ARCHIVE_DAYS: positiveInt
    .default(400)
    .describe(
      "Days an end-of-year removal's archive (the CSV of the patrons it removed) is kept with its operation; the reaper empties older ones",
    ),
  ROLLCALL_JOBS_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,49}$/, 'must be lower-case letters, digits and _ (at most 50)')
    .optional()
    .describe("PostgreSQL only: the schema of the job queue's tables (pg-boss); default <the store's schema>_jobs, or rollcall_jobs"),
  ROLLCALL_ALERT_STALE_HOURS: positiveInt
    .default(36)
    .describe('Alert when a library (ClassLink on, Daily Operations on) has had no successful sync for this many hours'),
  ROLLCALL_ALERT_WEBHOOK_URL: url
    .optional()
    .describe('Alerts are POSTed here as JSON (Slack/Teams-style `text` included); treated as a secret, never shown'),
  ROLLCALL_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/.+/, 'must be smtp://[user:pass@]host[:port] or smtps://…')
    .optional()
    .describe('SMTP server for alert e-mail, smtp://user:pass@host:587 or smtps://…:465; never shown'),
  ROLLCALL_ALERT_EMAIL_TO: z.string().optional().describe('Alert e-mail recipients, comma-separated (needs ROLLCALL_SMTP_URL)'),
  ROLLCALL_ALERT_EMAIL_FROM: z.string().default('Rollcall <rollcall@localhost>').describe('Sender of alert e-mail'),
});

/** The validated environment. */
export type Env = z.infer<typeof ENV_SCHEMA>;

/** Keys whose values are secrets: redacted in logs, never printed. */
export const SECRET_KEYS = [
  'ROLLCALL_SECRET_KEY',
  'ROLLCALL_CLASSLINK_PARTNER_KEY',
  'ROLLCALL_SSO_CLIENT_SECRET',
  'ROLLCALL_ALERT_WEBHOOK_URL',
  'ROLLCALL_SMTP_URL',
] as const satisfies readonly (keyof Env)[];
