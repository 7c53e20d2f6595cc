/**
 * Syncs through the API (SPEC §5): `POST /api/v1/syncs` starts a sync of the library's enabled
 * source, whichever it is (Sync Now of a script). The Sync Now pages are the sources' shared
 * step (routes/sources/shared.ts); an operation's progress, approval and rejection are
 * routes/operations.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireSyncNow, syncSourceOf } from '../../sources/registry.ts';
import { staffOf, type WebDeps } from '../context.ts';

/** Registers the routes. */
export function syncRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store } = deps;
  const admin = { access: 'admin' as const };
  const libOf = (request: FastifyRequest) => request.library!.id;

  app.post<{ Body: { kind?: 'full' | 'delta'; dryRun?: boolean } }>(
    '/api/v1/syncs',
    {
      config: admin,
      schema: {
        tags: ['syncs'],
        summary: "Start a sync of the library's enabled integration (Sync Now); when one is already running, that one is returned",
        body: {
          type: 'object',
          properties: { kind: { type: 'string', enum: ['full', 'delta'], default: 'full' }, dryRun: { type: 'boolean', default: false } },
        },
        response: {
          202: { type: 'object', properties: { operationId: { type: 'integer', nullable: true }, alreadyRunning: { type: 'boolean' } } },
        },
      },
    },
    async (request, reply) => {
      const dryRun = request.body?.dryRun ?? false;
      await requireSyncNow(store, libOf(request), await syncSourceOf(store, libOf(request)), dryRun, 'library', 'api');
      const started = await deps.startSync(libOf(request), {
        kind: request.body?.kind ?? 'full',
        dryRun,
        requestedBy: staffOf(request.principal).user.username,
      });
      return reply.code(202).send(started);
    },
  );
}
