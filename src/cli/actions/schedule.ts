/**
 * `rollcall schedule show|set`: a library's Daily Operations (a delta sync every day at a local
 * time, the weekly full sync on one weekday).
 */
import { RollcallError } from '../../domain/errors.ts';
import type { ScheduleChange } from '../../store/store.ts';
import { checkTimezone, parseRunTime, parseWeekday } from '../../domain/schedule.ts';
import { changeSchedule, scheduleLine, showSchedule, type ScheduleView } from '../../services/schedule/schedule-settings.ts';
import { EXIT_OK } from '../exit.ts';
import { shortTime } from '../../presenters/format.ts';
import type { Handler } from '../context.ts';
import { withApp } from './with-app.ts';

/** `schedule show [--json]` */
export const show: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const view = await showSchedule(app.store, app.library.id, app.syncDeps.now());
    if (opts.json) await ctx.out.json(view);
    else await ctx.out.lines(...viewLines(app.library.code, view));
    return EXIT_OK;
  });

/** `schedule set [--time HH:MM] [--full-day sun..sat] [--timezone TZ] [--on|--off] [--json]`; --timezone confirms the zone. */
export const set: Handler = async (ctx, _args, opts) => {
  const change = changeOf(opts);
  return withApp(ctx, async (app) => {
    const view = await changeSchedule(app.store, app.library.id, change, app.syncDeps.now());
    if (opts.json) await ctx.out.json(view);
    else await ctx.out.lines(...viewLines(app.library.code, view));
    return EXIT_OK;
  });
};

/** The change the options ask for, checked before anything is opened. */
function changeOf(opts: Record<string, unknown>): ScheduleChange {
  if (opts.on && opts.off) throw new RollcallError('usage', 'Give --on or --off, not both.');
  const change: ScheduleChange = {};
  if (typeof opts.time === 'string') change.time = parseRunTime(opts.time);
  if (typeof opts.fullDay === 'string') change.fullSyncDay = parseWeekday(opts.fullDay);
  if (typeof opts.timezone === 'string') change.timezone = checkTimezone(opts.timezone);
  if (opts.on) change.enabled = true;
  if (opts.off) change.enabled = false;
  if (Object.keys(change).length === 0) {
    throw new RollcallError(
      'usage',
      'Nothing to change: give --time, --full-day, --timezone, --on or --off (see `rollcall schedule show`).',
    );
  }
  return change;
}

function viewLines(code: string, view: ScheduleView): string[] {
  const lines = [`Daily Operations of library ${code}: ${scheduleLine(view)}`];
  if (!view.timezoneConfirmed)
    lines.push(
      `  the time zone ${view.timezone} was never chosen by a person: confirm it with \`rollcall schedule set --timezone ${view.timezone}\` or give the library's own`,
    );
  if (view.next) lines.push(`  next run:  ${view.next.local}, ${view.next.kind} sync`);
  if (view.nextFull && view.nextFull.at !== view.next?.at) lines.push(`  next full: ${view.nextFull.local}`);
  if (!view.integrationEnabled)
    lines.push('  no integration is enabled: scheduled runs are skipped until one is (`rollcall classlink enable`)');
  if (view.lastRun) {
    const note = view.lastRun.note ? ` — ${view.lastRun.note}` : '';
    lines.push(`  last run:  ${shortTime(view.lastRun.at)} UTC, ${view.lastRun.kind || 'not queued'}${note}`);
  }
  return lines;
}
