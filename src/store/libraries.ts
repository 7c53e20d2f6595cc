/**
 * Libraries: one deployment holds many (a vendor hosting districts); each has a code, a name,
 * a time zone for Daily Operations, and a patron revision that every patron write bumps.
 */
import type { Selectable } from 'kysely';
import { RollcallError } from '../domain/errors.ts';
import type { RepoContext } from './context.ts';
import type { Library } from './records.ts';
import { isUniqueViolation } from './store-errors.ts';
import type { LibrariesTable } from './tables.ts';

/** The library repository. */
export interface LibraryRepository {
  /** The library with this code, created with this name when missing. */
  ensure(code: string, name: string): Promise<Library>;
  /**
   * A new library; conflict when the code is taken. Code, name and time zone are checked by the
   * caller; `timezoneConfirmed` says whether a person chose the zone (default: they did).
   */
  create(library: { code: string; name: string; timezone: string; timezoneConfirmed?: boolean }): Promise<Library>;
  /** The library with this code, or undefined. */
  byCode(code: string): Promise<Library | undefined>;
  /** The library with this id, or undefined. */
  get(id: number): Promise<Library | undefined>;
  /** Every library, by code. */
  list(): Promise<Library[]>;
  /** The library's patron revision (bumped by every patron write). */
  revision(libraryId: number): Promise<number>;
}

/** The library repository over a context. */
export function libraryRepository(ctx: RepoContext): LibraryRepository {
  const select = () => ctx.db.selectFrom('libraries').selectAll();
  return {
    async ensure(code, name) {
      await ctx.db
        .insertInto('libraries')
        .values({ code, name, created_at: ctx.now() })
        .onConflict((oc) => oc.column('code').doNothing())
        .execute();
      return toLibrary(await select().where('code', '=', code).executeTakeFirstOrThrow());
    },
    async create(library) {
      try {
        const row = await ctx.db
          .insertInto('libraries')
          .values({
            code: library.code,
            name: library.name,
            timezone: library.timezone,
            timezone_confirmed: library.timezoneConfirmed === false ? 0 : 1,
            created_at: ctx.now(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toLibrary(row);
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        throw new RollcallError('conflict', `There is already a library with code "${library.code}"; see \`rollcall libraries list\`.`, {
          cause: e,
        });
      }
    },
    async byCode(code) {
      const row = await select().where('code', '=', code).executeTakeFirst();
      return row && toLibrary(row);
    },
    async get(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toLibrary(row);
    },
    async list() {
      return (await select().orderBy('code').execute()).map(toLibrary);
    },
    async revision(libraryId) {
      const row = await ctx.db.selectFrom('libraries').select('patron_revision').where('id', '=', libraryId).executeTakeFirst();
      return row?.patron_revision ?? 0;
    },
  };
}

/** Bumps the library's patron revision; run in the transaction of the patron write. */
export async function bumpPatronRevision(ctx: RepoContext, libraryId: number): Promise<void> {
  await ctx.db
    .updateTable('libraries')
    .set((eb) => ({ patron_revision: eb('patron_revision', '+', 1) }))
    .where('id', '=', libraryId)
    .execute();
}

function toLibrary(row: Selectable<LibrariesTable>): Library {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    timezone: row.timezone,
    timezoneConfirmed: row.timezone_confirmed === 1,
    patronRevision: row.patron_revision,
    createdAt: row.created_at,
  };
}
