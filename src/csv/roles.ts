/**
 * OneRoster 1.2 keeps a user's roles in roles.csv (userSourcedId, roleType primary|secondary,
 * role, orgSourcedId), not in users.csv. Rollcall reads roles.csv first into this compact index,
 * then streams users.csv against it, so the zip's file order does not matter and users are
 * never held in memory. Each role is one number (interned role and org, and two flags), so a
 * million users cost one Map entry each.
 */
import { RollcallError } from '../domain/errors.ts';
import type { ResolvedHeader } from './columns.ts';
import { cellGetter } from './records.ts';
import { RowError, checkRole, missing, quotedValue } from './row-checks.ts';
import type { RowChecks } from './row-checks.ts';

/** A user's role and orgs as 1.1 has them, derived from their 1.2 roles. */
export interface ResolvedRole {
  /** The primary role, lower-cased (`student`, `districtadministrator`). */
  role: string;
  /** The user's orgs: the primary org first, then the orgs of their other roles, in file order. */
  orgSourcedIds: string[];
  /** True when the user had no primary role and their first secondary role was used. */
  fromSecondary: boolean;
}

/** Distinct role names an index can hold; real packages have about a dozen. */
const ROLE_SLOTS = 1024;
/** The two flag bits below the role and org in a role's number. */
const PRIMARY = 2;
const ENDED = 1;
const FLAGS = 4;

/** The roles of every user in a package, compactly. */
export class RoleIndex {
  private readonly roleNames: string[] = [];
  private readonly roleIds = new Map<string, number>();
  private readonly orgNames: string[] = [];
  private readonly orgIds = new Map<string, number>();
  private readonly byUser = new Map<string, number | number[]>();

  /** How many users have at least one role. */
  get users(): number {
    return this.byUser.size;
  }

  /**
   * Adds one role of a user; `ended` for a tobedeleted role, used only when a user has no other
   * (a user leaving in a delta package has all their roles ended). Throws
   * RollcallError('invalid_input') past ROLE_SLOTS distinct role names.
   */
  add(userSourcedId: string, primary: boolean, role: string, orgSourcedId: string, ended = false): void {
    const roleId = intern(role, this.roleNames, this.roleIds);
    if (roleId >= ROLE_SLOTS) {
      throw new RollcallError('invalid_input', `roles.csv has more than ${ROLE_SLOTS} different roles; check the export.`);
    }
    const orgId = intern(orgSourcedId, this.orgNames, this.orgIds);
    const code = (orgId * ROLE_SLOTS + roleId) * FLAGS + (primary ? PRIMARY : 0) + (ended ? ENDED : 0);
    const seen = this.byUser.get(userSourcedId);
    if (seen === undefined) this.byUser.set(userSourcedId, code);
    else if (typeof seen === 'number') this.byUser.set(userSourcedId, [seen, code]);
    else seen.push(code);
  }

  /**
   * A user's primary role and orgs, from their current roles (their ended ones if they have no
   * other). The primary role is the primary one at `primaryOrg` (1.2 allows one primary role
   * per org), else the first primary one, else the first role of any type. Undefined when the
   * user has no role at all.
   */
  resolve(userSourcedId: string, primaryOrg: string): ResolvedRole | undefined {
    const seen = this.byUser.get(userSourcedId);
    if (seen === undefined) return undefined;
    if (typeof seen === 'number') {
      // Most users hold one role: answer without building arrays.
      const org = this.orgOf(seen);
      return {
        role: this.roleOf(seen),
        orgSourcedIds: primaryOrg === '' || primaryOrg === org ? [org] : [primaryOrg, org],
        fromSecondary: (seen & PRIMARY) === 0,
      };
    }
    const current = seen.filter((c) => (c & ENDED) === 0);
    const codes = current.length > 0 ? current : seen;
    const primaries = codes.filter((c) => (c & PRIMARY) !== 0);
    const chosen = (primaryOrg === '' ? undefined : primaries.find((c) => this.orgOf(c) === primaryOrg)) ?? primaries[0] ?? codes[0]!;
    const orgs = [primaryOrg === '' ? this.orgOf(chosen) : primaryOrg];
    for (const c of codes) {
      const org = this.orgOf(c);
      if (!orgs.includes(org)) orgs.push(org);
    }
    return {
      role: this.roleOf(chosen),
      orgSourcedIds: orgs,
      fromSecondary: primaries.length === 0,
    };
  }

  private orgOf(code: number): string {
    return this.orgNames[Math.floor(code / FLAGS / ROLE_SLOTS)] ?? '';
  }

  private roleOf(code: number): string {
    return this.roleNames[Math.floor(code / FLAGS) % ROLE_SLOTS] ?? '';
  }
}

function intern(value: string, names: string[], ids: Map<string, number>): number {
  let id = ids.get(value);
  if (id === undefined) {
    id = names.length;
    names.push(value);
    ids.set(value, id);
  }
  return id;
}

/** One row of roles.csv, ready to add to an index. */
export interface RoleRow {
  /** The sourcedId of the role row itself ('' when absent), for reporting. */
  sourcedId: string;
  /** The user it belongs to. */
  userSourcedId: string;
  /** primary (true) or secondary. */
  primary: boolean;
  /** The role, lower-cased. */
  role: string;
  /** The org it is held at. */
  orgSourcedId: string;
  /** A tobedeleted role: no longer held. */
  ended: boolean;
}

/** Reads roles.csv rows. */
export function roleRowReader(header: ResolvedHeader, checks: RowChecks): (cells: readonly string[], line: number) => RoleRow | RowError {
  const col = cellGetter(header);
  const [sourcedId, status, user, roleType, role, org] = [
    col('sourcedId'),
    col('status'),
    col('userSourcedId'),
    col('roleType'),
    col('role'),
    col('orgSourcedId'),
  ];
  return (cells, line) => {
    const userSourcedId = user(cells);
    const orgSourcedId = org(cells);
    const blank = missing([
      ['userSourcedId', userSourcedId],
      ['orgSourcedId', orgSourcedId],
    ]);
    if (blank) return blank;
    const type = roleType(cells).toLowerCase();
    if (type !== 'primary' && type !== 'secondary') {
      return new RowError(type === '' ? 'missing roleType' : `unknown roleType ${quotedValue(roleType(cells))}`);
    }
    const checked = checkRole(role(cells));
    if (checked instanceof RowError) return checked;
    const state = checks.status(status(cells), line);
    if (state instanceof RowError) return state;
    return {
      sourcedId: sourcedId(cells),
      userSourcedId,
      primary: type === 'primary',
      role: checked,
      orgSourcedId,
      ended: state === 'tobedeleted',
    };
  };
}
