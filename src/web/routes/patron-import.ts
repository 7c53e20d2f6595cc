/**
 * Patron import in the web admin (`/patrons/import`): the page and form of `rollcall patrons
 * import FILE.csv`, calling the same service — so an upload is an operation too ("Patron
 * Import", requested by the staff account), all or nothing, and can be undone (SPEC §3.9).
 * Admins only: an import writes patrons across the library, as approving a plan or an undo does.
 *
 * The upload is multipart, parsed by @fastify/multipart inside this module's own encapsulated
 * plugin; the file streams to a temporary file under the data directory (never whole in
 * memory), CSRF is checked once the fields are read (`config.csrfAfterBody`, as the CSV package
 * upload does) and only then is the file imported. The temporary file goes when the response ends.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError } from '../../domain/errors.ts';
import { importPatrons, type ImportReport } from '../../services/patrons/import-patrons.ts';
import { staffOf, type WebDeps } from '../context.ts';
import { defineNotices } from '../render.ts';
import { countOf } from '../../domain/words.ts';

defineNotices({ 'patrons-imported': 'The file was imported as this operation; it can be undone from here.' });

/** The largest file accepted (a million patrons is ~150 MB of CSV). */
const MAX_IMPORT_BYTES = 200 * 1024 * 1024;
/** Rejected rows listed on the page (the failed operation's log lists all). */
const REJECTS_SHOWN = 50;

/** The uploaded file as the route sees it (or why it was refused while it streamed). */
interface PatronFile {
  /** The temporary file ('' when nothing was written). */
  path: string;
  /** The name it was uploaded under. */
  name: string;
  /** Why it is refused ('' when it is not). */
  refused: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The patron file uploaded with this request (routes/patron-import.ts). */
    patronFile: PatronFile | null;
  }
}

/** Registers `/patrons/import` (page and form) and `POST /api/v1/patrons/import`. */
export function patronImportRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store, config } = deps;
  const admin = { access: 'admin' as const };

  function page(reply: FastifyReply, status: number, extra: { error?: string; report?: ImportReport } = {}) {
    const report = extra.report;
    return reply.page(
      'patron-import',
      {
        title: 'Import patrons',
        maxMb: MAX_IMPORT_BYTES / 1024 / 1024,
        error: extra.error ?? '',
        rejected: report ? report.rejected.slice(0, REJECTS_SHOWN) : [],
        more: report ? Math.max(0, report.rejected.length - REJECTS_SHOWN) : 0,
        operation: report?.operation ?? 0,
      },
      status,
    );
  }

  /** Imports the request's file as the signed-in staff account. */
  async function take(request: FastifyRequest): Promise<ImportReport> {
    const file = request.patronFile;
    if (!file || file.path === '') throw new RollcallError('invalid_input', file?.refused || 'Choose a CSV file of patrons to import.');
    if (file.refused) throw new RollcallError('invalid_input', file.refused);
    return importPatrons(store, request.library!.id, createReadStream(file.path), {
      requestedBy: staffOf(request.principal).user.username,
      fileName: file.name,
    });
  }

  app.get('/patrons/import', { config: admin }, (_request, reply) => page(reply, 200));

  void app.register(async (upload) => {
    await upload.register(fastifyMultipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 5 },
      throwFileSizeLimit: false,
      onFile: async function (this: FastifyRequest, part: MultipartFile) {
        // The name as the browser sent it, without any folder (it is logged and journaled).
        const name = basename(part.filename ?? '');
        if (part.fieldname !== 'file' || name === '') {
          part.file.resume();
          return;
        }
        const dir = join(config.database.dataDir, 'uploads', 'patrons', String(this.library!.id));
        await mkdir(dir, { recursive: true });
        const path = join(dir, `import-${randomUUID()}.csv`);
        this.patronFile = { path, name, refused: '' };
        await pipeline(part.file, createWriteStream(path));
        if (part.file.truncated)
          this.patronFile.refused = `${name} is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB, the most an upload may be; import it with \`rollcall patrons import\` instead.`;
      },
    });
    upload.decorateRequest('patronFile', null);
    // CSRF once the fields are read (see the module comment); API tokens need none.
    upload.addHook('preValidation', (request, reply, done) => {
      const byToken = request.principal?.kind === 'staff' && request.principal.via === 'token';
      if (byToken) return done();
      app.csrfProtection(request, reply, done);
    });
    upload.addHook('onResponse', async (request) => {
      const f = request.patronFile;
      if (f && f.path !== '') await rm(f.path, { force: true });
    });

    const uploadConfig = { access: 'admin' as const, csrfAfterBody: true };
    upload.post('/patrons/import', { config: uploadConfig }, async (request, reply) => {
      let report: ImportReport;
      try {
        report = await take(request);
      } catch (e) {
        if (!(e instanceof RollcallError) || e.kind === 'not_found') throw e;
        return page(reply, e.kind === 'conflict' ? 409 : 400, { error: e.message });
      }
      if (report.rejected.length > 0) {
        const error = `${countOf(report.rejected.length, 'row')} ${report.rejected.length === 1 ? 'was' : 'were'} rejected; nothing was imported. Fix them and import the file again.`;
        return page(reply, 422, { error, report });
      }
      return reply.redirect(`/operations/${report.operation}?notice=patrons-imported`, 303);
    });
    upload.post(
      '/api/v1/patrons/import',
      {
        config: uploadConfig,
        schema: {
          tags: ['patrons'],
          summary:
            'Import patrons from a CSV file (multipart: `file`), as `rollcall patrons import` does: all or nothing, as an operation that can be undone; 422 when rows were rejected (nothing imported)',
          response: {
            200: IMPORT_REPORT_SCHEMA,
            422: IMPORT_REPORT_SCHEMA,
          },
        },
      },
      async (request, reply) => {
        const report = await take(request);
        return reply.code(report.rejected.length > 0 ? 422 : 200).send(report);
      },
    );
  });
}

/** The import's report, as the CLI's `--json` prints it. */
const IMPORT_REPORT_SCHEMA = {
  type: 'object',
  properties: {
    imported: { type: 'integer' },
    rejected: {
      type: 'array',
      items: { type: 'object', properties: { line: { type: 'integer' }, message: { type: 'string' } } },
    },
    operation: { type: 'integer', description: 'The import operation (failed when rows were rejected; 0 when none was recorded)' },
  },
} as const;
