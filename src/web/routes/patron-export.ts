/**
 * Patron exports for the web and the API: the Export page (a download form: field-number CSV,
 * JSON, or Koha's patron import CSV, with the filters of `rollcall patrons export`), the
 * download itself, and the library's Koha codes (which Koha library each site is, which Koha
 * patron category each policy is): a page for everyone, changed by admins. The same under
 * /api/v1. See docs/koha.md.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError } from '../../domain/errors.ts';
import { KOHA_COLUMNS } from '../../domain/koha.ts';
import { EXPORT_FORMATS, exportPatrons, type ExportAsk, type ExportFormat } from '../../services/patrons/export-patrons.ts';
import { kohaCodesView, saveKohaCodes, type KohaCodesChange } from '../../services/patrons/koha-codes.ts';
import { staffOf, type WebDeps } from '../context.ts';
import { defineNotices } from '../render.ts';

defineNotices({ 'koha-codes-saved': 'The Koha codes were saved.' });

type Query = Record<string, unknown>;
type Body = Record<string, unknown>;

const FORMAT_LABELS: Record<ExportFormat, string> = {
  csv: 'CSV headed by field numbers (1200, 1000, …)',
  json: 'JSON (one object per patron, keyed by field name)',
  koha: "Koha's patron import CSV (borrowers columns)",
};

const EXPORT_QUERY = {
  type: 'object',
  properties: {
    format: { type: 'string', enum: [...EXPORT_FORMATS], description: 'csv (field numbers, the default), json, or koha' },
    site: { type: 'string', description: "Only this site's patrons (its code)" },
    status: { type: 'string', description: 'Only patrons with this Status number (1 Active, 4 Transferred, …)' },
    policy: { type: 'string', description: 'Only patrons with this Policy' },
    changedSince: {
      type: 'string',
      description:
        "Only patrons changed after a change cursor (the feed's), or on or after a day (YYYY-MM-DD, in the library's time zone); 400 for a malformed one, 404 for another library's cursor",
    },
  },
} as const;

const CODES_SCHEMA = {
  type: 'object',
  properties: {
    branches: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          siteCode: { type: 'string' },
          siteName: { type: 'string' },
          branchcode: { type: 'string', description: "The site's Koha library code; '' when not mapped" },
        },
      },
    },
    categories: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          policy: { type: 'string' },
          patrons: { type: 'integer', description: 'How many patrons have this policy' },
          categorycode: { type: 'string', description: "The policy's Koha patron category code; '' when not mapped" },
        },
      },
    },
  },
} as const;

const CODE_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** Registers the routes. */
export function patronExportRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store } = deps;
  const librarian = { access: 'librarian' as const };
  const admin = { access: 'admin' as const };

  /** Streams an export as an attachment; a bad filter or an unmapped Koha code answers before any byte is sent. */
  async function sendExport(request: FastifyRequest, reply: FastifyReply, ask: ExportAsk) {
    const body = new PassThrough();
    // A failure cuts the download (after the first byte there is no status to change); it is
    // logged below, so the stream's own error needs no second listener to report it.
    body.on('error', () => {});
    let firstChunk!: () => void;
    const started = new Promise<void>((resolve) => {
      firstChunk = resolve;
    });
    const written = exportPatrons(store, request.library!.id, ask, async (chunk) => {
      firstChunk();
      if (body.destroyed) throw new Error('the download was closed');
      if (!body.write(chunk)) await Promise.race([once(body, 'drain'), once(body, 'close')]);
    }).then(
      (report) => {
        body.end();
        return report;
      },
      (e: unknown) => {
        body.destroy(e instanceof Error ? e : new Error(String(e)));
        throw e;
      },
    );
    // The checks run before the first chunk: their refusal is an answer (400/404), not a cut download.
    await Promise.race([started, written]);
    written.catch((e: unknown) => request.log.warn({ err: e }, 'patron export stopped'));
    const name = ask.format === 'koha' ? 'patrons-koha.csv' : ask.format === 'json' ? 'patrons.json' : 'patrons.csv';
    return reply
      .type(ask.format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('cache-control', 'no-store')
      .send(body);
  }

  function askOf(q: Query): ExportAsk {
    const format = text(q.format) || 'csv';
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new RollcallError('invalid_input', `The format is csv, json or koha, not "${format.slice(0, 20)}".`);
    }
    return {
      format: format as ExportFormat,
      siteCode: text(q.site),
      status: text(q.status),
      policy: text(q.policy),
      changedSince: text(q.changedSince),
    };
  }

  async function renderCodes(request: FastifyRequest, reply: FastifyReply, options: { error?: string; form?: Body; status?: number } = {}) {
    const view = await kohaCodesView(store, request.library!.id);
    return reply.page(
      'koha-codes',
      {
        title: 'Koha codes',
        view,
        isAdmin: staffOf(request.principal).role === 'admin',
        form: options.form ?? {},
        error: options.error ?? '',
      },
      options.status ?? 200,
    );
  }

  // ---- pages ----
  app.get('/patrons/export', { config: librarian }, async (request, reply) => {
    const view = await kohaCodesView(store, request.library!.id);
    const unmapped = view.branches.filter((b) => b.branchcode === '').length + view.categories.filter((c) => c.categorycode === '').length;
    return reply.page('patron-export', {
      title: 'Export patrons',
      formats: EXPORT_FORMATS.map((f) => ({ value: f, label: FORMAT_LABELS[f] })),
      sites: view.branches,
      policies: view.categories,
      unmapped,
      kohaColumns: KOHA_COLUMNS,
    });
  });

  app.get('/patrons/export/download', { config: librarian }, async (request, reply) =>
    sendExport(request, reply, askOf(request.query as Query)),
  );

  app.get('/patrons/koha-codes', { config: librarian }, async (request, reply) => renderCodes(request, reply));

  app.post<{ Body: Body }>('/patrons/koha-codes', { config: admin }, async (request, reply) => {
    const form = request.body ?? {};
    const change: KohaCodesChange = { branches: {}, categories: {} };
    // Fields are `branch:SITE` and `category:POLICY` (the page lists every site and policy).
    for (const [key, value] of Object.entries(form)) {
      if (key.startsWith('branch:')) change.branches![key.slice('branch:'.length)] = text(value);
      else if (key.startsWith('category:')) change.categories![key.slice('category:'.length)] = text(value);
    }
    try {
      await saveKohaCodes(store, request.library!.id, change);
      return reply.redirect('/patrons/koha-codes?notice=koha-codes-saved', 303);
    } catch (e) {
      if (!(e instanceof RollcallError)) throw e;
      return renderCodes(request, reply, { error: e.message, form, status: 400 });
    }
  });

  // ---- API ----
  const tags = ['patrons'];
  app.get(
    '/api/v1/patrons/export',
    {
      config: librarian,
      schema: {
        tags,
        summary:
          "Download the patrons (filtered as asked) as CSV headed by field numbers, JSON, or Koha's patron import CSV; CSV starts with a UTF-8 byte-order mark and its cells are formula-safe (docs/web.md)",
        querystring: EXPORT_QUERY,
      },
    },
    async (request, reply) => sendExport(request, reply, askOf(request.query as Query)),
  );

  app.get(
    '/api/v1/koha-codes',
    {
      config: librarian,
      schema: {
        tags,
        summary: "The library's Koha codes: each site's Koha library (branchcode), each policy's Koha patron category (categorycode)",
        response: { 200: CODES_SCHEMA },
      },
    },
    async (request) => kohaCodesView(store, request.library!.id),
  );

  app.put<{ Body: KohaCodesChange }>(
    '/api/v1/koha-codes',
    {
      config: admin,
      schema: {
        tags,
        summary: "Set Koha codes (admins): site code → branchcode, policy → categorycode; '' clears one; others are left as they are",
        body: { type: 'object', properties: { branches: CODE_MAP, categories: CODE_MAP } },
        response: { 200: CODES_SCHEMA },
      },
    },
    async (request) => saveKohaCodes(store, request.library!.id, request.body ?? {}),
  );
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
