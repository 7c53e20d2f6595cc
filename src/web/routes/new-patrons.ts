/**
 * Preferences › New patrons (SPEC §3.3, §3.8): the library's creation defaults per role —
 * Policy, Status, barcode assignment, fixed values — and how many existing patrons each Policy
 * matches at the matched sites, since "the Policy names of the roles are also what decides which
 * existing patrons are in scope". The same as JSON at /api/v1/defaults.
 *
 * One page under Preferences that every roster source uses, not a step of each integration:
 * the defaults are the library's (store/migrations/0015-defaults.ts says why), so the page is
 * where a library with no source ON yet, or about to switch, sets them once.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError } from '../../domain/errors.ts';
import { FIELDS, type PatronFieldKey } from '../../domain/fields.ts';
import type { SyncRole } from '../../domain/roster.ts';
import { changeDefaults, showDefaults, type DefaultsView } from '../../services/defaults/creation-defaults.ts';
import type { RoleDraft } from '../../services/defaults/defaults-rules.ts';
import { staffOf, type WebDeps } from '../context.ts';
import { PAGE_NAMES } from '../page-names.ts';
import { defineNotices } from '../render.ts';

/** Where the page lives. */
export const NEW_PATRONS_PATH = '/preferences/new-patrons';

defineNotices({ 'defaults-saved': 'The new-patron defaults were saved; the next sync uses them.' });

const ROLES: readonly SyncRole[] = ['student', 'teacher', 'admin'];
const ROLE_TITLES: Record<SyncRole, string> = { student: 'Students', teacher: 'Teachers', admin: 'Administrators and staff' };
/** Fields never given a fixed value: set by their own rule or default (defaults-rules.ts). */
const RULED: ReadonlySet<PatronFieldKey> = new Set(['guid', 'site', 'status', 'policy', 'barcode']);

const ROLE_DRAFT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    policy: { type: 'string', description: 'Policy 1028 of new patrons; also which existing patrons a sync is responsible for' },
    status: { type: 'integer', description: 'Status 1026 of new patrons (1 Active, or the library’s own code; never 4)' },
    barcode: { type: 'string', enum: ['none', 'sequence'], description: 'Barcode left blank, or the next free number of a sequence' },
    barcodePrefix: { type: 'string', description: 'The sequence’s prefix (no spaces)' },
    barcodeNext: { type: 'integer', description: 'The sequence’s next number; numbers a patron holds are passed over' },
    barcodeWidth: { type: 'integer', description: 'Digits, zero-padded' },
    fixed: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Every fixed value (field key, label or number → value), replacing those stored',
    },
    set: { type: 'object', additionalProperties: { type: 'string' }, description: "Some fixed values to set; '' clears one" },
  },
} as const;

const ROLE_VIEW_SCHEMA = {
  type: 'object',
  properties: {
    role: { type: 'string', enum: ['student', 'teacher', 'admin'] },
    people: { type: 'string' },
    policy: { type: 'string' },
    status: { type: 'integer' },
    barcode: {
      type: 'object',
      properties: {
        kind: { type: 'string', enum: ['none', 'sequence'] },
        prefix: { type: 'string' },
        next: { type: 'integer' },
        width: { type: 'integer' },
        example: { type: 'string', description: "The next barcode the sequence gives ('' when blank)" },
      },
    },
    fixed: { type: 'object', additionalProperties: { type: 'string' } },
    synced: { type: 'boolean', description: 'Whether the enabled integration syncs this role' },
    matches: { type: 'integer', description: 'Existing patrons at the matched sites with this Policy (without case or spaces)' },
  },
} as const;

const VIEW_SCHEMA = {
  type: 'object',
  properties: {
    revision: { type: 'integer', description: 'Quote it when saving: a save by someone else since is refused (409)' },
    updatedAt: { type: 'string' },
    updatedBy: { type: 'string' },
    source: { type: 'string', description: "The enabled integration, '' when none" },
    matchedSites: { type: 'array', items: { type: 'string' } },
    barcodeMapped: { type: 'boolean', description: 'Barcode is mapped to a roster identifier: no sequence is used' },
    roles: { type: 'array', items: ROLE_VIEW_SCHEMA },
    policiesInUse: {
      type: 'array',
      items: { type: 'object', properties: { policy: { type: 'string' }, count: { type: 'integer' } } },
    },
    mapped: {
      type: 'array',
      items: { type: 'object', properties: { key: { type: 'string' }, label: { type: 'string' }, source: { type: 'string' } } },
    },
  },
} as const;

type Body = Record<string, unknown>;

