/**
 * Staff accounts and API tokens as the API and `rollcall users --json` show them: never a
 * password hash, a token or its hash.
 */
import type { ApiToken, StaffUser } from '../store/store.ts';

/** What the API shows of an account (never its password hash). */
export function staffJson(u: StaffUser) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    disabled: u.disabled,
    patronId: u.patronId,
    createdAt: u.createdAt,
    lastLoginAt: u.lastLoginAt,
  };
}

/** What the API shows of a token (never the token or its hash). */
export function tokenJson(t: ApiToken) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    role: t.role,
    scope: t.scope,
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt,
    revokedAt: t.revokedAt,
  };
}
