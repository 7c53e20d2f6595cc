/**
 * The change feed (issue "Patrons reach the circulation system"): `GET /api/v1/changes` pages
 * the library's patron changes in commit order after a cursor, `GET /api/v1/changes/head`
 * names the newest one, and `GET /api/v1/changes/snapshot` is the full export to start from (each
 * patron with its id, which the events name, and the cursor to follow from after it). All are
 * open to librarians and admins and to feed-scoped tokens, which reach nothing else
 * (guards.ts). Errors: 400 a malformed or foreign cursor, 404 another library's, 410 a cursor
 * older than the journal's retention (the body's `cursor` is where to follow from after a full
 * export). See docs/feed.md.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { exportedPatron } from '../../services/patrons/export-patrons.ts';
import type { WebDeps } from '../context.ts';
import { ChangesGone, DEFAULT_CHANGES_LIMIT, MAX_CHANGES_LIMIT, headCursor, readChanges } from '../../services/feed/read-changes.ts';
import { EXPORT_FIELDS } from '../../domain/fields.ts';

const VALUE_PROPERTIES = Object.fromEntries(
  EXPORT_FIELDS.map((f) => [f.key, f.key === 'status' ? { oneOf: [{ type: 'integer' }, { type: 'string' }] } : { type: 'string' }]),
);

const EVENT_SCHEMA = {
  type: 'object',
  properties: {
    cursor: { type: 'string', description: 'Pass as `after` once this event is applied' },
    type: { type: 'string', enum: ['created', 'updated', 'transferred', 'reactivated', 'deleted'] },
    patron: { type: 'integer', description: "The patron's id in Rollcall" },
    values: {
      type: 'object',
      description:
        'The keys of `patrons export --format json`. created and deleted: the whole record; otherwise the changed fields’ new values ("" when blanked)',
      properties: VALUE_PROPERTIES,
    },
    at: { type: 'string' },
    operation: { type: 'integer', nullable: true },
    kind: { type: 'string', description: 'What wrote it: create, update, transfer, reactivate, edit, import, switch, undo, removal' },
  },
} as const;

const ERROR_SCHEMA = {
  type: 'object',
  properties: { error: { type: 'object', properties: { kind: { type: 'string' }, message: { type: 'string' } } } },
} as const;

/** Registers the routes. */
export function changeRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store } = deps;
  const access = { access: 'librarian' as const, feed: true };

  app.get<{ Querystring: { after?: string; limit?: number } }>(
    '/api/v1/changes',
    {
      config: access,
      schema: {
        tags: ['changes'],
        summary: "The library's patron changes after a cursor, in commit order (feed-scoped tokens may read it)",
        querystring: {
          type: 'object',
          properties: {
            after: { type: 'string', description: 'The cursor of the last change applied (absent: from the start)' },
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_CHANGES_LIMIT,
              default: DEFAULT_CHANGES_LIMIT,
              description: 'Journal rows read',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              changes: { type: 'array', items: EVENT_SCHEMA },
              next: { type: 'string', description: 'Ask from here next (save it once every change is applied)' },
              more: { type: 'boolean', description: 'More changes wait after `next`' },
            },
          },
          400: ERROR_SCHEMA,
          404: ERROR_SCHEMA,
          410: {
            type: 'object',
            description: 'The cursor is older than the journal keeps: read a full export, then follow from `cursor`',
            properties: { ...ERROR_SCHEMA.properties, cursor: { type: 'string' } },
          },
        },
      },
    },
    async (request, reply) => {
      try {
        return await readChanges(store, request.library!.id, { after: request.query.after, limit: request.query.limit });
      } catch (e) {
        if (!(e instanceof ChangesGone)) throw e;
        return reply.code(410).send({ error: { kind: e.kind, message: e.message }, cursor: e.cursor });
      }
    },
  );

  app.get(
    '/api/v1/changes/head',
    {
      config: access,
      schema: {
        tags: ['changes'],
        summary: 'The cursor of the newest change: take it, read a full export, then follow from it',
        response: { 200: { type: 'object', properties: { cursor: { type: 'string' } } } },
      },
    },
    async (request) => ({ cursor: await headCursor(store, request.library!.id) }),
  );

  app.get(
    '/api/v1/changes/snapshot',
    {
      config: access,
      schema: {
        tags: ['changes'],
        summary: "Every patron now (each with its id, values in the export's keys) and the cursor to follow from after it",
        response: {
          200: {
            type: 'object',
            description:
              'Streamed. `cursor` was taken before the patrons were read: changes after it may already show here; applying them again changes nothing',
            properties: {
              cursor: { type: 'string' },
              patrons: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { patron: { type: 'integer' }, values: { type: 'object', properties: VALUE_PROPERTIES } },
                },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const libraryId = request.library!.id;
      // The cursor first: whatever changes while the patrons are read comes again in the feed.
      const cursor = await headCursor(store, libraryId);
      async function* body(): AsyncGenerator<string> {
        yield `{"cursor":${JSON.stringify(cursor)},"patrons":[`;
        let first = true;
        for await (const batch of store.patrons.batches(libraryId)) {
          let chunk = '';
          for (const p of batch) {
            chunk += `${first ? '' : ','}${JSON.stringify({ patron: p.id, values: exportedPatron(p) })}`;
            first = false;
          }
          yield chunk;
        }
        yield ']}';
      }
      return reply.type('application/json; charset=utf-8').send(Readable.from(body()));
    },
  );
}
