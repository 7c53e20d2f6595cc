/**
 * Expected failures, as one catalogue of stable snake_case kinds (after outline's errors.ts).
 * Each carries a message a person can act on. The CLI maps kinds to exit codes and the web
 * layer to HTTP statuses, nowhere else. Anything thrown that is not a RollcallError is a bug.
 */

/** The kinds of expected failure. */
export type ErrorKind =
  /** Bad command-line usage or configuration (exit 2). */
  | 'usage'
  /** A configuration value is missing or invalid (exit 2). */
  | 'config_invalid'
  /** The roster server could not be reached (DNS, refused, timeout, reset). */
  | 'source_unreachable'
  /** The roster server refused our credentials (401/403). */
  | 'credentials_refused'
  /** The roster server answered, but not with what OneRoster promises. */
  | 'bad_response'
  /** The roster server kept answering 429/5xx after every retry. */
  | 'source_unavailable'
  /** A requested object does not exist (404). */
  | 'not_found'
  /** The Tenant ID is not among the districts that approved the app. */
  | 'unknown_tenant'
  /** The district has the app but has not (yet) approved/enabled it. */
  | 'app_not_approved'
  /** The integration is not configured enough to do what was asked. */
  | 'not_configured'
  /** The snapshot was incomplete where a complete one is required. */
  | 'snapshot_incomplete'
  /** The plan passed a safety threshold; the operation waits for review. */
  | 'threshold_exceeded'
  /** Something conflicts with the current state (e.g. a sync is already running). */
  | 'conflict'
  /** The input (a file, a record) is malformed. */
  | 'invalid_input'
  /** The store failed (disk full, database down). */
  | 'store_failed'
  /** What was asked for existed once and is gone for good (a change cursor older than the journal's retention). */
  | 'gone';

/** An expected failure with a one-line message for a person. */
export class RollcallError extends Error {
  override readonly name = 'RollcallError';
  /** The stable kind. */
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/** Whether a value is a RollcallError (of one of the given kinds, if any). */
export function isRollcallError(e: unknown, ...kinds: ErrorKind[]): e is RollcallError {
  return e instanceof RollcallError && (kinds.length === 0 || kinds.includes(e.kind));
}

/** One line describing any thrown value, for logs and the CLI: never a stack, never a secret. */
export function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/\s+/g, ' ').trim() || 'unknown error';
}
