/**
 * `rollcall status [--json]`: every library at a glance — last successful sync, the sync queued,
 * running or held, open alerts, Daily Operations. Always exits 0: it reports, it does not judge
 * (scripts read the alerts from `--json`).
 */
import { libraryStatuses, type LibraryStatus, type StatusOperation } from '../../services/libraries/library-status.ts';
import { EXIT_OK } from '../exit.ts';
import { shortTime, stateText } from '../../presenters/format.ts';
import type { Handler } from '../context.ts';
import { scheduleLine } from '../../services/schedule/schedule-settings.ts';
import { withApp } from './with-app.ts';

/** `status [--json]` */
export const status: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const statuses = await libraryStatuses(app.store, app.syncDeps.now());
    if (opts.json) await ctx.out.json(statuses);
    else {
      const delivering = app.config.alerts.webhookUrl !== undefined || app.config.alerts.email !== undefined;
      await ctx.out.lines(...statuses.flatMap((s) => statusLines(s, delivering)));
    }
    return EXIT_OK;
  });

function statusLines(s: LibraryStatus, delivering: boolean): string[] {
  const lines = [`${s.code} — ${s.name}`];
  lines.push(
    `  last success:      ${s.lastSuccess ? `${operationText(s.lastSuccess)}, finished ${shortTime(s.lastSuccess.finishedAt)} UTC` : 'none yet'}`,
  );
  if (s.active)
    lines.push(`  now:               ${operationText(s.active)} ${stateText(s.active.state)} (since ${shortTime(s.active.at)} UTC)`);
  lines.push(
    `  Daily Operations:  ${scheduleLine(s.schedule)}${s.schedule.next ? `; next ${s.schedule.next.local}, ${s.schedule.next.kind}` : ''}`,
  );
  if (s.alerts.length === 0) lines.push('  alerts:            none');
  for (const a of s.alerts) {
    const delivery = a.sent ? ', sent' : a.lastError ? `, not sent: ${a.lastError}` : delivering ? ', not sent yet' : '';
    lines.push(`  ALERT ${a.id} (${stateText(a.kind)}, ${shortTime(a.raisedAt)} UTC${delivery}): ${a.message}`);
  }
  lines.push('');
  return lines;
}

function operationText(op: StatusOperation): string {
  return `${op.typeName} ${op.id}`;
}
