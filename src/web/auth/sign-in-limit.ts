/**
 * The sign-in limit (SPEC §4: staff sign in with a username and password): what slows password
 * guessing without locking people out. Only **failed** sign-ins count — a shared front-desk
 * account that signs in all day is never limited — in two buckets, each over a window that
 * starts at its first failure:
 *
 * - per address AND username: FAILURES_PER_ACCOUNT (10) in 15 minutes, then that username is
 *   refused from that address until the window ends. A successful sign-in empties the bucket
 *   (the typos before it were the account holder's). Keyed by address too, so nobody elsewhere
 *   can lock an account out by failing on purpose, and one pupil's typos do not lock out a whole
 *   school behind one NAT address.
 * - per address, whatever the username: FAILURES_PER_ADDRESS (50) in 15 minutes. Without it one
 *   address could try 10 passwords on every username it cares to invent. 50 leaves room for a
 *   district whose staff all sign in through one address and mistype now and then; a success
 *   does not empty it (an insider's own account would otherwise reset it for guesses at others).
 *
 * Refused attempts are not checked against the password at all (so they tell nothing) and do
 * not count. Counted in this process's memory, like the limit it replaces: several web
 * processes each count their own, and a restart forgets. No bucket per username alone: it would
 * let anyone on the internet lock the front desk out by failing on purpose, and passwords of at
 * least 10 characters (passwords.ts) make slow guessing from many addresses hopeless anyway.
 */

/** Failed sign-ins allowed per address and username in the window. */
export const FAILURES_PER_ACCOUNT = 10;
/** Failed sign-ins allowed per address, whatever the usernames, in the window. */
export const FAILURES_PER_ADDRESS = 50;
/** The window, from a bucket's first failure. */
export const LIMIT_WINDOW_MS = 15 * 60_000;

/** Buckets kept before expired ones are swept (memory stays bounded under a flood of usernames). */
const SWEEP_AT = 10_000;
/** The longest username a key keeps (a 1 MB username is one bucket like any other). */
const KEY_USERNAME_CHARS = 200;

/** Why a sign-in is refused before its password is even checked. */
export interface SignInRefusal {
  /** Which bucket is full. */
  bucket: 'account' | 'address';
  /** Milliseconds until it empties. */
  retryAfterMs: number;
}

interface Bucket {
  failures: number;
  /** When the window that began at the first failure ends (epoch ms). */
  endsAt: number;
}

/** One server's sign-in limit; `now` is the server's clock (epoch ms). */
export class SignInLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number) {}

  /** Whether a sign-in from `address` as `username` is refused now, and why. */
  refusal(address: string, username: string): SignInRefusal | undefined {
    const now = this.now();
    const account = this.full(accountKey(address, username), FAILURES_PER_ACCOUNT, now);
    if (account !== undefined) return { bucket: 'account', retryAfterMs: account };
    const byAddress = this.full(addressKey(address), FAILURES_PER_ADDRESS, now);
    if (byAddress !== undefined) return { bucket: 'address', retryAfterMs: byAddress };
    return undefined;
  }

  /** Counts a failed sign-in (wrong password, unknown username, disabled account). */
  failed(address: string, username: string): void {
    const now = this.now();
    if (this.buckets.size >= SWEEP_AT) this.sweep(now);
    this.count(accountKey(address, username), now);
    this.count(addressKey(address), now);
  }

  /** A successful sign-in: the username's failures from this address are forgotten. */
  succeeded(address: string, username: string): void {
    this.buckets.delete(accountKey(address, username));
  }

  private full(key: string, max: number, now: number): number | undefined {
    const b = this.buckets.get(key);
    return b && b.endsAt > now && b.failures >= max ? b.endsAt - now : undefined;
  }

  private count(key: string, now: number): void {
    const b = this.buckets.get(key);
    if (b && b.endsAt > now) b.failures++;
    else this.buckets.set(key, { failures: 1, endsAt: now + LIMIT_WINDOW_MS });
  }

  private sweep(now: number): void {
    for (const [key, b] of this.buckets) if (b.endsAt <= now) this.buckets.delete(key);
  }
}

function accountKey(address: string, username: string): string {
  return `u\u0000${address}\u0000${username.trim().toLowerCase().slice(0, KEY_USERNAME_CHARS)}`;
}

function addressKey(address: string): string {
  return `a\u0000${address}`;
}

/** The sentence a refused sign-in shows: what happened, how long to wait, what else to do. */
export function refusalSentence(refusal: SignInRefusal): string {
  const minutes = Math.max(1, Math.ceil(refusal.retryAfterMs / 60_000));
  const wait = `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  return refusal.bucket === 'account'
    ? `Too many wrong passwords for this username: sign-in is paused for it for ${wait}. If you have forgotten the password, a Rollcall admin can set a new one.`
    : `Too many failed sign-ins from your network: sign-in is paused here for ${wait}. Try again then, or ask a Rollcall admin for help.`;
}
