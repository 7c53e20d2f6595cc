/**
 * OneRoster 1.2 JSON from the same district the 1.1 routes serve
 * (`/ims/oneroster/rostering/v1p2/…`). A user has `roles[]` and `primaryOrg` instead of
 * `role` and `orgs[]`, and `enabledUser` is the string "true"/"false"; every other collection
 * is 1.1's shape with string booleans, which is what 1.2 sends. 1.1's `administrator` is not a
 * 1.2 user role: an administrator at the district org becomes `districtAdministrator`, one at a
 * school `siteAdministrator`.
 *
 * Roles are listed last org first, so a client that takes roles[0] instead of the primary role
 * at `primaryOrg` gets a dual-org user's site wrong — as it would against a real server that
 * orders roles its own way.
 */
import type { RosterCollection, RosterRecordOf, RosterUser } from '../domain/roster.ts';
import { toWire, type WireContext, type WireObject } from './wire.ts';

/** The path every OneRoster 1.2 rostering endpoint starts with. */
export const V1P2_ROSTER_PATH = '/ims/oneroster/rostering/v1p2';

/** What 1.2 serialising needs besides the 1.1 context: the type of an org. */
export interface V1p2Context extends WireContext {
  /** An org's type (`district`, `school`, …), or undefined when unknown. */
  orgType(sourcedId: string): string | undefined;
}

/** 1.2 user roles as the spec spells them, by the lower-cased form records carry. */
const ROLE_SPELLING: Readonly<Record<string, string>> = {
  districtadministrator: 'districtAdministrator',
  siteadministrator: 'siteAdministrator',
  systemadministrator: 'systemAdministrator',
};

/** Serialises a record of a collection as a OneRoster 1.2 server sends it. */
export function toWireV1p2<C extends RosterCollection>(collection: C, record: RosterRecordOf[C], ctx: V1p2Context): WireObject {
  if (collection === 'users') return userToWireV1p2(record as RosterUser, ctx);
  // 1.2 sends booleans as strings: the classlink flavour of the 1.1 serialiser does exactly that
  // (the context is made in that mode once: the serialiser caches shared refs per context).
  return toWire(collection, record, ctx.mode === 'classlink' ? ctx : { ...ctx, mode: 'classlink' });
}

/** The 1.2 role of a user at an org. */
export function roleV1p2(role: string, orgType: string | undefined): string {
  if (role === 'administrator') return orgType === 'district' ? 'districtAdministrator' : 'siteAdministrator';
  return ROLE_SPELLING[role] ?? role;
}

function orgRef(ctx: WireContext, sourcedId: string): WireObject {
  return { href: `${ctx.hrefBase}/orgs/${encodeURIComponent(sourcedId)}`, sourcedId, type: 'org' };
}

function userToWireV1p2(u: RosterUser, ctx: V1p2Context): WireObject {
  const primaryOrg = u.orgSourcedIds[0];
  const roles = [...u.orgSourcedIds].reverse().map((org) => ({
    // One primary role per org (1.2 allows one at each): primaryOrg says which org comes first.
    roleType: 'primary',
    role: roleV1p2(u.role, ctx.orgType(org)),
    org: orgRef(ctx, org),
  }));
  const out: WireObject = {
    sourcedId: u.sourcedId,
    status: u.status,
    dateLastModified: u.dateLastModified,
    userMasterIdentifier: u.identifier,
    username: u.username,
    userIds: u.userIds,
    enabledUser: String(u.enabledUser),
    givenName: u.givenName,
    familyName: u.familyName,
    middleName: u.middleName,
    roles,
    identifier: u.identifier,
    email: u.email,
    sms: u.sms,
    phone: u.phone,
    agents: u.agentSourcedIds.map((id) => ({ href: `${ctx.hrefBase}/users/${encodeURIComponent(id)}`, sourcedId: id, type: 'user' })),
    grades: u.grades,
  };
  if (primaryOrg !== undefined) out.primaryOrg = orgRef(ctx, primaryOrg);
  return out;
}
