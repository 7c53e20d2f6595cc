/**
 * Preferences › SIS Integrations › OneRoster CSV (SPEC §1.3), for admins: Settings
 * (the watched folder), Upload a package (a .zip: a sync, a dry run, or only its schools for Site
 * Mapping), Site Mapping from a package's schools, Syncing, Field Mapping, ON / OFF and the
 * packages seen lately with their outcome — and the same as JSON under /api/v1/integrations/csv.
 * Settings and upload and the packages are its own; the other steps are the shared ones (shared.ts).
 *
 * Uploads are multipart, parsed by @fastify/multipart inside this module's own encapsulated
 * plugin (no other route sees it). The file streams to a temporary file under the data
 * directory, never whole in memory, limited to MAX_UPLOAD_BYTES and to .zip names. Its fields are
 * parsed after the server's CSRF hook, so these routes check the token themselves once the body
 * is read (`config.csrfAfterBody`). The temporary file is deleted when the sync ends, except when
 * the sync stops for review: approving it may read the package again (src/sources/csv/source.ts).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError } from '../../../domain/errors.ts';
import { startCsvUpload } from '../../../services/csv/upload-package.ts';
import { configureCsv, CSV_OPTIONS } from '../../../sources/csv/options.ts';
import { openCsvSource } from '../../../sources/csv/source.ts';
import { looksLikeZip } from '../../../csv/package-files.ts';
import { CSV_SOURCE } from '../../../sources/csv/definition.ts';
import { csvSchoolsPackage, csvUploadDir } from '../../../sources/csv/mapping-package.ts';
import { csvOverview, INTEGRATION_PAGES, recentPackages, type CsvOverview } from '../../../sources/setup.ts';
import { staffOf, type WebDeps } from '../../context.ts';
import { checked, type Body } from '../../forms/body.ts';
import { defineNotices } from '../../render.ts';
import { SHARED_STEPS, SOURCE_NOTICES, sharedSourceRoutes, stepData, whenText, type SourceDescription } from './shared.ts';

/** Where the OneRoster CSV pages live. */
export const CSV_BASE = INTEGRATION_PAGES.csv;
const API = '/api/v1/integrations/csv';

/** The largest package accepted by upload. */
export const MAX_UPLOAD_BYTES = 500 * 1024 * 1024;

defineNotices({
  'csv-settings-saved': 'The watched folder is saved.',
  'csv-schools-read': "The package's schools are read: match them on Site Mapping.",
  'csv-upload-started': 'The package was uploaded and its sync has started; this page follows its progress.',
});

/** An uploaded file as the route sees it (or why it was refused while it streamed). */
interface Upload {
  /** The temporary file ('' when nothing was written). */
  path: string;
  /** The name it was uploaded under. */
  name: string;
  /** Why it is refused ('' when it is not). */
  refused: string;
  /** Handed to a sync or kept: not deleted when the response ends. */
  kept: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The package uploaded with this request (routes/sources/csv.ts). */
    csvUpload: Upload | null;
  }
}

const PACKAGE_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    size: { type: 'integer' },
    operationId: { type: 'integer', nullable: true },
    outcome: { type: 'string' },
    message: { type: 'string' },
    processedAt: { type: 'string' },
  },
} as const;

/** OneRoster CSV as the shared steps see it (its schools come from a package, so from the config's folders). */
export function csvPages(): SourceDescription<CsvOverview> {
  return {
    kind: 'csv',
    base: CSV_BASE,
    apiBase: API,
    steps: [{ key: 'settings', path: '', label: 'Settings and upload' }, ...SHARED_STEPS],
    overview: (store, libraryId) => csvOverview(store, libraryId),
    overviewApi: {
      summary: "The library's OneRoster CSV integration: watched folder, options, ON/OFF",
      properties: { watchDir: { type: 'string' } },
    },
    statusText: (o) => (o.watchDir ? `watched folder ${o.watchDir}` : 'no watched folder: packages are uploaded here'),
    statusId: 'integration',
    mapping: CSV_SOURCE,
    matchApi: `${API}/sites/:code/match`,
    clearMatchApi: false,
    options: CSV_OPTIONS,
    sso: false,
    roleNote: "Admin (Staff) takes the package's administrator role (1.1) and its 1.2 staff roles; aide and proctor are never patrons.",
    connectHint: 'nothing to connect: OneRoster CSV can always be turned ON; see',
    notices: SOURCE_NOTICES,
  };
}

