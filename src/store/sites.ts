/**
 * Sites of a library (SPEC §1.1): code unique in the library, name, and the roster org GUID it
 * is matched to ('' until mapped), with the integration that match belongs to (SPEC §1.3).
 */
import type { Selectable, Updateable } from 'kysely';
import { RollcallError } from '../domain/errors.ts';
import type { IntegrationKind } from '../domain/patron.ts';
import type { RepoContext } from './context.ts';
import type { Site } from './records.ts';
import { isUniqueViolation } from './store-errors.ts';
import type { SitesTable } from './tables.ts';

/** Longest site code accepted (the Site field's length, fields.ts). */
const MAX_CODE_LENGTH = 32;

/** The site repository. */
export interface SiteRepository {
  /** Adds a site; a code already used in the library is a conflict. */
  add(libraryId: number, site: { code: string; name: string }): Promise<Site>;
  /** The library's sites, by code. */
  list(libraryId: number): Promise<Site[]>;
  /** The site with this code, or undefined. */
  byCode(libraryId: number, code: string): Promise<Site | undefined>;
  /** Renames a site and/or changes its code; not_found when there is no such site. */
  update(libraryId: number, code: string, changes: { code?: string; name?: string }): Promise<Site>;
  /**
   * Deletes a site that no patron uses and no integration has matched (its Koha branchcode goes
   * with it, migration 0016); false when it is used, matched or not there. One statement, so a
   * patron placed at the site meanwhile keeps it.
   */
  removeUnused(libraryId: number, code: string): Promise<boolean>;
  /** Matches a site to a roster org of an integration (whose the match is: SPEC §1.3). */
  setOrgGuid(libraryId: number, code: string, orgGuid: string, source?: IntegrationKind): Promise<Site>;
  /** Clears a site's match. */
  clearOrgGuid(libraryId: number, code: string): Promise<Site>;
  /** Clears every site's match (switching integrations); returns how many were matched. */
  clearAllOrgGuids(libraryId: number): Promise<number>;
  /** Clears the matches that do not belong to `keep` (switching to it); returns how many. */
  clearOrgGuidsExcept(libraryId: number, keep: IntegrationKind): Promise<number>;
}

/** The site repository over a context. */
export function siteRepository(ctx: RepoContext): SiteRepository {
  const select = (libraryId: number) => ctx.db.selectFrom('sites').selectAll().where('library_id', '=', libraryId);

  async function change(
    libraryId: number,
    code: string,
    set: Pick<Updateable<SitesTable>, 'code' | 'name' | 'org_guid' | 'org_guid_source'>,
  ) {
    let row: Selectable<SitesTable> | undefined;
    try {
      row = await ctx.db
        .updateTable('sites')
        .set(set)
        .where('library_id', '=', libraryId)
        .where('code', '=', code)
        .returningAll()
        .executeTakeFirst();
    } catch (e) {
      throw isUniqueViolation(e) ? codeTaken(set.code ?? code, e) : e;
    }
    if (!row) throw new RollcallError('not_found', `There is no site with code "${code}"; list the sites with \`rollcall sites list\`.`);
    return toSite(row);
  }

  return {
    async add(libraryId, site) {
      const code = checkCode(site.code);
      const name = site.name.trim() || code;
      try {
        const row = await ctx.db.insertInto('sites').values({ library_id: libraryId, code, name }).returningAll().executeTakeFirstOrThrow();
        return toSite(row);
      } catch (e) {
        throw isUniqueViolation(e) ? codeTaken(code, e) : e;
      }
    },
    async list(libraryId) {
      return (await select(libraryId).orderBy('code').execute()).map(toSite);
    },
    async byCode(libraryId, code) {
      const row = await select(libraryId).where('code', '=', code).executeTakeFirst();
      return row && toSite(row);
    },
    async update(libraryId, code, changes) {
      const set: Pick<Updateable<SitesTable>, 'code' | 'name'> = {};
      if (changes.code !== undefined) set.code = checkCode(changes.code);
      if (changes.name?.trim()) set.name = changes.name.trim();
      return change(libraryId, code, set);
    },
    async removeUnused(libraryId, code) {
      const result = await ctx.db
        .deleteFrom('sites')
        .where('library_id', '=', libraryId)
        .where('code', '=', code)
        .where('org_guid', '=', '')
        .where((eb) => eb.not(eb.exists(eb.selectFrom('patrons').select('patrons.id').whereRef('patrons.site_id', '=', 'sites.id'))))
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async setOrgGuid(libraryId, code, orgGuid, source) {
      const guid = orgGuid.trim();
      return change(libraryId, code, { org_guid: guid, org_guid_source: guid === '' ? null : (source ?? null) });
    },
    async clearOrgGuid(libraryId, code) {
      return change(libraryId, code, { org_guid: '', org_guid_source: null });
    },
    async clearAllOrgGuids(libraryId) {
      const result = await ctx.db
        .updateTable('sites')
        .set({ org_guid: '', org_guid_source: null })
        .where('library_id', '=', libraryId)
        .where('org_guid', '<>', '')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async clearOrgGuidsExcept(libraryId, keep) {
      const result = await ctx.db
        .updateTable('sites')
        .set({ org_guid: '', org_guid_source: null })
        .where('library_id', '=', libraryId)
        .where('org_guid', '<>', '')
        .where((eb) => eb.or([eb('org_guid_source', 'is', null), eb('org_guid_source', '<>', keep)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

/** The library's site ids by code and codes by id (for patron reads and writes). */
export async function siteMaps(ctx: RepoContext, libraryId: number): Promise<{ ids: Map<string, number>; codes: Map<number, string> }> {
  const rows = await ctx.db.selectFrom('sites').select(['id', 'code']).where('library_id', '=', libraryId).execute();
  return { ids: new Map(rows.map((r) => [r.code, r.id])), codes: new Map(rows.map((r) => [r.id, r.code])) };
}

function checkCode(code: string): string {
  const c = code.trim();
  if (!c || c.length > MAX_CODE_LENGTH || /\s/.test(c)) {
    throw new RollcallError('invalid_input', `A site code must be 1 to ${MAX_CODE_LENGTH} characters without spaces, like MHS.`);
  }
  return c;
}

function codeTaken(code: string, cause: unknown): RollcallError {
  return new RollcallError('conflict', `A site with code "${code}" already exists in this library.`, { cause });
}

function toSite(row: Selectable<SitesTable>): Site {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    orgGuid: row.org_guid,
    orgGuidSource: row.org_guid === '' ? null : ((row.org_guid_source ?? null) as IntegrationKind | null),
  };
}
