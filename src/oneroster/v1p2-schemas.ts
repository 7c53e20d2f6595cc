/**
 * How OneRoster 1.2 REST records are read into the canonical (1.1-shaped) records of
 * src/domain/roster.ts. Only users differ in a way Rollcall reads: `roles[]` and `primaryOrg`
 * replace `role` and `orgs[]` (reduced by resolveUserRole), and `enabledUser` is the string
 * "true"/"false" (the tolerant flag reader takes both). Orgs, classes, enrollments,
 * demographics and academic sessions keep their 1.1 reading: 1.2 sends the same fields
 * (booleans as strings, `periods` as a list, sex with `other`/`unspecified`), which the 1.1
 * schemas already accept.
 *
 * 1.2's preferred names (preferredFirstName, preferredMiddleName, preferredLastName),
 * `pronouns`, `userMasterIdentifier` and `userProfiles` are not read: First, Middle and Last
 * Name stay the legal givenName / middleName / familyName, as from a 1.1 server and a 1.2 CSV
 * package, so a district's patrons do not change names when it moves from 1.1 to 1.2.
 */
import { z } from 'zod';
import type { RosterUser } from '../domain/roster.ts';
import type { CollectionSpecs } from './parse.ts';
import { COLLECTION_SPECS } from './schemas.ts';
import { resolveUserRole, type UserRole } from './v1p2-roles.ts';
import {
  flag,
  list,
  ref,
  refs,
  status,
  text,
  userIds,
  wireFlag,
  wireList,
  wireRef,
  wireRefs,
  wireStatus,
  wireText,
  wireUserIds,
  word,
} from './wire-values.ts';

/** One `roles[]` entry on the wire: the fields the rule reads (userProfile and dates are ignored). */
const wireRole = z.object({ roleType: wireText, role: wireText, org: wireRef });

const user = z
  .object({
    sourcedId: wireText,
    status: wireStatus,
    dateLastModified: wireText,
    enabledUser: wireFlag,
    roles: z.array(wireRole).nullish(),
    primaryOrg: wireRef,
    username: wireText,
    userIds: wireUserIds,
    givenName: wireText,
    familyName: wireText,
    middleName: wireText,
    identifier: wireText,
    email: wireText,
    sms: wireText,
    phone: wireText,
    agents: wireRefs,
    grades: wireList,
  })
  .transform((w, ctx): RosterUser => {
    const s = status(w.status);
    if (!s) ctx.addIssue({ code: 'custom', message: 'expected active or tobedeleted', path: ['status'] });
    const enabled = flag(w.enabledUser, true);
    if (enabled === undefined) ctx.addIssue({ code: 'custom', message: 'expected true or false', path: ['enabledUser'] });
    const roles: UserRole[] = (w.roles ?? []).map((r) => ({ roleType: word(r.roleType), role: word(r.role), org: ref(r.org) }));
    const resolved = resolveUserRole(roles, ref(w.primaryOrg));
    return {
      sourcedId: text(w.sourcedId),
      status: s ?? 'active',
      dateLastModified: text(w.dateLastModified),
      enabledUser: enabled ?? true,
      // '' when no role: the required-field check then reports "missing roles".
      role: resolved?.role ?? '',
      orgSourcedIds: resolved?.orgSourcedIds ?? [],
      username: text(w.username),
      userIds: userIds(w.userIds),
      givenName: text(w.givenName),
      familyName: text(w.familyName),
      middleName: text(w.middleName),
      identifier: text(w.identifier),
      email: text(w.email),
      sms: text(w.sms),
      phone: text(w.phone),
      agentSourcedIds: refs(w.agents),
      grades: list(w.grades),
    };
  });

/** The reading rules of OneRoster 1.2 REST: 1.1's, with 1.2 users. */
export const V1P2_COLLECTION_SPECS: CollectionSpecs = {
  ...COLLECTION_SPECS,
  users: {
    schema: user,
    required: [
      { wire: 'roles', canonical: 'role' },
      { wire: 'givenName', canonical: 'givenName', blankAllowed: true },
      { wire: 'familyName', canonical: 'familyName', blankAllowed: true },
    ],
  },
};
