/**
 * Patrons (SPEC §5): the search (one box for name, barcode, Student #, email or GUID,
 * plus site and status filters, paged), a patron's page with every field by number and where
 * it came from and its history (SPEC §3.9), and the edit form. The same as JSON under /api/v1/patrons. Librarians read and
 * edit; only admins change a GUID (services/patrons/patron-edit.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError } from '../../domain/errors.ts';
import { FIELDS } from '../../domain/fields.ts';
import { MAX_PER_PAGE } from '../../presenters/operation-pages.ts';
import { MAX_NOTES_LENGTH, PatronEditError, SEX_VALUES, type EditProblem } from '../../services/patrons/patron-edit.ts';
import { NO_SITE, findPatrons, patronDetailJson, patronPage, statusText } from '../../presenters/patron-pages.ts';
import { HISTORY_PER_PAGE, MAX_HISTORY_PER_PAGE, historyRow, patronHistory } from '../../presenters/patron-history.ts';
import { JOURNAL_KINDS } from '../../store/store.ts';
import { editPatron } from '../../services/patrons/edit-patron.ts';
import { requirePatron } from '../../services/patrons/find-patron.ts';
import { formInput, statusFilterOf } from '../forms/patron.ts';
import { staffOf, type WebDeps } from '../context.ts';
import { defineNotices } from '../render.ts';
import type { PatronFieldKey } from '../../domain/fields.ts';
import { listLocks, lockFields, patronLocks, setOfferedLocks, unlockFields } from '../../services/patrons/field-locks.ts';
import { LOCKABLE_FIELDS } from '../../sync/core/locks.ts';
import { PAGE_NAMES } from '../page-names.ts';

defineNotices({
  'patron-saved': 'The patron was saved.',
  'patron-locks-saved': 'Saved. A locked field is never written by a sync until it is unlocked.',
  'patron-unlocked': 'Unlocked: the next sync writes the field again.',
  'patron-unchanged': 'Nothing was changed: the form held the values already saved.',
});

/** The largest id a database identity column holds on both engines: past it, nothing exists. */
const MAX_ID = 2_147_483_647;
/** Keys of GET /api/v1/patrons/{id} that a PATCH may carry back but never changes. */
const READ_ONLY_KEYS = ['id', 'guidSource', 'matchedBy', 'lastSyncOperationId', 'createdAt', 'editedBy', 'editedAt'];

type Query = Record<string, unknown>;

// ---- JSON schemas (they build the OpenAPI document and strip anything not listed) ----

const PATRON_PROPERTIES = {
  id: { type: 'integer' },
  ...Object.fromEntries(
    FIELDS.map((f) => [
      f.key,
      f.key === 'status'
        ? { type: 'integer', description: '1026 Status: 1 Active, 4 Transferred, other library codes' }
        : { type: 'string', description: `${f.number} ${f.label}` },
    ]),
  ),
} as const;

const PATRON_SCHEMA = { type: 'object', properties: PATRON_PROPERTIES } as const;

const PATRON_DETAIL_SCHEMA = {
  type: 'object',
  properties: {
    ...PATRON_PROPERTIES,
    notes: { type: 'string' },
    guidSource: { type: 'string', nullable: true, description: 'The integration the GUID belongs to (classlink, oneroster, csv), or null' },
    matchedBy: {
      type: 'string',
      nullable: true,
      description: 'How a sync last matched the patron: guid, communityId, barcode, email, created; null if never',
    },
    lastSyncOperationId: { type: 'integer', nullable: true, description: 'The sync operation that last wrote the patron' },
    createdAt: { type: 'string' },
    updatedAt: {
      type: 'string',
      description: 'The last write (sync or hand); send it back in a PATCH to refuse the edit if the patron changed since',
    },
    editedBy: { type: 'string', description: "Who last changed the patron by hand ('' if nobody)" },
    editedAt: { type: 'string', nullable: true },
  },
} as const;

