/**
 * The steps every roster source's pages have alike (SPEC §1.3, §2) — Site Mapping, Syncing,
 * Field Mapping, ON / OFF and, where the source has it, Sync Now — as pages under the source's
 * base URL and as JSON under its API base. One page logic for ClassLink, OneRoster REST and
 * OneRoster CSV: what differs between them (names, where their schools and options come from,
 * their step list and notices) is in the SourceDescription each source's module passes.
 * A source's own steps (its Settings; ClassLink's Sign-On) are rendered by the `ownStep` it
 * gives, so a refused form of any step is shown again with its sentence.
 *
 * Site Mapping works without JavaScript: Match and × post at once and are saved at once; Save
 * also matches a selected pair and applies the ticked suggestions, then confirms. With
 * JavaScript, choosing a site pre-selects its suggested school (app.js).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError } from '../../../domain/errors.ts';
import type { IntegrationKind } from '../../../domain/patron.ts';
import { updateOptions, type OptionSettings, type OptionsStore } from '../../../sources/options.ts';
import { SOURCE_NAMES } from '../../../sources/registry.ts';
import type { SourceOverview } from '../../../sources/setup.ts';
import {
  applySuggestions,
  clearSiteMatch,
  matchSiteToSchool,
  schoolsWithSuggestions,
  siteMapping,
  type MappingSource,
} from '../../../sources/site-mapping.ts';
import type { AdminNote } from '../../../sources/classlink/overview.ts';
import { requireSyncNow } from '../../../sources/registry.ts';
import { PreviewChanged, previewSentence, turnOff, turnOn, turnOnPreview, type TurnOnPreview } from '../../../sources/switch.ts';
import type { Store } from '../../../store/store.ts';
import { operationTypeName } from '../../../domain/operation.ts';
import { staffOf, type WebDeps } from '../../context.ts';
import { defineNotices } from '../../render.ts';
import { checked, invalid, textOf, type Body } from '../../forms/body.ts';
import {
  fieldMappingFormOf,
  ID_MAPPING_CHOICES,
  LOCATION_CHOICES,
  optionsPatchOf,
  ROLE_CHOICES,
  rolesOf,
} from '../../forms/source-options.ts';
import { fieldRows } from './field-rows.ts';
import {
  ENABLE_BODY_SCHEMA,
  ENABLE_SCHEMA,
  ID_MAPPING_SCHEMA,
  OPTIONS_SCHEMA,
  OPTIONS_WITH_SSO_SCHEMA,
  PREVIEW_CHANGED_SCHEMA,
  PREVIEW_SCHEMA,
  SCHOOL_SCHEMA,
  SITE_SCHEMA,
} from './schemas.ts';

defineNotices({
  'source-site-matched': 'The site is matched to the school.',
  'source-site-unmatched': 'The match was cleared: that school is not synced.',
  'source-mapping-saved': 'The site mapping is saved. Schools without a site are not synced.',
  'source-roles-saved': 'The synced roles are saved.',
  'source-fields-saved': 'The field mapping and thresholds are saved.',
  'source-on': 'The integration is ON.',
  'source-off': 'The integration is OFF: no sync will run. Patrons, GUIDs and site matches are kept.',
  'sync-started': 'The sync has started; this page follows its progress.',
  'sync-already-running': 'A sync of this library was already running: here it is. Sync Now again when it has finished.',
  'sync-queued': 'The sync is queued; it appears here when a worker takes it.',
});

/** The notices of the shared steps that name no source (OneRoster REST's and OneRoster CSV's). */
export const SOURCE_NOTICES: StepNotices = {
  siteMatched: 'source-site-matched',
  siteUnmatched: 'source-site-unmatched',
  mappingSaved: 'source-mapping-saved',
  rolesSaved: 'source-roles-saved',
  fieldsSaved: 'source-fields-saved',
  on: 'source-on',
  off: 'source-off',
};

/** One step of a source's pages. */
export interface Step {
  key: string;
  path: string;
  label: string;
}

/** The steps every source has, between its Settings and its own last steps. */
export const SHARED_STEPS: readonly Step[] = [
  { key: 'sites', path: '/sites', label: 'Site Mapping' },
  { key: 'syncing', path: '/syncing', label: 'Syncing' },
  { key: 'fields', path: '/fields', label: 'Field Mapping' },
  { key: 'switch', path: '/enable', label: 'ON / OFF' },
];

