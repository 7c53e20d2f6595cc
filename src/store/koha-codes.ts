/**
 * A library's Koha codes (migration 0016-koha): the Koha library (`branchcode`) of each site and
 * the Koha patron category (`categorycode`) of each policy, for the Koha patron import CSV.
 * Every query filters by library.
 */
import type { RepoContext } from './context.ts';

/** A site and its Koha library ('' when not mapped). */
export interface KohaBranchRow {
  /** The site's code. */
  siteCode: string;
  /** The site's name. */
  siteName: string;
  /** Its Koha branchcode, '' when not mapped. */
  branchcode: string;
}

/** A policy (in use by patrons, or mapped) and its Koha patron category ('' when not mapped). */
export interface KohaCategoryRow {
  /** The policy (field 1028) as the patrons carry it. */
  policy: string;
  /** How many of the library's patrons have it. */
  patrons: number;
  /** Its Koha categorycode, '' when not mapped. */
  categorycode: string;
}

/** The Koha codes repository. */
export interface KohaCodesRepository {
  /** Every site of the library, by code, with its Koha branchcode. */
  branches(libraryId: number): Promise<KohaBranchRow[]>;
  /** Every policy the library's patrons carry, and every mapped one, by policy, with its Koha categorycode. */
  categories(libraryId: number): Promise<KohaCategoryRow[]>;
  /** Sets (or, with '', clears) a site's branchcode. The site must be the library's (the caller checks). */
  setBranch(libraryId: number, siteId: number, branchcode: string): Promise<void>;
  /** Sets (or, with '', clears) a policy's categorycode. */
  setCategory(libraryId: number, policy: string, categorycode: string): Promise<void>;
}

/** The repository over a context. */
export function kohaCodesRepository(ctx: RepoContext): KohaCodesRepository {
  return {
    async branches(libraryId) {
      const rows = await ctx.db
        .selectFrom('sites')
        .leftJoin('koha_branch_codes as k', (j) => j.onRef('k.site_id', '=', 'sites.id').onRef('k.library_id', '=', 'sites.library_id'))
        .select(['sites.code as siteCode', 'sites.name as siteName', 'k.branchcode as branchcode'])
        .where('sites.library_id', '=', libraryId)
        .orderBy('sites.code')
        .execute();
      return rows.map((r) => ({ siteCode: r.siteCode, siteName: r.siteName, branchcode: r.branchcode ?? '' }));
    },

    async categories(libraryId) {
      const used = await ctx.db
        .selectFrom('patrons')
        .select(['policy', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('library_id', '=', libraryId)
        .groupBy('policy')
        .execute();
      const mapped = await ctx.db
        .selectFrom('koha_category_codes')
        .select(['policy', 'categorycode'])
        .where('library_id', '=', libraryId)
        .execute();
      const byPolicy = new Map<string, KohaCategoryRow>();
      for (const u of used) byPolicy.set(u.policy, { policy: u.policy, patrons: Number(u.n), categorycode: '' });
      for (const m of mapped) {
        const row = byPolicy.get(m.policy) ?? { policy: m.policy, patrons: 0, categorycode: '' };
        row.categorycode = m.categorycode;
        byPolicy.set(m.policy, row);
      }
      return [...byPolicy.values()].sort((a, b) => (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0));
    },

    async setBranch(libraryId, siteId, branchcode) {
      await ctx.db.deleteFrom('koha_branch_codes').where('library_id', '=', libraryId).where('site_id', '=', siteId).execute();
      if (branchcode !== '') {
        await ctx.db.insertInto('koha_branch_codes').values({ library_id: libraryId, site_id: siteId, branchcode }).execute();
      }
    },

    async setCategory(libraryId, policy, categorycode) {
      await ctx.db.deleteFrom('koha_category_codes').where('library_id', '=', libraryId).where('policy', '=', policy).execute();
      if (categorycode !== '') {
        await ctx.db.insertInto('koha_category_codes').values({ library_id: libraryId, policy, categorycode }).execute();
      }
    },
  };
}
