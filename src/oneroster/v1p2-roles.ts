/**
 * OneRoster 1.2 has no single `role` and `orgs[]` on a user: it has `roles[]` ({roleType
 * primary|secondary, role, org}) and `primaryOrg`. Rollcall's scope rules (SPEC §3.1: the
 * role, and the first org as the site) read 1.1's shape, so a 1.2 user is reduced to it here —
 * by the same rule as the 1.2 CSV reader (src/csv/roles.ts), so a district gets the same
 * patrons whichever 1.2 binding it sends.
 */

/** One entry of a 1.2 user's `roles[]`, reduced to what the rule reads. */
export interface UserRole {
  /** `primary` or `secondary` (lower-cased). */
  roleType: string;
  /** The role (lower-cased): `student`, `districtadministrator`, `ext:…`. */
  role: string;
  /** The sourcedId of the org the role is held at ('' when absent). */
  org: string;
}

/** A user's role and orgs as 1.1 has them. */
export interface ResolvedUserRole {
  /** The role that decides scope and Policy, lower-cased. */
  role: string;
  /** The user's orgs: the primary org first (it decides the site), then the other roles' orgs in order. */
  orgSourcedIds: string[];
}

/**
 * The user's role: the primary one held at `primaryOrg` (1.2 allows one primary role per org),
 * else the first primary one, else the first role of any type. Their orgs: `primaryOrg`, or
 * else the chosen role's org, first; then the orgs of the other roles, each once. Undefined when
 * the user has no role at all.
 */
export function resolveUserRole(roles: readonly UserRole[], primaryOrg: string): ResolvedUserRole | undefined {
  const usable = roles.filter((r) => r.role !== '');
  if (usable.length === 0) return undefined;
  const primaries = usable.filter((r) => r.roleType === 'primary');
  const chosen = (primaryOrg === '' ? undefined : primaries.find((r) => r.org === primaryOrg)) ?? primaries[0] ?? usable[0]!;
  const orgs: string[] = [];
  for (const org of [primaryOrg === '' ? chosen.org : primaryOrg, ...usable.map((r) => r.org)]) {
    if (org !== '' && !orgs.includes(org)) orgs.push(org);
  }
  return { role: chosen.role, orgSourcedIds: orgs };
}
