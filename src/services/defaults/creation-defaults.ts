/**
 * The library's creation defaults as the page, the API and `rollcall defaults` show and change
 * them (SPEC §3.3, §3.8), with what the scope makes of the Policy names: "The Policy names of
 * the roles are also what decides which existing patrons are in scope, so a library whose
 * patrons use "Students" or "Faculty" sets those." The view therefore counts, for each role,
 * the existing patrons its Policy matches at the matched sites, and lists the Policies those
 * patrons actually hold, so "Student" matching 0 beside "Students" matching 4,210 is seen at once.
 */
import { RollcallError } from '../../domain/errors.ts';
import { FIELDS, type PatronFieldKey } from '../../domain/fields.ts';
import type { IntegrationKind } from '../../domain/patron.ts';
import type { SyncRole } from '../../domain/roster.ts';
import { DEFAULT_ROLES, loadCreationDefaults, type CreationDefaults } from '../../sources/creation-defaults.ts';
import { SOURCE_NAMES, enabledIntegration, loadSourceSettings, sitesOfSource } from '../../sources/registry.ts';
import { readClassLinkSettings } from '../../sources/settings.ts';
import type { Store } from '../../store/store.ts';
import { fold } from '../../sync/core/scope.ts';
import { fieldsSyncOverwrites } from '../patrons/patron-edit.ts';
import { ROLE_PEOPLE, applyRoleDraft, exampleBarcode, type RoleDraft } from './defaults-rules.ts';

/** One role's defaults as shown. */
export interface RoleDefaultsView {
  /** `student`, `teacher` or `admin`. */
  role: SyncRole;
  /** "new students", … */
  people: string;
  /** Policy 1028 of new patrons; also the scope's name for existing ones. */
  policy: string;
  /** Status 1026 of new patrons. */
  status: number;
  /** The barcode assignment, with the next barcode it would give (`example`, '' when blank). */
  barcode: { kind: 'none' | 'sequence'; prefix: string; next: number; width: number; example: string };
  /** Fixed values by field key. */
  fixed: Record<string, string>;
  /** Whether the enabled integration syncs this role. */
  synced: boolean;
  /** Existing patrons at the matched sites whose Policy is this one (compared without case or spaces). */
  matches: number;
}

/** The library's creation defaults, for people and `--json`. */
export interface DefaultsView {
  /** The revision a save must quote (0 when never saved). */
  revision: number;
  /** When last saved by an admin (ISO), '' when never. */
  updatedAt: string;
  /** Who saved last. */
  updatedBy: string;
  /** The enabled integration's name, or '' when none is ON. */
  source: string;
  /** The codes of the matched sites the counts are of. */
  matchedSites: string[];
  /** Whether the enabled integration maps Barcode (then the roster gives it, and no sequence is used). */
  barcodeMapped: boolean;
  /** The roles' defaults, student, teacher, admin. */
  roles: RoleDefaultsView[];
  /** Every Policy the patrons at the matched sites hold, most patrons first. */
  policiesInUse: { policy: string; count: number }[];
  /** The fields a sync maps (no fixed value for them), by key, with the source mapping it. */
  mapped: { key: PatronFieldKey; label: string; source: string }[];
}

/** A change: the revision the person saw, and the roles they changed. */
export interface DefaultsChange {
  /** The revision shown when the change was made; another admin's save since refuses it. */
  revision: number;
  /** What changes per role. */
  roles: Partial<Record<SyncRole, RoleDraft>>;
}

