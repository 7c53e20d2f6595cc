/**
 * `rollcall defaults show|set` (SPEC §8): what a sync gives the patrons it creates, per role —
 * Policy, Status, barcode assignment, fixed values — and how many existing patrons each Policy
 * matches at the matched sites (the Policy names are the scope, SPEC §3.8).
 */
import { RollcallError } from '../../domain/errors.ts';
import { FIELDS } from '../../domain/fields.ts';
import type { SyncRole } from '../../domain/roster.ts';
import { changeDefaults, showDefaults, type DefaultsView } from '../../services/defaults/creation-defaults.ts';
import type { RoleDraft } from '../../services/defaults/defaults-rules.ts';
import { EXIT_OK } from '../exit.ts';
import type { Handler } from '../context.ts';
import { withApp } from './with-app.ts';

const ROLES: readonly SyncRole[] = ['student', 'teacher', 'admin'];

/** `defaults show [--json]` */
export const show: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const view = await showDefaults(app.store, app.library.id);
    if (opts.json) await ctx.out.json(view);
    else await ctx.out.lines(...viewLines(app.library.code, view));
    return EXIT_OK;
  });

/** `defaults set --role R [--policy] [--status] [--barcode …] [--set FIELD=VALUE]… [--json]` */
export const set: Handler = async (ctx, _args, opts) => {
  const { role, draft } = draftOf(opts);
  return withApp(ctx, async (app) => {
    // The revision just read: a save by someone else in between is refused, never overwritten.
    const { revision } = await showDefaults(app.store, app.library.id);
    const view = await changeDefaults(app.store, app.library.id, { revision, roles: { [role]: draft } }, 'cli');
    if (opts.json) await ctx.out.json(view);
    else await ctx.out.lines(...viewLines(app.library.code, view));
    return EXIT_OK;
  });
};

/** The change the options ask for, checked before anything is opened. */
function draftOf(opts: Record<string, unknown>): { role: SyncRole; draft: RoleDraft } {
  const role = String(opts.role ?? '')
    .trim()
    .toLowerCase() as SyncRole;
  if (!ROLES.includes(role)) throw new RollcallError('usage', `--role is student, teacher or admin, not "${String(opts.role ?? '')}".`);
  const draft: RoleDraft = {};
  if (typeof opts.policy === 'string') draft.policy = opts.policy;
  if (typeof opts.status === 'string') draft.status = opts.status;
  if (typeof opts.barcode === 'string') draft.barcode = opts.barcode;
  if (typeof opts.barcodePrefix === 'string') draft.barcodePrefix = opts.barcodePrefix;
  if (typeof opts.barcodeNext === 'string') draft.barcodeNext = opts.barcodeNext;
  if (typeof opts.barcodeWidth === 'string') draft.barcodeWidth = opts.barcodeWidth;
  const sets = Array.isArray(opts.set) ? (opts.set as string[]) : [];
  if (sets.length > 0) {
    draft.set = {};
    for (const pair of sets) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new RollcallError('usage', `--set takes FIELD=VALUE (e.g. --set Location=Library), not "${pair}".`);
      draft.set[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  if (Object.keys(draft).length === 0) {
    throw new RollcallError(
      'usage',
      'Nothing to change: give --policy, --status, --barcode, --barcode-prefix, --barcode-next, --barcode-width or --set (see `rollcall defaults show`).',
    );
  }
  return { role, draft };
}

function viewLines(code: string, view: DefaultsView): string[] {
  const where = view.matchedSites.length > 0 ? `at the matched sites (${view.matchedSites.join(', ')})` : 'at the matched sites (none yet)';
  const lines = [
    `New patrons of library ${code}${view.source ? ` (synced from ${view.source})` : ''}. The Policy of a role is also which existing patrons a sync is responsible for.`,
  ];
  for (const r of view.roles) {
    const barcode =
      r.barcode.kind === 'sequence'
        ? `sequence ${r.barcode.prefix || '(no prefix)'} width ${r.barcode.width}, next ${r.barcode.example}${view.barcodeMapped ? ' (unused: Barcode is mapped)' : ''}`
        : 'left blank';
    const fixed = FIELDS.filter((f) => r.fixed[f.key] !== undefined).map((f) => `${f.label}=${r.fixed[f.key]}`);
    lines.push(
      `  ${r.role}${r.synced ? '' : ' (not synced)'}: Policy "${r.policy}" matches ${r.matches.toLocaleString('en-US')} patron${r.matches === 1 ? '' : 's'} ${where}; Status ${r.status}; Barcode ${barcode}${fixed.length ? `; fixed ${fixed.join(', ')}` : ''}`,
    );
  }
  if (view.policiesInUse.length > 0) {
    lines.push(`  Policies held ${where}: ${view.policiesInUse.map((p) => `"${p.policy}" ${p.count.toLocaleString('en-US')}`).join(', ')}`);
  }
  return lines;
}
