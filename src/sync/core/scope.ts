/**
 * Which existing patrons a sync of these settings is responsible for (SPEC §3.4, §3.5): a
 * Policy of a selected role and a matched Site. Site codes and policies are typed by hand or
 * imported, so they are compared without case or surrounding spaces.
 */
import { STATUS_TRANSFERRED } from '../../domain/fields.ts';
import type { Patron } from '../../domain/patron.ts';
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
 * The existing patrons the safety thresholds are measured against (SPEC §3.5 "in-scope
 * patrons"): a Policy of a selected role, a matched Site, and not already Transferred (those
 * have left; counting them would dilute the percentage a mass transfer is measured by).
 */
export function inScopePatronCount(patrons: readonly Patron[], settings: SyncSettings): number {
  const scope = scopeOf(settings);
  let n = 0;
  for (const p of patrons) if (countsInScope(p, scope)) n++;
  return n;
}

/** Whether a patron counts among the in-scope patrons of the thresholds (see inScopePatronCount). */
export function countsInScope(p: Pick<Patron, 'policy' | 'site' | 'status'>, scope: Scope): boolean {
  return p.status !== STATUS_TRANSFERRED && isPatronInScope(p, scope);
}
