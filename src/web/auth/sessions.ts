/**
 * Server-side sessions (SPEC §4): the cookie holds a random token; the database holds its
 * sha256, the library, the account (or patron) and an expiry that slides with use. Signing out
 * or disabling an account deletes the row, so a copied cookie stops working at once.
 */
import type { FastifyReply } from 'fastify';
import type { Store } from '../../store/store.ts';
import { hashToken, newToken } from './tokens.ts';

/** The session cookie's name. */
export const SESSION_COOKIE = 'rollcall_session';
/** A session ends after this long without a request. */
export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
/** A session's expiry, or an API token's last use, is written at most this often (not one write per request). */
export const TOUCH_EVERY_MS = 5 * 60 * 1000;

/** Cookie settings shared by the session and CSRF cookies. */
export function cookieOptions(secure: boolean) {
  return { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' };
}

/** Starts a session for a staff account or a patron and sets the cookie. */
export async function startSession(
  store: Store,
  reply: FastifyReply,
  who: { libraryId: number; staffUserId?: number; patronId?: number },
  now: Date,
  secure: boolean,
): Promise<void> {
  const { token, hash } = newToken();
  await store.staff.createSession({
    idHash: hash,
    libraryId: who.libraryId,
    staffUserId: who.staffUserId ?? null,
    patronId: who.patronId ?? null,
    expiresAt: new Date(now.getTime() + SESSION_IDLE_MS).toISOString(),
  });
  reply.setCookie(SESSION_COOKIE, token, cookieOptions(secure));
}

/** The live session of a cookie value, its expiry moved on when due; undefined when none. */
export async function sessionOf(store: Store, cookie: string | undefined, now: Date) {
  if (!cookie) return undefined;
  const hash = hashToken(cookie);
  const session = await store.staff.session(hash);
  if (!session) return undefined;
  if (now.getTime() - Date.parse(session.lastSeenAt) > TOUCH_EVERY_MS) {
    await store.staff.touchSession(hash, new Date(now.getTime() + SESSION_IDLE_MS).toISOString());
  }
  return session;
}

/** Ends the request's session (if any) and clears the cookie. */
export async function endSession(store: Store, reply: FastifyReply, sessionHash: string | null, secure: boolean): Promise<void> {
  if (sessionHash) await store.staff.deleteSession(sessionHash);
  reply.clearCookie(SESSION_COOKIE, cookieOptions(secure));
}
