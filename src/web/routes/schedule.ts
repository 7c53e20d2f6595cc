/**
 * Preferences › Schedule (SPEC §3.7): "Daily Operations runs at a configured local time each day
 * (default 02:00) in the library's time zone, which is asked for when a library is set up (never
 * a silent UTC). The web admin shows and changes the schedule (time, weekly full-sync day, time
 * zone, on/off) with the next run and the last one." The page is for admins; the same as JSON at
 * `GET /api/v1/schedule` (any staff) and `PUT /api/v1/schedule` (admins). The home page's notice
 * of a time zone nobody chose confirms it here (`POST /preferences/schedule/timezone`).
 *
 * Two admins saving at once: every form and API call may carry the settings' `revision` it was
 * shown; a save whose revision is no longer current is refused with the schedule as it is now
 * (StaleScheduleError, nothing written), like a patron edit opened before the patron's last write.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError } from '../../domain/errors.ts';
import { WEEKDAYS, WEEKDAY_NAMES, serverTimeZone, timeZoneChoices } from '../../domain/schedule.ts';
import {
  StaleScheduleError,
  changeSchedule,
  scheduleLine,
  showSchedule,
  type ScheduleView,
} from '../../services/schedule/schedule-settings.ts';
import type { WebDeps } from '../context.ts';
import { type Body, textOf } from '../forms/body.ts';
import { scheduleRequestOf } from '../forms/schedule.ts';
import { defineNotices } from '../render.ts';
import { PAGE_NAMES } from '../page-names.ts';

/** Where the page lives. */
export const SCHEDULE_PATH = '/preferences/schedule';

defineNotices({
  'schedule-saved': 'The schedule is saved.',
  'timezone-confirmed': "The library's time zone is confirmed.",
});

const RUN_SCHEMA = {
  type: 'object',
  nullable: true,
  properties: {
    at: { type: 'string', description: 'ISO 8601 UTC' },
    local: { type: 'string', description: "The same instant on the library's clock: `2026-03-08 03:00 (America/New_York)`" },
    kind: { type: 'string', enum: ['delta', 'full'] },
  },
} as const;

const SCHEDULE_SCHEMA = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean' },
    time: { type: 'string', description: 'Local time of the daily run, HH:MM (24 h)' },
    timezone: { type: 'string', description: "The library's IANA time zone" },
    timezoneConfirmed: { type: 'boolean', description: 'Whether a person chose or confirmed the time zone' },
    revision: { type: 'integer', description: 'Send it back with a change: the change is refused (409) if someone saved since' },
    fullSyncDay: { type: 'string', enum: [...WEEKDAYS] },
    integrationEnabled: { type: 'boolean', description: 'Without an integration ON, scheduled runs are skipped' },
    next: RUN_SCHEMA,
    nextFull: RUN_SCHEMA,
    lastRun: {
      type: 'object',
      nullable: true,
      properties: {
        at: { type: 'string' },
        local: { type: 'string' },
        kind: { type: 'string', description: "delta, full, skipped, or '' (not queued)" },
        note: { type: 'string' },
      },
    },
  },
} as const;

/** What a page form shows: the saved settings, or what the admin sent when it was refused. */
interface ScheduleForm {
  enabled: boolean;
  time: string;
  fullSyncDay: string;
  timezone: string;
  revision: number;
}

