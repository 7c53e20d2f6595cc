/**
 * Turning a roster source ON and OFF — the one path the web pages, the JSON API and the CLI
 * take (each words the refusals its own way: phrases.ts). Whether a source may sync now is
 * registry.ts maySyncNow.
 *
 * One source at a time (SPEC §1.3): enabling ClassLink, OneRoster REST or OneRoster CSV
 * turns the others off and clears every identifier that belonged to them — patron GUIDs whose
 * source is another integration, and site matches made for another integration — in one
 * transaction, after the admin has been told how many (turnOnPreview).
 *
 * "The admin is told, before confirming, how many identifiers will be cleared" (SPEC §1.3): the
 * confirmation carries the total the admin was shown, and turnOn applies only if that is what it
 * clears. A sync (or a site matched) between the preview and the confirmation changes the
 * count; then nothing is applied and the answer is the new preview (PreviewChanged), to be
 * confirmed again. The check is made on what the transaction actually cleared, with the
 * library's integration rows locked — a sync's apply locks its own row before writing (run.ts)
 * — so nothing can slip in between the count and the clear on either database. A turn-on that
 * carries no count is applied only when it clears nothing.
 *
 * What is NOT cleared, and why: a patron GUID with no source (from a file import, or typed in)
 * belongs to no integration until a sync matches it (SPEC §3.2), so it stays for the new
 * integration to match; and the enabled integration's own identifiers stay. A site match that
 * records no source (made by code predating the record) is cleared: nobody can say it is the
 * new integration's.
 */
import type { IntegrationKind } from '../domain/patron.ts';
import type { JournalBy, Repositories, Store } from '../store/store.ts';
import { INTEGRATION_KINDS, SOURCE_NAMES, enabledIntegration, isConfigured, sitesOfSource } from './registry.ts';
import { RollcallError } from '../domain/errors.ts';
import { noMatchedSiteNote, previewChangedSentence, turnOnRefused, type Asker, type Refusal } from './phrases.ts';

/** What turning a source on would clear and turn off (SPEC §1.3: told before confirming). */
export interface TurnOnPreview {
  /** The source to turn on. */
  kind: IntegrationKind;
  /** The source ON now, if any. */
  current: IntegrationKind | undefined;
  /** Patron GUIDs that would be cleared, per source they belong to (only those with any). */
  patronGuids: Partial<Record<IntegrationKind, number>>;
  /** Patron GUIDs that would be cleared, in all. */
  patronGuidTotal: number;
  /** Site matches that would be cleared (made for another source, or recording none). */
  siteGuids: number;
  /** Everything that would be cleared: patron GUIDs and site matches. */
  total: number;
  /** It is ON already. */
  alreadyEnabled: boolean;
  /** It is configured (turning it on is refused otherwise). */
  configured: boolean;
  /** Sites matched to its schools. */
  matchedSites: number;
}

/** What turning a source on did. */
export interface TurnOnResult {
  /** The source now ON. */
  kind: IntegrationKind;
  /** It was ON already. */
  unchanged: boolean;
  /** The sources turned off. */
  disabled: IntegrationKind[];
  /** Patron GUIDs cleared, in all. */
  clearedPatronGuids: number;
  /** Patron GUIDs cleared, per source they belonged to (only those with any). */
  clearedPatronGuidsBySource: Partial<Record<IntegrationKind, number>>;
  /** Site matches cleared. */
  clearedSiteGuids: number;
  /** Sites matched to its schools. */
  matchedSites: number;
  /** Things the admin should know (one sentence each), worded for who asked. */
  notes: string[];
}

/** Whether a source may be turned on; undefined when it may (it needs only to be configured). */
export async function mayTurnOn(
  repos: Pick<Repositories, 'integrations'>,
  libraryId: number,
  kind: IntegrationKind,
): Promise<Refusal | undefined> {
  return (await isConfigured(repos, libraryId, kind)) ? undefined : { reason: 'not_configured' };
}

/** How many identifiers turning `kind` on would clear, whether it is on already, and whether it may be turned on. */
export async function turnOnPreview(
  repos: Pick<Repositories, 'integrations' | 'patrons' | 'sites'>,
  libraryId: number,
  kind: IntegrationKind,
): Promise<TurnOnPreview> {
  const patronGuids: Partial<Record<IntegrationKind, number>> = {};
  let patronGuidTotal = 0;
  for (const other of INTEGRATION_KINDS) {
    if (other === kind) continue;
    const n = await repos.patrons.count(libraryId, { guidSource: other });
    if (n > 0) patronGuids[other] = n;
    patronGuidTotal += n;
  }
  const sites = await repos.sites.list(libraryId);
  const siteGuids = sites.filter((s) => s.orgGuid !== '' && s.orgGuidSource !== kind).length;
  const current = await enabledIntegration(repos, libraryId);
  return {
    kind,
    current,
    patronGuids,
    patronGuidTotal,
    siteGuids,
    total: patronGuidTotal + siteGuids,
    alreadyEnabled: current === kind,
    configured: (await mayTurnOn(repos, libraryId, kind)) === undefined,
    matchedSites: sitesOfSource(kind, sites).length,
  };
}

/**
 * The refusal of a turn-on whose confirmation is not what it would clear (see the module
 * comment): nothing was changed; `preview` is what turning it on clears now, to confirm again.
 */
export class PreviewChanged extends RollcallError {
  /** What turning the source on clears now. */
  readonly preview: TurnOnPreview;
  /** The total the confirmation carried (undefined: none). */
  readonly previewed: number | undefined;

