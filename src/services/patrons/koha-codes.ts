/**
 * A library's Koha codes (docs/koha.md): the Koha library (`branchcode`) of each site and the
 * Koha patron category (`categorycode`) of each policy, shown and changed the same way by the
 * page, the API and `rollcall koha codes`. Every value is checked before any is saved, and a
 * change is saved in one transaction: all of it or none.
 */
import { RollcallError } from '../../domain/errors.ts';
import { KOHA_CODE, KOHA_CODE_MAX } from '../../domain/koha.ts';
import type { KohaBranchRow, KohaCategoryRow, Store } from '../../store/store.ts';

/** The codes as shown: every site, every policy in use or mapped. */
export interface KohaCodesView {
  /** Sites by code, each with its branchcode ('' when not mapped). */
  branches: KohaBranchRow[];
  /** Policies, each with its patron count and categorycode ('' when not mapped). */
  categories: KohaCategoryRow[];
}

/** A change: site code → branchcode, policy → categorycode; '' clears a mapping. Others are left alone. */
export interface KohaCodesChange {
  branches?: Record<string, string>;
  categories?: Record<string, string>;
}

/** The longest policy accepted (field 1028's length). */
const POLICY_MAX = 40;

/** The library's Koha codes. */
export async function kohaCodesView(store: Pick<Store, 'kohaCodes'>, libraryId: number): Promise<KohaCodesView> {
  return { branches: await store.kohaCodes.branches(libraryId), categories: await store.kohaCodes.categories(libraryId) };
}

/** Saves a change (see KohaCodesChange); one sentence for the first bad value, nothing saved then. */
export async function saveKohaCodes(store: Store, libraryId: number, change: KohaCodesChange): Promise<KohaCodesView> {
  const sites = new Map((await store.sites.list(libraryId)).map((s) => [s.code, s.id]));
  const branchWrites: { siteId: number; code: string }[] = [];
  for (const [siteCode, raw] of Object.entries(change.branches ?? {})) {
    const siteId = sites.get(siteCode.trim());
    if (siteId === undefined)
      throw new RollcallError('not_found', `There is no site with code "${siteCode.trim()}"; list the sites with \`rollcall sites list\`.`);
    branchWrites.push({ siteId, code: checkCode(raw, `site ${siteCode.trim()}`, 'Koha library code (branchcode)') });
  }
  const categoryWrites: { policy: string; code: string }[] = [];
  for (const [rawPolicy, raw] of Object.entries(change.categories ?? {})) {
    const policy = rawPolicy.trim();
    if (policy === '' || policy.length > POLICY_MAX)
      throw new RollcallError('invalid_input', `A policy is 1 to ${POLICY_MAX} characters, as the patrons carry it (field 1028).`);
    categoryWrites.push({ policy, code: checkCode(raw, `policy ${policy}`, 'Koha patron category code (categorycode)') });
  }
  await store.transaction(async (tx) => {
    for (const w of branchWrites) await tx.kohaCodes.setBranch(libraryId, w.siteId, w.code);
    for (const w of categoryWrites) await tx.kohaCodes.setCategory(libraryId, w.policy, w.code);
  });
  return kohaCodesView(store, libraryId);
}

function checkCode(raw: string, owner: string, what: string): string {
  const code = raw.trim();
  if (code !== '' && !KOHA_CODE.test(code)) {
    throw new RollcallError(
      'invalid_input',
      `The ${what} of ${owner} is 1 to ${KOHA_CODE_MAX} letters, digits, "_" or "-", as Koha shows it (like MPL or PT), not "${code.slice(0, 40)}".`,
    );
  }
  return code;
}
