/**
 * Staff accounts and API tokens, for admins (SPEC §4, §5): add an admin or librarian, change a
 * role, reset a password, disable an account; create a token for a script (shown once, stored
 * hashed) and revoke it. The same as JSON under /api/v1/staff and /api/v1/tokens.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError } from '../../domain/errors.ts';
import { TEXT_LIMITS, TextTooLongError, withinLimit } from '../../domain/text-limits.ts';
import type { ApiToken, StaffRole, StaffUser, TokenScope } from '../../store/store.ts';
import { hashPassword } from '../auth/passwords.ts';
import { API_TOKEN_PREFIX, newToken } from '../auth/tokens.ts';
import { staffOf, type WebDeps } from '../context.ts';
import { PAGE_NAMES } from '../page-names.ts';
import { defineNotices } from '../render.ts';
import { staffJson, tokenJson } from '../../presenters/staff.ts';

defineNotices({
  'staff-added': 'The account was added.',
  'staff-changed': 'The account was changed.',
  'token-revoked': 'The token was revoked; scripts using it are refused from now on.',
});

const ROLES: readonly StaffRole[] = ['admin', 'librarian'];

function roleOf(value: unknown): StaffRole {
  if (value === 'admin' || value === 'librarian') return value;
  throw new RollcallError('invalid_input', 'The role must be admin or librarian.');
}

function scopeOf(value: unknown): TokenScope {
  if (value === undefined || value === '' || value === 'all') return 'all';
  if (value === 'feed') return 'feed';
  throw new RollcallError('invalid_input', 'The scope must be all or feed.');
}

function idOf(value: unknown): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0) throw new RollcallError('not_found', 'There is no such item.');
  return id;
}

const STAFF_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: ROLES },
    disabled: { type: 'boolean' },
    patronId: { type: 'integer', nullable: true },
    createdAt: { type: 'string' },
    lastLoginAt: { type: 'string', nullable: true },
  },
} as const;

const TOKEN_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    prefix: { type: 'string' },
    role: { type: 'string', enum: ROLES },
    scope: { type: 'string', enum: ['all', 'feed'], description: '`feed`: the change feed (GET /api/v1/changes) and nothing else' },
    createdAt: { type: 'string' },
    lastUsedAt: { type: 'string', nullable: true },
    revokedAt: { type: 'string', nullable: true },
  },
} as const;

/** Registers the routes. */
export function staffRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store } = deps;
  const admin = { access: 'admin' as const };

  async function addStaff(libraryId: number, body: Record<string, unknown>): Promise<StaffUser> {
    const password = String(body.password ?? '');
    return store.staff.create(libraryId, {
      username: String(body.username ?? ''),
      displayName: String(body.displayName ?? ''),
      role: roleOf(body.role),
      passwordHash: await hashPassword(password),
    });
  }

  async function changeStaff(libraryId: number, actorId: number, id: number, body: Record<string, unknown>): Promise<StaffUser> {
    const changes: Parameters<typeof store.staff.update>[2] = {};
    if (body.role !== undefined && body.role !== '') changes.role = roleOf(body.role);
    if (body.displayName !== undefined) changes.displayName = String(body.displayName);
    if (body.disabled !== undefined) changes.disabled = body.disabled === true || body.disabled === 'true' || body.disabled === 'on';
    if (typeof body.password === 'string' && body.password !== '') changes.passwordHash = await hashPassword(body.password);
    // Linking a Teacher/Staff patron: their ClassLink sign-in then reaches the staff pages (SPEC §4).
    if (typeof body.patronGuid === 'string') changes.patronId = await patronIdOf(libraryId, body.patronGuid);
    // An admin cannot lock themselves out (the last way in would be the database).
    if (id === actorId && (changes.role === 'librarian' || changes.disabled)) {
      throw new RollcallError('conflict', 'You cannot demote or disable your own account; ask another admin.');
    }
    const user = await store.staff.update(libraryId, id, changes);
    // Whatever changes who the account is or may do ends its sessions (a ClassLink link too).
    if (changes.disabled || changes.passwordHash || changes.role || changes.patronId !== undefined)
      await store.staff.deleteUserSessions(libraryId, id);
    return user;
  }

  /** The accounts with the GUID of their linked patron, for the page. */
  async function withPatrons(libraryId: number) {
    const users = await store.staff.list(libraryId);
    return Promise.all(
      users.map(async (u) => ({
        ...u,
        patronGuid: u.patronId === null ? '' : ((await store.patrons.get(libraryId, u.patronId))?.guid ?? ''),
      })),
    );
  }

  async function patronIdOf(libraryId: number, guid: string): Promise<number | null> {
    if (!guid.trim()) return null;
    withinLimit('patronGuid', 'The patron GUID', guid.trim(), 'patronGuid');
    const patron = await store.patrons.byGuid(libraryId, guid.trim());
    if (!patron) throw new RollcallError('invalid_input', `No patron of this library has the GUID "${guid.trim()}".`);
    if (patron.policy === 'Student')
      throw new RollcallError('invalid_input', 'Only a Teacher or Staff patron can be linked to a staff account.');
    return patron.id;
  }

  async function createToken(
    libraryId: number,
    user: StaffUser,
    body: Record<string, unknown>,
  ): Promise<{ token: string; record: ApiToken }> {
    const role = body.role === undefined || body.role === '' ? user.role : roleOf(body.role);
    if (role === 'admin' && user.role !== 'admin') throw new RollcallError('invalid_input', 'Only an admin can create an admin token.');
    const scope = scopeOf(body.scope);
    const { token, hash } = newToken(API_TOKEN_PREFIX);
    const record = await store.staff.createToken({
      libraryId,
      staffUserId: user.id,
      // Never cut short: an over-long name is refused (TextTooLongError from the store).
      name: String(body.name ?? ''),
      tokenHash: hash,
      prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
      role,
      scope,
    });
    return { token, record };
  }

  // ---- pages ----
  /** The staff page; a refused form comes back with its sentence (beside its field when it is one) and what was typed, never the password. */
  async function staffPage(
    request: FastifyRequest,
    reply: FastifyReply,
    refused?: { error: RollcallError; body: Record<string, unknown> },
  ) {
    const body = refused?.body ?? {};
    return reply.page(
      'staff',
      {
        title: PAGE_NAMES.staff,
        users: await withPatrons(request.library!.id),
        me: staffOf(request.principal).user.id,
        error: refused ? refused.error.message : '',
        errorField: refused?.error instanceof TextTooLongError ? refused.error.field : '',
        form: { username: String(body.username ?? ''), displayName: String(body.displayName ?? ''), role: String(body.role ?? '') },
      },
      refused ? 400 : 200,
    );
  }

  app.get('/admin/users', { config: admin }, async (request, reply) => staffPage(request, reply));
  app.post<{ Body: Record<string, unknown> }>('/admin/users', { config: admin }, async (request, reply) => {
    try {
      await addStaff(request.library!.id, request.body ?? {});
      return reply.redirect('/admin/users?notice=staff-added', 303);
    } catch (e) {
      if (!(e instanceof RollcallError)) throw e;
      return staffPage(request, reply, { error: e, body: request.body ?? {} });
    }
  });
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/admin/users/:id', { config: admin }, async (request, reply) => {
    try {
      await changeStaff(request.library!.id, staffOf(request.principal).user.id, idOf(request.params.id), request.body ?? {});
      return reply.redirect('/admin/users?notice=staff-changed', 303);
    } catch (e) {
      if (!(e instanceof RollcallError) || e.kind === 'not_found') throw e;
      // A change's sentence goes at the top: the add form's fields are not what was typed.
      return staffPage(request, reply, { error: new RollcallError(e.kind, e.message), body: {} });
    }
  });

  const noTokenError = { message: '', field: '' };
  app.get('/admin/tokens', { config: admin }, async (request, reply) => {
    const tokens = await store.staff.listTokens(request.library!.id);
    return reply.page('tokens', { title: PAGE_NAMES.tokens, tokens, created: null, error: noTokenError, form: { name: '' } });
  });
  app.post<{ Body: Record<string, unknown> }>('/admin/tokens', { config: admin }, async (request, reply) => {
    const libraryId = request.library!.id;
    try {
      const { token, record } = await createToken(libraryId, staffOf(request.principal).user, request.body ?? {});
      const tokens = await store.staff.listTokens(libraryId);
      // Shown once, on this response only (no redirect: a redirect would need to carry it).
      return reply.page(
        'tokens',
        { title: PAGE_NAMES.tokens, tokens, created: { token, name: record.name }, error: noTokenError, form: { name: '' } },
        201,
      );
    } catch (e) {
      if (!(e instanceof RollcallError)) throw e;
      const error = { message: e.message, field: e instanceof TextTooLongError ? e.field : '' };
      const form = { name: String(request.body?.name ?? '') };
      return reply.page(
        'tokens',
        { title: PAGE_NAMES.tokens, tokens: await store.staff.listTokens(libraryId), created: null, error, form },
        400,
      );
    }
  });
  app.post<{ Params: { id: string } }>('/admin/tokens/:id/revoke', { config: admin }, async (request, reply) => {
    await store.staff.revokeToken(request.library!.id, idOf(request.params.id));
    return reply.redirect('/admin/tokens?notice=token-revoked', 303);
  });

  // ---- API ----
  const idParam = { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } as const;
  app.get(
    '/api/v1/staff',
    {
      config: admin,
      schema: { tags: ['staff'], summary: "The library's staff accounts", response: { 200: { type: 'array', items: STAFF_SCHEMA } } },
    },
    async (request) => (await store.staff.list(request.library!.id)).map(staffJson),
  );
  app.post<{ Body: Record<string, unknown> }>(
    '/api/v1/staff',
    {
      config: admin,
      schema: {
        tags: ['staff'],
        summary: 'Add a staff account',
        body: {
          type: 'object',
          required: ['username', 'password', 'role'],
          properties: {
            username: { type: 'string', maxLength: TEXT_LIMITS.username },
            displayName: { type: 'string', maxLength: TEXT_LIMITS.staffDisplayName },
            password: { type: 'string', maxLength: TEXT_LIMITS.password },
            role: { type: 'string', enum: ROLES },
          },
        },
        response: { 201: STAFF_SCHEMA },
      },
    },
    async (request, reply) => reply.code(201).send(staffJson(await addStaff(request.library!.id, request.body))),
  );
  app.patch<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/api/v1/staff/:id',
    {
      config: admin,
      schema: {
        tags: ['staff'],
        summary: 'Change a staff account (role, display name, password, disabled)',
        params: idParam,
        body: {
          type: 'object',
          properties: {
            displayName: { type: 'string', maxLength: TEXT_LIMITS.staffDisplayName },
            password: { type: 'string', maxLength: TEXT_LIMITS.password },
            role: { type: 'string', enum: ROLES },
            disabled: { type: 'boolean' },
            patronGuid: {
              type: 'string',
              maxLength: TEXT_LIMITS.patronGuid,
              description: "GUID of the Teacher/Staff patron whose ClassLink sign-in reaches this account ('' unlinks)",
            },
          },
        },
        response: { 200: STAFF_SCHEMA },
      },
    },
    async (request) =>
      staffJson(await changeStaff(request.library!.id, staffOf(request.principal).user.id, request.params.id, request.body ?? {})),
  );

  app.get(
    '/api/v1/tokens',
    {
      config: admin,
      schema: {
        tags: ['tokens'],
        summary: "The library's API tokens (never the tokens themselves)",
        response: { 200: { type: 'array', items: TOKEN_SCHEMA } },
      },
    },
    async (request) => (await store.staff.listTokens(request.library!.id)).map(tokenJson),
  );
  app.post<{ Body: Record<string, unknown> }>(
    '/api/v1/tokens',
    {
      config: admin,
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token; the response is the only time the token is shown',
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', maxLength: TEXT_LIMITS.tokenName },
            role: { type: 'string', enum: ROLES },
            scope: {
              type: 'string',
              enum: ['all', 'feed'],
              description: '`feed`: a token for a library system that reads the change feed and nothing else',
            },
          },
        },
        response: { 201: { type: 'object', properties: { token: { type: 'string' }, record: TOKEN_SCHEMA } } },
      },
    },
    async (request, reply) => {
      const { token, record } = await createToken(request.library!.id, staffOf(request.principal).user, request.body ?? {});
      return reply.code(201).send({ token, record: tokenJson(record) });
    },
  );
  app.delete<{ Params: { id: number } }>(
    '/api/v1/tokens/:id',
    {
      config: admin,
      schema: { tags: ['tokens'], summary: 'Revoke an API token', params: idParam, response: { 200: TOKEN_SCHEMA } },
    },
    async (request) => tokenJson(await store.staff.revokeToken(request.library!.id, request.params.id)),
  );
}