/** The library's creation defaults and what their Policy names match. */
export async function showDefaults(store: Store, libraryId: number): Promise<DefaultsView> {
  const stored = await loadCreationDefaults(store, libraryId);
  const source = await enabledIntegration(store, libraryId);
  const sites = await store.sites.list(libraryId);
  // The matched sites of the enabled source; with none ON, every matched site (what a sync of
  // any source would be responsible for).
  const matched = source ? sitesOfSource(source, sites) : sites.filter((s) => s.orgGuid !== '');
  const byPolicy = await store.patrons.countByPolicy(
    libraryId,
    matched.map((s) => s.id),
  );
  const folded = new Map<string, { policy: string; count: number }>();
  for (const [policy, count] of byPolicy) {
    const key = fold(policy);
    const entry = folded.get(key);
    if (entry) entry.count += count;
    else folded.set(key, { policy: policy.trim(), count });
  }
  const settings = source ? (await loadSourceSettings(store, libraryId, source)).settings : undefined;
  const mappedBy = await mappedFields(store, libraryId);
  return {
    revision: stored.revision,
    updatedAt: stored.updatedAt,
    updatedBy: stored.updatedBy,
    source: source ? SOURCE_NAMES[source] : '',
    matchedSites: matched.map((s) => s.code).sort(),
    barcodeMapped: settings ? settings.mapping.barcode.kind !== 'none' : false,
    roles: DEFAULT_ROLES.map((role) => roleView(role, stored.defaults[role], settings?.roles.includes(role) ?? false, folded)),
    policiesInUse: [...folded.values()].filter((p) => p.policy !== '').sort((a, b) => b.count - a.count || (a.policy < b.policy ? -1 : 1)),
    mapped: FIELDS.filter((f) => mappedBy.has(f.key)).map((f) => ({ key: f.key, label: f.label, source: mappedBy.get(f.key)! })),
  };
}

/**
 * Changes the creation defaults: every role's draft passes the rules (defaults-rules.ts) or
 * nothing is saved; the save is a compare-and-set on the revision the person saw, so of two
 * admins saving at once one wins and the other is told (and shown the winner's values).
 */
export async function changeDefaults(store: Store, libraryId: number, change: DefaultsChange, by: string): Promise<DefaultsView> {
  const stored = await loadCreationDefaults(store, libraryId);
  if (change.revision !== stored.revision) throw savedMeanwhile(stored.updatedBy);
  const mappedBy = await mappedFields(store, libraryId);
  const next: CreationDefaults = structuredClone(stored.defaults);
  for (const role of DEFAULT_ROLES) {
    const draft = change.roles[role];
    if (!draft) continue;
    const applied = applyRoleDraft(role, next[role], draft, mappedBy);
    if ('problem' in applied) throw new RollcallError('usage', applied.problem);
    next[role] = applied.defaults;
  }
  // The compare-and-set is on the revision the person saw: a save landing between our read and
  // this write is caught here, not only one made before the read.
  const saved = await store.creationDefaults.save(libraryId, next, change.revision, by);
  if (saved === undefined) throw savedMeanwhile((await store.creationDefaults.get(libraryId)).updatedBy);
  return showDefaults(store, libraryId);
}

function savedMeanwhile(by: string): RollcallError {
  return new RollcallError(
    'conflict',
    `${by ? `${by} saved` : 'Someone saved'} the new-patron defaults after you opened them; nothing of yours was saved. Look at theirs and make your change again.`,
  );
}

/**
 * The fields a sync of a configured source writes, with that source's name: a fixed value for
 * one of them would be overwritten by every sync. Every saved source counts, not only the one
 * ON: the defaults are shared, and turning another source on must not make a saved value moot.
 */
async function mappedFields(store: Store, libraryId: number): Promise<Map<PatronFieldKey, string>> {
  const out = new Map<PatronFieldKey, string>();
  const saved = (await store.integrations.list(libraryId)).map((r) => r.kind);
  const enabled = await enabledIntegration(store, libraryId);
  const kinds: IntegrationKind[] = enabled ? [enabled, ...saved.filter((k) => k !== enabled)] : saved;
  if (kinds.length === 0) {
    // None set up yet: the default mapping, which every source has.
    for (const key of fieldsSyncOverwrites(readClassLinkSettings({}).mapping)) out.set(key, 'Every roster source');
  }
  for (const kind of kinds) {
    const { settings } = await loadSourceSettings(store, libraryId, kind);
    for (const key of fieldsSyncOverwrites(settings.mapping)) if (!out.has(key)) out.set(key, SOURCE_NAMES[kind]);
  }
  return out;
}

function roleView(
  role: SyncRole,
  d: CreationDefaults[SyncRole],
  synced: boolean,
  byPolicy: ReadonlyMap<string, { count: number }>,
): RoleDefaultsView {
  const seq = d.barcode.kind === 'sequence' ? d.barcode : { prefix: '', next: 1, width: 6 };
  return {
    role,
    people: ROLE_PEOPLE[role],
    policy: d.policy,
    status: d.status,
    barcode: { kind: d.barcode.kind, prefix: seq.prefix, next: seq.next, width: seq.width, example: exampleBarcode(d.barcode) },
    fixed: { ...d.fixed },
    synced,
    matches: byPolicy.get(fold(d.policy))?.count ?? 0,
  };
}
