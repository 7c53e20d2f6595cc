/**
 * Small builders of roster users, patrons, settings and snapshots for tests of the sync engine
 * (after outline's test factories): each gives a plausible default and takes overrides.
 */
import type { Patron, PatronKeys } from '../../domain/patron.ts';
import type { Plan } from './types.ts';
import { emptyPatronValues } from '../../domain/patron.ts';
import type { RosterUser } from '../../domain/roster.ts';
import { copyValues } from './patron-values.ts';
import { DEFAULT_FIELD_MAPPING, DEFAULT_THRESHOLDS, defaultRoleDefaults, type Snapshot, type SyncSettings } from './types.ts';

/** The org sourcedId the default settings match to site `MHS`. */
export const ORG_MHS = 'org-mhs';
/** The org sourcedId the default settings match to site `EHS`. */
export const ORG_EHS = 'org-ehs';
/** An org the default settings do not match. */
export const ORG_UNMATCHED = 'org-other';

/** A roster user: an active student of MHS named after its sourcedId, unless overridden. */
export function buildUser(overrides: Partial<RosterUser> & { sourcedId: string }): RosterUser {
  return {
    status: 'active',
    dateLastModified: '2026-01-01T00:00:00.000Z',
    enabledUser: true,
    role: 'student',
    orgSourcedIds: [ORG_MHS],
    username: '',
    userIds: [],
    givenName: 'Given',
    familyName: overrides.sourcedId,
    middleName: '',
    identifier: '',
    email: '',
    sms: '',
    phone: '',
    agentSourcedIds: [],
    grades: ['09'],
    ...overrides,
  };
}

/**
 * A patron: an active Student of MHS with no GUID, unless overridden. `id` is required so
 * tests say which patron they mean.
 */
export function buildPatron(overrides: Partial<Patron> & { id: number }): Patron {
  const merged: Patron = {
    ...emptyPatronValues(),
    policy: 'Student',
    site: 'MHS',
    status: 1,
    guidSource: null,
    matchedBy: null,
    ...overrides,
  };
  // Rebuilt in one key order whatever the overrides' order: objects of one shape, as a store returns them.
  return { id: merged.id, ...copyValues(merged), guidSource: merged.guidSource, matchedBy: merged.matchedBy };
}

/**
 * The patron a ClassLink sync would have made of `buildUser(user)` with the default settings:
 * GUID set and owned by ClassLink, mapped fields equal, so planning it again changes nothing.
 */
export function buildSyncedPatron(user: RosterUser, overrides: Partial<Patron> & { id: number }): Patron {
  return buildPatron({
    guid: user.sourcedId,
    guidSource: 'classlink',
    matchedBy: 'guid',
    firstName: user.givenName,
    middleName: user.middleName,
    lastName: user.familyName,
    phone: user.phone,
    email: user.email,
    level: user.grades[0] ?? '',
    site: user.orgSourcedIds[0] === ORG_EHS ? 'EHS' : 'MHS',
    policy: user.role === 'teacher' ? 'Teacher' : user.role === 'student' ? 'Student' : 'Staff',
    ...overrides,
  });
}

/** Settings of a ClassLink sync of students and teachers at MHS and EHS, nothing optional mapped. */
export function buildSettings(overrides: Partial<SyncSettings> = {}): SyncSettings {
  return {
    integration: 'classlink',
    roles: ['student', 'teacher'],
    siteByOrg: new Map([
      [ORG_MHS, 'MHS'],
      [ORG_EHS, 'EHS'],
    ]),
    mapping: { ...DEFAULT_FIELD_MAPPING },
    thresholds: { ...DEFAULT_THRESHOLDS },
    defaults: defaultRoleDefaults(),
    ...overrides,
  };
}

/** A complete full snapshot of the given users, with no agents, demographics or homerooms. */
export function buildSnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    kind: 'full',
    complete: true,
    incompleteReasons: [],
    users: [],
    agents: new Map(),
    demographics: new Map(),
    homerooms: new Map(),
    malformedCount: 0,
    unreadableUserIds: new Set(),
    ...overrides,
  };
}

/**
 * What apply would leave behind, in memory: the patrons after writing every change and claim
 * of the plan (new patrons get ids after the highest). For idempotence tests.
 */
export function applyPlanInMemory(patrons: readonly Patron[], plan: Plan): Patron[] {
  const byId = new Map(patrons.map((p) => [p.id, { ...p }]));
  let nextId = patrons.reduce((max, p) => Math.max(max, p.id), 0) + 1;
  for (const c of plan.changes) {
    if (c.kind === 'create') {
      const id = nextId++;
      byId.set(id, { ...c.values, id, guidSource: c.guidSource, matchedBy: c.matchedBy });
    } else if (c.kind === 'update' || c.kind === 'transfer' || c.kind === 'reactivate') {
      byId.set(c.patronId, { ...c.values, id: c.patronId, guidSource: c.guidSource, matchedBy: c.matchedBy });
    }
  }
  for (const claim of plan.claims) {
    const p = byId.get(claim.patronId);
    if (p) Object.assign(p, { guidSource: claim.guidSource, matchedBy: claim.matchedBy });
  }
  return [...byId.values()];
}

/** A small seeded generator (mulberry32), so a failing random case can be replayed by its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A patron's key columns, as the store's key scan (scanKeys) hands them to a delta. */
export function keysOf(p: Patron): PatronKeys {
  return {
    id: p.id,
    guid: p.guid,
    barcode: p.barcode,
    communityId: p.communityId,
    email: p.email,
    status: p.status,
    policy: p.policy,
    site: p.site,
    guidSource: p.guidSource,
  };
}
