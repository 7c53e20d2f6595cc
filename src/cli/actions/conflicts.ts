/**
 * `rollcall conflicts list [--json] [--all]` and `rollcall conflicts resolve ID (--link-barcode B
 * | --create | --ignore)` (SPEC §3.9, §8): the conflict queue from a terminal. A resolution
 * takes effect on the next sync; the one resolving is recorded as `cli`.
 */
import { RollcallError } from '../../domain/errors.ts';
import { conflictList, type ConflictView } from '../../presenters/conflict-pages.ts';
import { resolveConflict, resolutionText, type ResolveRequest } from '../../services/conflicts/resolve-conflict.ts';
import { shortTime, table } from '../../presenters/format.ts';
import type { Handler } from '../context.ts';
import { EXIT_OK } from '../exit.ts';
import { withApp } from './with-app.ts';

/** Items a list prints at most (the queue is for people; `--json` scripts page through the API for more). */
const LIST_LIMIT = 1000;

/** `conflicts list [--json] [--all]`: the items not closed (with `--all`, closed ones too), open first. */
export const list: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const { items } = await conflictList(app.store, app.library.id, opts.all ? 'all' : 'pending', { limit: LIST_LIMIT });
    if (opts.json) await ctx.out.json(items);
    else if (items.length === 0) await ctx.out.lines('No conflicts: every roster user the syncs read found one patron, or none.');
    else
      await ctx.out.lines(
        ...table(
          ['ID', 'STATE', 'USER', 'ROSTER SIDE', 'PATRONS', 'SEEN', 'LAST SEEN (UTC)'],
          items.map((c) => [
            String(c.id),
            stateOf(c),
            c.sourcedId,
            rosterSide(c),
            patronSides(c),
            `${c.seenCount}×`,
            shortTime(c.lastSeenAt),
          ]),
        ),
        '',
        'Resolve one: rollcall conflicts resolve ID (--link-barcode B | --create | --ignore)',
      );
    return EXIT_OK;
  });

/** `conflicts resolve ID (--link-barcode B | --create | --ignore)` */
export const resolve: Handler = async (ctx, args, opts) => {
  const id = conflictId(args[0]);
  const request = requestOf(opts);
  return withApp(ctx, async (app) => {
    const item = await resolveConflict(app.store, app.library.id, id, request, 'cli');
    if (opts.json) await ctx.out.json({ id: item.id, state: item.state, action: item.action, patronId: item.patronId });
    else await ctx.out.lines(`Conflict ${item.id}: will ${resolutionText(item)} at the next sync that reads ${item.sourcedId}.`);
    return EXIT_OK;
  });
};

function requestOf(opts: Record<string, unknown>): ResolveRequest {
  const chosen: ResolveRequest[] = [];
  if (typeof opts.linkBarcode === 'string') chosen.push({ action: 'link', barcode: opts.linkBarcode });
  if (opts.create) chosen.push({ action: 'create' });
  if (opts.ignore) chosen.push({ action: 'ignore' });
  if (chosen.length !== 1) throw new RollcallError('usage', 'Choose one resolution: --link-barcode B, --create or --ignore.');
  return chosen[0]!;
}

function conflictId(text: string | undefined): number {
  const v = (text ?? '').trim();
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > Number.MAX_SAFE_INTEGER) {
    throw new RollcallError('usage', `A conflict id is a whole number (see \`rollcall conflicts list\`), not "${v}".`);
  }
  return Number(v);
}

function stateOf(c: ConflictView): string {
  return c.resolution && c.state !== 'closed' ? `${c.state}: ${c.resolution.action}` : c.state;
}

function rosterSide(c: ConflictView): string {
  const keys = c.user.keys.map((k) => `${k.label} ${k.value}`).join(', ');
  return [c.user.name || '(no name)', keys].filter(Boolean).join(' — ');
}

function patronSides(c: ConflictView): string {
  return c.patrons
    .map((p) =>
      p.exists
        ? `#${p.id} ${[p.firstName, p.lastName].filter(Boolean).join(' ')}${p.barcode ? ` [${p.barcode}]` : ''}`
        : `#${p.id} (deleted)`,
    )
    .join('; ');
}
