/**
 * Daily Operations settings per library (SPEC §3.7) and the slots handled. A library without a
 * `schedules` row has the defaults and a schedule that began when the library was created; the
 * row is written on the first change or the first claimed run. The time zone is the library's
 * own (`libraries.timezone`), changed here too so a schedule change is one call; a change that
 * names the zone (even the same one) marks it confirmed by a person (SPEC §3.7: never a silent UTC).
 */
import type { Updateable } from 'kysely';
import type { RepoContext } from './context.ts';
import { atomically } from './context.ts';
import type { SchedulesTable } from './tables.ts';

/** A library's Daily Operations schedule as stored. */
export interface ScheduleRecord {
  /** The library. */
  libraryId: number;
  /** Whether Daily Operations runs. */
  enabled: boolean;
  /** Local time of the daily run, `HH:MM`. */
  time: string;
  /** Weekday of the weekly full sync, 0 Sunday … 6 Saturday. */
  fullSyncDay: number;
  /** The library's IANA time zone. */
  timezone: string;
  /** Whether a person chose or confirmed the time zone. */
  timezoneConfirmed: boolean;
  /** Bumped by every change of the settings: what a form that shows them carries back. */
  revision: number;
  /** The slot last handled (ISO 8601 UTC), or null. */
  lastRunAt: string | null;
  /** What was done for it: `delta`, `full`, `skipped`, or ''. */
  lastRunKind: string;
  /** Why it was skipped, or what became of it, in one line; or ''. */
  lastRunNote: string;
  /** Slots at or before this (ISO 8601 UTC) are never due. */
  changedAt: string;
}

/** A change of settings; omitted parts are kept. */
export interface ScheduleChange {
  /** On or off. */
  enabled?: boolean;
  /** `HH:MM`. */
  time?: string;
  /** 0 Sunday … 6 Saturday. */
  fullSyncDay?: number;
  /** IANA time zone (the library's); giving it confirms it. */
  timezone?: string;
}

/** A save refused because the settings changed since the revision the caller showed. */
export interface StaleSchedule {
  stale: ScheduleRecord;
}

/** A slot handled: what was done for it. */
export interface ScheduleRun {
  /** The slot (ISO 8601 UTC). */
  slot: string;
  /** `delta`, `full` or `skipped`. */
  kind: string;
  /** One line, or ''. */
  note: string;
}

/** The schedule repository. */
export interface ScheduleRepository {
  /** The library's schedule (defaults when never changed), or undefined when there is no such library. */
  get(libraryId: number): Promise<ScheduleRecord | undefined>;
  /** Every library's schedule, by library id (the fan-out's list; it spans libraries by design). */
  listAll(): Promise<ScheduleRecord[]>;
  /**
   * Changes the settings; runs at or before now are no longer due (a change never fires at once).
   * With `expectedRevision`, only if the settings are still at that revision (compare-and-set):
   * of two admins saving what they were both shown, one wins and the other gets `{ stale }`, the
   * settings as they are now, with nothing of theirs written.
   */
  save(libraryId: number, change: ScheduleChange, expectedRevision?: number): Promise<ScheduleRecord | StaleSchedule | undefined>;
  /**
   * Records `run` as the slot handled, only if no slot at or after it was (compare-and-set): of
   * several workers handling the same slot, exactly one gets true and enqueues the sync.
   */
  claim(libraryId: number, run: ScheduleRun): Promise<boolean>;
  /** Undoes a claim whose sync could not be enqueued, so the next fan-out tries again. */
  release(libraryId: number, slot: string, previous: string | null, note: string): Promise<void>;
}

