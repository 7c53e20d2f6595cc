/**
 * Staff passwords, hashed with scrypt from node:crypto (no native module to build; OWASP lists
 * scrypt beside argon2). Stored as `scrypt$N$r$p$salt$hash` so the cost can rise later and old
 * hashes still verify.
 */
import { TEXT_LIMITS } from '../../domain/text-limits.ts';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { RollcallError } from '../../domain/errors.ts';

/** scrypt cost: N=2^15, r=8, p=1 (about 50 ms and 32 MiB here). */
const COST = { N: 32768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Long enough to resist guessing with the login rate limit; no composition rules (NIST 800-63B). */
export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = TEXT_LIMITS.password;

function derive(password: string, salt: Buffer, cost: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, { ...cost, maxmem: 128 * cost.N! * cost.r! * 2 }, (e, key) =>
      e ? reject(e) : resolve(key),
    ),
  );
}

/** Refuses a password that is too short or absurdly long, with a sentence. */
export function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new RollcallError('invalid_input', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if (password.length > MAX_PASSWORD_LENGTH)
    throw new RollcallError('invalid_input', `That password is too long; use at most ${MAX_PASSWORD_LENGTH} characters.`);
}

/** The stored form of a new password. */
export async function hashPassword(password: string): Promise<string> {
  checkNewPassword(password);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` matches `stored` (false for '' or anything unreadable). Constant-time compare. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt' || password.length > MAX_PASSWORD_LENGTH) return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (!N || !r || !p || expected.length !== KEY_BYTES) return false;
  const key = await derive(password, salt, { N, r, p });
  return timingSafeEqual(key, expected);
}

/**
 * A hash to verify against when the username is unknown, so a failed sign-in takes as long
 * whether or not the account exists (no username probing by timing).
 */
export const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
