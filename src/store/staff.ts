/**
 * Staff accounts, web sessions and API tokens (SPEC §4). Three lookups are deliberately not
 * library-scoped — a username at sign-in, a session cookie, an API token — because each is
 * what *tells* us the library; everything else takes the library id like every repository.
 * Secrets are never stored: passwords as scrypt hashes, session and API tokens as sha256.
 */
import { sql, type Selectable, type Updateable } from 'kysely';
import { RollcallError } from '../domain/errors.ts';
import { TEXT_LIMITS, withinLimit } from '../domain/text-limits.ts';
import { atomically, type RepoContext } from './context.ts';
import { isUniqueViolation } from './store-errors.ts';
import type { ApiTokensTable, StaffUsersTable, WebSessionsTable } from './tables.ts';

/** What a staff account may do: admins change integration settings; librarians read and edit patrons. */
export type StaffRole = 'admin' | 'librarian';

/** A staff account. */
export interface StaffUser {
  id: number;
  libraryId: number;
  username: string;
  displayName: string;
  role: StaffRole;
  /** scrypt hash; '' when there is no password. Never leaves the server. */
  passwordHash: string;
  /** The Teacher/Staff patron linked to this account (ClassLink sign-in), or null. */
  patronId: number | null;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

/** A web session. */
export interface WebSession {
  idHash: string;
  libraryId: number;
  staffUserId: number | null;
  patronId: number | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

/** An API token (its hash never leaves the store). */
export interface ApiToken {
  id: number;
  libraryId: number;
  staffUserId: number;
  name: string;
  prefix: string;
  role: StaffRole;
  /** `all`: whatever its role may do; `feed`: the change feed and nothing else (a downstream library system's). */
  scope: TokenScope;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** What a token may reach: its role's routes, or only the change feed. */
export type TokenScope = 'all' | 'feed';

/** A new staff account. */
export interface NewStaffUser {
  username: string;
  displayName?: string;
  role: StaffRole;
  passwordHash: string;
  patronId?: number | null;
}

/** The staff repository. */
export interface StaffRepository {
  /** Staff accounts in the whole deployment (0 → the first-run setup page). */
  countAll(): Promise<number>;
  /** Creates an account; `conflict` when the username is taken (anywhere: usernames are global). */
  create(libraryId: number, user: NewStaffUser): Promise<StaffUser>;
  /**
   * Creates the deployment's very first account, or returns undefined when any account exists
   * already — one check-and-insert (two first-run setups racing make one admin, not two).
   */
  createFirst(libraryId: number, user: NewStaffUser): Promise<StaffUser | undefined>;
  /** The account with this username, in any library (sign-in), compared case-insensitively. */
  byUsername(username: string): Promise<StaffUser | undefined>;
  /** One account of the library. */
  get(libraryId: number, id: number): Promise<StaffUser | undefined>;
  /** The account linked to this patron, if any. */
  byPatron(libraryId: number, patronId: number): Promise<StaffUser | undefined>;
  /** The library's accounts, by username. */
  list(libraryId: number): Promise<StaffUser[]>;
  /** Changes an account; `not_found` when it is not the library's. */
  update(
    libraryId: number,
    id: number,
    changes: Partial<Pick<StaffUser, 'displayName' | 'role' | 'passwordHash' | 'disabled' | 'patronId'>>,
  ): Promise<StaffUser>;
  /** Records a successful sign-in. */
  touchLogin(libraryId: number, id: number): Promise<void>;

  /** Stores a new session. */
  createSession(session: Omit<WebSession, 'createdAt' | 'lastSeenAt'>): Promise<void>;
  /** The session with this token hash, if it has not expired. */
  session(idHash: string): Promise<WebSession | undefined>;
  /** Moves a session's expiry on (sliding sessions). */
  touchSession(idHash: string, expiresAt: string): Promise<void>;
  /** Ends a session. */
  deleteSession(idHash: string): Promise<void>;
  /** Ends every session of an account (password changed, account disabled). */
  deleteUserSessions(libraryId: number, staffUserId: number): Promise<void>;
  /** Removes expired sessions; how many. */
  deleteExpiredSessions(): Promise<number>;