/** Registers the routes. */
export function newPatronsRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store } = deps;
  const admin = { access: 'admin' as const };
  const librarian = { access: 'librarian' as const };

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { error?: string; status?: number; form?: Body; view?: DefaultsView } = {},
  ) {
    const view = options.view ?? (await showDefaults(store, request.library!.id));
    return reply.page(
      'new-patrons',
      { title: PAGE_NAMES.newPatrons, ...pageModel(view, options.form), error: options.error ?? '' },
      options.status ?? 200,
    );
  }

  app.get(NEW_PATRONS_PATH, { config: admin }, async (request, reply) => render(request, reply));

  app.post<{ Body: Body }>(NEW_PATRONS_PATH, { config: admin }, async (request, reply) => {
    const body = request.body ?? {};
    const libraryId = request.library!.id;
    const before = await showDefaults(store, libraryId);
    try {
      await changeDefaults(store, libraryId, { revision: Number(text(body.revision)), roles: draftsOf(body, before) }, whoIs(request));
      return reply.redirect('/preferences/new-patrons?notice=defaults-saved', 303);
    } catch (e) {
      if (!(e instanceof RollcallError)) throw e;
      // Someone saved first: show theirs (what is now stored), not the form that lost.
      if (e.kind === 'conflict') return render(request, reply, { error: e.message, status: 409 });
      return render(request, reply, { error: e.message, status: 400, form: body, view: before });
    }
  });

  // ---- API ----
  const tags = ['defaults'];
  app.get(
    '/api/v1/defaults',
    {
      config: librarian,
      schema: {
        tags,
        summary:
          'The creation defaults of each role (Policy, Status, barcode, fixed values) and how many existing patrons each Policy matches at the matched sites: the Policy names are also the scope of every sync',
        response: { 200: VIEW_SCHEMA },
      },
    },
    async (request) => showDefaults(store, request.library!.id),
  );

  app.put<{ Body: { revision: number } & Partial<Record<SyncRole, RoleDraft>> }>(
    '/api/v1/defaults',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Change the creation defaults (admins). Roles left out, and fields of a role left out, keep their values. A refusal (400) is one sentence naming the field, nothing saved; a save by someone else since `revision` is refused (409).',
        body: {
          type: 'object',
          required: ['revision'],
          additionalProperties: false,
          properties: { revision: { type: 'integer' }, student: ROLE_DRAFT_SCHEMA, teacher: ROLE_DRAFT_SCHEMA, admin: ROLE_DRAFT_SCHEMA },
        },
        response: { 200: VIEW_SCHEMA },
      },
    },
    async (request) => {
      const { revision, ...roles } = request.body;
      return changeDefaults(store, request.library!.id, { revision, roles }, whoIs(request));
    },
  );
}

function whoIs(request: FastifyRequest): string {
  return staffOf(request.principal).user.username;
}

/** The roles' drafts from the page's form: every field of each role, fixed values replaced. */
function draftsOf(body: Body, view: DefaultsView): Partial<Record<SyncRole, RoleDraft>> {
  const drafts: Partial<Record<SyncRole, RoleDraft>> = {};
  for (const role of ROLES) {
    const fixed: Record<string, string> = {};
    for (const key of fixedKeysOf(view, role)) fixed[key] = text(body[`${role}_fixed_${key}`]);
    const draft: RoleDraft = {
      policy: text(body[`${role}_policy`]),
      status: text(body[`${role}_status`]),
      barcode: text(body[`${role}_barcode`]) || 'none',
      fixed,
    };
    if (draft.barcode === 'sequence') {
      draft.barcodePrefix = text(body[`${role}_prefix`]);
      draft.barcodeNext = text(body[`${role}_next`]);
      draft.barcodeWidth = text(body[`${role}_width`]);
    }
    drafts[role] = draft;
  }
  return drafts;
}

/** The fields a role's form offers a fixed value for: those no sync maps, and any already stored. */
function fixedKeysOf(view: DefaultsView, role: SyncRole): PatronFieldKey[] {
  const mapped = new Set(view.mapped.map((m) => m.key));
  const stored = view.roles.find((r) => r.role === role)!.fixed;
  return FIELDS.filter((f) => !RULED.has(f.key) && (!mapped.has(f.key) || stored[f.key] !== undefined)).map((f) => f.key);
}

/** What the template shows: the stored view, or — after a refusal — what the person typed. */
function pageModel(view: DefaultsView, form: Body | undefined) {
  const value = (name: string, stored: string | number) => (form ? text(form[name]) : String(stored));
  const mappedBy = new Map(view.mapped.map((m) => [m.key, m.source]));
  return {
    view,
    revision: view.revision,
    where: view.matchedSites.length > 0 ? view.matchedSites.join(', ') : '',
    mappedLabels: view.mapped.filter((m) => !RULED.has(m.key)).map((m) => m.label),
    roles: view.roles.map((r) => ({
      ...r,
      title: ROLE_TITLES[r.role],
      form: {
        policy: value(`${r.role}_policy`, r.policy),
        status: value(`${r.role}_status`, r.status),
        barcode: form ? text(form[`${r.role}_barcode`]) || 'none' : r.barcode.kind,
        prefix: value(`${r.role}_prefix`, r.barcode.prefix),
        next: value(`${r.role}_next`, r.barcode.next),
        width: value(`${r.role}_width`, r.barcode.width),
      },
      fixedFields: fixedKeysOf(view, r.role).map((key) => {
        const f = FIELDS.find((x) => x.key === key)!;
        return {
          key,
          label: f.label,
          number: f.number,
          maxLength: f.maxLength,
          mappedBy: mappedBy.get(key) ?? '',
          value: value(`${r.role}_fixed_${key}`, r.fixed[key] ?? ''),
        };
      }),
    })),
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}
