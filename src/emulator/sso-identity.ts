/**
 * Who a roster user is when they sign in with ClassLink (pure): the `/v2/my/info` record
 * (PascalCase, numeric ids), the OpenID claims of the id_token and `/v2/my/profileinfo`.
 * Field names and types follow CLASSLINK.md §2.3–2.4; values ClassLink keeps to itself
 * (its internal user and building numbers, language, state) are made up, deterministically.
 */
import { createHash } from 'node:crypto';
import type { RosterUser } from '../domain/roster.ts';

/** ClassLink's role names, with the `Role_Level` that goes with each. */
interface ClassLinkRole {
  /** `Role` / `Profile`: "Student", "Teacher", "Tenant Administrator", "Parent", "Staff". */
  name: string;
  /** `Role_Level` (documented for students: 4; the others are made up). */
  level: number;
  /** `ProfileId` (made up). */
  profileId: number;
}

const STUDENT: ClassLinkRole = { name: 'Student', level: 4, profileId: 4 };
const TEACHER: ClassLinkRole = { name: 'Teacher', level: 3, profileId: 3 };
const ADMIN: ClassLinkRole = { name: 'Tenant Administrator', level: 1, profileId: 1 };
const PARENT: ClassLinkRole = { name: 'Parent', level: 5, profileId: 5 };
const STAFF: ClassLinkRole = { name: 'Staff', level: 2, profileId: 2 };

/** The ClassLink role of a OneRoster role (1.1 and 1.2 names). */
export function classLinkRole(rosterRole: string): ClassLinkRole {
  switch (rosterRole.toLowerCase()) {
    case 'student':
      return STUDENT;
    case 'teacher':
      return TEACHER;
    case 'administrator':
    case 'districtadministrator':
    case 'siteadministrator':
    case 'systemadministrator':
    case 'principal':
      return ADMIN;
    case 'parent':
    case 'guardian':
    case 'relative':
      return PARENT;
    default:
      return STAFF;
  }
}

/** A stable number in [min, min + span) from a string: ClassLink's internal ids are numbers unrelated to OneRoster's. */
function numberOf(text: string, min: number, span: number): number {
  return min + (createHash('sha256').update(text).digest().readUInt32BE(0) % span);
}

/** ClassLink's numeric `UserId` of a roster user (seven digits, like 1516492); the id_token's `sub` is its string. */
export function classLinkUserId(sourcedId: string): number {
  return numberOf(`user:${sourcedId}`, 1_000_000, 9_000_000);
}

/** What an identity is built from besides the user. */
export interface IdentityContext {
  /** The TenantId the user reports. */
  tenantId: number;
  /** The district's name (`Tenant`). */
  tenantName: string;
  /** The name of an org by sourcedId ('' when unknown). */
  orgName(sourcedId: string): string;
  /** Now (`LastAccessTime`). */
  now: Date;
}

/** The state every emulated district is in (its NCES ids start with 06). */
const STATE = { id: 5, name: 'California', code: 'CA' } as const;

/** A signed-in ClassLink user. */
export interface SsoIdentity {
  /** The roster user's sourcedId. */
  sourcedId: string;
  /** ClassLink's numeric user id. */
  userId: number;
  /** `/v2/my/info`. */
  myInfo: Record<string, string | number>;
  /** The identity claims of the id_token (without iss, aud, exp, iat, nonce). */
  claims: Record<string, unknown>;
  /** `/v2/my/profileinfo`: standard OpenID claims. */
  profileInfo: Record<string, unknown>;
}

/** The ClassLink identity of a roster user. */
export function ssoIdentity(user: RosterUser, ctx: IdentityContext): SsoIdentity {
  const role = classLinkRole(user.role);
  const userId = classLinkUserId(user.sourcedId);
  const building = user.orgSourcedIds[0] ?? '';
  const displayName = [user.givenName, user.familyName].filter((n) => n !== '').join(' ');
  const myInfo: Record<string, string | number> = {
    UserId: userId,
    TenantId: ctx.tenantId,
    StateId: STATE.id,
    StateName: STATE.name,
    BuildingId: building === '' ? 0 : numberOf(`building:${building}`, 10_000, 90_000),
    AuthenticationType: 1,
    DisplayName: displayName,
    FirstName: user.givenName,
    LastName: user.familyName,
    Email: user.email,
    LoginId: user.username,
    ImagePath: '',
    LanguageId: 1,
    Language: 'en',
    DefaultTimeFormat: 0,
    Profile: role.name,
    ProfileId: role.profileId,
    Tenant: ctx.tenantName,
    Building: building === '' ? '' : ctx.orgName(building),
    Role: role.name,
    Role_Level: role.level,
    LastAccessTime: ctx.now.toISOString(),
    OrgId: building,
    SourcedId: user.sourcedId,
  };
  const standard = {
    sub: String(userId),
    name: displayName,
    given_name: user.givenName,
    family_name: user.familyName,
    ...(user.middleName ? { middle_name: user.middleName } : {}),
    preferred_username: user.username,
    email: user.email,
    email_verified: user.email !== '',
    profile: role.name,
    address: { locality: ctx.tenantName, region: STATE.code },
  };
  const classLink = {
    classLink_tenant_id: ctx.tenantId,
    classLink_tenant_id_string: String(ctx.tenantId),
    classLink_role: role.name,
    classLink_role_level: role.level,
    classLink_sourcedId: user.sourcedId,
    classLink_org_sourcedids: [...user.orgSourcedIds],
  };
  return {
    sourcedId: user.sourcedId,
    userId,
    myInfo,
    claims: { ...standard, ...classLink },
    profileInfo: { ...standard, ...classLink },
  };
}