const EDIT_BODY_SCHEMA = {
  type: 'object',
  description:
    'Any of the patron keys (the GUID by admins only); keys left out are unchanged. Read-only keys of GET are ignored; updatedAt, if sent, must still be current.',
  properties: {
    ...Object.fromEntries(
      FIELDS.map((f) => [f.key, f.key === 'status' ? { anyOf: [{ type: 'integer' }, { type: 'string' }] } : { type: 'string' }]),
    ),
    notes: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

const HISTORY_SCHEMA = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer', description: 'The change (later changes have larger ids)' },
          at: { type: 'string', description: 'When (ISO 8601 UTC)' },
          kind: {
            type: 'string',
            enum: [...JOURNAL_KINDS],
            description:
              'create, update, transfer, reactivate (a sync); edit (by hand); import (a patron file); switch (GUID cleared when another integration was turned on); undo; removal',
          },
          field: { type: 'string', description: "The patron key (lastName, notes, …), or '*' for a whole new patron" },
          fieldNumber: { type: 'integer', nullable: true, description: 'The library field number (1006), or null' },
          oldValue: { type: 'string', nullable: true, description: 'The value before; null when blank' },
          newValue: {
            type: 'string',
            nullable: true,
            description: "The value after; null when blank; for '*' the new patron's values as JSON",
          },
          operation: {
            type: 'object',
            nullable: true,
            properties: { id: { type: 'integer' }, name: { type: 'string' } },
            description: 'The operation that made it (see /api/v1/operations/{id}), or null',
          },
          by: { type: 'string', description: 'Who or what made it: the staff account, the import, the sync' },
        },
      },
    },
    next: { type: 'integer', nullable: true, description: 'Pass as `before` for the next (older) page; null on the last' },
  },
} as const;

const ID_PARAMS = { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: MAX_ID } }, required: ['id'] } as const;

const LOCK_SCHEMA = {
  type: 'object',
  properties: {
    patronId: { type: 'integer' },
    guid: { type: 'string' },
    barcode: { type: 'string' },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    field: { type: 'string', description: 'The JSON key of the export (firstName)' },
    fieldNumber: { type: 'integer', description: 'The library field number (1007)' },
    fieldLabel: { type: 'string' },
    lockedBy: { type: 'string' },
    lockedAt: { type: 'string' },
  },
} as const;

const LOCK_OUTCOME_SCHEMA = {
  type: 'object',
  properties: {
    patronId: { type: 'integer' },
    name: { type: 'string' },
    fields: { type: 'array', items: { type: 'string' }, description: 'The fields asked for' },
    changed: { type: 'integer', description: 'Locks added or removed (a field locked already, or not locked, is left as it was)' },
    locked: { type: 'array', items: { type: 'string' }, description: "The patron's locked fields now" },
  },
} as const;

