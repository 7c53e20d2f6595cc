/**
 * Who may come in with ClassLink (SPEC §4) — a pure decision, so every refusal has a
 * test and a sentence. Input: what ClassLink said about the person (`/v2/my/info`), the
 * libraries that could be theirs, and the patron holding their SourcedId. Output: a patron or
 * staff session, or a refusal with its reason. Nothing is ever created here or elsewhere in
 * sign-in: a person the sync has not made a patron is refused.
 */
import { STATUS_ACTIVE, STATUS_TRANSFERRED } from '../domain/fields.ts';

/** The fields of ClassLink's `/v2/my/info` that sign-in reads (PascalCase, as sent). */
export interface MyInfo {
  /** ClassLink's numeric user id. */
  UserId: number;
  /** The district's numeric Tenant ID. */
  TenantId: number;
  /** The roster user's sourcedId: our patron's GUID. */
  SourcedId: string;
  /** Student, Teacher, Tenant Administrator, … */
  Role: string;
  DisplayName?: string;
  FirstName?: string;
  LastName?: string;
}

/** A library as sign-in sees it. */
export interface SsoLibrary {
  id: number;
  code: string;
  /** "Allow log-in with ClassLink" is on (and ClassLink is the enabled integration). */
  ssoOn: boolean;
  /** The district's Tenant ID, or null when none is known. */
  tenantId: number | null;
}

/** The patron holding the SourcedId in a library, as sign-in sees it. */
export interface SsoPatron {
  id: number;
  status: number;
  /** The patron is linked to a staff account (a Teacher/Staff reaching the staff pages). */
  staffUserId: number | null;
}

/** Why someone is refused. */
export type RefusalReason = 'wrong_tenant' | 'sso_off' | 'not_synced' | 'transferred' | 'inactive' | 'no_identity';

/** What sign-in decides. */
export type SsoDecision =
  | { kind: 'patron'; libraryId: number; patronId: number }
  | { kind: 'staff'; libraryId: number; staffUserId: number }
  | { kind: 'refused'; reason: RefusalReason; message: string };

/** The sentence shown for each refusal. */
export function refusalMessage(reason: RefusalReason, info?: Pick<MyInfo, 'TenantId'>): string {
  switch (reason) {
    case 'wrong_tenant':
      return `Your ClassLink account belongs to a district (tenant ${info?.TenantId ?? '?'}) that does not use this library.`;
    case 'sso_off':
      return 'Signing in with ClassLink is turned off for this library. Ask your librarian.';
    case 'not_synced':
      return 'Your ClassLink account is not a patron of this library yet (the roster has not been synced since you were added). Ask your librarian, or try again tomorrow.';
    case 'transferred':
      return 'Your library record is marked Transferred, so you cannot sign in. Ask your librarian if this is wrong.';
    case 'inactive':
      return 'Your library record is not active, so you cannot sign in. Ask your librarian.';
    case 'no_identity':
      return 'ClassLink did not say who you are, so you cannot be signed in. Try again, or ask your librarian.';
  }
}

/**
 * Decides. `libraries` are the candidates (one when the flow named a library, else all);
 * `patronOf(libraryId)` finds the patron holding `info.SourcedId` in that library.
 */
export async function decide(
  info: MyInfo,
  libraries: readonly SsoLibrary[],
  patronOf: (libraryId: number) => Promise<SsoPatron | undefined>,
): Promise<SsoDecision> {
  const refuse = (reason: RefusalReason): SsoDecision => ({ kind: 'refused', reason, message: refusalMessage(reason, info) });
  if (!info.SourcedId?.trim() || !Number.isFinite(info.TenantId)) return refuse('no_identity');
  const ofTenant = libraries.filter((l) => l.tenantId !== null && l.tenantId === info.TenantId);
  if (ofTenant.length === 0) return refuse('wrong_tenant');
  const open = ofTenant.filter((l) => l.ssoOn);
  if (open.length === 0) return refuse('sso_off');
  // A district may run several libraries: the one holding the person's record is theirs. An
  // active record wins over a transferred one (a student who moved between them).
  let best: { library: SsoLibrary; patron: SsoPatron } | undefined;
  for (const library of open) {
    const patron = await patronOf(library.id);
    if (!patron) continue;
    if (!best || (patron.status === STATUS_ACTIVE && best.patron.status !== STATUS_ACTIVE)) best = { library, patron };
  }
  if (!best) return refuse('not_synced');
  if (best.patron.status === STATUS_TRANSFERRED) return refuse('transferred');
  if (best.patron.status !== STATUS_ACTIVE) return refuse('inactive');
  if (best.patron.staffUserId !== null) return { kind: 'staff', libraryId: best.library.id, staffUserId: best.patron.staffUserId };
  return { kind: 'patron', libraryId: best.library.id, patronId: best.patron.id };
}
