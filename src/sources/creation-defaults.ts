/**
 * The library's creation defaults as stored (SPEC §3.3, §3.8): per role, the Policy, Status,
 * barcode assignment and fixed values a sync gives the patrons it creates. One set per library,
 * shared by every roster source (why: store/migrations/0015-defaults.ts). The zod schema fills
 * what is missing, so an old row keeps working when a new default is added; the rules a person's
 * change must pass are in services/defaults/creation-defaults.ts.
 */
import { z } from 'zod';
import { POLICY_BY_ROLE, STATUS_ACTIVE } from '../domain/fields.ts';
import type { SyncRole } from '../domain/roster.ts';
import type { Repositories } from '../store/store.ts';
import type { RoleDefaults } from '../sync/core/types.ts';

/** The roles a sync creates patrons of, in the order pages and commands list them. */
export const DEFAULT_ROLES: readonly SyncRole[] = ['student', 'teacher', 'admin'];

const BARCODE_DEFAULT = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({
    kind: z.literal('sequence'),
    prefix: z.string().default(''),
    next: z.number().int().nonnegative().default(1),
    width: z.number().int().min(1).max(20).default(6),
  }),
]);

const ROLE_DEFAULTS = (policy: string) =>
  z
    .object({
      policy: z.string().default(policy),
      status: z.number().int().default(STATUS_ACTIVE),
      barcode: BARCODE_DEFAULT.default({ kind: 'none' }),
      fixed: z.record(z.string(), z.string()).default({}),
    })
    .default({ policy, status: STATUS_ACTIVE, barcode: { kind: 'none' }, fixed: {} });

/** Every role's creation defaults, as stored. */
export const CREATION_DEFAULTS = z.object({
  student: ROLE_DEFAULTS(POLICY_BY_ROLE.student),
  teacher: ROLE_DEFAULTS(POLICY_BY_ROLE.teacher),
  admin: ROLE_DEFAULTS(POLICY_BY_ROLE.admin),
});

/** Every role's creation defaults, filled. */
export type CreationDefaults = z.infer<typeof CREATION_DEFAULTS>;

/** Reads stored defaults (unknown JSON, or undefined when never saved) with what is missing filled. */
export function readCreationDefaults(raw: unknown): CreationDefaults {
  const parsed = CREATION_DEFAULTS.safeParse(raw ?? {});
  // A row no schema reads (hand-edited) must not stop every sync: the defaults stand in.
  return parsed.success ? parsed.data : CREATION_DEFAULTS.parse({});
}

/** The library's creation defaults and the revision an admin's save must quote. */
export async function loadCreationDefaults(
  repos: Pick<Repositories, 'creationDefaults'>,
  libraryId: number,
): Promise<{ defaults: CreationDefaults; revision: number; updatedAt: string; updatedBy: string }> {
  const record = await repos.creationDefaults.get(libraryId);
  return { ...record, defaults: readCreationDefaults(record.defaults) };
}

/** The planner's role defaults from the stored ones (copies: a plan never changes the settings). */
export function plannerDefaults(defaults: CreationDefaults): Record<SyncRole, RoleDefaults> {
  const role = (r: CreationDefaults['student']): RoleDefaults => ({ ...r, barcode: { ...r.barcode }, fixed: { ...r.fixed } });
  return { student: role(defaults.student), teacher: role(defaults.teacher), admin: role(defaults.admin) };
}

/**
 * Moves the barcode sequences on after a sync applied (call it inside the apply transaction).
 * A sequence only moves forward: an admin who set it further on meanwhile keeps that. Numbers
 * are never reused either way, since a sequence passes over every barcode a patron holds
 * (sync/core/barcodes.ts), so a number saved lower than a sync left it costs nothing but a skip.
 */
export async function saveBarcodeProgress(
  repos: Pick<Repositories, 'creationDefaults'>,
  libraryId: number,
  nextBarcode: Partial<Record<SyncRole, number>>,
): Promise<void> {
  const roles = DEFAULT_ROLES.filter((r) => nextBarcode[r] !== undefined);
  if (roles.length === 0) return;
  await repos.creationDefaults.lock(libraryId);
  const record = await repos.creationDefaults.get(libraryId);
  const defaults = readCreationDefaults(record.defaults);
  let moved = false;
  for (const role of roles) {
    const stored = defaults[role].barcode;
    const next = nextBarcode[role]!;
    if (stored.kind !== 'sequence' || stored.next >= next) continue;
    stored.next = next;
    moved = true;
  }
  if (moved) await repos.creationDefaults.writeProgress(libraryId, defaults);
}