/** Registers the routes: the shared steps with OneRoster CSV's description, its Settings and upload step and its packages. */
export function csvRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store, config } = deps;
  const admin = { access: 'admin' as const };
  const libOf = (request: FastifyRequest) => request.library!.id;
  const source = csvPages();

  async function ownStep(request: FastifyRequest, reply: FastifyReply, step: string, status: number, extra: Record<string, unknown>) {
    if (step !== 'settings') return undefined;
    const data = await stepData(source, store, request, step);
    const packages = (await recentPackages(store, libOf(request))).map((p) => ({ ...p, at: whenText(p.processedAt) }));
    return reply.page(
      'csv-settings',
      {
        title: 'OneRoster CSV · Settings and upload',
        ...data,
        error: String(extra.error ?? ''),
        packages,
        maxMb: MAX_UPLOAD_BYTES / 1024 / 1024,
        form: extra.form ?? { watchDir: data.overview.watchDir },
      },
      status,
    );
  }

  const { showStep, formAction } = sharedSourceRoutes(app, deps, source, ownStep);

  app.get(CSV_BASE, { config: admin }, (request, reply) => showStep(request, reply, 'settings'));
  app.post<{ Body: Body }>(`${CSV_BASE}/settings`, { config: admin }, (request, reply) =>
    formAction(
      request,
      reply,
      'settings',
      async () => {
        await configureCsv(store, libOf(request), { watchDir: String(request.body?.watchDir ?? '') }, { root: config.csvWatchRoot });
        return `${CSV_BASE}?notice=csv-settings-saved`;
      },
      { form: { watchDir: String(request.body?.watchDir ?? '') } },
    ),
  );

  /** Takes the request's upload: refused with its sentence, else synced (or read for schools). */
  async function takeUpload(
    request: FastifyRequest<{ Body: Body }>,
  ): Promise<{ operationId: number | null; alreadyRunning: boolean } | 'schools'> {
    const upload = request.csvUpload;
    if (!upload || upload.path === '')
      throw new RollcallError('invalid_input', upload?.refused || 'Choose a OneRoster CSV package (a .zip file) to upload.');
    if (upload.refused) throw new RollcallError('invalid_input', upload.refused);
    // Named .zip but another kind of file: one sentence with the name the admin chose, not the
    // temporary file's name and the zip reader's own words.
    if (!(await looksLikeZip(upload.path)))
      throw new RollcallError(
        'invalid_input',
        `${upload.name} is not a zip file: upload the OneRoster CSV package as a .zip of its CSV files (manifest.csv, users.csv, …).`,
      );
    const purpose = String(request.body?.purpose ?? '');
    if (purpose === 'schools') {
      await openCsvSource(upload.path, upload.name); // a package that cannot be synced is refused here, with its sentence
      await rename(upload.path, csvSchoolsPackage(config, libOf(request)));
      upload.kept = true;
      return 'schools';
    }
    const dryRun = purpose === 'dry-run' || checked(request.body?.dryRun);
    const started = await startCsvUpload(deps.syncDeps, libOf(request), {
      path: upload.path,
      name: upload.name,
      dryRun,
      requestedBy: staffOf(request.principal).user.username,
    });
    upload.kept = true;
    inFlight.add(started.done);
    void started.done.finally(() => inFlight.delete(started.done));
    return started;
  }

  // Syncs started by uploads run in this process; closing the server waits for them.
  const inFlight = new Set<Promise<unknown>>();
  app.addHook('onClose', async () => {
    while (inFlight.size) await Promise.allSettled([...inFlight]);
  });

  void app.register(async (upload) => {
    await upload.register(fastifyMultipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 },
      throwFileSizeLimit: false,
      // Streams the file to disk (never whole in memory); its name and fate go on the request.
      onFile: async function (this: FastifyRequest, part: MultipartFile) {
        const name = part.filename ?? '';
        if (part.fieldname !== 'package' || !name.toLowerCase().endsWith('.zip')) {
          part.file.resume();
          if (part.fieldname === 'package')
            this.csvUpload = {
              path: '',
              name,
              refused: `${name || 'That file'} is not a .zip: upload the OneRoster CSV package as a .zip file.`,
              kept: false,
            };
          return;
        }
        const dir = csvUploadDir(config, this.library!.id);
        await mkdir(dir, { recursive: true });
        const path = join(dir, `upload-${randomUUID()}.zip`);
        this.csvUpload = { path, name, refused: '', kept: false };
        await pipeline(part.file, createWriteStream(path));
        if (part.file.truncated)
          this.csvUpload.refused = `${name} is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB, the most an upload may be; drop it in the watched folder instead.`;
      },
    });
    upload.decorateRequest('csvUpload', null);
    // CSRF once the fields are read (see the module comment); API tokens need none.
    upload.addHook('preValidation', (request, reply, done) => {
      const byToken = request.principal?.kind === 'staff' && request.principal.via === 'token';
      if (byToken) return done();
      app.csrfProtection(request, reply, done);
    });
    // A temporary file nobody took (a refusal, an error) goes when the response ends.
    upload.addHook('onResponse', async (request) => {
      const u = request.csvUpload;
      if (u && u.path !== '' && !u.kept) await rm(u.path, { force: true });
    });

    const uploadConfig = { access: 'admin' as const, csrfAfterBody: true };
    upload.post<{ Body: Body }>(`${CSV_BASE}/upload`, { config: uploadConfig }, (request, reply) =>
      formAction(request, reply, 'settings', async () => {
        const started = await takeUpload(request);
        if (started === 'schools') return `${CSV_BASE}/sites?notice=csv-schools-read`;
        if (started.operationId === null) return '/operations?notice=sync-queued';
        return `/operations/${started.operationId}?notice=${started.alreadyRunning ? 'sync-already-running' : 'csv-upload-started'}`;
      }),
    );
    upload.post<{ Body: Body }>(
      `${API}/upload`,
      {
        config: uploadConfig,
        schema: {
          tags: ['csv'],
          summary:
            'Upload a OneRoster CSV package (multipart: `package` a .zip, `dryRun` true|false; `purpose=schools` only reads its schools for site mapping); answers at once with the operation',
          response: {
            202: {
              type: 'object',
              properties: {
                operationId: { type: 'integer', nullable: true },
                alreadyRunning: { type: 'boolean' },
                schoolsRead: { type: 'boolean' },
              },
            },
          },
        },
      },
      async (request, reply) => {
        const started = await takeUpload(request);
        if (started === 'schools') return reply.code(202).send({ operationId: null, alreadyRunning: false, schoolsRead: true });
        return reply.code(202).send(started);
      },
    );
  });

  // ---- API ----
  const tags = ['csv'];
  app.patch<{ Body: { watchDir?: string } }>(
    `${API}/settings`,
    {
      config: admin,
      schema: {
        tags,
        summary: "Set the watched folder (the district's SFTP drop; '' for none)",
        body: { type: 'object', properties: { watchDir: { type: 'string' } } },
        response: { 200: { type: 'object', properties: { enabled: { type: 'boolean' }, watchDir: { type: 'string' } } } },
      },
    },
    async (request) =>
      configureCsv(store, libOf(request), request.body?.watchDir === undefined ? {} : { watchDir: request.body.watchDir }, {
        root: config.csvWatchRoot,
      }),
  );
  app.get(
    `${API}/packages`,
    {
      config: admin,
      schema: {
        tags,
        summary: 'The packages processed lately (uploaded or from the watched folder), newest first, with their outcome and operation',
        response: { 200: { type: 'array', items: PACKAGE_SCHEMA } },
      },
    },
    async (request) => recentPackages(store, libOf(request)),
  );
}
