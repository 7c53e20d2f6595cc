/**
 * The values of command-line options, parsed (pure). A value that cannot be read is bad usage
 * (exit 2), said in one sentence naming the option and what it accepts.
 */
import { RollcallError } from '../domain/errors.ts';
import type { SyncRole } from '../domain/roster.ts';
import { TEXT_LIMITS, tooLongProblem, type TextLimit } from '../domain/text-limits.ts';
import type { IdMappingSetting } from '../sources/settings.ts';
import type { LocationMapping } from '../sync/core/types.ts';

/** The roles `--roles` accepts. */
export const ROLE_NAMES: readonly SyncRole[] = ['student', 'teacher', 'admin'];
/** The Location options `--map location=` accepts. */
export const LOCATION_NAMES: readonly LocationMapping[] = ['none', 'homeroom-code', 'homeroom-location', 'homeroom-teacher'];

/** What `--map` assignments set. */
export interface MappingChange {
  /** Barcode (1000). */
  barcode?: IdMappingSetting;
  /** Community ID (1001). */
  communityId?: IdMappingSetting;
  /** Location (1004). */
  location?: LocationMapping;
}

/** `--roles student,teacher,admin` → the roles, each once, in the order given. */
export function parseRoles(text: string): SyncRole[] {
  const roles: SyncRole[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    const role = ROLE_NAMES.find((r) => r === name || (r === 'admin' && (name === 'staff' || name === 'administrator')));
    if (!role) throw usage(`--roles takes a comma-separated list of ${ROLE_NAMES.join(', ')}; "${raw.trim()}" is not one of them.`);
    if (!roles.includes(role)) roles.push(role);
  }
  if (roles.length === 0) throw usage(`--roles needs at least one of ${ROLE_NAMES.join(', ')}.`);
  return roles;
}

/** Every `--map FIELD=VALUE` given, merged (a later one for the same field wins). */
export function parseMappings(assignments: readonly string[]): MappingChange {
  const change: MappingChange = {};
  for (const a of assignments) Object.assign(change, parseMapping(a));
  return change;
}

/** One `--map` assignment: `barcode=…`, `community-id=…` or `location=…`. */
export function parseMapping(assignment: string): MappingChange {
  const eq = assignment.indexOf('=');
  const field = (eq < 0 ? assignment : assignment.slice(0, eq)).trim().toLowerCase();
  const value = eq < 0 ? '' : assignment.slice(eq + 1).trim();
  switch (field) {
    case 'barcode':
      return { barcode: parseIdMapping('barcode', value) };
    case 'community-id':
    case 'communityid':
      return { communityId: parseIdMapping('community-id', value) };
    case 'location': {
      const location = LOCATION_NAMES.find((l) => l === value.toLowerCase());
      if (!location) throw usage(`--map location= takes one of ${LOCATION_NAMES.join(', ')}; "${value}" is not one of them.`);
      return { location };
    }
    default:
      throw usage(`--map takes barcode=…, community-id=… or location=…; "${assignment}" is none of them.`);
  }
}

/** `none`, `identifier`, `username` or `userid:TYPE`. */
function parseIdMapping(field: string, value: string): IdMappingSetting {
  const lower = value.toLowerCase();
  if (lower === 'none' || lower === 'identifier' || lower === 'username') return { kind: lower };
  if (lower.startsWith('userid:')) {
    const type = value.slice('userid:'.length).trim();
    if (type !== '') return { kind: 'userid', type };
  }
  throw usage(
    `--map ${field}= takes none, identifier, username or userid:TYPE (a userIds type such as userid:FED); "${value}" is none of them.`,
  );
}

/** `on` / `off` (also yes/no, true/false). */
export function parseOnOff(option: string, text: string): boolean {
  const v = text.trim().toLowerCase();
  if (['on', 'yes', 'true'].includes(v)) return true;
  if (['off', 'no', 'false'].includes(v)) return false;
  throw usage(`${option} takes on or off, not "${text}".`);
}

/** A percentage from 0 to 100 (decimals allowed). */
export function parsePercent(option: string, text: string): number {
  const v = text.trim();
  const n = Number(v);
  if (v === '' || !Number.isFinite(n) || n < 0 || n > 100) throw usage(`${option} takes a percentage from 0 to 100, not "${text}".`);
  return n;
}

/** A whole number within bounds. */
export function parseWholeNumber(option: string, text: string, min: number, max: number): number {
  const v = text.trim();
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw usage(`${option} takes a whole number from ${min} to ${max}, not "${text}".`);
  }
  return Number(v);
}

/** A text option within its limit (the one the pages and the API use), unchanged; never cut short. */
export function limitedText(option: string, text: string, limit: TextLimit): string {
  const problem = tooLongProblem(option, text.trim(), TEXT_LIMITS[limit]);
  if (problem) throw usage(problem);
  return text;
}

/** How a mapping is written on the command line (`userid:FED`, `none`, …). */
export function idMappingText(m: IdMappingSetting): string {
  return m.kind === 'userid' ? `userid:${m.type}` : m.kind;
}

function usage(message: string): RollcallError {
  return new RollcallError('usage', message);
}
