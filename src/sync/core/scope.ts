/**
 * Which existing patrons a sync of these settings is responsible for (SPEC §3.4, §3.5): a
 * Policy of a selected role and a matched Site; and which of them it owns — whose GUID belongs
 * to the running integration (SPEC §3.2). Site codes and policies are typed by hand or
 * imported, so they are compared without case or surrounding spaces.
 */
import { STATUS_ACTIVE, STATUS_TRANSFERRED } from '../../domain/fields.ts';
import type { IntegrationKind, Patron } from '../../domain/patron.ts';
import type { SyncSettings } from './types.ts';

/** The folded codes of the matched sites and policies of the selected roles. */
export interface Scope {
  /** Matched site codes, folded. */
  sites: ReadonlySet<string>;
  /** Policies of the selected roles, folded. */
  policies: ReadonlySet<string>;
}

/** A site code or policy as compared: trimmed and lower-cased. */
export function fold(s: string): string {
  return s.trim().toLowerCase();
}

/** Orders strings by code unit (locale-independent, so plans are the same on every machine). */
export function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The matched sites and synced policies of the settings. */
export function scopeOf(settings: SyncSettings): Scope {
  return {
    sites: new Set([...settings.siteByOrg.values()].map(fold)),
    policies: new Set(settings.roles.map((r) => fold(settings.defaults[r].policy))),
  };
}

/** Whether a patron has a Policy of a selected role and a matched Site (whatever its status). */
export function isPatronInScope(p: Pick<Patron, 'policy' | 'site'>, scope: Scope): boolean {
  return scope.policies.has(fold(p.policy)) && scope.sites.has(fold(p.site));
}

/**
 * The denominator of the update threshold (SPEC §3.5): "the in-scope patrons (a Policy of a
 * synced role at a matched site, not Transferred)" — those have left; counting them would
 * dilute the percentage. (The transfer threshold has its own: ownedPatronCount.)
 */
export function inScopePatronCount(patrons: readonly Patron[], settings: SyncSettings): number {
  const scope = scopeOf(settings);
  let n = 0;
  for (const p of patrons) if (countsInScope(p, scope)) n++;
  return n;
}

/** Whether a patron counts among the in-scope patrons of the update threshold (see inScopePatronCount). */
export function countsInScope(p: Pick<Patron, 'policy' | 'site' | 'status'>, scope: Scope): boolean {
  return p.status !== STATUS_TRANSFERRED && isPatronInScope(p, scope);
}

/**
 * SPEC §3.2: "A patron's GUID belongs to the integration whose sync set it or matched it. A GUID
 * that arrived by file import belongs to none until a sync matches it." The sync records that
 * owner in `guidSource` (plan.ts sets it on every write and ownership claim); a blank GUID
 * belongs to no one whatever the column says.
 */
export function guidBelongsTo(p: Pick<Patron, 'guid' | 'guidSource'>, integration: IntegrationKind): boolean {
  return p.guidSource === integration && p.guid.trim() !== '';
}

/**
 * The denominator of the transfer threshold (SPEC §3.5): "the patrons a sync could transfer:
 * the Active patrons whose GUID belongs to the running integration. Patrons that no sync owns
 * (imported, hand-made) never dilute it." Active is Status 1: a librarian's own codes (2
 * Blocked, …) are left out, which can only make the threshold stricter.
 */
export function ownedPatronCount(patrons: readonly Patron[], settings: Pick<SyncSettings, 'integration'>): number {
  let n = 0;
  for (const p of patrons) if (countsAsOwned(p, settings.integration)) n++;
  return n;
}

/** Whether a patron counts among the owned patrons of the transfer threshold (see ownedPatronCount). */
export function countsAsOwned(p: Pick<Patron, 'guid' | 'guidSource' | 'status'>, integration: IntegrationKind): boolean {
  return p.status === STATUS_ACTIVE && guidBelongsTo(p, integration);
}
