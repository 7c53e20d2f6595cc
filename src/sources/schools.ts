/**
 * Site mapping (SPEC §2 step 2) for a source reached over OneRoster REST: its schools (orgs of
 * type school), and matching a library site to one of them — one school per site and one site
 * per school — or clearing a match. Unmatched schools are not synced. ClassLink and OneRoster
 * REST each pass their own SchoolSource.
 */
import type { Config } from '../config/load.ts';
import { RollcallError, isRollcallError } from '../domain/errors.ts';
import type { RosterOrg } from '../domain/roster.ts';
import type { SourceKind } from './kinds.ts';
import type { OneRosterClient } from '../oneroster/client.ts';
import type { Store } from '../store/store.ts';
import { requireSite, type SiteView } from '../services/sites/sites.ts';

/** A school as listed, with the site matched to it. */
export interface SchoolView {
  /** The org's sourcedId (what `match-site` takes). */
  sourcedId: string;
  /** Its name. */
  name: string;
  /** Its identifier (e.g. an NCES id), or ''. */
  identifier: string;
  /** active or tobedeleted. */
  status: string;
  /** The code of the library site matched to it, or ''. */
  siteCode: string;
}

/** What listing and matching need. */
export interface SchoolDeps {
  /** The configuration (pull settings). */
  config: Config;
  /** The store. */
  store: Store;
}

/** Where schools come from: an integration's roster connection, and how to name it to people. */
export interface SchoolSource {
  /** The source whose schools they are (a match records it). */
  kind: SourceKind;
  /** Who lists the schools, in messages: "ClassLink", "The OneRoster server". */
  label: string;
  /** The command group that manages it: `classlink`, `oneroster`. */
  command: string;
  /** A roster client for the library's configured connection (not_configured when there is none). */
  open(deps: SchoolDeps, libraryId: number): Promise<OneRosterClient>;
}

/** The schools the configured connection lists, by name, with their matched sites. */
export async function listSchools(deps: SchoolDeps, libraryId: number, source: SchoolSource): Promise<SchoolView[]> {
  const orgs = await fetchSchools(deps, libraryId, source);
  const siteByOrg = new Map((await deps.store.sites.list(libraryId)).filter((s) => s.orgGuid !== '').map((s) => [s.orgGuid, s.code]));
  return orgs
    .map((o) => ({
      sourcedId: o.sourcedId,
      name: o.name,
      identifier: o.identifier,
      status: o.status,
      siteCode: siteByOrg.get(o.sourcedId) ?? '',
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.sourcedId.localeCompare(b.sourcedId));
}

/** Matches a site to a school the server lists; matching it again to the same school changes nothing. */
export async function matchSite(
  deps: SchoolDeps,
  libraryId: number,
  siteCode: string,
  orgSourcedId: string,
  source: SchoolSource,
): Promise<{ site: SiteView; school: SchoolView }> {
  const site = await requireSite(deps.store, libraryId, siteCode);
  const orgId = orgSourcedId.trim();
  const sites = await deps.store.sites.list(libraryId);
  const holder = sites.find((s) => s.orgGuid === orgId && s.code !== site.code);
  if (holder) {
    throw new RollcallError(
      'conflict',
      `That school is already matched to site ${holder.code}; unmatch it first with \`rollcall ${source.command} unmatch-site ${holder.code}\`.`,
    );
  }
  if (site.orgGuid !== '' && site.orgGuid !== orgId) {
    throw new RollcallError(
      'conflict',
      `Site ${site.code} is already matched to the school ${site.orgGuid}; unmatch it first with \`rollcall ${source.command} unmatch-site ${site.code}\`.`,
    );
  }
  const org = (await fetchSchools(deps, libraryId, source)).find((o) => o.sourcedId === orgId);
  if (!org) {
    throw new RollcallError(
      'not_found',
      `${source.label} lists no school with the sourcedId "${orgId}"; see the schools with \`rollcall ${source.command} schools\`.`,
    );
  }
  // The match belongs to the integration whose school it is (cleared when another is enabled).
  const saved = await deps.store.sites.setOrgGuid(libraryId, site.code, org.sourcedId, source.kind);
  return {
    site: { code: saved.code, name: saved.name, orgSourcedId: saved.orgGuid },
    school: { sourcedId: org.sourcedId, name: org.name, identifier: org.identifier, status: org.status, siteCode: saved.code },
  };
}

/** Clears a site's match; returns the school it was matched to ('' when it was not matched). */
export async function unmatchSite(store: Store, libraryId: number, siteCode: string): Promise<{ site: SiteView; was: string }> {
  const site = await requireSite(store, libraryId, siteCode);
  const saved = site.orgGuid === '' ? site : await store.sites.clearOrgGuid(libraryId, site.code);
  return { site: { code: saved.code, name: saved.name, orgSourcedId: saved.orgGuid }, was: site.orgGuid };
}

/** The orgs of type school: `/schools`, or `/orgs` filtered when a server has no `/schools`. */
async function fetchSchools(deps: SchoolDeps, libraryId: number, source: SchoolSource): Promise<RosterOrg[]> {
  const client = await source.open(deps, libraryId);
  const schools: RosterOrg[] = [];
  const take = (records: RosterOrg[]) => {
    for (const o of records) if (o.type === 'school') schools.push(o);
  };
  try {
    try {
      await client.pull('orgs', { path: 'schools' }, take);
    } catch (e) {
      if (!isRollcallError(e, 'not_found')) throw e;
      await client.pull('orgs', {}, take);
    }
  } finally {
    await client.close();
  }
  return schools;
}