  /** Stores a new API token. */
  createToken(
    token: Omit<ApiToken, 'id' | 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'scope'> & { tokenHash: string; scope?: TokenScope },
  ): Promise<ApiToken>;
  /** The live (not revoked) token with this hash, in any library. */
  tokenByHash(tokenHash: string): Promise<ApiToken | undefined>;
  /** The library's tokens, newest first (revoked ones too). */
  listTokens(libraryId: number): Promise<ApiToken[]>;
  /** Revokes a token; `not_found` when it is not the library's. */
  revokeToken(libraryId: number, id: number): Promise<ApiToken>;
  /** Records a use of a token. */
  touchToken(id: number): Promise<void>;
}

/** The staff repository over a context. */
export function staffRepository(ctx: RepoContext): StaffRepository {
  const users = () => ctx.db.selectFrom('staff_users').selectAll();
  const tokens = () => ctx.db.selectFrom('api_tokens').selectAll();
  const notFound = (what: string) => new RollcallError('not_found', `There is no such ${what} in this library.`);
  return {
    async countAll() {
      const row = await ctx.db
        .selectFrom('staff_users')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async create(libraryId, user) {
      const username = withinLimit('username', 'The username', user.username.trim(), 'username');
      if (!/^[\w.@+-]+$/.test(username)) {
        throw new RollcallError('invalid_input', `A username is 1 to ${TEXT_LIMITS.username} letters, digits or . _ @ + - (no spaces).`);
      }
      const displayName = withinLimit('displayName', 'The name', user.displayName?.trim() ?? '', 'staffDisplayName');
      try {
        const row = await ctx.db
          .insertInto('staff_users')
          .values({
            library_id: libraryId,
            username,
            display_name: displayName,
            role: user.role,
            password_hash: user.passwordHash,
            patron_id: user.patronId ?? null,
            created_at: ctx.now(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toUser(row);
      } catch (e) {
        if (isUniqueViolation(e)) throw new RollcallError('conflict', `The username "${username}" is already taken.`, { cause: e });
        throw e;
      }
    },
    async createFirst(libraryId, user) {
      return atomically(ctx, async (tx) => {
        // SQLite's transaction already holds the write lock; PostgreSQL needs the table's.
        if (tx.dialect === 'postgres') await sql`lock table staff_users in share row exclusive mode`.execute(tx.db);
        const repo = staffRepository(tx);
        if ((await repo.countAll()) > 0) return undefined;
        return repo.create(libraryId, user);
      });
    },
    async byUsername(username) {
      const row = await users()
        .where((eb) => eb(eb.fn('lower', ['username']), '=', username.trim().toLowerCase()))
        .executeTakeFirst();
      return row && toUser(row);
    },
    async get(libraryId, id) {
      const row = await users().where('library_id', '=', libraryId).where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async byPatron(libraryId, patronId) {
      const row = await users()
        .where('library_id', '=', libraryId)
        .where('patron_id', '=', patronId)
        .where('disabled', '=', 0)
        .executeTakeFirst();
      return row && toUser(row);
    },
    async list(libraryId) {
      return (await users().where('library_id', '=', libraryId).orderBy('username').execute()).map(toUser);
    },
    async update(libraryId, id, changes) {
      const set: Updateable<StaffUsersTable> = {};
      if (changes.displayName !== undefined)
        set.display_name = withinLimit('displayName', 'The name', changes.displayName.trim(), 'staffDisplayName');
      if (changes.role !== undefined) set.role = changes.role;
      if (changes.passwordHash !== undefined) set.password_hash = changes.passwordHash;
      if (changes.disabled !== undefined) set.disabled = changes.disabled ? 1 : 0;
      if (changes.patronId !== undefined) set.patron_id = changes.patronId;
      const row = await ctx.db
        .updateTable('staff_users')
        .set(set)
        .where('library_id', '=', libraryId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound('staff account');
      return toUser(row);
    },
    async touchLogin(libraryId, id) {
      await ctx.db
        .updateTable('staff_users')
        .set({ last_login_at: ctx.now() })
        .where('library_id', '=', libraryId)
        .where('id', '=', id)
        .execute();
    },

    async createSession(s) {
      const now = ctx.now();
      await ctx.db
        .insertInto('web_sessions')
        .values({
          id_hash: s.idHash,
          library_id: s.libraryId,
          staff_user_id: s.staffUserId,
          patron_id: s.patronId,
          created_at: now,
          last_seen_at: now,
          expires_at: s.expiresAt,
        })
        .execute();
    },
    async session(idHash) {
      const row = await ctx.db
        .selectFrom('web_sessions')
        .selectAll()
        .where('id_hash', '=', idHash)
        .where('expires_at', '>', ctx.now())
        .executeTakeFirst();
      return row && toSession(row);
    },
    async touchSession(idHash, expiresAt) {
      await ctx.db
        .updateTable('web_sessions')
        .set({ last_seen_at: ctx.now(), expires_at: expiresAt })
        .where('id_hash', '=', idHash)
        .execute();
    },
    async deleteSession(idHash) {
      await ctx.db.deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
    },
    async deleteUserSessions(libraryId, staffUserId) {
      await ctx.db.deleteFrom('web_sessions').where('library_id', '=', libraryId).where('staff_user_id', '=', staffUserId).execute();
    },
    async deleteExpiredSessions() {
      const r = await ctx.db.deleteFrom('web_sessions').where('expires_at', '<=', ctx.now()).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    async createToken(t) {
      const row = await ctx.db
        .insertInto('api_tokens')
        .values({
          library_id: t.libraryId,
          staff_user_id: t.staffUserId,
          name: withinLimit('name', 'The token name', t.name.trim(), 'tokenName') || 'API token',
          token_hash: t.tokenHash,
          prefix: t.prefix,
          role: t.role,
          scope: t.scope ?? 'all',
          created_at: ctx.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toToken(row);
    },
    async tokenByHash(tokenHash) {
      const row = await tokens().where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
      return row && toToken(row);
    },
    async listTokens(libraryId) {
      return (await tokens().where('library_id', '=', libraryId).orderBy('id', 'desc').execute()).map(toToken);
    },
    async revokeToken(libraryId, id) {
      const row = await ctx.db
        .updateTable('api_tokens')
        .set({ revoked_at: ctx.now() })
        .where('library_id', '=', libraryId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound('API token');
      return toToken(row);
    },
    async touchToken(id) {
      await ctx.db.updateTable('api_tokens').set({ last_used_at: ctx.now() }).where('id', '=', id).execute();
    },
  };
}

function toUser(row: Selectable<StaffUsersTable>): StaffUser {
  return {
    id: row.id,
    libraryId: row.library_id,
    username: row.username,
    displayName: row.display_name,
    role: row.role === 'admin' ? 'admin' : 'librarian',
    passwordHash: row.password_hash,
    patronId: row.patron_id,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

function toSession(row: Selectable<WebSessionsTable>): WebSession {
  return {
    idHash: row.id_hash,
    libraryId: row.library_id,
    staffUserId: row.staff_user_id,
    patronId: row.patron_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
}

function toToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    libraryId: row.library_id,
    staffUserId: row.staff_user_id,
    name: row.name,
    prefix: row.prefix,
    role: row.role === 'admin' ? 'admin' : 'librarian',
    // Anything but `all` is the narrower scope: an unknown value never widens a token.
    scope: row.scope === 'all' ? 'all' : 'feed',
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
