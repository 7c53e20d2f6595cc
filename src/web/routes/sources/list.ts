/**
 * Preferences › SIS Integrations (SPEC §1.3): the page listing ClassLink, OneRoster REST and
 * OneRoster CSV with the one that is ON and which are set up, and the same as
 * `GET /api/v1/integrations`.
 */
import type { FastifyInstance } from 'fastify';
import { integrationList } from '../../../sources/setup.ts';
import type { WebDeps } from '../../context.ts';
import { PAGE_NAMES } from '../../page-names.ts';

/** Where the list of integrations lives. */
export const INTEGRATIONS_BASE = '/preferences/integrations';

/** Registers the Integrations page and `GET /api/v1/integrations`. */
export function integrationsRoutes(app: FastifyInstance, deps: WebDeps): void {
  const admin = { access: 'admin' as const };
  app.get(INTEGRATIONS_BASE, { config: admin }, async (request, reply) =>
    reply.page('source-list', { title: PAGE_NAMES.integrations, integrations: await integrationList(deps.store, request.library!.id) }),
  );
  app.get(
    '/api/v1/integrations',
    {
      config: admin,
      schema: {
        tags: ['integrations'],
        summary: 'The three integrations (ClassLink, OneRoster REST, OneRoster CSV): which one is ON, which are set up',
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                kind: { type: 'string' },
                name: { type: 'string' },
                href: { type: 'string' },
                enabled: { type: 'boolean' },
                configured: { type: 'boolean' },
                matchedSites: { type: 'integer' },
              },
            },
          },
        },
      },
    },
    async (request) => integrationList(deps.store, request.library!.id),
  );
}
