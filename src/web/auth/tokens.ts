/**
 * Random bearer secrets — session cookies and API tokens — and their stored form. Only the
 * sha256 is stored: the tokens are 256 random bits, so a fast hash is enough (no guessing to
 * slow down), and a copy of the database opens no session.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A new random token with a recognisable prefix (`rc_` for API tokens, so leaks are greppable). */
export function newToken(prefix = ''): { token: string; hash: string } {
  const token = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

/** The stored form of a token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The prefix of API tokens. */
export const API_TOKEN_PREFIX = 'rc_';