/** The Sync Now step, for a source that has one (Sync Now asks maySyncNow first). */
export const SYNC_NOW_STEP: Step = { key: 'sync', path: '/sync', label: 'Sync Now' };

/** The notice each shared step's form redirects with (its key in defineNotices). */
export interface StepNotices {
  siteMatched: string;
  siteUnmatched: string;
  mappingSaved: string;
  rolesSaved: string;
  fieldsSaved: string;
  on: string;
  off: string;
}

/** What the shared steps need to know of one source. */
export interface SourceDescription<O extends SourceOverview> {
  kind: IntegrationKind;
  /** Where its pages live. */
  base: string;
  /** Where its JSON lives. */
  apiBase: string;
  /** Its steps, in order; a `sync` step gets the shared Sync Now page. */
  steps: readonly Step[];
  /** Its state, without secrets. */
  overview(store: Store, libraryId: number): Promise<O>;
  /** `GET <apiBase>`: its summary, and the schema of the fields its overview adds (never a secret). */
  overviewApi: { summary: string; properties: Record<string, unknown> };
  /** The status line's middle part ("connected to …", "watched folder …"). */
  statusText(overview: O): string;
  /** The status line's HTML ids: `<statusId>-status`, `<statusId>-state`. */
  statusId: string;
  /** The Site Mapping step's schools and matching. */
  mapping: MappingSource;
  /** The API path of a site's match (PUT matches; DELETE clears, when `clearMatchApi`). */
  matchApi: string;
  clearMatchApi: boolean;
  /** Where its options are kept. */
  options: OptionsStore<OptionSettings>;
  /** Its options carry "Allow log-in with ClassLink" (the options API shows and changes it). */
  sso: boolean;
  /** A note under the roles of the Syncing step. */
  roleNote: string;
  /** Instead of roleNote: the "Unenrolled Users" note, worked out from the last sync. */
  adminNote?: (store: Store, libraryId: number) => Promise<AdminNote>;
  /** What the ON / OFF step says when it cannot be turned ON yet, before the link to Settings. */
  connectHint: string;
  notices: StepNotices;
  /** A guide for the district's side, by step key: the address of the part each step links to. */
  guide?: Readonly<Record<string, string>>;
}

/** Renders one of a source's own steps, or says it is not one (undefined). */
export type OwnStep = (
  request: FastifyRequest,
  reply: FastifyReply,
  step: string,
  status: number,
  extra: Record<string, unknown>,
) => Promise<FastifyReply | undefined>;

/** A turn-on preview as the API shows it (enable-preview, and a refused enable's new preview). */
function previewView(preview: TurnOnPreview) {
  return { ...preview, current: preview.current ?? null, message: previewSentence(preview) };
}

/** The total an ON form showed (its hidden `previewedTotal`); undefined when the form carries none. */
function previewedOf(value: unknown): number | undefined {
  const text = textOf(value).trim();
  if (text === '') return undefined;
  if (!/^\d{1,9}$/.test(text)) throw invalid('This form is not one Rollcall showed (its count is not a number): reload the page.');
  return Number(text);
}

/**
 * A stored time for a page ('' when none): kept as ISO, for the view to show with
 * `it.page.time` in the library's zone (SPEC §3.7: never a silent UTC).
 */
export function whenText(iso: string | null | undefined): string {
  return iso ?? '';
}

/** The data every step's page gets: the step navigation, the state, the source's names. */
export async function stepData<O extends SourceOverview>(
  source: SourceDescription<O>,
  store: Store,
  request: FastifyRequest,
  step: string,
) {
  const overview = await source.overview(store, request.library!.id);
  return {
    steps: source.steps.map((s, i) => ({ href: `${source.base}${s.path}`, label: `${i + 1}. ${s.label}`, current: s.key === step })),
    overview,
    base: source.base,
    sourceName: SOURCE_NAMES[source.kind],
    statusId: source.statusId,
    statusText: source.statusText(overview),
    otherEnabledName: overview.otherEnabled ? SOURCE_NAMES[overview.otherEnabled] : '',
    guideHref: source.guide?.[step] ?? '',
  };
}

/**
 * A form's action for a step page: runs the work and redirects where it says (post/redirect/get);
 * a RollcallError re-renders the step with its sentence (400, the typed values kept), a
 * not_found stays a 404.
 */