/** The schedule repository over a context. */
export function scheduleRepository(ctx: RepoContext): ScheduleRepository {
  const select = (c: RepoContext) =>
    c.db
      .selectFrom('libraries')
      .leftJoin('schedules', 'schedules.library_id', 'libraries.id')
      .select([
        'libraries.id as library_id',
        'libraries.timezone',
        'libraries.timezone_confirmed',
        'libraries.created_at',
        'schedules.enabled',
        'schedules.run_time',
        'schedules.full_sync_day',
        'schedules.last_run_at',
        'schedules.last_run_kind',
        'schedules.last_run_note',
        'schedules.changed_at',
        'schedules.revision',
      ]);

  /** Writes the library's row with the defaults when it has none (its schedule began with the library). */
  const ensureRow = (c: RepoContext, libraryId: number) =>
    c.db
      .insertInto('schedules')
      .columns(['library_id', 'changed_at'])
      .expression((eb) => eb.selectFrom('libraries').select(['id', 'created_at']).where('id', '=', libraryId))
      .onConflict((oc) => oc.column('library_id').doNothing())
      .execute();

  const get = async (c: RepoContext, libraryId: number) => {
    const row = await select(c).where('libraries.id', '=', libraryId).executeTakeFirst();
    return row && toRecord(row);
  };

  return {
    get: (libraryId) => get(ctx, libraryId),

    async listAll() {
      return (await select(ctx).orderBy('libraries.id').execute()).map(toRecord);
    },

    async save(libraryId, change, expectedRevision) {
      return atomically(ctx, async (tx) => {
        await ensureRow(tx, libraryId);
        const set: Updateable<SchedulesTable> = { changed_at: tx.now() };
        if (change.enabled !== undefined) set.enabled = change.enabled ? 1 : 0;
        if (change.time !== undefined) set.run_time = change.time;
        if (change.fullSyncDay !== undefined) set.full_sync_day = change.fullSyncDay;
        // One conditional update is the check and the write: two saves of the same revision
        // cannot both pass it, on either engine (the loser's update matches no row).
        const updated = await tx.db
          .updateTable('schedules')
          .set((eb) => ({ ...set, revision: eb('revision', '+', 1) }))
          .where('library_id', '=', libraryId)
          .$if(expectedRevision !== undefined, (q) => q.where('revision', '=', expectedRevision!))
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) {
          const now = await get(tx, libraryId);
          return now && { stale: now };
        }
        if (change.timezone !== undefined) {
          await tx.db
            .updateTable('libraries')
            .set({ timezone: change.timezone, timezone_confirmed: 1 })
            .where('id', '=', libraryId)
            .execute();
        }
        return get(tx, libraryId);
      });
    },

    async claim(libraryId, run) {
      await ensureRow(ctx, libraryId);
      const result = await ctx.db
        .updateTable('schedules')
        .set({ last_run_at: run.slot, last_run_kind: run.kind, last_run_note: run.note })
        .where('library_id', '=', libraryId)
        .where((eb) => eb.or([eb('last_run_at', 'is', null), eb('last_run_at', '<', run.slot)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async release(libraryId, slot, previous, note) {
      await ctx.db
        .updateTable('schedules')
        .set({ last_run_at: previous, last_run_kind: '', last_run_note: note })
        .where('library_id', '=', libraryId)
        .where('last_run_at', '=', slot)
        .execute();
    },
  };
}

interface ScheduleRow {
  library_id: number;
  timezone: string;
  timezone_confirmed: number;
  created_at: string;
  enabled: number | null;
  run_time: string | null;
  full_sync_day: number | null;
  last_run_at: string | null;
  last_run_kind: string | null;
  last_run_note: string | null;
  changed_at: string | null;
  revision: number | null;
}

function toRecord(row: ScheduleRow): ScheduleRecord {
  return {
    libraryId: row.library_id,
    // A missing row (left join) reads as the defaults of the migration.
    enabled: (row.enabled ?? 1) === 1,
    time: row.run_time ?? '02:00',
    fullSyncDay: row.full_sync_day ?? 0,
    timezone: row.timezone,
    timezoneConfirmed: row.timezone_confirmed === 1,
    revision: row.revision ?? 0,
    lastRunAt: row.last_run_at,
    lastRunKind: row.last_run_kind ?? '',
    lastRunNote: row.last_run_note ?? '',
    changedAt: row.changed_at ?? row.created_at,
  };
}