/** Registers the routes. */
export function scheduleRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { store } = deps;
  const admin = { access: 'admin' as const };
  const librarian = { access: 'librarian' as const };
  const libraryOf = (request: FastifyRequest) => request.library!.id;

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { view?: ScheduleView; form?: Partial<ScheduleForm>; error?: string; status?: number } = {},
  ) {
    const view = options.view ?? (await showSchedule(store, libraryOf(request), deps.now()));
    const form: ScheduleForm = {
      enabled: view.enabled,
      time: view.time,
      fullSyncDay: view.fullSyncDay,
      timezone: view.timezone,
      revision: view.revision,
      // A form refused for a bad value keeps the revision it came with, so saving it again is
      // still checked against what its admin was first shown.
      ...options.form,
    };
    return reply.page(
      'schedule',
      {
        title: PAGE_NAMES.schedule,
        view,
        form,
        summary: scheduleLine(view),
        days: WEEKDAYS.map((value, i) => ({ value, label: WEEKDAY_NAMES[i]! })),
        zones: timeZoneChoices(view.timezone, form.timezone),
        serverZone: serverTimeZone(),
        error: options.error ?? '',
      },
      options.status ?? 200,
    );
  }

  // ---- pages ----
  app.get(SCHEDULE_PATH, { config: admin }, async (request, reply) => render(request, reply));

  app.post<{ Body: Body }>(SCHEDULE_PATH, { config: admin }, async (request, reply) => {
    const body = request.body ?? {};
    // The page sends every field; on/off is a pair of radio buttons, so it is always there.
    const sent: Partial<ScheduleForm> = {
      enabled: body.enabled === 'on',
      time: textOf(body.time),
      fullSyncDay: textOf(body.fullSyncDay),
      timezone: textOf(body.timezone),
      ...revisionSent(body.revision),
    };
    try {
      const { change, revision } = scheduleRequestOf(body);
      await changeSchedule(store, libraryOf(request), change, deps.now(), revision);
      return reply.redirect(`${SCHEDULE_PATH}?notice=schedule-saved`, 303);
    } catch (e) {
      // Someone saved meanwhile: show the schedule as it is now, with what happened.
      if (e instanceof StaleScheduleError) return render(request, reply, { view: e.current, error: e.message, status: 409 });
      if (!(e instanceof RollcallError)) throw e;
      return render(request, reply, { form: sent, error: e.message, status: 400 });
    }
  });

  // The home page's notice: confirm (or change) a time zone nobody chose.
  app.post<{ Body: Body }>(`${SCHEDULE_PATH}/timezone`, { config: admin }, async (request, reply) => {
    const body = request.body ?? {};
    try {
      const { change, revision } = scheduleRequestOf({ timezone: body.timezone ?? '', revision: body.revision });
      await changeSchedule(store, libraryOf(request), change, deps.now(), revision);
      return reply.redirect('/?notice=timezone-confirmed', 303);
    } catch (e) {
      if (e instanceof StaleScheduleError) return render(request, reply, { view: e.current, error: e.message, status: 409 });
      if (!(e instanceof RollcallError)) throw e;
      return render(request, reply, { form: { timezone: textOf(body.timezone) }, error: e.message, status: 400 });
    }
  });

  // ---- API ----
  const tags = ['schedule'];
  app.get(
    '/api/v1/schedule',
    {
      config: librarian,
      schema: {
        tags,
        summary:
          "The library's Daily Operations: on/off, local time, weekly full-sync day, time zone; the next run, next full run and last run",
        response: { 200: SCHEDULE_SCHEMA },
      },
    },
    async (request) => showSchedule(store, libraryOf(request), deps.now()),
  );

  app.put<{ Body: Body }>(
    '/api/v1/schedule',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Change Daily Operations; fields left out are kept. Naming the time zone (even the current one) confirms it. ' +
          'With `revision`, refused (409, nothing saved) when the schedule changed since that revision. A bad value is refused (400) with a sentence naming the field, nothing saved.',
        body: {
          type: 'object',
          properties: {
            enabled: { type: 'boolean' },
            time: { type: 'string', description: 'HH:MM on a 24-hour clock' },
            fullSyncDay: { type: 'string', description: 'sun, mon, tue, wed, thu, fri or sat (or the full English name)' },
            timezone: { type: 'string', description: 'An IANA time zone, e.g. America/New_York' },
            revision: { type: 'integer', minimum: 0, description: 'The revision you were shown' },
          },
        },
        response: { 200: SCHEDULE_SCHEMA },
      },
    },
    async (request) => {
      const { change, revision } = scheduleRequestOf(request.body ?? {});
      return changeSchedule(store, libraryOf(request), change, deps.now(), revision);
    },
  );
}

/** The revision a refused form carried, when it is one (else the form shows the current one). */
function revisionSent(value: unknown): { revision?: number } {
  const text = textOf(value);
  return /^\d{1,9}$/.test(text) ? { revision: Number(text) } : {};
}