export function formActionOf<S extends string>(
  showStep: (
    request: FastifyRequest,
    reply: FastifyReply,
    step: S,
    status: number,
    extra: Record<string, unknown>,
  ) => Promise<FastifyReply>,
) {
  return async (request: FastifyRequest, reply: FastifyReply, step: S, work: () => Promise<string>, keep: Record<string, unknown> = {}) => {
    try {
      return reply.redirect(await work(), 303);
    } catch (e) {
      if (!(e instanceof RollcallError) || e.kind === 'not_found') throw e;
      return showStep(request, reply, step, 400, { error: e.message, ...keep });
    }
  };
}

/**
 * Registers the shared steps of a source as pages under `source.base` and JSON under
 * `source.apiBase`; `ownStep` renders the source's own steps. Returns the step renderer and the
 * form action, for the source's own routes.
 */
export function sharedSourceRoutes<O extends SourceOverview>(
  app: FastifyInstance,
  deps: WebDeps,
  source: SourceDescription<O>,
  ownStep: OwnStep,
) {
  const { store, config } = deps;
  const admin = { access: 'admin' as const };
  const schoolDeps = { config, store };
  const libOf = (request: FastifyRequest) => request.library!.id;
  const { base, apiBase, kind, mapping, notices } = source;
  const name = SOURCE_NAMES[kind];
  const hasSyncNow = source.steps.some((s) => s.key === 'sync');

  async function showStep(
    request: FastifyRequest,
    reply: FastifyReply,
    step: string,
    status = 200,
    extra: Record<string, unknown> = {},
  ): Promise<FastifyReply> {
    const own = await ownStep(request, reply, step, status, extra);
    if (own) return own;
    const data = await stepData(source, store, request, step);
    const lib = libOf(request);
    const error = String(extra.error ?? '');
    const label = source.steps.find((s) => s.key === step)?.label ?? '';
    const title = `${name} · ${label}`;
    switch (step) {
      case 'sites':
        return reply.page(
          'source-sites',
          { title, ...data, error, mapping: await siteMapping(schoolDeps, lib, mapping), ...extra },
          status,
        );
      case 'syncing':
        return reply.page(
          'source-syncing',
          {
            title,
            ...data,
            error,
            roles: ROLE_CHOICES,
            selected: data.overview.options.roles,
            roleNote: source.roleNote,
            note: source.adminNote ? await source.adminNote(store, lib) : null,
          },
          status,
        );
      case 'fields':
        return reply.page(
          'source-fields',
          {
            title,
            ...data,
            error,
            options: data.overview.options,
            rows: fieldRows(data.overview.options),
            idChoices: ID_MAPPING_CHOICES,
            locationChoices: LOCATION_CHOICES,
          },
          status,
        );
      case 'sync': {
        const recent = (await store.operations.list(lib, { limit: 1 }))[0];
        const last = recent
          ? {
              id: recent.id,
              typeName: operationTypeName(recent.type, recent.source, recent.undoOf),
              state: recent.state,
              by: recent.requestedBy,
              at: whenText(recent.startedAt ?? recent.createdAt),
              active: recent.state === 'queued' || recent.state === 'running',
            }
          : null;
        return reply.page('source-sync', { title, ...data, error, last }, status);
      }
      default: {
        const preview = await turnOnPreview(store, lib, kind);
        const otherNames = Object.entries(preview.patronGuids).map(([k, n]) => ({
          name: SOURCE_NAMES[k as IntegrationKind],
          count: n ?? 0,
        }));
        return reply.page(
          'source-enable',
          {
            title,
            ...data,
            error,
            preview,
            otherNames,
            currentName: preview.current ? SOURCE_NAMES[preview.current] : '',
            sentence: previewSentence(preview),
            connectHint: source.connectHint,
          },
          status,
        );
      }
    }
  }

  const formAction = formActionOf(showStep);

  // ---- pages ----

  app.get(`${base}/sites`, { config: admin }, (request, reply) => showStep(request, reply, 'sites'));
  app.post<{ Body: Body }>(`${base}/sites/match`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'sites', async () => {
      await matchSiteToSchool(schoolDeps, libOf(request), String(request.body?.site ?? ''), String(request.body?.school ?? ''), mapping);
      return `${base}/sites?notice=${notices.siteMatched}`;
    }),
  );
  app.post<{ Body: Body }>(`${base}/sites/unmatch`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'sites', async () => {
      await clearSiteMatch(store, libOf(request), String(request.body?.site ?? ''));
      return `${base}/sites?notice=${notices.siteUnmatched}`;
    }),
  );
  app.post<{ Body: Body }>(`${base}/sites/save`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'sites', async () => {
      const body = request.body ?? {};
      const site = String(body.site ?? '').trim();
      const school = String(body.school ?? '').trim();
      if (site !== '' && school !== '') await matchSiteToSchool(schoolDeps, libOf(request), site, school, mapping);
      const accepted = (Array.isArray(body.accept) ? body.accept : body.accept === undefined ? [] : [body.accept])
        .map(String)
        .filter((c) => c !== site);
      await applySuggestions(schoolDeps, libOf(request), accepted, mapping);
      return `${base}/sites?notice=${notices.mappingSaved}`;
    }),
  );
  app.get(`${base}/syncing`, { config: admin }, (request, reply) => showStep(request, reply, 'syncing'));
  app.post<{ Body: Body }>(`${base}/syncing`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'syncing', async () => {
      await updateOptions(store, libOf(request), { roles: rolesOf(request.body?.roles) }, source.options);
      return `${base}/syncing?notice=${notices.rolesSaved}`;
    }),
  );
  app.get(`${base}/fields`, { config: admin }, (request, reply) => showStep(request, reply, 'fields'));
  app.post<{ Body: Body }>(`${base}/fields`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'fields', async () => {
      await updateOptions(store, libOf(request), fieldMappingFormOf(request.body ?? {}), source.options);
      return `${base}/fields?notice=${notices.fieldsSaved}`;
    }),
  );
  app.get(`${base}/enable`, { config: admin }, (request, reply) => showStep(request, reply, 'switch'));
  // The form carries the total it showed (SPEC §1.3: told before confirming); a count changed
  // since is refused and the step shown again with the new one (switch.ts PreviewChanged).
  app.post<{ Body: Body }>(`${base}/enable`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'switch', async () => {
      await turnOn(store, libOf(request), kind, 'page', previewedOf(request.body?.previewedTotal), journalBy(request));
      return `${base}/enable?notice=${notices.on}`;
    }),
  );
  app.post(`${base}/disable`, { config: admin }, (request, reply) =>
    formAction(request, reply, 'switch', async () => {
      await turnOff(store, libOf(request), kind);
      return `${base}/enable?notice=${notices.off}`;
    }),
  );

  if (hasSyncNow) {
    app.get(`${base}/sync`, { config: admin }, (request, reply) => showStep(request, reply, 'sync'));
    app.post<{ Body: Body }>(`${base}/sync`, { config: admin }, (request, reply) =>
      formAction(request, reply, 'sync', async () => {
        const dryRun = checked(request.body?.dryRun);
        await requireSyncNow(store, libOf(request), kind, dryRun, 'library', 'page');
        const started = await deps.startSync(libOf(request), {
          kind: 'full',
          dryRun,
          requestedBy: staffOf(request.principal).user.username,
        });
        if (started.operationId === null) return '/operations?notice=sync-queued';
        return `/operations/${started.operationId}?notice=${started.alreadyRunning ? 'sync-already-running' : 'sync-started'}`;
      }),
    );
  }

  // ---- API ----
  const tags = [kind];
  app.get(
    apiBase,
    {
      config: admin,
      schema: {
        tags,
        summary: source.overviewApi.summary,
        response: {
          200: {
            type: 'object',
            properties: {
              enabled: { type: 'boolean' },
              otherEnabled: { type: 'string', nullable: true },
              ...source.overviewApi.properties,
              options: source.sso ? OPTIONS_WITH_SSO_SCHEMA : OPTIONS_SCHEMA,
              matchedSites: { type: 'integer' },
            },
          },
        },
      },
    },
    async (request) => source.overview(store, libOf(request)),
  );

  app.get(
    `${apiBase}/schools`,
    {
      config: admin,
      schema: {
        tags,
        summary: `${name}'s schools, with the site matched or suggested by name`,
        response: { 200: { type: 'array', items: SCHOOL_SCHEMA } },
      },
    },
    async (request) => schoolsWithSuggestions(schoolDeps, libOf(request), mapping),
  );

  const codeParam = { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] } as const;
  app.put<{ Params: { code: string }; Body: { orgSourcedId?: string } }>(
    source.matchApi,
    {
      config: admin,
      schema: {
        tags,
        summary: `Match a site to a ${name} school`,
        params: codeParam,
        body: { type: 'object', required: ['orgSourcedId'], properties: { orgSourcedId: { type: 'string' } } },
        response: { 200: { type: 'object', properties: { site: SITE_SCHEMA, school: SCHOOL_SCHEMA } } },
      },
    },
    async (request) => matchSiteToSchool(schoolDeps, libOf(request), request.params.code, request.body?.orgSourcedId ?? '', mapping),
  );
  if (source.clearMatchApi)
    app.delete<{ Params: { code: string } }>(
      source.matchApi,
      {
        config: admin,
        schema: {
          tags,
          summary: "Clear a site's match (that school is no longer synced)",
          params: codeParam,
          response: { 200: { type: 'object', properties: { site: SITE_SCHEMA, was: { type: 'string' } } } },
        },
      },
      async (request) => clearSiteMatch(store, libOf(request), request.params.code),
    );

  app.patch<{ Body: Body }>(
    `${apiBase}/options`,
    {
      config: admin,
      schema: {
        tags,
        summary: source.sso
          ? 'Change the synced roles, field mapping, safety thresholds or "Allow log-in with ClassLink"; what is left out is kept'
          : 'Change the synced roles, field mapping or safety thresholds; what is left out is kept',
        body: {
          type: 'object',
          properties: {
            roles: { type: 'array', items: { type: 'string' } },
            mapping: {
              type: 'object',
              properties: { barcode: ID_MAPPING_SCHEMA, communityId: ID_MAPPING_SCHEMA, location: { type: 'string' } },
            },
            thresholds: { type: 'object', properties: { maxTransferPct: { type: 'number' }, maxUpdatePct: { type: 'number' } } },
            ...(source.sso ? { sso: { type: 'boolean' } } : {}),
          },
        },
        response: { 200: source.sso ? OPTIONS_WITH_SSO_SCHEMA : OPTIONS_SCHEMA },
      },
    },
    async (request) => {
      const change = optionsPatchOf(request.body ?? {});
      if (!source.sso) delete change.sso; // sign-in is only where the source has it
      return updateOptions(store, libOf(request), change, source.options);
    },
  );

  app.get(
    `${apiBase}/enable-preview`,
    {
      config: admin,
      schema: {
        tags,
        summary: `What turning ${name} ON would clear: the patron GUIDs and site matches of other integrations`,
        response: { 200: PREVIEW_SCHEMA },
      },
    },
    async (request) => previewView(await turnOnPreview(store, libOf(request), kind)),
  );

  app.post<{ Body: { previewedTotal?: number } | undefined }>(
    `${apiBase}/enable`,
    {
      config: admin,
      schema: {
        tags,
        summary: `Turn ${name} ON: other integrations go OFF and their identifiers are cleared (see enable-preview)`,
        description:
          'Send `previewedTotal`, the `total` of enable-preview the admin was shown: the switch applies only if that is what it clears. ' +
          'When it is not (a sync came in between), or when it is left out and anything would be cleared, nothing is changed and the answer is 409 with the new preview.',
        body: ENABLE_BODY_SCHEMA,
        response: { 200: ENABLE_SCHEMA, 409: PREVIEW_CHANGED_SCHEMA },
      },
    },
    async (request, reply) => {
      try {
        return { enabled: true, ...(await turnOn(store, libOf(request), kind, 'api', request.body?.previewedTotal, journalBy(request))) };
      } catch (e) {
        if (!(e instanceof PreviewChanged)) throw e;
        return reply.code(409).send({ error: { kind: e.kind, message: e.message }, preview: previewView(e.preview) });
      }
    },
  );

  app.post(
    `${apiBase}/disable`,
    {
      config: admin,
      schema: {
        tags,
        summary: `Turn ${name} OFF: no sync runs; patrons, GUIDs and site matches are kept`,
        response: { 200: ENABLE_SCHEMA },
      },
    },
    async (request) => ({ enabled: false, unchanged: !(await turnOff(store, libOf(request), kind)) }),
  );

  return { showStep, formAction };
}

/** Who, for the journal: the signed-in staff account. */
function journalBy(request: FastifyRequest): { staffUserId: number; actor: string } {
  const { user } = staffOf(request.principal);
  return { staffUserId: user.id, actor: user.username };
}
