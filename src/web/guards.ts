/**
 * Who may reach a route — declared, not remembered. Every route states its access in its
 * config (`{ config: { access: 'admin' } }`); a route without one refuses to register
 * (server.ts onRoute), and one hook enforces them all before the handler runs:
 *
 *  - `public`: anyone (sign-in, setup, static files, the SSO callback);
 *  - `patron`: a patron signed in with ClassLink (their own page);
 *  - `librarian`: any staff account (read operations, edit patrons);
 *  - `admin`: admins only (integration settings, staff accounts, API tokens).
 *
 * The security tests walk every registered route and check each level is refused to those below.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffRole } from '../store/store.ts';
import { isApiRequest } from './render.ts';

/** A route's access level. */
export type Access = 'public' | 'patron' | StaffRole;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may reach the route (guards.ts). Required on every route. */
    access?: Access;
    /** A feed-scoped API token may reach this route (the change feed); no other route takes one. */
    feed?: boolean;
  }
}

const RANK: Record<StaffRole, number> = { librarian: 1, admin: 2 };

/** Refuses the request when its principal may not reach the route; resolves quietly otherwise. */
export async function enforceAccess(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const access = request.routeOptions.config.access;
  if (access === 'public' || (access === undefined && request.is404)) return;
  const p = request.principal;
  if (!p) return refuse(request, reply, 401);
  if (access === 'patron') {
    if (p.kind !== 'patron') return refuse(request, reply, 403);
    return;
  }
  if (p.kind !== 'staff' || !access || RANK[p.role] < RANK[access]) return refuse(request, reply, 403);
  // A feed token reads the change feed and nothing else, whatever its role.
  if (p.scope === 'feed' && request.routeOptions.config.feed !== true) return refuse(request, reply, 403);
}

async function refuse(request: FastifyRequest, reply: FastifyReply, status: 401 | 403): Promise<void> {
  if (isApiRequest(request)) {
    const message = status === 401 ? 'Sign in first, or send an API token (Authorization: Bearer …).' : 'Your account may not do this.';
    await reply.code(status).send({ error: { kind: status === 401 ? 'unauthenticated' : 'forbidden', message } });
    return;
  }
  if (status === 401 && request.method === 'GET') {
    await reply.redirect(`/login?next=${encodeURIComponent(request.url)}`);
    return;
  }
  const message = status === 401 ? 'Please sign in first.' : 'Your account may not open this page. Ask a Rollcall admin.';
  await reply.page('error', { title: status === 401 ? 'Sign in first' : 'Not allowed', message }, status);
}