/** Registers the routes. */
export function patronRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store } = deps;
  const librarian = { access: 'librarian' as const };

  function editor(request: FastifyRequest) {
    const { user, role } = staffOf(request.principal);
    return { username: user.username, staffUserId: user.id, role };
  }

  /** The edit form, with the values to show and what was wrong with them. */
  async function renderEdit(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    options: {
      values?: Record<string, unknown>;
      problems?: readonly EditProblem[];
      error?: string;
      status?: number;
      locks?: readonly string[];
    } = {},
  ) {
    const libraryId = request.library!.id;
    const data = await patronPage(store, libraryId, id);
    const values = options.values ?? {};
    // Sent back after a refusal: the boxes as the librarian left them.
    const ticked = options.locks === undefined ? undefined : new Set<string>(options.locks);
    const fields = data.fields.map((f) => ({
      ...f,
      input: typeof values[f.key] === 'string' ? (values[f.key] as string) : f.value,
      problem: options.problems?.find((p) => p.key === f.key)?.message ?? '',
      lockInput: ticked ? ticked.has(f.key) : f.locked,
    }));
    return reply.page(
      'patron-edit',
      {
        title: `Edit ${nameOf(data.patron)}`,
        patron: data.patron,
        name: nameOf(data.patron),
        fields,
        sync: data.sync,
        sites: await store.sites.list(libraryId),
        sexes: SEX_VALUES,
        maxNotes: MAX_NOTES_LENGTH,
        mayChangeGuid: editor(request).role === 'admin',
        problems: options.problems ?? [],
        error: options.error ?? '',
      },
      options.status ?? 200,
    );
  }

  // ---- pages ----
  app.get('/patrons', { config: librarian }, async (request, reply) => {
    const libraryId = request.library!.id;
    const q = request.query as Query;
    const filter = { q: text(q.q), site: text(q.site), status: text(q.status) };
    const sites = await store.sites.list(libraryId);
    let error = '';
    let status: number | undefined;
    try {
      status = statusFilterOf(filter.status);
    } catch (e) {
      if (!(e instanceof RollcallError)) throw e;
      error = e.message;
    }
    const list = error ? null : await findPatrons(store, libraryId, { q: filter.q, site: filter.site, status, page: pageNumberOf(q.page) });
    const first = list ? (list.page - 1) * list.perPage + 1 : 0;
    return reply.page(
      'patrons',
      {
        title: PAGE_NAMES.patrons,
        filter,
        sites,
        noSite: NO_SITE,
        list,
        rows: (list?.items ?? []).map((p) => ({ ...p, statusText: statusText(Number(p.status)) })),
        range: list && list.total > 0 ? { first, last: first + list.items.length - 1 } : null,
        links: list ? pagerLinks(filter, list) : { prev: null, next: null },
        searched: filter.q !== '' || filter.site !== '' || filter.status !== '',
        // Importing a file is for admins (routes/patron-import.ts).
        mayImport: staffOf(request.principal).role === 'admin',
        error,
      },
      error ? 400 : 200,
    );
  });

  app.get<{ Params: { id: string } }>('/patrons/:id', { config: librarian }, async (request, reply) => {
    const libraryId = request.library!.id;
    const data = await patronPage(store, libraryId, idOf(request.params.id));
    // SPEC §3.9: the patron's page shows its history, newest first, a page at a time.
    const before = cursorOf((request.query as Query).before);
    const history = await patronHistory(store, libraryId, data.patron.id, { before });
    return reply.page('patron', {
      title: nameOf(data.patron),
      name: nameOf(data.patron),
      ...data,
      history: {
        rows: history.items.map(historyRow),
        older: history.next === null ? null : `/patrons/${data.patron.id}?before=${history.next}#history`,
        newest: before === undefined ? null : `/patrons/${data.patron.id}#history`,
      },
      // SPEC §3.10: one patron deleted from their page, by an admin (routes/patron-removal.ts).
      mayDelete: staffOf(request.principal).role === 'admin',
    });
  });

  app.get<{ Params: { id: string } }>('/patrons/:id/edit', { config: librarian }, async (request, reply) =>
    renderEdit(request, reply, idOf(request.params.id)),
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/patrons/:id/edit',
    { config: librarian },
    async (request, reply) => {
      const id = idOf(request.params.id);
      const body = request.body ?? {};
      const input = formInput(body);
      const libraryId = request.library!.id;
      const before = await requirePatron(store, libraryId, id);
      // "keep my value" (SPEC §3.8): the boxes offered, and those ticked; anything else is ignored.
      const offered = lockKeys(body.lockable);
      const wanted = lockKeys(body.lock);
      const who = editor(request);
      try {
        // The edit and its locks land together or not at all.
        const { saved, locksChanged } = await store.transaction(async (tx) => {
          const saved = await editPatron(tx, libraryId, id, input, who, text(body.updatedAt) || undefined);
          return { saved, locksChanged: await setOfferedLocks(tx, libraryId, id, offered, wanted, who.username) };
        });
        const notice =
          saved.updatedAt !== before.updatedAt
            ? locksChanged > 0
              ? 'patron-locks-saved'
              : 'patron-saved'
            : locksChanged > 0
              ? 'patron-locks-saved'
              : 'patron-unchanged';
        return reply.redirect(`/patrons/${id}?notice=${notice}`, 303);
      } catch (e) {
        if (e instanceof PatronEditError)
          return renderEdit(request, reply, id, { values: input, problems: e.problems, status: 400, locks: wanted });
        // Written meanwhile (a sync, another librarian): show the values as they are now.
        if (e instanceof RollcallError && e.kind === 'conflict') return renderEdit(request, reply, id, { error: e.message, status: 409 });
        throw e;
      }
    },
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/patrons/:id/unlock',
    { config: librarian },
    async (request, reply) => {
      const id = idOf(request.params.id);
      await unlockFields(store, request.library!.id, id, [text(request.body?.field)]);
      return reply.redirect(`/patrons/${id}?notice=patron-unlocked`, 303);
    },
  );

  // SPEC §3.8 "Locks are listed and removable": every lock of the library, each with its Unlock.
  app.get('/patrons/locks', { config: librarian }, async (request, reply) => {
    const locks = await listLocks(store, request.library!.id);
    return reply.page('patron-locks', { title: 'Locked fields', locks });
  });

  app.post<{ Body: Record<string, unknown> }>('/patrons/locks/unlock', { config: librarian }, async (request, reply) => {
    const id = idOf(text(request.body?.patronId));
    await unlockFields(store, request.library!.id, id, [text(request.body?.field)]);
    return reply.redirect('/patrons/locks?notice=patron-unlocked', 303);
  });

  // ---- API ----
  const tags = ['patrons'];

  app.get(
    '/api/v1/patrons/locks',
    {
      config: librarian,
      schema: {
        tags,
        summary: "Every locked field of the library's patrons (SPEC §3.8): no sync writes them; by patron name",
        response: { 200: { type: 'array', items: LOCK_SCHEMA } },
      },
    },
    async (request) => listLocks(store, request.library!.id),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/patrons/:id/locks',
    {
      config: librarian,
      schema: { tags, summary: "One patron's locked fields", params: ID_PARAMS, response: { 200: { type: 'array', items: LOCK_SCHEMA } } },
    },
    async (request) => patronLocks(store, request.library!.id, request.params.id),
  );

  app.post<{ Params: { id: number }; Body: { fields: string[] } }>(
    '/api/v1/patrons/:id/locks',
    {
      config: librarian,
      schema: {
        tags,
        summary:
          "Lock fields of a patron: no sync writes them until they are unlocked, and each sync's plan says what it kept. Every name is checked before anything is locked",
        params: ID_PARAMS,
        body: {
          type: 'object',
          required: ['fields'],
          properties: {
            fields: {
              type: 'array',
              minItems: 1,
              items: { type: 'string' },
              description: `JSON keys of the export (firstName) or field numbers (1007); lockable: ${LOCKABLE_FIELDS.join(', ')}`,
            },
          },
        },
        response: { 200: LOCK_OUTCOME_SCHEMA },
      },
    },
    async (request) => lockFields(store, request.library!.id, request.params.id, request.body.fields, editor(request).username),
  );

  app.delete<{ Params: { id: number; field: string } }>(
    '/api/v1/patrons/:id/locks/:field',
    {
      config: librarian,
      schema: {
        tags,
        summary: 'Unlock one field of a patron (a JSON key or a field number): the next sync writes it again',
        params: {
          type: 'object',
          properties: { id: { type: 'integer', minimum: 1, maximum: MAX_ID }, field: { type: 'string' } },
          required: ['id', 'field'],
        },
        response: { 200: LOCK_OUTCOME_SCHEMA },
      },
    },
    async (request) => unlockFields(store, request.library!.id, request.params.id, [request.params.field]),
  );
  app.get<{ Querystring: { q?: string; site?: string; status?: string; page?: number; pageSize?: number; perPage?: number } }>(
    '/api/v1/patrons',
    {
      config: librarian,
      schema: {
        tags,
        summary:
          'Search the library\'s patrons: exact Barcode, Student #, GUID or Email, or the start of a last or first name ("Smith", "Smith, Ol", "Olivia Smith"); in name order, paged',
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', description: 'The search text; blank lists every patron' },
            site: { type: 'string', description: `A site code; ${NO_SITE} for patrons without a site` },
            status: { type: 'string', description: 'A Status number (1 Active, 4 Transferred, …)' },
            page: { type: 'integer', minimum: 1 },
            pageSize: { type: 'integer', minimum: 1, maximum: MAX_PER_PAGE, description: 'Patrons per page (default 50)' },
            perPage: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_PER_PAGE,
              description: 'The same as pageSize (as the operations API names it)',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: PATRON_SCHEMA },
              total: { type: 'integer' },
              page: { type: 'integer' },
              pages: { type: 'integer' },
              perPage: { type: 'integer' },
            },
          },
        },
      },
    },
    async (request) => {
      const q = request.query;
      return findPatrons(store, request.library!.id, {
        q: q.q,
        site: q.site,
        status: statusFilterOf(q.status),
        page: q.page,
        perPage: q.pageSize ?? q.perPage,
      });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/patrons/:id',
    {
      config: librarian,
      schema: {
        tags,
        summary: 'One patron: every field, notes, and where it came from',
        params: ID_PARAMS,
        response: { 200: PATRON_DETAIL_SCHEMA },
      },
    },
    async (request) => patronDetailJson(await requirePatron(store, request.library!.id, request.params.id)),
  );

  app.get<{ Params: { id: number }; Querystring: { before?: number; limit?: number } }>(
    '/api/v1/patrons/:id/history',
    {
      config: librarian,
      schema: {
        tags,
        summary:
          "A patron's history (SPEC §3.9): every change journaled for it — by a sync, a hand edit, an import, an undo — newest first, paged by the cursor `next`",
        params: ID_PARAMS,
        querystring: {
          type: 'object',
          properties: {
            before: { type: 'integer', minimum: 1, description: "Only changes older than this one: the previous page's `next`" },
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_HISTORY_PER_PAGE,
              description: `Changes per page (default ${HISTORY_PER_PAGE})`,
            },
          },
        },
        response: { 200: HISTORY_SCHEMA },
      },
    },
    async (request) =>
      patronHistory(store, request.library!.id, request.params.id, { before: request.query.before, limit: request.query.limit }),
  );

  app.patch<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/api/v1/patrons/:id',
    {
      config: librarian,
      schema: {
        tags,
        summary:
          "Change some of a patron's fields (librarians; the GUID by admins only); every value is checked before anything is written",
        params: ID_PARAMS,
        body: EDIT_BODY_SCHEMA,
        response: { 200: PATRON_DETAIL_SCHEMA },
      },
    },
    async (request) => {
      const { updatedAt, ...rest } = request.body ?? {};
      for (const key of READ_ONLY_KEYS) delete rest[key];
      const saved = await editPatron(
        store,
        request.library!.id,
        request.params.id,
        rest,
        editor(request),
        typeof updatedAt === 'string' ? updatedAt : undefined,
      );
      return patronDetailJson(saved);
    },
  );
}

