/**
 * `/help/classlink`: the district's guide to getting ClassLink ready (docs/classlink-guide.md),
 * which each ClassLink step links to at its part. Public: it holds nothing of any library, and the
 * library's admin may send the link to a district administrator who has no Rollcall account.
 */
import type { FastifyInstance } from 'fastify';
import { CLASSLINK_GUIDE_PATH, classLinkGuide } from '../guide.ts';

/** Registers the routes. */
export function helpRoutes(app: FastifyInstance): void {
  app.get(CLASSLINK_GUIDE_PATH, { config: { access: 'public' } }, async (_request, reply) => {
    const guide = classLinkGuide();
    return reply.page('guide', { title: guide.title, guide });
  });
}