  constructor(preview: TurnOnPreview, previewed: number | undefined, asker: Asker) {
    super('conflict', previewChangedSentence(preview.kind, previewed, preview.total, asker));
    this.preview = preview;
    this.previewed = previewed;
  }
}

/** Thrown inside the transaction to roll it back; answered as PreviewChanged once it has. */
class ClearedOtherThanPreviewed extends Error {}

/**
 * Turns a source on: in one transaction, the others are turned off and their identifiers
 * cleared, and this one is turned on. A source that was off starts afresh: its delta watermark
 * is reset, so its first sync is a full one. Refused (not_configured, worded for the asker) for
 * a source that is not configured; refused with the new preview (PreviewChanged, nothing
 * changed) when what it would clear is not the `previewed` total the admin confirmed — or, with
 * no total, when it would clear anything at all. Each patron GUID cleared is journaled (SPEC
 * §3.9), by `by`.
 */
export async function turnOn(
  store: Store,
  libraryId: number,
  kind: IntegrationKind,
  asker: Asker,
  /** The total of the preview the admin confirmed (TurnOnPreview.total); undefined: none was shown. */
  previewed?: number,
  /** Who turns it on, for the journal (SPEC §3.9). */
  by: JournalBy = {},
): Promise<TurnOnResult> {
  if (await mayTurnOn(store, libraryId, kind)) throw turnOnRefused(kind, asker);
  const result = await store
    .transaction(async (tx) => turnOnIn(tx, libraryId, kind, previewed ?? 0, by))
    .catch(async (e: unknown) => {
      if (!(e instanceof ClearedOtherThanPreviewed)) throw e;
      throw new PreviewChanged(await turnOnPreview(store, libraryId, kind), previewed, asker);
    });
  const matchedSites = sitesOfSource(kind, await store.sites.list(libraryId)).length;
  return { ...result, matchedSites, notes: matchedSites === 0 ? [noMatchedSiteNote(kind, asker)] : [] };
}

/** The work of turnOn, in its transaction; throws ClearedOtherThanPreviewed (rolling back) when the clear is not `previewed`. */
async function turnOnIn(tx: Repositories, libraryId: number, kind: IntegrationKind, previewed: number, by: JournalBy) {
  // Every integration row of the library held first, in one order: a sync's apply holds its
  // source's row while it writes GUIDs (run.ts), so none is half-written under the count.
  for (const k of [...INTEGRATION_KINDS].sort()) await tx.integrations.lock(libraryId, k);
  const saved = await tx.integrations.list(libraryId);
  const clearedPatronGuidsBySource: Partial<Record<IntegrationKind, number>> = {};
  let clearedPatronGuids = 0;
  for (const other of INTEGRATION_KINDS) {
    if (other === kind) continue;
    const n = await tx.patrons.clearGuids(libraryId, other, by);
    if (n > 0) clearedPatronGuidsBySource[other] = n;
    clearedPatronGuids += n;
  }
  const clearedSiteGuids = await tx.sites.clearOrgGuidsExcept(libraryId, kind);
  // What was cleared is what the admin was told, or nothing is (the transaction rolls back).
  if (clearedPatronGuids + clearedSiteGuids !== previewed) throw new ClearedOtherThanPreviewed();
  const disabled: IntegrationKind[] = [];
  for (const r of saved) {
    if (r.kind === kind || !r.enabled) continue;
    await tx.integrations.save(libraryId, r.kind, { enabled: false });
    disabled.push(r.kind);
  }
  const own = saved.find((r) => r.kind === kind);
  const unchanged = own?.enabled ?? false;
  if (!unchanged) {
    // Initialise its own (SPEC §1.3): identifiers it set before may have been cleared since,
    // so the first sync must be a full one that matches everybody again.
    const settings =
      own && typeof own.settings === 'object' && own.settings !== null
        ? { ...(own.settings as Record<string, unknown>), lastSuccessAt: '' }
        : {};
    await tx.integrations.save(libraryId, kind, { enabled: true, settings });
  }
  return { kind, unchanged, disabled, clearedPatronGuids, clearedPatronGuidsBySource, clearedSiteGuids };
}

/** Turns a source off: syncs stop; patrons, GUIDs and site matches are kept. Returns whether it was ON. */
export async function turnOff(repos: Pick<Repositories, 'integrations'>, libraryId: number, kind: IntegrationKind): Promise<boolean> {
  const own = await repos.integrations.get(libraryId, kind);
  if (!own?.enabled) return false;
  await repos.integrations.save(libraryId, kind, { enabled: false });
  return true;
}

/** The sentence shown before confirming: what turning a source on would clear and turn off. */
export function previewSentence(p: TurnOnPreview): string {
  const parts: string[] = [];
  for (const k of INTEGRATION_KINDS) {
    const n = p.patronGuids[k];
    if (n) parts.push(`${n} patron GUID${n === 1 ? '' : 's'} of ${SOURCE_NAMES[k]}`);
  }
  if (p.siteGuids > 0) parts.push(`${p.siteGuids} site match${p.siteGuids === 1 ? '' : 'es'} to other integrations' schools`);
  const off = p.current !== undefined && p.current !== p.kind ? ` and turns ${SOURCE_NAMES[p.current]} off` : '';
  if (parts.length === 0) return `Enabling ${SOURCE_NAMES[p.kind]} clears no identifiers${off}.`;
  return `Enabling ${SOURCE_NAMES[p.kind]} clears ${joinAnd(parts)}${off}.`;
}

function joinAnd(parts: readonly string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