function nameOf(p: { firstName: string; middleName: string; lastName: string; id: number }): string {
  const name = [p.firstName, p.middleName, p.lastName].filter((s) => s !== '').join(' ');
  return name || `Patron #${p.id}`;
}

function idOf(value: unknown): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0 || id > MAX_ID) throw new RollcallError('not_found', 'There is no such patron.');
  return id;
}

/** A history page's cursor from the query, or undefined (the newest page) when absent or not an id. */
function cursorOf(value: unknown): number | undefined {
  const n = Number(text(value));
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

function pageNumberOf(value: unknown): number {
  const n = Number(text(value));
  return Number.isSafeInteger(n) && n >= 1 ? n : 1;
}

/** The lockable keys a form sent (one value or several); anything else is dropped. */
function lockKeys(value: unknown): PatronFieldKey[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return LOCKABLE_FIELDS.filter((k) => values.includes(k));
}

function text(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v : '';
}

/** The search page's links to the previous and next page, keeping its filters. */
function pagerLinks(filter: Record<string, string>, list: { page: number; pages: number }): { prev: string | null; next: string | null } {
  const at = (page: number) => {
    const params = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== ''));
    if (page > 1) params.set('page', String(page));
    const s = params.toString();
    return s ? `/patrons?${s}` : '/patrons';
  };
  return { prev: list.page > 1 ? at(Math.min(list.page - 1, list.pages)) : null, next: list.page < list.pages ? at(list.page + 1) : null };
}
