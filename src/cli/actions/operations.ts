/**
 * `rollcall operations list|show|log|approve|reject`.
 */
import { RollcallError } from '../../domain/errors.ts';
import {
  LOG_CSV_START,
  listOperations,
  logCsvLine,
  logTextLine,
  operationLog,
  showOperation,
  type OperationDetail,
} from '../../presenters/operations-view.ts';
import { approveSync, rejectSync } from '../../services/syncs/sync-actions.ts';
import { EXIT_OK } from '../exit.ts';
import { countsLine, duration, shortTime, stateText, table } from '../../presenters/format.ts';
import type { Handler } from '../context.ts';
import { reportSync } from '../sync-report.ts';
import { withApp } from './with-app.ts';

/** Operation ids are positive integers (a database identity). */
const MAX_OPERATION_ID = Number.MAX_SAFE_INTEGER;

/** `operations list [--json]` */
export const list: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const ops = await listOperations(app.store, app.library.id, app.syncDeps.now());
    if (opts.json) await ctx.out.json(ops);
    else if (ops.length === 0) await ctx.out.lines('No operations yet: run `rollcall sync --dry-run` to see what a sync would do.');
    else
      await ctx.out.lines(
        ...table(
          ['ID', 'TYPE', 'STARTED (UTC)', 'BY', 'STATE', 'DURATION', 'COUNTS'],
          ops.map((o) => [
            String(o.id),
            o.typeName,
            shortTime(o.startedAt ?? o.createdAt),
            o.requestedBy,
            stateText(o.state),
            duration(o.durationMs),
            `${o.counts.created} new, ${o.counts.updated} upd, ${o.counts.transferred} trf, ${o.counts.reactivated} react, ${o.counts.conflicts} confl, ${o.counts.warnings} warn`,
          ]),
        ),
      );
    return EXIT_OK;
  });

/** `operations show ID [--json]` */
export const show: Handler = async (ctx, args, opts) => {
  const id = operationId(args[0]);
  return withApp(ctx, async (app) => {
    const op = await showOperation(app.store, app.library.id, id, app.syncDeps.now());
    if (opts.json) await ctx.out.json(op);
    else await ctx.out.lines(...detailLines(op));
    return EXIT_OK;
  });
};

/** `operations log ID [--format text|csv]` */
export const log: Handler = async (ctx, args, opts) => {
  const id = operationId(args[0]);
  const csv = opts.format === 'csv';
  return withApp(ctx, async (app) => {
    const pages = operationLog(app.store, app.library.id, id);
    // The first page is read before anything is written: an unknown id fails cleanly.
    const first = await pages.next();
    if (csv) await ctx.out.write(LOG_CSV_START);
    const format = csv ? logCsvLine : logTextLine;
    if (!first.done) await ctx.out.write(first.value.map((e) => `${format(e)}\n`).join(''));
    for await (const page of pages) await ctx.out.write(page.map((e) => `${format(e)}\n`).join(''));
    return EXIT_OK;
  });
};

/** `operations approve ID [--json]`: 0 when applied, 3 when it stopped for review again, 1 when it failed. */
export const approve: Handler = async (ctx, args, opts) => {
  const id = operationId(args[0]);
  return withApp(ctx, async (app) => reportSync(ctx.out, await approveSync(app.syncDeps, app.library.id, id, 'cli'), opts.json === true));
};

/** `operations reject ID [--json]`: the plan is discarded; nothing is written. */
export const reject: Handler = async (ctx, args, opts) => {
  const id = operationId(args[0]);
  return withApp(ctx, async (app) => {
    const r = await rejectSync(app.syncDeps, app.library.id, id, 'cli');
    if (opts.json) await ctx.out.json({ operation: r.operation, state: r.state, rejected: true });
    else await ctx.out.lines(`Operation ${r.operation} was rejected: its plan was discarded and nothing was written.`);
    return EXIT_OK;
  });
};

function operationId(text: string | undefined): number {
  const v = (text ?? '').trim();
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_OPERATION_ID) {
    throw new RollcallError('usage', `An operation id is a whole number (see \`rollcall operations list\`), not "${v}".`);
  }
  return Number(v);
}

function detailLines(op: OperationDetail): string[] {
  const lines = [
    `Operation ${op.id}: ${op.typeName}, ${stateText(op.state)}`,
    `  requested by ${op.requestedBy}; queued ${shortTime(op.createdAt)}, started ${shortTime(op.startedAt)}, finished ${shortTime(op.finishedAt)} (UTC); took ${duration(op.durationMs)}`,
    `  ${countsLine(op.counts)}`,
    `  roster read: ${op.complete === null ? 'not known' : op.complete ? 'complete' : 'INCOMPLETE (removals held back)'}`,
  ];
  if (op.summary) lines.push(`  ${op.summary}`);
  if (op.state === 'needs_review') lines.push(`  Approve or reject it: rollcall operations approve ${op.id} (or reject ${op.id}).`);
  if (op.error) lines.push(`  error: ${op.error}`);
  if (op.plan) {
    lines.push('', 'Plan:');
    for (const k of op.plan) {
      if (k.total === 0) continue;
      lines.push(`  ${k.kind} (${k.total}):`);
      for (const line of k.first) lines.push(`    ${line}`);
      if (k.total > k.first.length) lines.push(`    … and ${k.total - k.first.length} more`);
    }
  }
  lines.push('', `Log: rollcall operations log ${op.id}`);
  return lines;
}
